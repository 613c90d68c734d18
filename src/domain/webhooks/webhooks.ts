import ipaddr from 'ipaddr.js';

/**
 * When a failed delivery is tried again, after its nth attempt failed: soon at first, then ever
 * further apart, over about three days in all (5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h,
 * 8 h, 12 h, 16 h, 24 h). Null after the last: the delivery has failed for good.
 * `random` in [0, 1) spreads retries ±10 % so that endpoints coming back are not hit all at once.
 *
 * @example retryDelayMs(1, () => 0.5) // 5_000
 */
export function retryDelayMs(attempt: number, random: () => number): number | null {
  const base = retrySchedule[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.9 + 0.2 * random()));
}

const minute = 60_000;
const hour = 60 * minute;
export const retrySchedule: readonly number[] = [
  5_000,
  30_000,
  2 * minute,
  10 * minute,
  30 * minute,
  hour,
  2 * hour,
  4 * hour,
  8 * hour,
  12 * hour,
  16 * hour,
  24 * hour,
];

/** How long an endpoint may fail without a single success before Baton turns it off. */
export const disableAfterFailingMs = 5 * 24 * hour;

/**
 * Whether an address may be a webhook's target without the admin's permission for private ones:
 * only public unicast addresses. Loopback, private (RFC 1918, unique local), link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved and unspecified addresses
 * are not, nor an IPv4 address hidden in IPv6.
 *
 * @example isPublicAddress('127.0.0.1') // false
 * @example isPublicAddress('93.184.216.34') // true
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** A literal IP address in a URL's host (IPv6 in brackets), or null for a name. */
export function literalAddress(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare))
    ? bare
    : null;
}

export type TargetProblem = 'not_a_url' | 'not_http' | 'has_credentials' | 'private_address';

/**
 * What is wrong with a webhook's address before any name is looked up, or null: http or https,
 * no user and password in it, and no private literal address unless allowed.
 */
export function targetProblem(url: string, allowPrivate: boolean): TargetProblem | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not_a_url';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'not_http';
  if (parsed.username !== '' || parsed.password !== '') return 'has_credentials';
  if (allowPrivate) return null;
  const literal = literalAddress(parsed.hostname);
  if (literal !== null && !isPublicAddress(literal)) return 'private_address';
  if (parsed.hostname === 'localhost' || parsed.hostname.endsWith('.localhost')) return 'private_address';
  return null;
}

export interface StageMove {
  from: string | null;
  to: string;
  reasonCode: string | null;
  actorKind: string;
}

/**
 * The webhook events a stage change is: entering `mql` is `lead.mql`; Sales taking an MQL on is
 * `lead.accepted`; a handed-over lead sent back or disqualified with a reason is
 * `lead.rejected`; and every move to `recycled` is `lead.recycled` as well.
 *
 * @example leadEventsOf({ from: 'mql', to: 'recycled', reasonCode: 'no_budget', actorKind: 'user' }) // ['lead.rejected', 'lead.recycled']
 */
export function leadEventsOf(
  move: StageMove,
): ('lead.mql' | 'lead.accepted' | 'lead.rejected' | 'lead.recycled')[] {
  const events: ('lead.mql' | 'lead.accepted' | 'lead.rejected' | 'lead.recycled')[] = [];
  if (move.to === 'mql' && move.from !== 'mql') events.push('lead.mql');
  if (move.from === 'mql' && move.to === 'sal') events.push('lead.accepted');
  if (
    (move.from === 'mql' || move.from === 'sal') &&
    (move.to === 'recycled' || move.to === 'disqualified') &&
    move.reasonCode !== null
  )
    events.push('lead.rejected');
  if (move.to === 'recycled' && move.from !== 'recycled') events.push('lead.recycled');
  return events;
}

/** The fields of an event's data that hold what a person wrote: a note, a reason given in words. */
const writtenFields = ['note', 'reason'] as const;

/**
 * An event's data without what people wrote about the lead (anonymising keeps the event, which the
 * figures and the receivers' history still count, but not the words): each written field becomes
 * null, or the empty string where the event type requires text (`acceptsNull` says which).
 *
 * @example withoutWrittenText({ contactId: 'c1', note: 'Called his wife' }, () => true) // { contactId: 'c1', note: null }
 */
export function withoutWrittenText(
  data: Record<string, unknown>,
  acceptsNull: (field: string) => boolean,
): Record<string, unknown> {
  const blanked = { ...data };
  for (const field of writtenFields)
    if (typeof blanked[field] === 'string') blanked[field] = acceptsNull(field) ? null : '';
  return blanked;
}
