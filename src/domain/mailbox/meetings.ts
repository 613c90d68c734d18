/** Where a meeting with a lead stands: booked by an invitation, cancelled, or held once begun. */
export type MeetingStatus = 'booked' | 'cancelled' | 'held';

/** What an invitation does to the meeting it names (by its UID) with one lead. */
export type MeetingChange =
  | { kind: 'book' }
  | { kind: 'reschedule' }
  | { kind: 'cancel' }
  | { kind: 'none'; why: 'already_held' | 'not_booked' | 'unchanged' };

/**
 * An invitation (REQUEST) books a meeting, moves one still to come, or books again one that was
 * cancelled; a cancellation (CANCEL) cancels one still booked. A meeting that was held stays held:
 * it happened.
 *
 * @example meetingChange(null, { method: 'REQUEST' }) // { kind: 'book' }
 * @example meetingChange({ status: 'held', startsAt: 0 }, { method: 'CANCEL' }) // { kind: 'none', why: 'already_held' }
 */
export function meetingChange(
  existing: { status: MeetingStatus; startsAt: number } | null,
  invitation: { method: 'REQUEST' | 'CANCEL'; startsAt?: number },
): MeetingChange {
  if (existing?.status === 'held') return { kind: 'none', why: 'already_held' };
  if (invitation.method === 'CANCEL')
    return existing?.status === 'booked' ? { kind: 'cancel' } : { kind: 'none', why: 'not_booked' };
  if (!existing || existing.status === 'cancelled') return { kind: 'book' };
  return invitation.startsAt !== undefined && invitation.startsAt !== existing.startsAt
    ? { kind: 'reschedule' }
    : { kind: 'none', why: 'unchanged' };
}
