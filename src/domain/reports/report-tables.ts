import type { AttributionReport } from '../../contract/attribution.ts';
import type { FatesReport, RejectionsReport } from '../../contract/handoff.ts';
import type { SlaReport } from '../../contract/sla.ts';
import type { Funnel } from '../../contract/stages.ts';

/*
 * Each report as one table for a CSV file: the rows the screen shows, with the API's own names for
 * the columns (a file is read by spreadsheets and scripts, so codes, not translated headings).
 * Pure: the report is the same object the JSON route answers, so the file and the screen agree.
 */

export interface ReportTable {
  columns: string[];
  rows: (string | number)[][];
}

/** The reports Baton exports as CSV, by their route. */
export const reportNames = [
  'handoff.fates',
  'handoff.rejections',
  'sla.report',
  'attribution.report',
  'funnel',
] as const;
export type ReportName = (typeof reportNames)[number];

const cell = (value: string | number | null | undefined): string | number => value ?? '';
/** Minor units as a decimal amount in the major unit (12345 → 123.45), for a spreadsheet to sum. */
const major = (minor: number | null | undefined): string | number =>
  minor === null || minor === undefined ? '' : minor / 100;

/**
 * Every lead handed over in the period and its fate, newest handover first.
 *
 * @example fatesTable(report).columns[0] // 'contact_id'
 */
export function fatesTable(report: FatesReport): ReportTable {
  return {
    columns: [
      'contact_id',
      'name',
      'email',
      'mql_at',
      'source',
      'campaign',
      'form',
      'score_band',
      'assigned_to',
      'assigned_at',
      'decision',
      'decided_at',
      'decided_by',
      'reason_code',
      'rejected_to',
      'sql_at',
      'opportunity_status',
      'opportunity_amount',
      'currency',
      'closed_on',
      'stage',
    ],
    rows: report.data.map((f) => [
      f.contactId,
      cell(f.name),
      cell(f.email),
      f.mqlAt,
      cell(f.source),
      cell(f.campaign),
      cell(f.form?.name),
      cell(f.scoreBand),
      cell(f.assignedTo),
      cell(f.assignedAt),
      cell(f.decision),
      cell(f.decidedAt),
      cell(f.decidedBy),
      cell(f.reasonCode),
      cell(f.rejectedTo),
      cell(f.sqlAt),
      cell(f.opportunity?.status),
      major(f.opportunity?.amountMinor),
      cell(f.opportunity?.currency),
      cell(f.opportunity?.closedOn),
      f.stage,
    ]),
  };
}

/** Rejections per group (source, campaign, form, score band or rep), with each reason's count. */
export function rejectionsTable(report: RejectionsReport): ReportTable {
  return {
    columns: ['by', 'key', 'label', 'mqls', 'accepted', 'rejected', 'rejection_rate', 'reasons'],
    rows: report.groups.map((g) => [
      report.by,
      cell(g.key),
      cell(g.label),
      g.mqls,
      g.accepted,
      g.rejected,
      cell(g.rejectionRate),
      g.reasons.map((r) => `${r.code}: ${r.count}`).join('; '),
    ]),
  };
}

/** Follow-up per rep, per team and in total, as the SLA report counts it. */
export function slaTable(report: SlaReport): ReportTable {
  type Figures = SlaReport['total'];
  const line = (scope: string, id: string, name: string, f: Figures) => [
    scope,
    id,
    name,
    f.clocks,
    f.measured,
    f.met,
    f.breached,
    f.waived,
    f.reassigned,
    cell(f.compliance),
    f.speedToLead.leads,
    f.speedToLead.touched,
    cell(f.speedToLead.medianMs),
    cell(f.speedToLead.p90Ms),
  ];
  return {
    columns: [
      'scope',
      'id',
      'name',
      'clocks',
      'measured',
      'met',
      'breached',
      'waived',
      'reassigned',
      'compliance',
      'leads',
      'touched',
      'speed_to_lead_median_ms',
      'speed_to_lead_p90_ms',
    ],
    rows: [
      ...report.reps.map((r) => line('rep', r.userId, r.name, r)),
      ...report.teams.map((t) => line('team', t.teamId, t.name, t)),
      line('total', '', '', report.total),
    ],
  };
}

/** Marketing's credit per row (channel, campaign, touch type, deal or month) under the report's model. */
export function attributionTable(report: AttributionReport): ReportTable {
  return {
    columns: [
      'group_by',
      'key',
      'label',
      'model',
      'currency',
      'revenue',
      'pipeline',
      'won_deals',
      'pipeline_deals',
      'touches',
    ],
    rows: report.rows.map((r) => [
      report.groupBy,
      r.key,
      r.label,
      report.model,
      report.currency,
      major(r.revenueMinor),
      major(r.pipelineMinor),
      r.wonDeals,
      r.pipelineDeals,
      r.touches,
    ]),
  };
}

/** The funnel's steps in order: reached, advanced, conversion, left and the median time in each. */
export function funnelTable(funnel: Funnel): ReportTable {
  return {
    columns: ['stage', 'name', 'reached', 'advanced', 'conversion', 'left', 'median_ms_in_stage'],
    rows: funnel.stages.map((s) => [
      s.key,
      s.name.en,
      s.reached,
      s.advanced,
      cell(s.conversion),
      s.left,
      cell(s.medianMsInStage),
    ]),
  };
}
