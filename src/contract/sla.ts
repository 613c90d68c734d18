import { Type, type Static } from 'typebox';
import {
  AgreementSpans,
  CountryCode,
  Id,
  Instant,
  localDatePattern,
  LocalizedText,
  Nullable,
  StrictObject,
  TimeZone,
} from './common.ts';
import { WorkingHours } from './users.ts';

export const slaTargets = [
  'first_response',
  'accept_or_reject',
  'qualify_or_recycle',
  'opportunity_or_recycle',
] as const;
const localDate = (description = 'Local date, YYYY-MM-DD') =>
  Type.String({ pattern: localDatePattern, description });
const LocalDate = localDate();

const Ladder = {
  windowSeconds: Type.Integer({
    minimum: 1,
    maximum: 60 * 24 * 3600,
    description: 'The window in business time, in seconds (seconds work, for demos on a 24/7 calendar)',
  }),
  reminderAt: Nullable(
    Type.Number({
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      description: 'Remind the rep at this share of the window',
    }),
  ),
  escalations: Type.Integer({
    minimum: 0,
    maximum: 5,
    description: 'Misses that escalate, a window apart: 1 = the manager, 2 = then the director',
  }),
  reassign: Type.Boolean({
    description: 'After the last escalation and one more window, route the lead to another rep',
  }),
};

export const SlaPolicy = Type.Object({
  id: Id,
  key: Type.String(),
  name: LocalizedText,
  stage: Type.String(),
  target: Type.Enum(slaTargets),
  priority: Type.Enum(['hot', 'normal'], {
    description: 'hot: leads with a demo request in the last 30 days',
  }),
  ...Ladder,
  calendarId: Nullable(Id),
  active: Type.Boolean(),
  updatedAt: Instant,
});
export type SlaPolicy = Static<typeof SlaPolicy>;

export const UpdateSlaPolicyBody = StrictObject({
  name: Type.Optional(LocalizedText),
  windowSeconds: Type.Optional(Ladder.windowSeconds),
  reminderAt: Type.Optional(Ladder.reminderAt),
  escalations: Type.Optional(Ladder.escalations),
  reassign: Type.Optional(Ladder.reassign),
  calendarId: Type.Optional(Nullable(Id)),
  active: Type.Optional(Type.Boolean()),
});
export type UpdateSlaPolicyBody = Static<typeof UpdateSlaPolicyBody>;

const liberationDays = ['every_year', 'every_five_years', 'never'] as const;
const HolidayRegion = Type.String({
  minLength: 1,
  maxLength: 10,
  description: 'A state or region of the country as GET /sla/holiday-countries lists it (e.g. BY in DE)',
});
const holidaysDescription =
  "Public holidays the calendar closes on: a country's (or one of its regions'), from the date-holidays library; null for none";
const Holidays = Nullable(
  Type.Object({
    country: CountryCode,
    region: Nullable(HolidayRegion),
    goodFriday: Type.Boolean({ description: 'The Netherlands only: Good Friday is a day off' }),
    liberationDay: Type.Enum(liberationDays, {
      description: 'The Netherlands only: Liberation Day (5 May) off every year, every fifth year, or never',
    }),
  }),
  { description: holidaysDescription },
);
/** The holidays as a client sends them: the region and the Dutch choices may be left out. */
export const HolidaysInput = Nullable(
  StrictObject({
    country: CountryCode,
    region: Type.Optional(Nullable(HolidayRegion)),
    goodFriday: Type.Optional(Type.Boolean({ description: 'The Netherlands only; default false' })),
    liberationDay: Type.Optional(
      Type.Enum(liberationDays, { description: 'The Netherlands only; default every_five_years' }),
    ),
  }),
  { description: holidaysDescription },
);
export type HolidaysInput = Static<typeof HolidaysInput>;

export const HolidayCountry = Type.Object({
  code: CountryCode,
  name: LocalizedText,
  regions: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
});
export type HolidayCountry = Static<typeof HolidayCountry>;

export const CalendarHolidaysQuery = StrictObject({
  year: Type.Integer({ minimum: 1970, maximum: 2200 }),
});
export const CalendarHoliday = Type.Object({
  date: LocalDate,
  kind: Type.Enum(['holiday', 'closure']),
  name: Nullable(LocalizedText, { description: "The public holiday's name; null for a company closure" }),
});
export type CalendarHoliday = Static<typeof CalendarHoliday>;
const Closures = Type.Array(StrictObject({ from: LocalDate, to: LocalDate }), {
  maxItems: 200,
  description: 'Company closures, inclusive local dates',
});

export const SlaCalendar = Type.Object({
  id: Id,
  name: Type.String(),
  timeZone: TimeZone,
  workingHours: WorkingHours,
  holidays: Holidays,
  closures: Closures,
  isDefault: Type.Boolean(),
  updatedAt: Instant,
});
export type SlaCalendar = Static<typeof SlaCalendar>;

export const SaveSlaCalendarBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  timeZone: TimeZone,
  workingHours: WorkingHours,
  holidays: HolidaysInput,
  closures: Type.Optional(Closures),
});
export type SaveSlaCalendarBody = Static<typeof SaveSlaCalendarBody>;

export const SlaPreviewBody = StrictObject({
  arrivedAt: Instant,
  policyId: Type.Optional(Id),
  calendarId: Type.Optional(Id),
  windowSeconds: Type.Optional(Ladder.windowSeconds),
});
export type SlaPreviewBody = Static<typeof SlaPreviewBody>;

export const SlaStep = Type.Object({
  kind: Type.Enum(['reminder', 'breach', 'reassign']),
  level: Type.Integer(),
  notify: Type.Enum(['rep', 'manager', 'director', 'routing']),
  at: Instant,
});

export const SlaPreview = Type.Object({
  arrivedAt: Instant,
  dueAt: Instant,
  steps: Type.Array(SlaStep),
});
export type SlaPreview = Static<typeof SlaPreview>;

export const SlaClock = Type.Object({
  id: Id,
  contactId: Id,
  policyId: Id,
  userId: Nullable(Id),
  stage: Type.String(),
  target: Type.Enum(slaTargets),
  status: Type.Enum(['running', 'at_risk', 'met', 'breached', 'waived', 'cancelled'], {
    description: 'at_risk: still running, and the reminder point (half the window) has passed',
  }),
  level: Type.Integer({ description: 'Breach level: 1 after the first miss, 2 after the second' }),
  startedAt: Instant,
  dueAt: Instant,
  respondedAt: Nullable(Instant),
  breachedAt: Nullable(Instant),
  nextStepAt: Nullable(Instant),
  closedReason: Nullable(Type.String()),
  waiver: Nullable(Type.Object({ by: Nullable(Id), reason: Type.String(), at: Instant })),
  steps: Type.Array(SlaStep),
});
export type SlaClock = Static<typeof SlaClock>;

export const WaiveBody = StrictObject({
  reason: Type.String({
    minLength: 5,
    maxLength: 1000,
    description: 'Why the miss does not count, for the record',
  }),
});
export type WaiveBody = Static<typeof WaiveBody>;

export const SlaReportQuery = StrictObject({
  from: Instant,
  to: Instant,
  teamId: Type.Optional(Id),
  userId: Type.Optional(Id),
});
export type SlaReportQuery = Static<typeof SlaReportQuery>;

const SlaFigures = Type.Object({
  clocks: Type.Integer({ description: 'Clocks started in the period' }),
  measured: Type.Integer({
    description: 'Closed as met or breached (waived and cancelled are not measured)',
  }),
  met: Type.Integer(),
  breached: Type.Integer(),
  breachedByLevel: Type.Record(Type.String(), Type.Integer(), {
    description: 'Highest level reached, e.g. { "1": 4, "2": 1 }',
  }),
  waived: Type.Integer(),
  reassigned: Type.Integer({ description: 'Clocks that ended because the lead went to another rep' }),
  compliance: Nullable(Type.Number({ description: 'Metric sla_compliance: met ÷ measured' })),
  speedToLead: Type.Object(
    {
      leads: Type.Integer({
        description: 'Leads handed to Sales in the period (their first follow-up clock started in it)',
      }),
      touched: Type.Integer({ description: 'Of those, answered by a genuine response so far' }),
      medianMs: Nullable(Type.Number()),
      p90Ms: Nullable(Type.Number()),
      distribution: Type.Array(
        Type.Object({
          upToMs: Nullable(Type.Number({ description: 'The bucket’s upper bound; null: longer' })),
          leads: Type.Integer(),
        }),
        { description: 'Answered leads by their wait: ≤ 5 min, 15 min, 1 h, 4 h, 1 day, longer' },
      ),
    },
    {
      description:
        'Metric speed_to_lead: from the handover (the start of the lead’s first follow-up clock) to the first genuine response, in real time; the median, P90 and distribution of the same leads',
    },
  ),
});

// Marketing's side: a volume of MQLs per period at a minimum acceptance rate, tracked daily.
export const commitmentPeriods = ['month', 'quarter'] as const;
const Rate = Type.Number({ minimum: 0, maximum: 1 });

const CommitmentTerms = {
  mqlTarget: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'MQLs to deliver in the period' }),
  minAcceptanceRate: Type.Number({
    minimum: 0,
    maximum: 1,
    description: 'The share of decided MQLs Sales should accept (accepted ÷ accepted + rejected)',
  }),
  tolerance: Type.Number({
    minimum: 0,
    maximum: 0.9,
    description: 'How far under an even pace delivery may fall before it is behind (0.1 = 10 %)',
  }),
  ownerId: Nullable(Id),
  calendarId: Nullable(Id),
  note: Nullable(Type.String({ maxLength: 2000 })),
};

export const CommitmentPace = Type.Object({
  asOf: LocalDate,
  status: Type.Enum(['upcoming', 'on_track', 'at_risk', 'behind', 'met', 'missed'], {
    description:
      'at_risk: on pace for volume, but acceptance is below the minimum on fewer decisions than a verdict needs (no alert)',
  }),
  reasons: Type.Array(Type.Enum(['volume', 'acceptance'])),
  delivered: Type.Integer({ description: 'MQLs delivered on the completed days (up to yesterday)' }),
  expectedToDate: Type.Number({
    description: 'What an even pace over the working days would have delivered',
  }),
  projected: Nullable(Type.Integer({ description: 'At the same rate, what the period will end with' })),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  acceptanceRate: Nullable(Rate),
  openDays: Type.Object({ total: Type.Integer(), completed: Type.Integer() }),
});
export type CommitmentPace = Static<typeof CommitmentPace>;

export const CommitmentDay = Type.Object({
  date: LocalDate,
  open: Type.Boolean({ description: 'A working day of the calendar' }),
  delivered: Type.Integer(),
  cumulative: Type.Integer(),
  expected: Type.Number(),
});

export const MarketingCommitment = Type.Object({
  id: Id,
  period: Type.Enum(commitmentPeriods),
  startsOn: LocalDate,
  endsOn: LocalDate,
  ...CommitmentTerms,
  ownerName: Nullable(Type.String()),
  pace: CommitmentPace,
  createdAt: Instant,
  updatedAt: Instant,
});
export type MarketingCommitment = Static<typeof MarketingCommitment>;

export const MarketingCommitmentDetail = Type.Intersect([
  MarketingCommitment,
  Type.Object({ days: Type.Array(CommitmentDay, { description: 'The completed days of the period' }) }),
]);
export type MarketingCommitmentDetail = Static<typeof MarketingCommitmentDetail>;

export const CreateCommitmentBody = StrictObject({
  period: Type.Enum(commitmentPeriods),
  startsOn: localDate('The first day of the month or quarter (YYYY-MM-01)'),
  mqlTarget: CommitmentTerms.mqlTarget,
  minAcceptanceRate: CommitmentTerms.minAcceptanceRate,
  tolerance: Type.Optional(CommitmentTerms.tolerance),
  ownerId: Type.Optional(CommitmentTerms.ownerId),
  calendarId: Type.Optional(CommitmentTerms.calendarId),
  note: Type.Optional(CommitmentTerms.note),
});
export type CreateCommitmentBody = Static<typeof CreateCommitmentBody>;

export const UpdateCommitmentBody = StrictObject({
  mqlTarget: Type.Optional(CommitmentTerms.mqlTarget),
  minAcceptanceRate: Type.Optional(CommitmentTerms.minAcceptanceRate),
  tolerance: Type.Optional(CommitmentTerms.tolerance),
  ownerId: Type.Optional(CommitmentTerms.ownerId),
  calendarId: Type.Optional(CommitmentTerms.calendarId),
  note: Type.Optional(CommitmentTerms.note),
});
export type UpdateCommitmentBody = Static<typeof UpdateCommitmentBody>;

export const CommitmentListQuery = StrictObject({
  from: Type.Optional(localDate('Commitments ending on or after this date')),
  to: Type.Optional(localDate('Commitments starting on or before this date')),
});
export type CommitmentListQuery = Static<typeof CommitmentListQuery>;

export const CommitmentSummary = Type.Object({
  commitmentId: Id,
  period: Type.Enum(commitmentPeriods),
  startsOn: LocalDate,
  endsOn: LocalDate,
  mqlTarget: Type.Integer(),
  minAcceptanceRate: Rate,
  ownerName: Nullable(Type.String()),
  pace: CommitmentPace,
});

export const SlaReport = Type.Object({
  from: Instant,
  to: Instant,
  total: SlaFigures,
  reps: Type.Array(Type.Intersect([Type.Object({ userId: Id, name: Type.String() }), SlaFigures])),
  teams: Type.Array(Type.Intersect([Type.Object({ teamId: Id, name: Type.String() }), SlaFigures]), {
    description: 'Per team, over the reps in the report who are its members',
  }),
  marketing: Type.Array(CommitmentSummary, {
    description: "Marketing's side: its commitments overlapping the period, with their pace",
  }),
  agreements: AgreementSpans,
});
export type SlaReport = Static<typeof SlaReport>;

export const slaQueueFilters = ['open', 'at_risk', 'breached'] as const;

export const SlaQueueQuery = StrictObject({
  userId: Type.Optional(Id),
  teamId: Type.Optional(Id),
  status: Type.Optional(
    Type.Enum(slaQueueFilters, {
      description: 'open: every clock still waiting for a response (the default); at_risk; breached',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
});
export type SlaQueueQuery = Static<typeof SlaQueueQuery>;

export const SlaQueueItem = Type.Object({
  clock: SlaClock,
  contact: Type.Object({
    id: Id,
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
    company: Nullable(Type.String()),
    stage: Type.String(),
  }),
  rep: Nullable(Type.Object({ id: Id, name: Type.String() })),
  businessMsLeft: Type.Number({
    description: 'Business time from asOf to the deadline in the policy’s calendar; negative when overdue',
  }),
  ticking: Type.Boolean({
    description: 'Whether business time runs at asOf (the calendar is open), so a countdown moves',
  }),
});
export type SlaQueueItem = Static<typeof SlaQueueItem>;

export const SlaQueue = Type.Object({
  asOf: Instant,
  data: Type.Array(SlaQueueItem, { description: 'Most urgent first: overdue longest, then due soonest' }),
});
export type SlaQueue = Static<typeof SlaQueue>;
