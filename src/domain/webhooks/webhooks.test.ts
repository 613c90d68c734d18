import { describe, expect, it } from 'vitest';
import {
  isPublicAddress,
  leadEventsOf,
  retryDelayMs,
  retrySchedule,
  targetProblem,
  withoutWrittenText,
} from './webhooks.ts';

describe('webhook retries', () => {
  it('back off from seconds to a day, about three days in all, then stop', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(12, () => 0.5)).toBe(24 * 3_600_000);
    expect(retryDelayMs(13, () => 0.5)).toBeNull();
    const total = retrySchedule.reduce((sum, ms) => sum + ms, 0) / 86_400_000;
    expect(total).toBeGreaterThan(2.5);
    expect(total).toBeLessThan(3.5);
    for (let attempt = 2; attempt <= retrySchedule.length; attempt++)
      expect(retrySchedule[attempt - 1]!).toBeGreaterThan(retrySchedule[attempt - 2]!);
  });

  it('spread ten per cent either way', () => {
    expect(retryDelayMs(3, () => 0)).toBe(108_000);
    expect(retryDelayMs(3, () => 0.999_999)).toBe(132_000);
  });
});

describe('webhook targets', () => {
  it('are public unicast addresses only, unless private ones are allowed', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.8',
      '172.16.4.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '224.0.0.1',
    ])
      expect(isPublicAddress(address), address).toBe(false);
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34'])
      expect(isPublicAddress(address), address).toBe(true);
    expect(targetProblem('http://127.0.0.1:8080/x', false)).toBe('private_address');
    expect(targetProblem('http://0x7f000001/x', false)).toBe('private_address');
    expect(targetProblem('http://[::1]/x', false)).toBe('private_address');
    expect(targetProblem('http://api.localhost/x', false)).toBe('private_address');
    expect(targetProblem('http://127.0.0.1:8080/x', true)).toBeNull();
    expect(targetProblem('https://hooks.example.com/x', false)).toBeNull();
    expect(targetProblem('file:///etc/passwd', true)).toBe('not_http');
    expect(targetProblem('https://a:b@hooks.example.com/', true)).toBe('has_credentials');
    expect(targetProblem('hooks.example.com', true)).toBe('not_a_url');
  });
});

describe('the webhook events of a stage change', () => {
  const move = (from: string | null, to: string, reasonCode: string | null = null) =>
    leadEventsOf({ from, to, reasonCode, actorKind: 'user' });
  it('name an MQL, an acceptance, a rejection and a recycle', () => {
    expect(move('lead', 'mql')).toEqual(['lead.mql']);
    expect(move('recycled', 'mql')).toEqual(['lead.mql']);
    expect(move('mql', 'sal')).toEqual(['lead.accepted']);
    expect(move('mql', 'recycled', 'not_now')).toEqual(['lead.rejected', 'lead.recycled']);
    expect(move('sal', 'disqualified', 'no_fit')).toEqual(['lead.rejected']);
    expect(move('customer', 'recycled')).toEqual(['lead.recycled']);
    expect(move('sal', 'sql')).toEqual([]);
    expect(move(null, 'lead')).toEqual([]);
  });
});

describe('withoutWrittenText', () => {
  it('blanks notes and reasons: null where the type allows it, else empty text; the rest stays', () => {
    const data = {
      contactId: 'c1',
      reasonCode: 'not_now',
      note: 'Belt na zijn operatie terug',
      reason: 'Ziek',
    };
    expect(withoutWrittenText(data, () => true)).toEqual({
      contactId: 'c1',
      reasonCode: 'not_now',
      note: null,
      reason: null,
    });
    expect(withoutWrittenText(data, (field) => field !== 'reason')).toMatchObject({ note: null, reason: '' });
    expect(data.note).toBe('Belt na zijn operatie terug');
    expect(withoutWrittenText({ contactId: 'c1', note: null }, () => true)).toEqual({
      contactId: 'c1',
      note: null,
    });
  });
});
