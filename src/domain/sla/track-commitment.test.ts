import { describe, expect, it } from 'vitest';
import { buildCalendar, isOpenDay, localDatesBetween } from './business-time.ts';
import { trackCommitment, type DeliveredMql } from './track-commitment.ts';

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
// December 2026: 23 weekdays, Christmas Day and Boxing Day (a Saturday) closed → 22 working days.
const december = localDatesBetween('2026-12-01', '2026-12-31').map((date) => ({
  date,
  open: isOpenDay(office, date),
}));
const terms = { mqlTarget: 110, minAcceptanceRate: 0.6, tolerance: 0.1 };
const mqls = (date: string, count: number, decision: DeliveredMql['decision'] = null): DeliveredMql[] =>
  Array.from({ length: count }, () => ({ date, decision }));

describe("marketing's commitment", () => {
  it('counts the working days of the period from the calendar', () => {
    expect(december.filter((d) => d.open)).toHaveLength(22);
    expect(december.find((d) => d.date === '2026-12-25')!.open).toBe(false);
    expect(december.find((d) => d.date === '2026-12-05')!.open).toBe(false);
  });

  it('tracks every completed day against an even pace over the working days', () => {
    // Five MQLs every working day of the first week (1–4 December, Tuesday to Friday).
    const delivered = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'].flatMap((d) => mqls(d, 5));
    const pace = trackCommitment(terms, december, delivered, '2026-12-07');
    expect(pace.days.map((d) => [d.date, d.open, d.delivered, d.cumulative, d.expected])).toEqual([
      ['2026-12-01', true, 5, 5, 5],
      ['2026-12-02', true, 5, 10, 10],
      ['2026-12-03', true, 5, 15, 15],
      ['2026-12-04', true, 5, 20, 20],
      ['2026-12-05', false, 0, 20, 20],
      ['2026-12-06', false, 0, 20, 20],
    ]);
    expect(pace).toMatchObject({
      status: 'on_track',
      reasons: [],
      delivered: 20,
      expectedToDate: 20,
      projected: 110,
      openDays: { total: 22, completed: 4 },
    });
  });

  it('falls behind when delivery is more than the tolerance under the pace, not before three working days', () => {
    const slow = ['2026-12-01', '2026-12-02', '2026-12-03'].flatMap((d) => mqls(d, 2));
    // After two working days: 4 of an expected 10, but too early to judge.
    expect(trackCommitment(terms, december, slow, '2026-12-03').status).toBe('on_track');
    const third = trackCommitment(terms, december, slow, '2026-12-04');
    expect(third).toMatchObject({ status: 'behind', reasons: ['volume'], delivered: 6, expectedToDate: 15 });
    expect(third.projected).toBe(44);
    // 14 of 15 is within 10 % of the pace.
    const close = ['2026-12-01', '2026-12-02', '2026-12-03'].flatMap((d) =>
      mqls(d, d === '2026-12-03' ? 4 : 5),
    );
    expect(trackCommitment(terms, december, close, '2026-12-04').status).toBe('on_track');
    // 13 of 15 is not.
    expect(trackCommitment(terms, december, close.slice(1), '2026-12-04').status).toBe('behind');
  });

  it('falls behind on quality when Sales accepts too few, once enough were decided', () => {
    const week = [
      ...mqls('2026-12-01', 5, 'accepted'),
      ...mqls('2026-12-02', 4, 'rejected'),
      ...mqls('2026-12-03', 5),
      ...mqls('2026-12-04', 6, 'rejected'),
    ];
    const pace = trackCommitment(terms, december, week, '2026-12-07');
    expect(pace).toMatchObject({ status: 'behind', reasons: ['acceptance'], accepted: 5, rejected: 10 });
    expect(pace.acceptanceRate).toBeCloseTo(1 / 3);
    // Nine decisions are too few for a verdict (and an alert), but the rate is under the minimum:
    // at risk, never on track.
    const few = trackCommitment(
      terms,
      december,
      [...mqls('2026-12-01', 20), ...mqls('2026-12-02', 9, 'rejected')],
      '2026-12-03',
    );
    expect(few).toMatchObject({ status: 'at_risk', reasons: ['acceptance'] });
    expect(few.acceptanceRate).toBe(0);
    // Half accepted against a 60 % minimum on four decisions: at risk too.
    const half = trackCommitment(
      terms,
      december,
      [...mqls('2026-12-01', 20), ...mqls('2026-12-02', 2, 'accepted'), ...mqls('2026-12-02', 2, 'rejected')],
      '2026-12-03',
    );
    expect(half).toMatchObject({ status: 'at_risk', acceptanceRate: 0.5 });
  });

  it('misses a period that ended under the acceptance minimum, however few were decided', () => {
    const whole = december.filter((d) => d.open).flatMap((d) => mqls(d.date, 5));
    const decided = [...whole, ...mqls('2026-12-01', 2, 'accepted'), ...mqls('2026-12-02', 2, 'rejected')];
    expect(trackCommitment(terms, december, decided, '2027-01-01')).toMatchObject({
      status: 'missed',
      reasons: ['acceptance'],
    });
  });

  it('is upcoming before the period, and met or missed after it', () => {
    expect(trackCommitment(terms, december, [], '2026-11-30').status).toBe('upcoming');
    expect(trackCommitment(terms, december, [], '2026-12-01').status).toBe('on_track');
    const whole = december.filter((d) => d.open).flatMap((d) => mqls(d.date, 5, 'accepted'));
    expect(trackCommitment(terms, december, whole, '2027-01-01')).toMatchObject({
      status: 'met',
      delivered: 110,
      projected: 110,
      acceptanceRate: 1,
    });
    expect(trackCommitment(terms, december, whole.slice(1), '2027-01-01')).toMatchObject({
      status: 'missed',
      reasons: ['volume'],
    });
  });

  it('counts MQLs delivered on a closed day, without moving the pace', () => {
    const pace = trackCommitment(terms, december, mqls('2026-12-05', 7), '2026-12-07');
    expect(pace.days.at(-2)).toMatchObject({ date: '2026-12-05', open: false, delivered: 7, expected: 20 });
    expect(pace.delivered).toBe(7);
  });
});
