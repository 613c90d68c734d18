/** One move of one contact, as the funnel reads it. */
export interface FunnelMove {
  contactId: string;
  to: string;
  at: Date;
}

export interface FunnelStage {
  key: string;
  /** Contacts that entered the stage in the period. */
  entered: number;
  /** Of those, the ones that reached a later stage of the path afterwards (by now). */
  advanced: number;
  /** advanced ÷ entered, null when none entered. */
  conversion: number | null;
  /** Of those that entered in the period, the ones that have left the stage since (to any stage). */
  left: number;
  /** Median time from entering the stage to leaving it, over those that left. */
  medianMsInStage: number | null;
}

/** Each contact's moves, in time order. */
function movesByContact(moves: readonly FunnelMove[]): Map<string, FunnelMove[]> {
  const byContact = new Map<string, FunnelMove[]>();
  for (const move of moves) {
    const list = byContact.get(move.contactId);
    if (list) list.push(move);
    else byContact.set(move.contactId, [move]);
  }
  for (const list of byContact.values()) list.sort((a, b) => a.at.getTime() - b.at.getTime());
  return byContact;
}

/**
 * The funnel of a period along the main path: for each stage, how many contacts entered it in
 * [from, to), how many of them went further along the path since, and how long they stayed.
 * `moves` must hold every move of those contacts from `from` on (later moves included), in any order.
 *
 * @example funnelOf(moves, ['lead', 'mql', 'sal'], from, to) // [{ key: 'lead', entered: 3, advanced: 2, … }, …]
 */
export function funnelOf(
  moves: readonly FunnelMove[],
  path: readonly string[],
  from: Date,
  to: Date,
): FunnelStage[] {
  const byContact = movesByContact(moves);
  const position = new Map(path.map((key, i) => [key, i]));
  const stats = path.map(() => ({ entered: 0, advanced: 0, left: 0, stays: [] as number[] }));
  for (const list of byContact.values()) {
    const counted = new Set<string>();
    list.forEach((move, i) => {
      const index = position.get(move.to);
      const inPeriod = move.at.getTime() >= from.getTime() && move.at.getTime() < to.getTime();
      // A contact counts once per stage: its first entry in the period.
      if (index === undefined || !inPeriod || counted.has(move.to)) return;
      counted.add(move.to);
      const stage = stats[index]!;
      stage.entered += 1;
      const later = list.slice(i + 1);
      if (later.some((m) => (position.get(m.to) ?? -1) > index)) stage.advanced += 1;
      const next = later[0];
      if (next) {
        stage.left += 1;
        stage.stays.push(next.at.getTime() - move.at.getTime());
      }
    });
  }
  return path.map((key, i) => {
    const s = stats[i]!;
    const stays = s.stays.sort((a, b) => a - b);
    const middle = stays.length === 0 ? null : stays[Math.ceil(0.5 * stays.length) - 1]!;
    return {
      key,
      entered: s.entered,
      advanced: s.advanced,
      conversion: s.entered === 0 ? null : s.advanced / s.entered,
      left: s.left,
      medianMsInStage: middle,
    };
  });
}

/** One stage of a cohort's funnel. */
export interface CohortStage {
  key: string;
  /** People of the cohort that reached the stage by now; a later stage counts (a skip passes it). */
  reached: number;
  /** Of those, the ones that reached a later stage of the path. */
  advanced: number;
  /** advanced ÷ reached, null when none reached it. */
  conversion: number | null;
  /** Of those that entered the stage itself, the ones that have left it since. */
  left: number;
  /** Median time from entering the stage to leaving it, over those that left. */
  medianMsInStage: number | null;
}

/**
 * The funnel of a cohort (the people who came in during a period) along the main path: how many
 * reached each stage by now. Reaching a later stage passes the earlier ones, so each stage holds at
 * most as many as the one before: never more MQLs than leads. `moves` holds every move of the
 * cohort's people (their creation included), in any order.
 *
 * @example cohortFunnel([{ contactId: 'a', to: 'mql', at }], ['lead', 'mql', 'sal'])[0].reached // 1
 */
export function cohortFunnel(moves: readonly FunnelMove[], path: readonly string[]): CohortStage[] {
  const byContact = movesByContact(moves);
  const position = new Map(path.map((key, i) => [key, i]));
  const stats = path.map(() => ({ reached: 0, advanced: 0, left: 0, stays: [] as number[] }));
  for (const list of byContact.values()) {
    const furthest = list.reduce((max, m) => Math.max(max, position.get(m.to) ?? -1), -1);
    for (let i = 0; i <= furthest; i++) {
      stats[i]!.reached += 1;
      if (furthest > i) stats[i]!.advanced += 1;
    }
    const timed = new Set<string>();
    list.forEach((move, i) => {
      const index = position.get(move.to);
      if (index === undefined || timed.has(move.to)) return;
      timed.add(move.to);
      const next = list[i + 1];
      if (next) {
        stats[index]!.left += 1;
        stats[index]!.stays.push(next.at.getTime() - move.at.getTime());
      }
    });
  }
  return path.map((key, i) => {
    const s = stats[i]!;
    const stays = s.stays.sort((a, b) => a - b);
    return {
      key,
      reached: s.reached,
      advanced: s.advanced,
      conversion: s.reached === 0 ? null : s.advanced / s.reached,
      left: s.left,
      medianMsInStage: stays.length === 0 ? null : stays[Math.ceil(0.5 * stays.length) - 1]!,
    };
  });
}
