/**
 * The fate of a lead Marketing handed over (issue 7): who got it and when, what Sales decided and
 * why, and how far it went — SQL, an opportunity, won or lost and for how much. Pure: the caller
 * reads the lead's history from the moment it became an MQL.
 */

export interface StageOrder {
  /** Positions along the main path; side stages are not compared. */
  position: ReadonlyMap<string, number>;
  side: ReadonlySet<string>;
}

/**
 * What a person's move out of `mql` means: accepted when the lead moved on along the main path,
 * rejected when it went to a side stage (recycled, disqualified) or back.
 */
export function decisionOf(toStage: string, stages: StageOrder): 'accepted' | 'rejected' {
  const mql = stages.position.get('mql');
  const to = stages.position.get(toStage);
  return mql !== undefined && to !== undefined && !stages.side.has(toStage) && to > mql
    ? 'accepted'
    : 'rejected';
}

export interface FateHistory {
  mqlAt: Date;
  /** Routing's decisions on the lead, oldest first (userId null: no one could take it). */
  assignments: readonly { userId: string | null; at: Date }[];
  /** The lead's stage changes, oldest first. */
  changes: readonly {
    from: string | null;
    to: string;
    at: Date;
    actorKind: string;
    actorId: string | null;
    reasonCode: string | null;
  }[];
  opportunities: readonly {
    id: string;
    status: 'open' | 'won' | 'lost';
    amountMinor: number | null;
    currency: string;
    createdAt: Date;
    closedOn: string | null;
  }[];
}

export interface Fate {
  assignedTo: string | null;
  assignedAt: Date | null;
  decision: 'accepted' | 'rejected' | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  reasonCode: string | null;
  /** Where a rejection sent it: recycled or disqualified (or back along the path). */
  rejectedTo: string | null;
  sqlAt: Date | null;
  opportunity: FateHistory['opportunities'][number] | null;
}

/** A lead's fate from the moment it became an MQL. */
export function fateOf(history: FateHistory, stages: StageOrder): Fate {
  const after = (at: Date) => at.getTime() >= history.mqlAt.getTime();
  const assignment = history.assignments.find((a) => after(a.at) && a.userId !== null) ?? null;
  const decision =
    history.changes.find((c) => after(c.at) && c.from === 'mql' && c.actorKind === 'user') ?? null;
  const verdict = decision ? decisionOf(decision.to, stages) : null;
  const sql = history.changes.find((c) => after(c.at) && c.to === 'sql') ?? null;
  const opportunity = history.opportunities.find((o) => after(o.createdAt)) ?? null;
  return {
    assignedTo: assignment?.userId ?? null,
    assignedAt: assignment?.at ?? null,
    decision: verdict,
    decidedAt: decision?.at ?? null,
    decidedBy: decision?.actorId ?? null,
    reasonCode: verdict === 'rejected' ? (decision?.reasonCode ?? null) : null,
    rejectedTo: verdict === 'rejected' ? (decision?.to ?? null) : null,
    sqlAt: sql?.at ?? null,
    opportunity,
  };
}

export interface FateRow {
  fate: Fate;
  /** The values the analytics group by: source, campaign, form, score band, rep. */
  dimensions: Record<RejectionDimension, string | null>;
}

export const rejectionDimensions = ['source', 'campaign', 'form', 'score_band', 'rep'] as const;
export type RejectionDimension = (typeof rejectionDimensions)[number];

export interface RejectionGroup {
  key: string | null;
  mqls: number;
  accepted: number;
  rejected: number;
  /** rejected ÷ (accepted + rejected); null before any decision. */
  rejectionRate: number | null;
  /** Rejections per reason code, most frequent first. */
  reasons: { code: string; count: number }[];
}

/** How many handed-over leads share a dimension's value, a decision and a rejection's reason. */
export interface FateCount {
  key: string | null;
  decision: Fate['decision'];
  reasonCode: string | null;
  count: number;
}

/**
 * Handed-over leads grouped by one dimension: how many, how many Sales accepted and rejected, and
 * why they rejected. Groups with the most rejections first, then by key.
 *
 * @example rejectionsBy(rows, 'campaign')[0] // { key: 'Cloud Q4', mqls: 40, accepted: 22, rejected: 14, rejectionRate: 0.39, reasons: [...] }
 */
export function rejectionsBy(rows: readonly FateRow[], dimension: RejectionDimension): RejectionGroup[] {
  return rejectionGroupsOf(
    rows.map((row) => ({
      key: row.dimensions[dimension],
      decision: row.fate.decision,
      reasonCode: row.fate.reasonCode,
      count: 1,
    })),
  );
}

/**
 * The rejection groups from counts of leads per value, decision and reason (as the database
 * counts them): a rejection without a reason counts under `none`.
 *
 * @example rejectionGroupsOf([{ key: 'Cloud Q4', decision: 'rejected', reasonCode: 'no_budget', count: 3 }])[0].rejectionRate // 1
 */
export function rejectionGroupsOf(counts: readonly FateCount[]): RejectionGroup[] {
  const groups = new Map<
    string | null,
    { mqls: number; accepted: number; rejected: number; reasons: Map<string, number> }
  >();
  for (const c of counts) {
    let group = groups.get(c.key);
    if (!group) groups.set(c.key, (group = { mqls: 0, accepted: 0, rejected: 0, reasons: new Map() }));
    group.mqls += c.count;
    if (c.decision === 'accepted') group.accepted += c.count;
    if (c.decision === 'rejected') {
      group.rejected += c.count;
      const code = c.reasonCode ?? 'none';
      group.reasons.set(code, (group.reasons.get(code) ?? 0) + c.count);
    }
  }
  return [...groups.entries()]
    .map(([key, g]) => ({
      key,
      mqls: g.mqls,
      accepted: g.accepted,
      rejected: g.rejected,
      rejectionRate: g.accepted + g.rejected > 0 ? g.rejected / (g.accepted + g.rejected) : null,
      reasons: [...g.reasons.entries()]
        .map(([code, count]) => ({ code, count }))
        .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    }))
    .sort((a, b) => b.rejected - a.rejected || String(a.key).localeCompare(String(b.key)));
}
