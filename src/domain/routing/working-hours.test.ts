import { describe, expect, it } from 'vitest';
import {
  checkWorkingHours,
  defaultWorkingHours,
  isWithinWorkingHours,
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
