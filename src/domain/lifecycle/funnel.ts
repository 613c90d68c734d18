/** One move of one contact, as the funnel reads it. */
export interface FunnelMove {
  contactId: string;
  to: string;
  at: Date;
  /** Orders moves at the same instant (ids are written in order); without it, the order given. */
  id?: string;
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
  for (const list of byContact.values())
    list.sort(
      (a, b) =>
        a.at.getTime() - b.at.getTime() ||
        (a.id === undefined || b.id === undefined ? 0 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
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
 * A cohort's funnel in brief: how many people's furthest stage of the path each stage is, and per
 * stage of the path how many left it after their first entry into it and how long the middle one
 * of those stayed (the nearest rank: the ⌈n/2⌉th shortest). The store keeps what this needs per
 * person (each stage's first entry and the move after it) and sums it in SQL.
 */
export interface CohortSummary {
  furthest: ReadonlyMap<string, number>;
  stays: ReadonlyMap<string, { left: number; medianMs: number | null }>;
}

/**
 * Sums up a cohort's moves (their creation included, in any order): the reference the store's
 * summary is tested against.
 */
export function summariseCohort(moves: readonly FunnelMove[], path: readonly string[]): CohortSummary {
  const byContact = movesByContact(moves);
  const position = new Map(path.map((key, i) => [key, i]));
  const furthest = new Map<string, number>();
  const stays = new Map<string, number[]>();
  for (const list of byContact.values()) {
    const far = list.reduce((max, m) => Math.max(max, position.get(m.to) ?? -1), -1);
    if (far >= 0) furthest.set(path[far]!, (furthest.get(path[far]!) ?? 0) + 1);
    const timed = new Set<string>();
    list.forEach((move, i) => {
      if (!position.has(move.to) || timed.has(move.to)) return;
      timed.add(move.to);
      const next = list[i + 1];
      if (!next) return;
      const all = stays.get(move.to) ?? [];
      all.push(next.at.getTime() - move.at.getTime());
      stays.set(move.to, all);
    });
  }
  return {
    furthest,
    stays: new Map(
      [...stays].map(([key, all]) => {
        const sorted = all.sort((a, b) => a - b);
        return [key, { left: sorted.length, medianMs: sorted[Math.ceil(0.5 * sorted.length) - 1] ?? null }];
      }),
    ),
  };
}

/**
 * The funnel of a cohort (the people who came in during a period) along the main path, from its
 * summary: how many reached each stage by now. Reaching a later stage passes the earlier ones, so
 * each stage holds at most as many as the one before: never more MQLs than leads.
 *
 * @example cohortFunnelOf({ furthest: new Map([['mql', 1]]), stays: new Map() }, ['lead', 'mql', 'sal'])[0].reached // 1
 */
export function cohortFunnelOf(summary: CohortSummary, path: readonly string[]): CohortStage[] {
  // People whose furthest stage is at or beyond each stage, from the end of the path.
  const reached = new Array<number>(path.length).fill(0);
  let beyond = 0;
  for (let i = path.length - 1; i >= 0; i--) {
    beyond += summary.furthest.get(path[i]!) ?? 0;
    reached[i] = beyond;
  }
  return path.map((key, i) => {
    const advanced = reached[i + 1] ?? 0;
    const stay = summary.stays.get(key);
    return {
      key,
      reached: reached[i]!,
      advanced,
      conversion: reached[i] === 0 ? null : advanced / reached[i]!,
      left: stay?.left ?? 0,
      medianMsInStage: stay?.medianMs ?? null,
    };
  });
}

/**
 * The funnel of a cohort from its moves (their creation included, in any order).
 *
 * @example cohortFunnel([{ contactId: 'a', to: 'mql', at }], ['lead', 'mql', 'sal'])[0].reached // 1
 */
export function cohortFunnel(moves: readonly FunnelMove[], path: readonly string[]): CohortStage[] {
  return cohortFunnelOf(summariseCohort(moves, path), path);
}
