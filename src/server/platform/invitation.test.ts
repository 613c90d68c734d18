import { describe, expect, it } from 'vitest';
import { outlookInvitation } from '../testing/invitations.ts';
import { readInvitation } from './invitation.ts';

describe('reading a calendar invitation', () => {
  it('reads an Outlook invitation in its own time zone: 14:00 in Amsterdam in winter is 13:00 UTC', () => {
    expect(readInvitation(outlookInvitation())).toEqual({
      method: 'REQUEST',
      uid: 'meeting-1@nordwind.nl',
      summary: 'Demo Baton',
      start: new Date('2026-12-03T13:00:00.000Z'),
      organizer: 'ruud@nordwind.nl',
      attendees: ['jan@klant.nl', 'ruud@nordwind.nl'],
      unknownTimeZone: false,
    });
  });

  it('reads a cancellation, and says when a time zone is missing instead of guessing quietly', () => {
    expect(readInvitation(outlookInvitation({ method: 'CANCEL' }))).toMatchObject({ method: 'CANCEL' });
    expect(readInvitation(outlookInvitation({ tzid: 'Nowhere/Atlantis', withZone: false }))).toMatchObject({
      start: new Date('2026-12-03T14:00:00.000Z'),
      unknownTimeZone: true,
    });
  });

  it('is not an invitation when it is a reply or no calendar at all', () => {
    expect(readInvitation(outlookInvitation({ method: 'REPLY' }))).toBeNull();
    expect(() => readInvitation('Hello, this is not a calendar')).toThrow();
  });
});
