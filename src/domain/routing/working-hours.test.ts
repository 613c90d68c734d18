import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkWorkingHours,
  defaultWorkingHours,
  isWithinWorkingHours,
  localTime,
  startOfLocalDay,
  startOfLocalWeek,
} from './working-hours.ts';

describe('isWithinWorkingHours', () => {
  it.each([
    {
      at: '2026-11-27T10:00:00Z',
      zone: 'Europe/Amsterdam',
      expected: true,
      why: 'Friday 11:00 in Amsterdam',
    },
    { at: '2026-11-27T07:59:00Z', zone: 'Europe/Amsterdam', expected: false, why: 'Friday 08:59' },
    { at: '2026-11-27T08:00:00Z', zone: 'Europe/Amsterdam', expected: true, why: 'Friday 09:00 sharp' },
    {
      at: '2026-11-27T16:30:00Z',
      zone: 'Europe/Amsterdam',
      expected: false,
      why: 'Friday 17:30: the end is not in',
    },
    { at: '2026-11-28T10:00:00Z', zone: 'Europe/Amsterdam', expected: false, why: 'Saturday' },
    { at: '2026-07-01T07:30:00Z', zone: 'Europe/Amsterdam', expected: true, why: 'summer time: 09:30' },
    { at: '2026-11-27T10:00:00Z', zone: 'America/New_York', expected: false, why: '05:00 in New York' },
  ])('$why → $expected', ({ at, zone, expected }) => {
    expect(isWithinWorkingHours(defaultWorkingHours, zone, new Date(at))).toBe(expected);
  });

  it('takes several ranges a day', () => {
    const split = {
      mon: [
        ['08:00', '12:00'],
        ['13:00', '17:00'],
      ],
    } as const;
    const monday = (time: string) => new Date(`2026-11-30T${time}:00Z`);
    expect([
      isWithinWorkingHours(split, 'UTC', monday('11:59')),
      isWithinWorkingHours(split, 'UTC', monday('12:30')),
      isWithinWorkingHours(split, 'UTC', monday('13:00')),
    ]).toEqual([true, false, true]);
  });
});

describe('startOfLocalDay and startOfLocalWeek', () => {
  it.each([
    {
      at: '2026-11-27T10:00:00Z',
      zone: 'Europe/Amsterdam',
      day: '2026-11-26T23:00:00.000Z',
      week: '2026-11-22T23:00:00.000Z',
    },
    {
      at: '2026-11-26T23:30:00Z',
      zone: 'Europe/Amsterdam',
      day: '2026-11-26T23:00:00.000Z',
      week: '2026-11-22T23:00:00.000Z',
    },
    {
      at: '2026-07-01T12:00:00Z',
      zone: 'Europe/Amsterdam',
      day: '2026-06-30T22:00:00.000Z',
      week: '2026-06-28T22:00:00.000Z',
    },
    {
      at: '2026-11-30T03:00:00Z',
      zone: 'America/New_York',
      day: '2026-11-29T05:00:00.000Z',
      week: '2026-11-23T05:00:00.000Z',
    },
    {
      at: '2026-11-30T00:00:00Z',
      zone: 'UTC',
      day: '2026-11-30T00:00:00.000Z',
      week: '2026-11-30T00:00:00.000Z',
    },
  ])('$at in $zone', ({ at, zone, day, week }) => {
    expect(startOfLocalDay(zone, new Date(at)).toISOString()).toBe(day);
    expect(startOfLocalWeek(zone, new Date(at)).toISOString()).toBe(week);
  });
});

describe('checkWorkingHours', () => {
  it.each([
    [{ mon: [['09:00', '17:30']] }, null],
    [
      {
        mon: [
          ['08:00', '12:00'],
          ['12:00', '16:00'],
        ],
      },
      null,
    ],
    [{ sun: [['00:00', '24:00']] }, null],
    [{ tue: [['17:00', '09:00']] }, { field: 'tue.0', reason: 'ends before it starts' }],
    [{ tue: [['09:00', '09:00']] }, { field: 'tue.0', reason: 'ends before it starts' }],
    [
      {
        fri: [
          ['13:00', '17:00'],
          ['09:00', '13:01'],
        ],
      },
      { field: 'fri.0', reason: 'overlaps another range of the day' },
    ],
  ] as const)('%j → %j', (hours, expected) => {
    expect(checkWorkingHours(hours)).toEqual(expected);
  });
});

describe('localTime', () => {
  /** What the zone's rules say, straight from Intl: the reference the remembered offsets must match. */
  const formatted = (at: Date, timeZone: string) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        weekday: 'short',
        hour: 'numeric',
        minute: 'numeric',
        hourCycle: 'h23',
      })
        .formatToParts(at)
        .map((part) => [part.type, part.value]),
    );
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      weekday: parts.weekday!.toLowerCase(),
      minutes: Number(parts.hour) * 60 + Number(parts.minute),
    };
  };
  // Whole hours with daylight saving time on both hemispheres, half and quarter hours, a
  // half-hour change (Lord Howe), a zone that skipped a day (Apia, 2011) and one that had an offset
  // with seconds until 1972 (Monrovia).
  const zones = [
    'Europe/Amsterdam',
    'America/New_York',
    'Australia/Sydney',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'America/St_Johns',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Pacific/Apia',
    'Africa/Monrovia',
    'UTC',
  ];

  it('matches the zone’s rules around every change of offset, to the millisecond', () => {
    const transitions = [
      ['Europe/Amsterdam', '2026-03-29T01:00:00Z'],
      ['Europe/Amsterdam', '2026-10-25T01:00:00Z'],
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
      ['Pacific/Apia', '2011-12-30T10:00:00Z'],
      ['Africa/Monrovia', '1972-01-07T00:44:30Z'],
    ] as const;
    for (const [zone, iso] of transitions) {
      const change = Date.parse(iso);
      for (const delta of [-3_600_000, -60_001, -60_000, -1, 0, 1, 59_999, 60_000, 3_600_000]) {
        const at = new Date(change + delta);
        expect(localTime(at, zone), `${zone} at ${at.toISOString()}`).toEqual(formatted(at, zone));
      }
    }
  });

  it('matches the zone’s rules at any instant from 1900 to 2100 in any zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          expect(localTime(new Date(ms), zone)).toEqual(formatted(new Date(ms), zone));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('matches the zone’s rules for the instants of one busy week, asked in any order', () => {
    // Many instants in the same quarters of an hour: the remembered offsets are asked again and again.
    const start = Date.UTC(2026, 9, 22);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7 * 86_400_000 }), { minLength: 1, maxLength: 50 }),
        fc.constantFrom(...zones),
        (deltas, zone) => {
          for (const delta of deltas)
            expect(localTime(new Date(start + delta), zone)).toEqual(
              formatted(new Date(start + delta), zone),
            );
        },
      ),
      { numRuns: 200 },
    );
  });
});
