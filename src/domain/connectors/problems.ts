/**
 * A problem of a CRM connection that only an admin can fix, as the admins are told of it (email and
 * bell). Each is also an entry in the connection's sync log; the sync goes on for the other records.
 */
export type ConnectionProblem =
  /** The CRM refused the token (revoked, a scope taken away, a refresh token no longer valid). */
  | { kind: 'token_revoked' }
  /** Records owned in the CRM by people who are not active in Baton (by email). */
  | { kind: 'unknown_owners'; owners: string[] }
  /** Deals deleted in the CRM whose opportunities are still open in Baton. */
  | { kind: 'deleted_deals'; deals: string[] }
  /** People merged into one in the CRM who are two people in Baton. */
  | { kind: 'merged_people'; people: string[] }
  /** A property the CRM refuses Baton's value for (its type or options changed there). */
  | { kind: 'property_refused'; property: string; reason: string };

/** What a follow-up clock waits for, as a manager reads it in a task. */
const targetText: Record<'en' | 'nl', Record<string, string>> = {
  en: {
    first_response: 'first response',
    accept_or_reject: 'accept or reject',
    qualify_or_recycle: 'qualify or recycle',
    opportunity_or_recycle: 'opportunity or recycle',
  },
  nl: {
    first_response: 'eerste reactie',
    accept_or_reject: 'accepteren of afwijzen',
    qualify_or_recycle: 'kwalificeren of terugsturen',
    opportunity_or_recycle: 'opportunity of terugsturen',
  },
};

/**
 * The task a manager gets in the CRM when a rep of theirs missed a step of a lead's follow-up, in
 * their language (the deadline in UTC: the CRM shows the task's own due time in theirs).
 *
 * @example breachTaskText('en', { lead: 'Jan', rep: 'Ruud', target: 'first_response', deadline: new Date('2026-12-01T13:00:00Z') }).subject
 *   // 'Follow-up missed (first response): Jan'
 */
export function breachTaskText(
  language: 'en' | 'nl',
  input: { lead: string; rep: string; target: string; deadline: Date },
): { subject: string; body: string } {
  const deadline = `${input.deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const step = targetText[language][input.target] ?? input.target;
  return language === 'nl'
    ? {
        subject: `Opvolging gemist (${step}): ${input.lead}`,
        body: `${input.rep} heeft ${input.lead} niet opgevolgd vóór ${deadline} (${step}, Baton). Spreek ${input.rep} aan, of neem de lead over.`,
      }
    : {
        subject: `Follow-up missed (${step}): ${input.lead}`,
        body: `${input.rep} did not follow ${input.lead} up before ${deadline} (${step}, Baton). Check in with ${input.rep}, or take the lead over.`,
      };
}
