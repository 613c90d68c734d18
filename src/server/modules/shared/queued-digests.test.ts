import { describe, expect, it } from 'vitest';
import { StoredJsonError } from '../../db/json-column.ts';
import { readDigest, writeDigest, type QueuedDigest } from './queued-digests.ts';

const lead = (n: number, repId: string | null, policyId: string) => ({
  instanceId: `0190aaaa-0000-7000-8000-${String(n).padStart(12, '0')}`,
  stepIndex: n % 3,
  contactId: `0190bbbb-0000-7000-8000-${String(n).padStart(12, '0')}`,
  level: 1 + (n % 2),
  repId,
  policyId,
  deadline: new Date(Date.UTC(2026, 11, 1, 9, n)).toISOString(),
  overdueMs: n * 1_800_000,
});

describe('a queued SLA digest as the outbox stores it', () => {
  const digest: QueuedDigest = {
    kind: 'breach',
    toRep: false,
    items: [
      lead(1, 'rep-a', 'policy-1'),
      lead(2, 'rep-b', 'policy-1'),
      lead(3, null, 'policy-2'),
      lead(4, 'rep-a', 'policy-2'),
    ],
  };

  it('reads back what was written, each lead with its own rep and policy, in order', () => {
    expect(readDigest(writeDigest(digest))).toEqual(digest);
    expect(readDigest(JSON.parse(writeDigest(digest)))).toEqual(digest); // jsonb on PostgreSQL
    expect(readDigest(writeDigest({ kind: 'reminder', toRep: true, items: [] }))).toEqual({
      kind: 'reminder',
      toRep: true,
      items: [],
    });
  });

  it('names each rep and policy once: a digest of thousands of leads takes under half the bytes of an object per lead', () => {
    const many: QueuedDigest = {
      kind: 'breach',
      toRep: false,
      items: Array.from({ length: 2_000 }, (_, n) =>
        lead(n, `0190cccc-0000-7000-8000-00000000000${n % 7}`, `0190dddd-0000-7000-8000-00000000000${n % 2}`),
      ),
    };
    const stored = writeDigest(many);
    expect(stored.length).toBeLessThan(JSON.stringify(many).length / 2);
    expect(readDigest(stored)).toEqual(many);
  });

  it('still reads the digests queued before, an object per lead', () => {
    expect(readDigest(JSON.stringify(digest))).toEqual(digest);
  });

  it('refuses a digest that is neither form, or names a rep that is not in its list', () => {
    expect(() => readDigest('{"kind":"breach","toRep":false}')).toThrow(StoredJsonError);
    const stored = JSON.parse(writeDigest(digest)) as { rows: unknown[][] };
    stored.rows[0]![4] = 9;
    expect(() => readDigest(JSON.stringify(stored))).toThrow(/outbox\.params.*entry 9 of a list of 3/);
  });
});
