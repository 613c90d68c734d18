import { describe, expect, it } from 'vitest';
import { meetingChange } from './meetings.ts';

describe('a meeting from its invitations', () => {
  it.each([
    ['an invitation books a new meeting', null, 'REQUEST', 10, 'book'],
    ['the same invitation again changes nothing', { status: 'booked', startsAt: 10 }, 'REQUEST', 10, 'none'],
    ['an update moves it', { status: 'booked', startsAt: 10 }, 'REQUEST', 20, 'reschedule'],
    ['a cancellation cancels it', { status: 'booked', startsAt: 10 }, 'CANCEL', undefined, 'cancel'],
    [
      'an invitation after a cancellation books it again',
      { status: 'cancelled', startsAt: 10 },
      'REQUEST',
      10,
      'book',
    ],
    ['a cancellation of an unknown meeting does nothing', null, 'CANCEL', undefined, 'none'],
    ['a held meeting stays held', { status: 'held', startsAt: 10 }, 'CANCEL', undefined, 'none'],
  ] as const)('%s', (_what, existing, method, startsAt, kind) => {
    expect(meetingChange(existing, { method, ...(startsAt !== undefined && { startsAt }) }).kind).toBe(kind);
  });
});
