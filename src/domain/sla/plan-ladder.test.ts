import { describe, expect, it } from 'vitest';
import { alwaysOpen, buildCalendar } from './business-time.ts';
import {
  defaultPolicies,
  dueSteps,
  nextCheckAt,
  planLadder,
  policiesFor,
  stopsClock,
} from './plan-ladder.ts';

const hour = 3_600_000;
const office = buildCalendar(
  {
    timeZone: 'Europe/Amsterdam',
    hours: {
      mon: [['09:00', '17:30']],
      tue: [['09:00', '17:30']],
      wed: [['09:00', '17:30']],
      thu: [['09:00', '17:30']],
      fri: [['09:00', '17:30']],
    },
    holidays: { country: 'NL', region: null, goodFriday: false, liberationDay: 'every_five_years' },
    closures: [],
  },
  2026,
  2027,
);
const iso = (steps: { kind: string; level: number; notify: string; at: Date }[]) =>
  steps.map((s) => [s.kind, s.level, s.notify, s.at.toISOString()]);

describe('the SLA ladder', () => {
  it('reminds at half the window, escalates to the manager then the director a window apart, then reassigns, in business time', () => {
    // Friday 27 November 2026, 16:00 in Amsterdam; 4 business hours.
    const ladder = planLadder(
      { windowMs: 4 * hour, reminderAt: 0.5, escalations: 2, reassign: true },
      office,
      new Date('2026-11-27T15:00:00Z'),
    );
    expect(iso(ladder)).toEqual([
      ['reminder', 0, 'rep', '2026-11-30T08:30:00.000Z'], // Monday 09:30
      ['breach', 1, 'manager', '2026-11-30T10:30:00.000Z'], // Monday 11:30
      ['breach', 2, 'director', '2026-11-30T14:30:00.000Z'], // Monday 15:30
      ['reassign', 0, 'routing', '2026-12-01T10:00:00.000Z'], // Tuesday 11:00
    ]);
    expect(ladder.map((s) => s.index)).toEqual([0, 1, 2, 3]);
  });

  it('works in seconds on an always-open calendar, for demos', () => {
    const ladder = planLadder(
      { windowMs: 10_000, reminderAt: null, escalations: 1, reassign: false },
      alwaysOpen(),
      new Date('2026-11-27T12:00:00Z'),
    );
    expect(iso(ladder)).toEqual([['breach', 1, 'manager', '2026-11-27T12:00:10.000Z']]);
  });

  it('takes every step it missed, once, in order, and then says when to look again', () => {
    const ladder = planLadder(
      { windowMs: hour, reminderAt: 0.5, escalations: 2, reassign: true },
      alwaysOpen(),
      new Date('2026-11-27T12:00:00Z'),
    );
    const late = new Date('2026-11-27T14:10:00Z');
    expect(dueSteps(ladder, 0, late).map((s) => s.index)).toEqual([0, 1, 2]);
    expect(dueSteps(ladder, 3, late)).toEqual([]);
    expect(nextCheckAt(ladder, 3)).toEqual(new Date('2026-11-27T15:00:00Z'));
    expect(nextCheckAt(ladder, 4)).toBeNull();
  });

  it('reads a stored ladder (its instants as ISO text) the same way, and gives its times back as text', () => {
    const ladder = planLadder(
      { windowMs: hour, reminderAt: 0.5, escalations: 2, reassign: true },
      alwaysOpen(),
      new Date('2026-11-27T12:00:00Z'),
    );
    const stored = ladder.map((s) => ({ ...s, at: s.at.toISOString() }));
    // A minute before and at the second breach: the same steps as from the Dates, each exactly at its time.
    for (const now of [new Date('2026-11-27T13:59:00Z'), new Date('2026-11-27T14:00:00Z')])
      expect(dueSteps(stored, 1, now).map((s) => s.index)).toEqual(
        dueSteps(ladder, 1, now).map((s) => s.index),
      );
    expect(dueSteps(stored, 1, new Date('2026-11-27T14:00:00Z')).map((s) => s.index)).toEqual([1, 2]);
    expect(nextCheckAt(stored, 3)).toBe('2026-11-27T15:00:00.000Z');
    expect(nextCheckAt(stored, 4)).toBeNull();
  });

  it('compares stored instants by their time, whatever form of ISO text they are in, for any now', () => {
    const step = (index: number, at: string) => ({ index, at });
    const ladder = [
      step(0, '2026-11-27T13:59:59.999Z'), // as toISOString writes it: compared as text
      step(1, '2026-11-27T14:00:00Z'), // no milliseconds
      step(2, '2026-11-27T15:00:00+01:00'), // an offset: 14:00 UTC
      step(3, '2026-11-27T14:00:00.001Z'),
    ];
    const indexes = (now: string) => dueSteps(ladder, 0, new Date(now)).map((s) => s.index);
    expect(indexes('2026-11-27T13:59:59.998Z')).toEqual([]);
    expect(indexes('2026-11-27T14:00:00.000Z')).toEqual([0, 1, 2]);
    // One now after another, and back: each is compared with its own time.
    expect(indexes('2026-11-27T14:00:00.001Z')).toEqual([0, 1, 2, 3]);
    expect(indexes('2026-11-27T13:59:59.999Z')).toEqual([0]);
    // Years past 9999 are written longer (+010000-…), and still compare by time.
    expect(indexes('+010000-01-01T00:00:00.000Z')).toEqual([0, 1, 2, 3]);
    expect(dueSteps([step(0, '+010000-01-01T00:00:00.000Z')], 0, new Date('2026-11-27T14:00:00Z'))).toEqual(
      [],
    );
  });

  it('gives a hot lead the short first-response window, and every MQL the accept-or-reject clock', () => {
    expect(policiesFor(defaultPolicies, 'mql', true).map((p) => p.key)).toEqual([
      'mql-first-response-hot',
      'mql-accept-or-reject',
    ]);
    expect(policiesFor(defaultPolicies, 'mql', false).map((p) => p.key)).toEqual([
      'mql-first-response',
      'mql-accept-or-reject',
    ]);
    expect(policiesFor(defaultPolicies, 'sal', true).map((p) => p.key)).toEqual(['sal-qualify-or-recycle']);
    expect(policiesFor(defaultPolicies, 'lead', false)).toEqual([]);
  });

  it.each([
    ['first_response', { kind: 'sales_activity' } as const, true],
    ['accept_or_reject', { kind: 'sales_activity' } as const, false],
    ['first_response', { kind: 'stage_change', from: 'mql', to: 'sal', byHuman: true } as const, true],
    ['accept_or_reject', { kind: 'stage_change', from: 'mql', to: 'recycled', byHuman: true } as const, true],
    [
      'accept_or_reject',
      { kind: 'stage_change', from: 'mql', to: 'recycled', byHuman: false } as const,
      false,
    ],
    ['qualify_or_recycle', { kind: 'stage_change', from: 'sal', to: 'sql', byHuman: true } as const, true],
    ['qualify_or_recycle', { kind: 'stage_change', from: 'mql', to: 'sal', byHuman: true } as const, false],
    [
      'opportunity_or_recycle',
      { kind: 'stage_change', from: 'sql', to: 'opportunity', byHuman: true } as const,
      true,
    ],
  ] as const)('%s is stopped by %j: %s', (target, event, stops) => {
    expect(stopsClock(target, event)).toBe(stops);
  });
});
