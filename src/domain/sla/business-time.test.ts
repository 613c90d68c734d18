import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localTime, type WorkingHours } from '../routing/working-hours.ts';
import {
  addBusinessTime,
  alwaysOpen,
  buildCalendar,
  businessTimeBetween,
  ClosedCalendarError,
  isOpenAt,
  zonedInstant,
  type BusinessCalendar,
} from './business-time.ts';

const hour = 3_600_000;
const minute = 60_000;
const office: WorkingHours = {
  mon: [['09:00', '17:30']],
  tue: [['09:00', '17:30']],
  wed: [['09:00', '17:30']],
  thu: [['09:00', '17:30']],
  fri: [['09:00', '17:30']],
};
const nl = buildCalendar(
  {
    timeZone: 'Europe/Amsterdam',
    hours: office,
    holidays: { country: 'NL', region: null, goodFriday: false, liberationDay: 'every_five_years' },
    closures: [{ from: '2026-12-28', to: '2026-12-31' }],
  },
  2019,
  2032,
);
const splitShifts = buildCalendar(
  {
    timeZone: 'America/New_York',
    hours: {
      mon: [
        ['13:00', '17:00'],
        ['08:00', '12:00'],
      ],
      sat: [['22:00', '24:00']],
      sun: [['00:00', '02:30']],
    },
    holidays: null,
    closures: [],
  },
  2019,
  2032,
);
const calendars: [string, BusinessCalendar][] = [
  ['a Dutch office', nl],
  ['split shifts and a night across midnight in New York', splitShifts],
  ['always open in Amsterdam', alwaysOpen('Europe/Amsterdam')],
];
const at = (iso: string) => new Date(iso);

describe('business time', () => {
  it.each([
    // Friday 16:00 Amsterdam + 4 h: 1.5 h on Friday, 2.5 h on Monday.
    ['2026-11-27T15:00:00Z', 4 * hour, '2026-11-30T10:30:00Z'],
    // Saturday: counts from Monday 09:00.
    ['2026-11-28T12:00:00Z', 15 * minute, '2026-11-30T08:15:00Z'],
    // Before opening on a working day.
    ['2026-11-30T05:00:00Z', 0, '2026-11-30T08:00:00Z'],
    // Exactly a working day.
    ['2026-11-30T08:00:00Z', 8.5 * hour, '2026-11-30T16:30:00Z'],
    // King's Day (Monday 27 April 2026) and the weekend before it are skipped.
    ['2026-04-24T15:00:00Z', 2 * hour, '2026-04-28T08:30:00Z'],
    // Christmas, Boxing Day, the weekend and the company's closure: from 24 Dec to 4 Jan (New Year too).
    ['2026-12-24T16:00:00Z', hour, '2027-01-04T08:30:00Z'],
    // Across the spring DST change (29 March 2026): Friday 17:00 CET + 1 h → Monday 09:30 CEST.
    ['2026-03-27T16:00:00Z', hour, '2026-03-30T07:30:00Z'],
    // Across the autumn change (25 October 2026): Friday 17:00 CEST + 1 h → Monday 09:30 CET.
    ['2026-10-23T15:00:00Z', hour, '2026-10-26T08:30:00Z'],
  ])('in a Dutch office, %s + %d ms is %s', (start, duration, expected) => {
    expect(addBusinessTime(nl, at(start), duration)).toEqual(at(expected));
    expect(businessTimeBetween(nl, at(start), at(expected))).toBe(duration);
  });

  it('answers the same from the days it has worked out as from a calendar seen for the first time', () => {
    // A copy is a new calendar: nothing of it is known yet. Ranges up to two years (a lead long overdue).
    fc.assert(
      fc.property(
        fc.constantFrom(...calendars),
        fc.date({ min: at('2025-01-01T00:00:00Z'), max: at('2027-06-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 730 * 24 * 60 }),
        ([, calendar], from, minutes) => {
          const to = new Date(from.getTime() + minutes * minute);
          const fresh = { ...calendar };
          expect(businessTimeBetween(calendar, from, to)).toBe(businessTimeBetween(fresh, from, to));
          expect(isOpenAt(calendar, to)).toBe(isOpenAt({ ...calendar }, to));
        },
      ),
      { numRuns: 40 },
    );
    // Same hours, another time zone: its own days.
    const tokyo = { ...nl, timeZone: 'Asia/Tokyo' };
    const monday = [at('2026-11-30T00:00:00Z'), at('2026-12-01T00:00:00Z')] as const;
    expect(businessTimeBetween(nl, ...monday)).toBe(8.5 * hour);
    expect(businessTimeBetween(tokyo, ...monday)).toBe(8.5 * hour);
    expect(isOpenAt(nl, at('2026-11-30T02:00:00Z'))).toBe(false);
    expect(isOpenAt(tokyo, at('2026-11-30T02:00:00Z'))).toBe(true); // 11:00 in Tokyo
  });

  it('counts real hours on a 24/7 calendar, also over a DST night (23 and 25 hour days)', () => {
    const open = alwaysOpen('Europe/Amsterdam');
    expect(addBusinessTime(open, at('2026-03-28T12:00:00Z'), 24 * hour).toISOString()).toBe(
      '2026-03-29T12:00:00.000Z',
    );
    expect(addBusinessTime(open, at('2026-10-24T12:00:00Z'), 24 * hour).toISOString()).toBe(
      '2026-10-25T12:00:00.000Z',
    );
    expect(addBusinessTime(open, at('2026-11-27T12:00:00.250Z'), 5_000).toISOString()).toBe(
      '2026-11-27T12:00:05.250Z',
    );
  });

  it('finds the instant of a local time, also on DST days', () => {
    const date = { year: 2026, month: 3, day: 29 };
    expect(zonedInstant('Europe/Amsterdam', date, 60).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(zonedInstant('Europe/Amsterdam', date, 3 * 60).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // 02:30 does not exist that night: the same time after the change.
    expect(zonedInstant('Europe/Amsterdam', date, 150).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedInstant('America/New_York', { year: 2026, month: 7, day: 1 }, 9 * 60).toISOString()).toBe(
      '2026-07-01T13:00:00.000Z',
    );
  });

  it('refuses a calendar that is never open', () => {
    const closed = buildCalendar({ timeZone: 'UTC', hours: {}, holidays: null, closures: [] }, 2026, 2026);
    expect(() => addBusinessTime(closed, at('2026-01-01T00:00:00Z'), hour)).toThrow(ClosedCalendarError);
  });

  describe.each(calendars)('on %s', (_name, calendar) => {
    const instants = fc.date({
      min: at('2020-01-01T00:00:00Z'),
      max: at('2030-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    const durations = fc.integer({ min: 0, max: 30 * 8 * hour });

    it('puts every deadline inside open hours, never on a closed date', () => {
      fc.assert(
        fc.property(instants, fc.integer({ min: 1, max: 30 * 8 * hour }), (start, duration) => {
          const due = addBusinessTime(calendar, start, duration);
          const justBefore = new Date(due.getTime() - 1);
          expect(isOpenAt(calendar, justBefore)).toBe(true);
          const local = localTime(justBefore, calendar.timeZone);
          const key = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
          expect(calendar.closedDates.has(key)).toBe(false);
        }),
        { numRuns: 200 },
      );
    });

    it('adds monotonically and additively, and measures back what it added', () => {
      fc.assert(
        fc.property(instants, durations, durations, (start, a, b) => {
          const [short, long] = a <= b ? [a, b] : [b, a];
          expect(addBusinessTime(calendar, start, short).getTime()).toBeLessThanOrEqual(
            addBusinessTime(calendar, start, long).getTime(),
          );
          expect(addBusinessTime(calendar, addBusinessTime(calendar, start, a), b).getTime()).toBe(
            addBusinessTime(calendar, start, a + b).getTime(),
          );
          expect(businessTimeBetween(calendar, start, addBusinessTime(calendar, start, a))).toBe(a);
        }),
        { numRuns: 200 },
      );
    });
  });
});
