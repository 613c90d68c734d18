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
