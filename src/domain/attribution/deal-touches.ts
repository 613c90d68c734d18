/**
 * Which touches count for a deal, and which of them are its milestones.
 *
 * A deal's candidate touches are those of every person with a role on the opportunity and of
 * everyone at its account (the caller gathers them). This module keeps those inside the lookback
 * window, drops sales touches unless they count, collapses repeats and finds the milestones.
 */

export type TouchCategory = 'marketing' | 'sales';

/** One touch, as attribution needs it. */
export interface AttributionTouch {
  id: string;
  /** When it happened, in milliseconds since the epoch (a number: reports hold a million of these). */
  atMs: number;
  /** What happened: `webinar_attended`, `form_submitted`, `call_logged`, … */
  type: string;
  /** The touch's channel; see {@link channelOf} for touches that name none. */
  channel: string;
  campaign: string | null;
  category: TouchCategory;
  /** The touch that made this person a lead (capture marks it). */
  isLeadCreating: boolean;
  contactId: string | null;
}

export interface AttributionSettings {
  /** Touches count from this many days before the opportunity was created. Default 365. */
  lookbackDays: number;
  /** Whether calls, emails and meetings logged by Sales count. Default false. */
  includeSalesTouches: boolean;
  /** The same channel and campaign again within this many minutes counts once. Default 30; 0 keeps all. */
  dedupeMinutes: number;
  /** Time decay: a touch this many days before the deal's end weighs half. Default 7. */
  halfLifeDays: number;
  /** The custom model's percentages per milestone and for the rest; they sum to 100. */
  customWeights: CustomWeights;
}

export interface CustomWeights {
  firstTouch: number;
  leadCreation: number;
  opportunityCreation: number;
  closedWon: number;
  rest: number;
}

export const defaultAttributionSettings: AttributionSettings = {
  lookbackDays: 365,
  includeSalesTouches: false,
  dedupeMinutes: 30,
  halfLifeDays: 7,
  customWeights: { firstTouch: 30, leadCreation: 20, opportunityCreation: 20, closedWon: 20, rest: 10 },
};

/** What attribution needs to know about a deal. */
export interface DealFacts {
  createdAt: Date;
  /** When it was won; null while open (pipeline) or when lost. */
  wonAt: Date | null;
  /** Where the window ends: the win or loss, or now for an open deal. */
  endAt: Date;
  /** The opportunity's main person: their lead-creating touch is the deal's lead creation. */
  primaryContactId: string | null;
}

const dayMs = 86_400_000;

/**
 * The channel a touch is credited to: its own, else the UTM medium, else `sales` for a sales
 * activity and `direct` for a marketing touch that names none (web analytics' convention).
 *
 * @example channelOf({ channel: null, utmMedium: 'cpc', category: 'marketing' }) // 'cpc'
 */
export function channelOf(touch: {
  channel: string | null;
  utmMedium: string | null;
  category: string;
}): string {
  const named = touch.channel?.trim() || touch.utmMedium?.trim();
  if (named) return named.toLowerCase();
  return touch.category === 'sales' ? 'sales' : 'direct';
}

/** Oldest first; equal instants by id, so the order never depends on how the touches were read. */
export function byTime(a: AttributionTouch, b: AttributionTouch): number {
  return a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The touches that count for a deal, oldest first (equal instants by id): inside
 * [created − lookback, end], sales touches only when they count, and the same channel and campaign
 * within `dedupeMinutes` of the last kept one counted once. A dropped repeat that created the lead
 * passes that mark to the touch it repeats, so the milestone is not lost.
 *
 * @example selectDealTouches(touches, deal, defaultAttributionSettings)
 */
export function selectDealTouches(
  touches: readonly AttributionTouch[],
  deal: DealFacts,
  settings: AttributionSettings,
): AttributionTouch[] {
  const from = deal.createdAt.getTime() - settings.lookbackDays * dayMs;
  const to = deal.endAt.getTime();
  const inWindow: AttributionTouch[] = [];
  for (const t of touches)
    if (t.atMs >= from && t.atMs <= to && (settings.includeSalesTouches || t.category === 'marketing'))
      inWindow.push(t);
  inWindow.sort(byTime);
  const windowMs = settings.dedupeMinutes * 60_000;
  const kept: AttributionTouch[] = [];
  for (const touch of inWindow) {
    // The kept touches are in time order: look back over those inside the window only.
    let repeated = -1;
    for (let j = kept.length - 1; windowMs > 0 && j >= 0 && touch.atMs - kept[j]!.atMs <= windowMs; j--)
      if (kept[j]!.channel === touch.channel && kept[j]!.campaign === touch.campaign) {
        repeated = j;
        break;
      }
    if (repeated >= 0) {
      if (touch.isLeadCreating && !kept[repeated]!.isLeadCreating)
        kept[repeated] = { ...kept[repeated]!, isLeadCreating: true, contactId: touch.contactId };
      continue;
    }
    kept.push(touch);
  }
  return kept;
}

/** Milestones of a deal's touch path: positions in the selected touches, or null when absent. */
export interface Milestones {
  firstTouch: number;
  leadCreation: number | null;
  opportunityCreation: number | null;
  closedWon: number | null;
  lastTouch: number;
}

/**
 * Finds the milestones of a non-empty, time-ordered touch path: the first touch; lead creation
 * (the lead-creating touch of the deal's main person, else the earliest lead-creating touch);
 * opportunity creation (the last touch at or before the opportunity was created); closed-won (the
 * last touch at or before the win); and the last touch.
 *
 * @example findMilestones(path, deal).leadCreation // 2, or null when no touch created the lead
 */
export function findMilestones(path: readonly AttributionTouch[], deal: DealFacts): Milestones {
  if (path.length === 0) throw new RangeError('a path without touches has no milestones');
  let lead: number | null = null;
  for (const [i, t] of path.entries()) {
    if (!t.isLeadCreating) continue;
    if (deal.primaryContactId !== null && t.contactId === deal.primaryContactId) {
      lead = i;
      break;
    }
    lead ??= i;
  }
  const lastAtOrBefore = (at: Date): number | null => {
    let found: number | null = null;
    for (const [i, t] of path.entries()) if (t.atMs <= at.getTime()) found = i;
    return found;
  };
  return {
    firstTouch: 0,
    leadCreation: lead,
    opportunityCreation: lastAtOrBefore(deal.createdAt),
    closedWon: deal.wonAt ? lastAtOrBefore(deal.wonAt) : null,
    lastTouch: path.length - 1,
  };
}
