/**
 * The typed client of Baton's API. Every request and answer type comes from src/contract, so the
 * web app never restates what the server accepts or returns.
 */
import type {
  Agreement,
  AgreementDiff,
  AgreementSummary,
  AuditEntry,
  CreateAgreementBody,
  ProposeAgreementBody,
  UpdateAgreementBody,
} from '../../src/contract/agreements.ts';
import type { ApiKey, CreateApiKeyBody, CreatedApiKey } from '../../src/contract/api-keys.ts';
import type {
  Connection,
  CreateConnectionBody,
  OAuthStartBody,
  SyncLogEntry,
  UpdateConnectionBody,
} from '../../src/contract/connectors.ts';
import type { ImportJob } from '../../src/contract/imports.ts';
import type {
  AuditLogPage,
  AuditLogQuery,
  AuditLogSettings,
  UpdateAuditLogSettingsBody,
} from '../../src/contract/audit-log.ts';
import type {
  AttributionComparison,
  AttributionComparisonQuery,
  AttributionReport,
  AttributionReportQuery,
  AttributionSettings,
  CampaignCost,
  CreateCampaignCostBody,
  DealLedger,
  UpdateAttributionSettingsBody,
} from '../../src/contract/attribution.ts';
import type {
  LoginBody,
  LoginResult,
  RecoveryCodes,
  SecondFactorBody,
  SecondFactorStatus,
  SecuritySettings,
  Session,
  SessionWithRecoveryCodes,
  SignInOptions,
  TotpEnrolment,
  UpdateSecuritySettingsBody,
} from '../../src/contract/auth.ts';
import type { OneClickActBody, OneClickDone, OneClickPreview } from '../../src/contract/one-click.ts';
import type { Inbox } from '../../src/contract/inbox.ts';
import type {
  CreateWebhookEndpointBody,
  ReplayWebhooksBody,
  UpdateWebhookEndpointBody,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventTypeInfo,
  WebhookSettings,
} from '../../src/contract/webhooks.ts';
import type {
  RetentionReport,
  RetentionSettings,
  SubjectLookup,
  UpdateRetentionSettingsBody,
} from '../../src/contract/privacy.ts';
import type {
  Checklist,
  Company,
  CompleteSetupBody,
  Invitation,
  OnboardingStepKey,
  PasswordTokenInfo,
  SetupStatus,
  UpdateCompanyBody,
} from '../../src/contract/setup.ts';
import type { Consents, RecordConsentBody } from '../../src/contract/contacts.ts';
import type { Board } from '../../src/contract/board.ts';
import type { BonusPlan, BonusStatements, PutBonusPlanBody } from '../../src/contract/bonus.ts';
import type { PageOf, ProblemDetails } from '../../src/contract/common.ts';
import type {
  Contact,
  ContactDuplicate,
  ContactPage,
  ListContactsQuery,
  MergeContactBody,
  Touchpoint,
} from '../../src/contract/contacts.ts';
import type {
  ConnectMailboxBody,
  LoggingAddress,
  MailboxConnection,
  MailLogSettings,
  MyMailbox,
  MailLogStatus,
  UpdateMailLogSettingsBody,
} from '../../src/contract/mailbox.ts';
import type {
  BulkContactsBody,
  BulkContactsResponse,
  CreateViewBody,
  ExportContactsQuery,
  SavedView,
  UpdateViewBody,
} from '../../src/contract/lists.ts';
import type { CreateFormBody, Form, FormSnippet, UpdateFormBody } from '../../src/contract/forms.ts';
import type {
  AcceptBody,
  CreateRejectionReasonBody,
  FatesQuery,
  FatesReport,
  HandoffContext,
  HandoffDecision,
  HandoffSettings,
  LogActivityBody,
  OrderRejectionReasonsBody,
  QualifyBody,
  RejectBody,
  RejectionReason,
  RejectionsQuery,
  RejectionsReport,
  UpdateHandoffSettingsBody,
  UpdateRejectionReasonBody,
} from '../../src/contract/handoff.ts';
import type {
  CreateOpportunityBody,
  ListOpportunitiesQuery,
  MoveOpportunityBody,
  Opportunity,
  OpportunityDetail,
  OpportunityStage,
} from '../../src/contract/opportunities.ts';
import type {
  Account,
  AccountDuplicate,
  ListAccountsQuery,
  MergeAccountBody,
} from '../../src/contract/accounts.ts';
import type { CreateTaskBody, ListTasksQuery, Task, UpdateTaskBody } from '../../src/contract/tasks.ts';
import type {
  Pacing,
  PeriodKind,
  PlanInputBody,
  PlanResult,
  PutTargetBody,
  SavedPlan,
  Target,
} from '../../src/contract/planning.ts';
import type {
  Assignment,
  CreatePoolBody,
  Pool,
  ReassignBody,
  ReplaceRulesBody,
  RoutingRule,
  RoutingSettings,
  RulesPreview,
  UnassignedLead,
  UpdatePoolBody,
  UpdateRoutingSettingsBody,
} from '../../src/contract/routing.ts';
import type {
  AccountScore,
  CalibrationReport,
  CreateScoringModelBody,
  ScoringModel,
  ScoringPreview,
  UpdateScoringModelBody,
} from '../../src/contract/scoring.ts';
import type {
  CalendarHoliday,
  CreateCommitmentBody,
  HolidayCountry,
  MarketingCommitment,
  MarketingCommitmentDetail,
  SaveSlaCalendarBody,
  SlaCalendar,
  SlaClock,
  SlaPolicy,
  SlaQueue,
  SlaQueueQuery,
  SlaReport,
  SlaReportQuery,
  UpdateCommitmentBody,
  UpdateSlaPolicyBody,
  WaiveBody,
} from '../../src/contract/sla.ts';
import type { Funnel, FunnelQuery, Stage, UpdateStageBody } from '../../src/contract/stages.ts';
import type {
  MetricCatalogue,
  ReportingSettings,
  UpdateReportingSettingsBody,
} from '../../src/contract/metrics.ts';
import type { CreateTeamBody, Team, UpdateTeamBody } from '../../src/contract/teams.ts';
import type { AlertSettings, AlertSettingsUpdate, AlertTestResult } from '../../src/contract/alerts.ts';
import type {
  Absence,
  AbsenceBody,
  CreateUserBody,
  UpdateMeBody,
  UpdateUserBody,
  User,
} from '../../src/contract/users.ts';

/** A refused request: the problem details the server answered (RFC 9457). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
  ) {
    super(problem.detail ?? problem.title);
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** `?a=1&b=2` of the given values, leaving out empty ones; '' when none is left. */
function searchOf(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  return params.size > 0 ? `?${params.toString()}` : '';
}

async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  options: { query?: Query | URLSearchParams; body?: unknown; file?: { data: Blob; type: string } } = {},
): Promise<T> {
  const search =
    options.query instanceof URLSearchParams
      ? options.query.size > 0
        ? `?${options.query.toString()}`
        : ''
      : searchOf(options.query ?? {});
  const response = await fetch(`/api/v1${path}${search}`, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.file && { 'content-type': options.file.type }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    ...(options.file && { body: options.file.data }),
  });
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const problem =
      data && typeof data === 'object' && 'code' in data
        ? (data as ProblemDetails)
        : ({ type: 'about:blank', title: response.statusText, status: response.status } as ProblemDetails);
    throw new ApiError(response.status, problem);
  }
  return data as T;
}

const get = <T>(path: string, query?: Query) => request<T>('GET', path, query ? { query } : {});
const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body });
const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });
const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body });
const remove = <T>(path: string, body?: unknown) =>
  request<T>('DELETE', path, body === undefined ? {} : { body });

export const api = {
  session: () => get<Session>('/auth/session'),
  signIn: (body: LoginBody) => post<LoginResult>('/auth/login', body),
  signInOptions: () => get<SignInOptions>('/auth/options'),
  secondFactor: (body: SecondFactorBody) => post<SessionWithRecoveryCodes>('/auth/second-factor', body),
  enrolDuringSignIn: () => post<TotpEnrolment>('/auth/second-factor/enrolment'),
  mySecondFactor: () => get<SecondFactorStatus>('/me/second-factor'),
  beginSecondFactor: () => post<TotpEnrolment>('/me/second-factor/enrolment'),
  confirmSecondFactor: (code: string) => post<RecoveryCodes>('/me/second-factor/confirmation', { code }),
  renewRecoveryCodes: (code: string) => post<RecoveryCodes>('/me/second-factor/recovery-codes', { code }),
  disableSecondFactor: (code: string) => remove<void>('/me/second-factor', { code }),
  securitySettings: () => get<SecuritySettings>('/settings/security'),
  updateSecuritySettings: (body: UpdateSecuritySettingsBody) =>
    patch<SecuritySettings>('/settings/security', body),
  consents: (id: string) => get<Consents>(`/contacts/${id}/consents`),
  recordConsent: (id: string, body: RecordConsentBody) => post<Consents>(`/contacts/${id}/consents`, body),
  retentionSettings: () => get<RetentionSettings>('/settings/retention'),
  updateRetentionSettings: (body: UpdateRetentionSettingsBody) =>
    patch<RetentionSettings>('/settings/retention', body),
  runRetention: (dryRun: boolean) => post<RetentionReport>('/settings/retention/run', { dryRun }),
  findSubject: (email: string) => get<SubjectLookup>('/privacy/subjects', { email }),
  eraseContact: (id: string) => remove<void>(`/contacts/${id}`),
  signOut: () => post<null>('/auth/logout'),
  setupStatus: () => get<SetupStatus>('/setup'),
  completeSetup: (body: CompleteSetupBody) => post<LoginResult>('/setup', body),
  company: () => get<Company>('/company'),
  updateCompany: (body: UpdateCompanyBody) => patch<Company>('/company', body),
  checklist: () => get<Checklist>('/setup/checklist'),
  confirmStep: (key: OnboardingStepKey, confirmed: boolean) =>
    request<Checklist>(confirmed ? 'PUT' : 'DELETE', `/setup/checklist/${key}`),
  invite: (userId: string) => post<Invitation>(`/users/${userId}/invitation`),
  requestPasswordReset: (email: string) => post<object>('/auth/password-reset', { email }),
  passwordLink: (token: string) => post<PasswordTokenInfo>('/auth/password-link', { token }),
  oneClickPreview: (token: string) => post<OneClickPreview>('/one-click/preview', { token }),
  oneClickAct: (body: OneClickActBody) => post<OneClickDone>('/one-click/act', body),
  setPassword: (token: string, password: string) =>
    post<LoginResult>('/auth/password-link/password', { token, password }),
  updateMe: (body: UpdateMeBody) => patch<User>('/me', body),
  inbox: () => get<Inbox>('/me/notifications'),
  markInboxRead: () => post<Inbox>('/me/notifications/read'),
  alertSettings: (teamId?: string) => get<AlertSettings>(teamId ? `/teams/${teamId}/alerts` : '/me/alerts'),
  updateAlertSettings: (teamId: string | undefined, body: AlertSettingsUpdate) =>
    put<AlertSettings>(teamId ? `/teams/${teamId}/alerts` : '/me/alerts', body),
  testAlert: (teamId: string | undefined, channel: 'slack' | 'teams') =>
    post<AlertTestResult>(teamId ? `/teams/${teamId}/alerts/test` : '/me/alerts/test', { channel }),
  absences: (userId: string) => get<{ data: Absence[] }>(`/users/${userId}/absences`),
  addAbsence: (userId: string, body: AbsenceBody) => post<Absence>(`/users/${userId}/absences`, body),

  users: () => get<PageOf<typeof User>>('/users', { limit: 200 }),
  createUser: (body: CreateUserBody) => post<User>('/users', body),
  updateUser: (id: string, body: UpdateUserBody) => patch<User>(`/users/${id}`, body),
  teams: () => get<{ data: Team[] }>('/teams'),
  createTeam: (body: CreateTeamBody) => post<Team>('/teams', body),
  updateTeam: (id: string, body: UpdateTeamBody) => patch<Team>(`/teams/${id}`, body),
  stages: () => get<{ data: Stage[] }>('/stages'),
  updateStage: (key: string, body: UpdateStageBody) => patch<Stage>(`/stages/${key}`, body),

  pools: () => get<{ data: Pool[] }>('/routing/pools'),
  updatePool: (id: string, body: UpdatePoolBody) => patch<Pool>(`/routing/pools/${id}`, body),
  createPool: (body: CreatePoolBody) => post<Pool>('/routing/pools', body),
  deletePool: (id: string) => remove<void>(`/routing/pools/${id}`),
  previewRules: (body: ReplaceRulesBody) => post<RulesPreview>('/routing/rules/preview', body),
  rules: () => get<{ data: RoutingRule[] }>('/routing/rules'),
  replaceRules: (body: ReplaceRulesBody) => put<{ data: RoutingRule[] }>('/routing/rules', body),
  routingSettings: () => get<RoutingSettings>('/routing/settings'),
  updateRoutingSettings: (body: UpdateRoutingSettingsBody) =>
    patch<RoutingSettings>('/routing/settings', body),
  policies: () => get<{ data: SlaPolicy[] }>('/sla/policies'),
  updatePolicy: (id: string, body: UpdateSlaPolicyBody) => patch<SlaPolicy>(`/sla/policies/${id}`, body),
  calendars: () => get<{ data: SlaCalendar[] }>('/sla/calendars'),
  /** Uploads a CSV file and starts its import in the background (params: dryRun, map=COLUMN=field…). */
  startImport: (kind: ImportJob['kind'], file: Blob, params: URLSearchParams) =>
    request<ImportJob>('POST', `/imports/${kind}/jobs`, {
      query: params,
      file: { data: file, type: 'text/csv' },
    }),
  importJobs: () => get<{ data: ImportJob[] }>('/imports/jobs'),
  holidayCountries: () => get<{ data: HolidayCountry[] }>('/sla/holiday-countries'),
  calendarHolidays: (id: string, year: number) =>
    get<{ data: CalendarHoliday[] }>(`/sla/calendars/${id}/holidays?year=${year}`),
  deleteCalendar: (id: string) => remove<void>(`/sla/calendars/${id}`),
  createCalendar: (body: SaveSlaCalendarBody) => post<SlaCalendar>('/sla/calendars', body),
  saveCalendar: (id: string, body: SaveSlaCalendarBody) => put<SlaCalendar>(`/sla/calendars/${id}`, body),
  apiKeys: () => get<{ data: ApiKey[] }>('/api-keys'),
  createApiKey: (body: CreateApiKeyBody) => post<CreatedApiKey>('/api-keys', body),
  revokeApiKey: (id: string) => remove<ApiKey>(`/api-keys/${id}`),
  webhookEventTypes: () => get<{ data: WebhookEventTypeInfo[] }>('/webhooks/event-types'),
  webhookEndpoints: () => get<{ data: WebhookEndpoint[] }>('/webhooks/endpoints'),
  createWebhookEndpoint: (body: CreateWebhookEndpointBody) =>
    post<WebhookEndpointWithSecret>('/webhooks/endpoints', body),
  updateWebhookEndpoint: (id: string, body: UpdateWebhookEndpointBody) =>
    patch<WebhookEndpoint>(`/webhooks/endpoints/${id}`, body),
  deleteWebhookEndpoint: (id: string) => remove<null>(`/webhooks/endpoints/${id}`),
  webhookSecret: (id: string) => get<{ secret: string }>(`/webhooks/endpoints/${id}/secret`),
  rotateWebhookSecret: ({ id, graceHours }: { id: string; graceHours: number }) =>
    post<WebhookEndpointWithSecret>(`/webhooks/endpoints/${id}/rotate-secret`, { graceHours }),
  webhookDeliveries: (id: string) =>
    get<{ data: WebhookDelivery[]; nextCursor: string | null }>(`/webhooks/endpoints/${id}/deliveries`, {
      limit: 100,
    }),
  replayWebhookDelivery: (id: string) => post<WebhookDelivery>(`/webhooks/deliveries/${id}/replay`),
  replayWebhooks: (id: string, body: ReplayWebhooksBody) =>
    post<{ replayed: number }>(`/webhooks/endpoints/${id}/replay`, body),
  webhookSettings: () => get<WebhookSettings>('/webhooks/settings'),
  connections: () => get<{ data: Connection[] }>('/connectors'),
  createConnection: (body: CreateConnectionBody) => post<Connection>('/connectors', body),
  startOAuth: (body: OAuthStartBody) =>
    post<{ authorizeUrl: string; redirectUri: string }>('/connectors/oauth/start', body),
  updateConnection: ({ id, ...body }: UpdateConnectionBody & { id: string }) =>
    patch<Connection>(`/connectors/${id}`, body),
  deleteConnection: (id: string) => remove<null>(`/connectors/${id}`),
  testConnection: (id: string) =>
    post<{ ok: boolean; owners: number; matchedOwners: number }>(`/connectors/${id}/test`),
  syncConnection: (id: string) => post<Connection>(`/connectors/${id}/sync`),
  connectionLog: (id: string, outcome?: SyncLogEntry['outcome']) =>
    get<{ data: SyncLogEntry[]; total: number }>(`/connectors/${id}/log`, {
      limit: 100,
      ...(outcome && { outcome }),
    }),
  replayLogEntry: ({ id, entryId }: { id: string; entryId: string }) =>
    post<SyncLogEntry>(`/connectors/${id}/log/${entryId}/replay`),
  updateWebhookSettings: (body: WebhookSettings) => put<WebhookSettings>('/webhooks/settings', body),

  models: () => get<{ data: ScoringModel[] }>('/scoring/models'),
  createModel: (body: CreateScoringModelBody) => post<ScoringModel>('/scoring/models', body),
  updateModel: (id: string, body: UpdateScoringModelBody) =>
    patch<ScoringModel>(`/scoring/models/${id}`, body),
  previewModel: (id: string) => post<ScoringPreview>(`/scoring/models/${id}/preview`),
  activateModel: (id: string) => post<{ model: ScoringModel }>(`/scoring/models/${id}/activate`),
  calibration: (id: string) => get<CalibrationReport>(`/scoring/models/${id}/calibration`),

  contacts: (query: ListContactsQuery) => get<ContactPage>('/contacts', query),
  contactsCsvUrl: (query: ExportContactsQuery) => `/api/v1/contacts.csv${searchOf(query)}`,
  bulkContacts: (body: BulkContactsBody) => post<BulkContactsResponse>('/contacts/bulk', body),
  myLoggingAddress: () => get<LoggingAddress>('/me/logging-address'),
  renewLoggingAddress: () => post<LoggingAddress>('/me/logging-address/renew'),
  mailLogSettings: () => get<MailLogSettings>('/mailbox/settings'),
  updateMailLogSettings: (body: UpdateMailLogSettingsBody) => put<MailLogSettings>('/mailbox/settings', body),
  mailLogStatus: () => get<MailLogStatus>('/mailbox/logging-status'),
  myMailbox: () => get<MyMailbox>('/me/mailbox'),
  connectMailbox: (body: ConnectMailboxBody) => put<MailboxConnection>('/me/mailbox', body),
  syncMailbox: () => post<MailboxConnection>('/me/mailbox/sync'),
  disconnectMailbox: () => remove<void>('/me/mailbox'),
  views: (list: SavedView['list']) => get<{ data: SavedView[] }>('/views', { list }),
  createView: (body: CreateViewBody) => post<SavedView>('/views', body),
  updateView: (id: string, body: UpdateViewBody) => patch<SavedView>(`/views/${id}`, body),
  deleteView: (id: string) => remove<void>(`/views/${id}`),
  accounts: (query: ListAccountsQuery) =>
    get<{ data: Account[]; nextCursor: string | null }>('/accounts', query),
  account: (id: string) => get<Account>(`/accounts/${id}`),
  accountScore: (id: string) => get<AccountScore>(`/accounts/${id}/score`),
  accountDuplicates: (id: string) => get<{ data: AccountDuplicate[] }>(`/accounts/${id}/duplicates`),
  mergeAccount: (id: string, body: MergeAccountBody) => post<Account>(`/accounts/${id}/merge`, body),
  contactDuplicates: (id: string) => get<{ data: ContactDuplicate[] }>(`/contacts/${id}/duplicates`),
  mergeContact: (id: string, body: MergeContactBody) => post<Contact>(`/contacts/${id}/merge`, body),
  tasks: (query: ListTasksQuery) => get<{ data: Task[] }>('/tasks', query),
  createTask: (contactId: string, body: CreateTaskBody) => post<Task>(`/contacts/${contactId}/tasks`, body),
  updateTask: (id: string, body: UpdateTaskBody) => patch<Task>(`/tasks/${id}`, body),
  handoffContext: (id: string) => get<HandoffContext>(`/contacts/${id}/handoff`),
  clocksOf: (id: string) => get<{ data: SlaClock[] }>(`/contacts/${id}/sla`),
  accept: (id: string, body: AcceptBody) => post<HandoffDecision>(`/contacts/${id}/accept`, body),
  reject: (id: string, body: RejectBody) => post<HandoffDecision>(`/contacts/${id}/reject`, body),
  qualify: (id: string, body: QualifyBody) => post<HandoffDecision>(`/contacts/${id}/qualify`, body),
  logActivity: (id: string, body: LogActivityBody) => post<Touchpoint>(`/contacts/${id}/activities`, body),
  reassign: (id: string, body: ReassignBody) => post<Assignment>(`/contacts/${id}/reassign`, body),
  route: (id: string) => post<Assignment>(`/contacts/${id}/route`),
  createOpportunity: (body: CreateOpportunityBody) => post<OpportunityDetail>('/opportunities', body),
  opportunities: (query: ListOpportunitiesQuery) =>
    get<{ data: Opportunity[]; nextCursor: string | null }>('/opportunities', query),
  opportunityStages: () => get<{ data: OpportunityStage[] }>('/opportunities/stages'),
  moveOpportunity: (id: string, body: MoveOpportunityBody) =>
    post<OpportunityDetail>(`/opportunities/${id}/stage`, body),

  reasons: () => get<{ data: RejectionReason[] }>('/handoff/reasons'),
  createReason: (body: CreateRejectionReasonBody) => post<RejectionReason>('/handoff/reasons', body),
  updateReason: (key: string, body: UpdateRejectionReasonBody) =>
    patch<RejectionReason>(`/handoff/reasons/${key}`, body),
  orderReasons: (body: OrderRejectionReasonsBody) =>
    put<{ data: RejectionReason[] }>('/handoff/reasons/order', body),
  handoffSettings: () => get<HandoffSettings>('/handoff/settings'),
  updateHandoffSettings: (body: UpdateHandoffSettingsBody) =>
    patch<HandoffSettings>('/handoff/settings', body),
  fates: (query: FatesQuery) => get<FatesReport>('/handoff/fates', query),
  rejections: (query: RejectionsQuery) => get<RejectionsReport>('/handoff/rejections', query),

  queue: (query: SlaQueueQuery) => get<SlaQueue>('/sla/queue', query),
  slaReport: (query: SlaReportQuery) => get<SlaReport>('/sla/report', query),
  waive: (clockId: string, body: WaiveBody) => post<SlaClock>(`/sla/clocks/${clockId}/waive`, body),
  unassigned: () => get<{ data: UnassignedLead[] }>('/routing/unassigned'),
  commitments: () => get<{ data: MarketingCommitment[] }>('/sla/commitments'),
  commitment: (id: string) => get<MarketingCommitmentDetail>(`/sla/commitments/${id}`),
  createCommitment: (body: CreateCommitmentBody) => post<MarketingCommitment>('/sla/commitments', body),
  updateCommitment: (id: string, body: UpdateCommitmentBody) =>
    patch<MarketingCommitment>(`/sla/commitments/${id}`, body),
  deleteCommitment: (id: string) => remove<void>(`/sla/commitments/${id}`),
  funnel: (query: FunnelQuery) => get<Funnel>('/funnel', query),
  /** Where a report downloads as CSV, with the same query as the report on screen. */
  reportCsvUrl: (
    report: 'handoff/fates' | 'handoff/rejections' | 'sla/report' | 'attribution/report' | 'funnel',
    query: Query,
  ) => `/api/v1/${report}.csv${searchOf(query)}`,
  attribution: (query: AttributionReportQuery) => get<AttributionReport>('/attribution/report', query),
  attributionComparison: (query: AttributionComparisonQuery) =>
    get<AttributionComparison>('/attribution/comparison', query),
  attributionLedger: (id: string) => get<DealLedger>(`/attribution/opportunities/${id}`),
  attributionSettings: () => get<AttributionSettings>('/attribution/settings'),
  updateAttributionSettings: (body: UpdateAttributionSettingsBody) =>
    patch<AttributionSettings>('/attribution/settings', body),
  attributionCosts: () => get<{ data: CampaignCost[] }>('/attribution/costs'),
  createCampaignCost: (body: CreateCampaignCostBody) => post<CampaignCost>('/attribution/costs', body),
  removeCampaignCost: (id: string) => remove<null>(`/attribution/costs/${id}`),

  forms: () => get<{ data: Form[] }>('/forms'),
  createForm: (body: CreateFormBody) => post<Form>('/forms', body),
  updateForm: (id: string, body: UpdateFormBody) => patch<Form>(`/forms/${id}`, body),
  formSnippet: (id: string, language: 'en' | 'nl') => get<FormSnippet>(`/forms/${id}/snippet`, { language }),

  targets: (query: { periodStart?: string } = {}) => get<Target[]>('/targets', query),
  putTarget: (body: PutTargetBody) => put<Target>('/targets', body),
  removeTarget: (id: string) => remove<null>(`/targets/${id}`),
  previewPlan: (body: PlanInputBody) => post<PlanResult>('/plans/preview', body),
  savePlan: (body: PlanInputBody & { name: string }) => post<SavedPlan>('/plans', body),
  plans: (query: { periodKind?: PeriodKind; periodStart?: string } = {}) => get<SavedPlan[]>('/plans', query),
  pacing: (query: { periodKind: PeriodKind; periodStart: string }) => get<Pacing>('/pacing', query),

  bonusPlans: () => get<BonusPlan[]>('/bonus-plans'),
  putBonusPlan: (body: PutBonusPlanBody) => put<BonusPlan>('/bonus-plans', body),
  removeBonusPlan: (id: string) => remove<null>(`/bonus-plans/${id}`),
  bonusStatements: (id: string) => get<BonusStatements>(`/bonus-plans/${id}/statements`),

  agreements: () => get<AgreementSummary[]>('/agreements'),
  agreement: (version: number) => get<Agreement>(`/agreements/${version}`),
  createAgreement: (body: CreateAgreementBody) => post<Agreement>('/agreements', body),
  updateAgreement: (version: number, body: UpdateAgreementBody) =>
    patch<Agreement>(`/agreements/${version}`, body),
  proposeAgreement: (version: number, body: ProposeAgreementBody) =>
    post<Agreement>(`/agreements/${version}/propose`, body),
  signAgreement: (version: number) => post<Agreement>(`/agreements/${version}/sign`),
  withdrawAgreement: (version: number) => post<Agreement>(`/agreements/${version}/withdraw`),
  agreementDiff: (from: number, to: number) => get<AgreementDiff>('/agreements/diff', { from, to }),
  audit: (query: { outsideAgreementOnly?: boolean } = {}) => get<AuditEntry[]>('/audit', query),

  board: (query: { periodKind: PeriodKind; periodStart: string }) => get<Board>('/board', query),

  auditLog: (query: AuditLogQuery) => get<AuditLogPage>('/audit-log', query),
  /** The address of the same entries as CSV, for a download link. */
  auditLogCsvUrl: (query: AuditLogQuery) => `/api/v1/audit-log.csv${searchOf(query)}`,
  auditLogSettings: () => get<AuditLogSettings>('/audit-log/settings'),
  updateAuditLogSettings: (body: UpdateAuditLogSettingsBody) =>
    patch<AuditLogSettings>('/audit-log/settings', body),
  metrics: () => get<MetricCatalogue>('/metrics'),
  updateReportingSettings: (body: UpdateReportingSettingsBody) =>
    patch<ReportingSettings>('/settings/reporting', body),
};
