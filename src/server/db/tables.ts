import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Row types of Baton's tables. Instants are written as ISO strings and read back as Date
 * (PostgreSQL timestamptz) or string (SQLite text); booleans are read back as boolean (PostgreSQL)
 * or 0/1 (SQLite). Use the helpers in dialect.ts to map them.
 */
export type DbTime = ColumnType<Date | string, string, string>;
export type DbBool = ColumnType<boolean | number, boolean, boolean>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  language: string;
  time_zone: string;
  /** Local "HH:MM" ranges per weekday (mon…sun). */
  working_hours: ColumnType<unknown, string | undefined, string>;
  manager_id: string | null;
  is_active: DbBool;
  password_hash: string | null;
  created_at: DbTime;
  updated_at: DbTime;
  deactivated_at: DbTime | null;
  /** The TOTP secret, sealed with the server's secret key; set at enrolment, in force once confirmed. */
  totp_secret: string | null;
  totp_confirmed_at: DbTime | null;
  /** The last RFC 6238 time step a code was accepted for: no code is accepted twice. */
  totp_last_step: ColumnType<number | string | null, number | null, number | null>;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: DbTime;
  used_at: DbTime | null;
}

/** A sign-in that passed its first step (password or SSO) and waits for the second factor. */
export interface SignInChallengesTable {
  id: string;
  user_id: string;
  method: string;
  attempts: number;
  created_at: DbTime;
  expires_at: DbTime;
}

/** An OpenID Connect sign-in in flight: what the callback checks, used once. */
export interface OidcLoginsTable {
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  created_at: DbTime;
  expires_at: DbTime;
}

export interface RetentionSettingsTable {
  id: number;
  anonymous_touches_days: number | null;
  unconverted_leads_days: number | null;
  email_bodies_days: number | null;
  webhook_messages_days: number | null;
  updated_at: DbTime;
}

export interface SecuritySettingsTable {
  id: number;
  sso_required: DbBool;
  break_glass_user_id: string | null;
  mfa_required_roles: ColumnType<unknown, string, string>;
  updated_at: DbTime;
}

export interface CompanySettingsTable {
  id: number;
  name: string | null;
  time_zone: string;
  language: string;
  setup_token_hash: string | null;
  setup_token_expires_at: DbTime | null;
  set_up_at: DbTime | null;
  /** JSON array of onboarding steps marked done by hand. */
  confirmed_steps: ColumnType<unknown, string, string>;
  updated_at: DbTime;
}

export interface PasswordTokensTable {
  id: string;
  user_id: string;
  purpose: 'invitation' | 'reset';
  token_hash: string;
  expires_at: DbTime;
  used_at: DbTime | null;
  created_by: string | null;
  created_at: DbTime;
}

export interface ImportJobsTable {
  id: string;
  kind: string;
  status: 'running' | 'done' | 'failed';
  is_dry_run: DbBool;
  file_name: string;
  file_bytes: number | string;
  bytes_read: number | string;
  rows_read: number;
  options: string;
  report: string | null;
  error: string | null;
  created_by: string | null;
  created_at: DbTime;
  started_at: DbTime | null;
  finished_at: DbTime | null;
  updated_at: DbTime;
}

export interface ActionLinksTable {
  id: string;
  token_hash: string;
  action: 'accept' | 'reject' | 'log_call';
  user_id: string;
  contact_id: string;
  expires_at: DbTime;
  used_at: DbTime | null;
  created_at: DbTime;
}

export interface NotificationReadsTable {
  user_id: string;
  read_up_to: DbTime;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string;
  /** JSON: the event types it subscribes to. */
  event_types: string;
  is_enabled: DbBool;
  disabled_reason: string | null;
  /** Sealed by the secret box. */
  secret: string;
  previous_secret: string | null;
  previous_secret_until: DbTime | null;
  failing_since: DbTime | null;
  created_by: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface WebhookMessagesTable {
  /** `msg_` and a UUIDv7: the webhook-id header. */
  id: string;
  type: string;
  occurred_at: DbTime;
  /** The request body, as sent. */
  payload: string;
  is_fanned_out: DbBool;
  /** The person it is about, if any: erasing them removes it. */
  contact_id?: string | null;
}

/** The webhook events one transaction queued, waiting for the dispatcher to make them messages. */
export interface WebhookBatchesTable {
  /** A UUIDv7: batches are taken oldest first. */
  id: string;
  /** JSON: `[{ type, occurredAt, data }]`. */
  events: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  message_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: DbTime | null;
  leased_by: string | null;
  leased_until: DbTime | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: DbTime | null;
  created_at: DbTime;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempted_at: DbTime;
  duration_ms: number;
  /** JSON: the address and headers sent. */
  request: string;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
}

export interface WebhookSettingsTable {
  id: number;
  allow_private_targets: DbBool;
  updated_at: DbTime | null;
}

export interface TeamsTable {
  id: string;
  name: string;
  manager_id: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  created_at: DbTime;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: DbTime;
  expires_at: DbTime;
  last_seen_at: DbTime;
}

export interface LoginAttemptsTable {
  id: string;
  email: string;
  ip: string;
  is_success: DbBool;
  attempted_at: DbTime;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  prefix: string;
  key_hash: string;
  created_by: string | null;
  created_at: DbTime;
  last_used_at: DbTime | null;
  revoked_at: DbTime | null;
}

export interface AccountsTable {
  id: string;
  name: string;
  /** normalizeCompanyName(name): matches spellings of one company. */
  name_key: string | null;
  employee_count: number | null;
  industry: string | null;
  country: string | null;
  owner_id: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface AccountDomainsTable {
  domain: string;
  account_id: string;
}

export interface ContactsTable {
  id: string;
  /** Null for a contact imported from another system by its id there (`external_id`). */
  email: string | null;
  external_id: string | null;
  /** Custom fields from imports, by column name: what fit rules can test as `attributes.<name>`. */
  attributes: ColumnType<unknown, string | undefined, string>;
  /** A known outcome, imported with the contact: the label calibration learns from. */
  outcome: 'converted' | 'not_converted' | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  phone: string | null;
  country: string | null;
  account_id: string | null;
  owner_id: string | null;
  stage: string;
  stage_entered_at: DbTime;
  consent_status: string;
  consent_source: string | null;
  consent_at: DbTime | null;
  is_opted_out: DbBool;
  opt_out_source: string | null;
  opt_out_at: DbTime | null;
  original_touch_id: string | null;
  original_touch_at: DbTime | null;
  original_source: string | null;
  original_campaign: string | null;
  latest_touch_id: string | null;
  latest_touch_at: DbTime | null;
  latest_source: string | null;
  latest_campaign: string | null;
  lead_touch_id: string | null;
  /** Raised by every change that can move the score; the contact is due while it is ahead of `scored_version`. */
  activity_version: Generated<number>;
  scored_version: Generated<number>;
  /** How far attribution has looked at this person's touches (migration 0046). */
  attribution_version: Generated<number>;
  /** How often Sales rejected the lead; at the ping-pong limit it is routed only by a person. */
  rejection_count: Generated<number>;
  needs_review: ColumnType<boolean | number, boolean | undefined, boolean>;
  /** After a recycle with the engagement reset: touches before this do not count. */
  engagement_since: DbTime | null;
  created_at: DbTime;
  updated_at: DbTime;
  /** Set when retention anonymised the contact: its personal fields are blank, its stages and sources kept. */
  anonymised_at: DbTime | null;
}

export interface RejectionReasonsTable {
  key: string;
  label_en: string;
  label_nl: string;
  outcome: 'recycle' | 'disqualify';
  position: number;
  is_active: DbBool;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface HandoffSettingsTable {
  id: number;
  is_engagement_reset: DbBool;
  ping_pong_limit: number;
  qualification_checklist: ColumnType<unknown, string, string>;
  updated_at: DbTime;
}

export interface QualificationsTable {
  id: string;
  contact_id: string;
  user_id: string | null;
  answers: ColumnType<unknown, string, string>;
  note: string | null;
  occurred_at: DbTime;
}

export interface OpportunityStagesTable {
  key: string;
  name_en: string;
  name_nl: string;
  position: number;
  probability: number;
  outcome: 'open' | 'won' | 'lost';
  is_active: DbBool;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface OpportunitiesTable {
  id: string;
  external_id: string | null;
  name: string;
  account_id: string | null;
  contact_id: string | null;
  owner_id: string | null;
  stage: string;
  status: 'open' | 'won' | 'lost';
  amount_minor: ColumnType<number | string | bigint | null, number | null, number | null>;
  currency: string;
  product: string | null;
  expected_close_on: string | null;
  closed_on: string | null;
  lost_reason: string | null;
  won_reason: string | null;
  stage_entered_at: DbTime;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface OpportunityStageChangesTable {
  id: string;
  opportunity_id: string;
  from_stage: string | null;
  to_stage: string;
  occurred_at: DbTime;
  actor_kind: string;
  actor_id: string | null;
  reason: string | null;
  note: string | null;
}

export interface OpportunityContactsTable {
  opportunity_id: string;
  contact_id: string;
  role: string;
}

export interface UserAbsencesTable {
  id: string;
  user_id: string;
  starts_at: DbTime;
  ends_at: DbTime;
  reason: string | null;
  created_by: string | null;
  created_at: DbTime;
}

export interface RoutingPoolsTable {
  id: string;
  name: string;
  strategy: 'round_robin' | 'weighted' | 'balanced';
  is_performance_aware: DbBool;
  last_user_id: string | null;
  turn_state: ColumnType<unknown, string, string>;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface RoutingPoolMembersTable {
  pool_id: string;
  user_id: string;
  position: number;
  weight: number;
  cap_per_day: number | null;
  cap_per_week: number | null;
  joined_at: DbTime;
}

export interface RoutingRulesTable {
  id: string;
  position: number;
  name: string;
  conditions: ColumnType<unknown, string, string>;
  target_pool_id: string | null;
  target_user_id: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface RoutingSettingsTable {
  id: number;
  is_ownership_first: DbBool;
  fallback_pool_id: string | null;
  /** A rep who just rejected a lead is skipped when it is next routed (unless they own its account). */
  is_rejecter_skipped: DbBool;
  updated_at: DbTime;
}

export interface AssignmentsTable {
  id: string;
  contact_id: string;
  user_id: string | null;
  kind: 'owner' | 'rule' | 'fallback' | 'unassigned' | 'manual';
  pool_id: string | null;
  rule_id: string | null;
  reason: string | null;
  explanation: ColumnType<unknown, string, string>;
  actor_kind: string;
  actor_id: string | null;
  assigned_at: DbTime;
  /** An unassigned decision: when the queue last tried the lead again (and still found no one). */
  retried_at: ColumnType<Date | string | null, string | null | undefined, string | null>;
  /** An unassigned decision: when a later decision replaced it (set by a trigger; migration 0066). */
  queue_closed_at: ColumnType<Date | string | null, never, never>;
}

export interface OutboxTable {
  id: string;
  dedupe_key: string;
  kind: string;
  /** Email; in_app when the person turned email off for the kind (the bell only); or a chat. */
  channel: 'email' | 'in_app' | 'slack' | 'teams';
  recipient_user_id: string | null;
  recipient: string;
  language: string;
  subject: string | null;
  body_text: string | null;
  body_html: string | null;
  /** Set when the message is rendered just before sending, from these. */
  template: string | null;
  params: ColumnType<unknown, string | null, string | null>;
  contact_id: string | null;
  status: 'pending' | 'sent' | 'dead' | 'cancelled';
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DbTime;
  leased_by: string | null;
  leased_until: DbTime | null;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: DbTime;
  sent_at: DbTime | null;
  /** A chat message: the alert channel whose Slack or Teams address it goes to. */
  alert_channel_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MailLogAddressesTable {
  user_id: string;
  /** SHA-256 of the address's token, hex: how a recipient is found. */
  token_hash: string;
  /** The token, sealed under the server's key: shown to its owner. */
  token_sealed: string;
  created_at: DbTime;
}

export interface MailMeetingsTable {
  id: string;
  /** The invitation's UID: its updates and its cancellation carry the same. */
  uid: string;
  contact_id: string;
  /** Who sent or forwarded the invitation: the meeting is theirs. */
  user_id: string;
  summary: string | null;
  starts_at: DbTime;
  /** booked, cancelled or held. */
  status: string;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface MailLogSettingsTable {
  id: number;
  /** JSON array of domains never logged from mail. */
  ignored_domains: ColumnType<unknown, string, string>;
  /** Whether the first words of a synced message's text are kept with its activity. */
  store_excerpt: ColumnType<boolean | number, boolean | undefined, boolean>;
  updated_at: DbTime | null;
}

export interface MailboxConnectionsTable {
  user_id: string;
  host: string;
  port: number;
  /** tls (IMAPS), starttls or none (loopback and trusted networks only). */
  security: string;
  username: string;
  /** password, or oauth2 (an access token through XOAUTH2). */
  auth: string;
  /** The password or token, sealed under the server's key. */
  secret_sealed: string;
  /** syncing, or failing (the last attempt's error in last_error). */
  state: string;
  last_error: string | null;
  last_synced_at: DbTime | null;
  next_sync_at: DbTime;
  /** The process syncing it now, until lease_until. */
  lease_owner: string | null;
  lease_until: DbTime | null;
  messages_read: ColumnType<number | string, number, number>;
  activities_logged: ColumnType<number | string, number, number>;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface MailboxCursorsTable {
  user_id: string;
  /** inbox or sent. */
  folder: string;
  /** The folder's name on the server. */
  path: string;
  /** The folder's UIDVALIDITY: when it changes, the UIDs read before mean nothing. */
  uid_validity: string;
  /** The last UID read: the next sync reads from the one after. */
  last_uid: ColumnType<number | string, number, number>;
  updated_at: DbTime;
}

export interface SavedViewsTable {
  id: string;
  owner_id: string;
  /** The list it is a view of: contacts. */
  list: string;
  name: string;
  /** JSON: the search, the filters and the columns (ViewState). */
  state: ColumnType<unknown, string, string>;
  is_shared: DbBool;
  created_at: DbTime;
  updated_at: DbTime;
}

/** A next step on a lead, due at a time, for one person. */
export interface TasksTable {
  id: string;
  contact_id: string;
  assignee_id: string;
  /** call, email, meeting or todo. */
  kind: string;
  title: string;
  due_at: DbTime;
  done_at: DbTime | null;
  done_by: string | null;
  created_by: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

/** A person Marketing put in a campaign by its name; no touch, no credit. */
export interface CampaignMembersTable {
  contact_id: string;
  campaign: string;
  added_by: string | null;
  added_at: DbTime;
}

/** A connection to the company's CRM. */
export interface ConnectionsTable {
  id: string;
  /** hubspot or pipedrive. */
  kind: string;
  name: string;
  /** The vendor's API address; null for the vendor's own (another for a sandbox or a test). */
  base_url: string | null;
  /** The private-app or API token, sealed under the server's key. */
  secret_sealed: string;
  /** What signs the vendor's webhooks (HubSpot's app secret; Pipedrive's Basic credentials), sealed. */
  webhook_secret_sealed: string | null;
  /** The field mapping (JSON): each field's direction and system of record. */
  mapping: string;
  /** What Baton writes besides the fields (JSON): notes, deals, a task on a breach. */
  options: string;
  /** active, paused or failing (the last attempt's error in last_error). */
  state: string;
  last_error: string | null;
  poll_interval_seconds: number;
  next_sync_at: DbTime;
  last_synced_at: DbTime | null;
  /** The process syncing it now, until lease_until. */
  lease_owner: string | null;
  lease_until: DbTime | null;
  /** pending, running or done: the first full read of the CRM. */
  backfill_state: string;
  backfill_total: ColumnType<number | string, number, number>;
  backfill_done: ColumnType<number | string, number, number>;
  created_by: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

/** Where a connection's reading of one object type stands (a modified-since time, a vendor cursor). */
export interface ConnectionCursorsTable {
  connection_id: string;
  object_type: string;
  cursor: string;
  updated_at: DbTime;
}

/** A record known on both sides, with a fingerprint of what Baton last wrote to it. */
export interface ConnectionLinksTable {
  connection_id: string;
  /** contact, company, deal, owner, activity, note. */
  object_type: string;
  remote_id: string;
  local_id: string;
  pushed_hash: string | null;
  pushed_at: DbTime | null;
  /** A fingerprint of the CRM's values Baton read last: the same again is nothing new. */
  pulled_hash: string | null;
  pulled_at: DbTime | null;
  /** When the CRM's record was deleted or merged into another: Baton writes to it no more. */
  removed_at: DbTime | null;
}

/** One line of a connection's sync log. */
export interface ConnectionLogTable {
  id: string;
  connection_id: string;
  at: DbTime;
  /** in or out. */
  direction: string;
  object_type: string;
  remote_id: string | null;
  local_id: string | null;
  /** ok, skipped or error. */
  outcome: string;
  /** A stable code (connectors.unknown_owner, connectors.rate_limited, …). */
  code: string;
  message: string;
  /** The record as it came or went (JSON), for a replay of a failed one. */
  payload: string | null;
  replayed_at: DbTime | null;
}

export interface AlertChannelsTable {
  id: string;
  /** A person's own channels, or (team_id) a team's; exactly one is set. */
  user_id: string | null;
  team_id: string | null;
  /** The Slack incoming-webhook address, sealed under the server's key. */
  slack_url: string | null;
  /** The Teams Workflows webhook address, sealed under the server's key. */
  teams_url: string | null;
  /** JSON: for each kind of alert, the channels it goes to. */
  routes: ColumnType<unknown, string, string>;
  updated_by: string | null;
  updated_at: DbTime;
}

export interface SlaCalendarsTable {
  id: string;
  name: string;
  time_zone: string;
  working_hours: ColumnType<unknown, string, string>;
  holiday_country: string | null;
  holiday_region: string | null;
  is_good_friday: DbBool;
  liberation_day: string;
  closures: ColumnType<unknown, string, string>;
  is_default: DbBool;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface SlaPoliciesTable {
  id: string;
  key: string;
  name_en: string;
  name_nl: string;
  stage: string;
  target: string;
  priority: string;
  window_seconds: number;
  reminder_at: number | null;
  escalations: number;
  is_reassigning: DbBool;
  calendar_id: string | null;
  is_active: DbBool;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface MarketingCommitmentsTable {
  id: string;
  period: 'month' | 'quarter';
  starts_on: string;
  ends_on: string;
  mql_target: number;
  min_acceptance_rate: number;
  tolerance: number;
  owner_id: string | null;
  calendar_id: string | null;
  note: string | null;
  pace_status: string | null;
  pace_checked_on: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface SlaInstancesTable {
  id: string;
  contact_id: string;
  policy_id: string;
  user_id: string | null;
  assignment_id: string | null;
  stage: string;
  target: string;
  status: 'running' | 'met' | 'breached' | 'waived' | 'cancelled';
  level: number;
  ladder: ColumnType<unknown, string, string>;
  next_step: number;
  next_check_at: DbTime | null;
  started_at: DbTime;
  deadline_at: DbTime;
  responded_at: DbTime | null;
  breached_at: DbTime | null;
  closed_reason: string | null;
  waived_by: string | null;
  waived_reason: string | null;
  waived_at: DbTime | null;
  created_at: DbTime;
  updated_at: DbTime;
  /** When the lead began its stay in the clock's stage: its handover (migration 0053). */
  stay_started_at: DbTime;
}

/** A number every committed change of the named table raises (migration 0054): reads kept while it stays. */
export interface TableVersionsTable {
  name: string;
  version: Generated<number | string>;
}

/**
 * Each handover's speed to lead: one row per lead and stay with first-response clocks, kept by
 * triggers on sla_instances (migration 0053).
 */
export interface LeadSpeedsTable {
  stay_started_at: DbTime;
  contact_id: string;
  /** From the stay's first first-response clock to its earliest response; null: none yet. */
  wait_ms: ColumnType<number | string | null, never, never>;
}

/** A kept handover's speed to lead for a rep or a team (rep_speeds, team_speeds). */
interface KeptSpeedRow {
  stay_started_at: DbTime;
  contact_id: string;
  started_ms: ColumnType<number | string, never, never>;
  responded_ms: ColumnType<number | string | null, never, never>;
  /** From the earliest start to the earliest response (none before the start); null: none yet. */
  wait_ms: ColumnType<number | string | null, never, never>;
}

/** Kept handovers of a rep or a team counted per day (UTC) and band of the wait. */
interface KeptSpeedDay {
  day: string;
  /** The first of 0060's bounds the wait is within (0–4), 5 beyond them, -1 no response yet. */
  band: number;
  handovers: ColumnType<number | string, never, never>;
}

/**
 * Speed to lead per rep, lead and stay: the earliest start and response among the rep's
 * first-response clocks of the stay, kept by triggers on sla_instances (migration 0059).
 */
export interface RepSpeedsTable extends KeptSpeedRow {
  user_id: string;
}

/** Rows of rep_speeds per rep, day and band, kept by triggers (migration 0060). */
export interface RepSpeedDaysTable extends KeptSpeedDay {
  user_id: string;
}

/**
 * Speed to lead per team, lead and stay: the earliest start and response over the members' rows
 * of rep_speeds, kept by triggers on rep_speeds and team_members (migration 0062).
 */
export interface TeamSpeedsTable extends KeptSpeedRow {
  team_id: string;
}

/** Rows of team_speeds per team, day and band, as rep_speed_days (migration 0062). */
export interface TeamSpeedDaysTable extends KeptSpeedDay {
  team_id: string;
}

/** Clocks started per day (UTC) and key, kept by triggers on sla_instances (migration 0044). */
export interface SlaClockDaysTable {
  day: string;
  /** The rep's id, '' for none. */
  user_key: string;
  target: string;
  status: string;
  level: number;
  /** '' for none. */
  closed_reason: string;
  clocks: number;
}

export interface ScoringModelsTable {
  id: string;
  version: number;
  name: string;
  status: 'draft' | 'active' | 'retired';
  origin: 'manual' | 'learned';
  definition: ColumnType<unknown, string, string>;
  based_on_id: string | null;
  created_at: DbTime;
  updated_at: DbTime;
  activated_at: DbTime | null;
}

export interface ContactScoresTable {
  contact_id: string;
  model_id: string;
  fit: number;
  engagement: number;
  grade: string;
  qualifies: DbBool;
  explanation: ColumnType<unknown, string, string>;
  scored_at: DbTime;
}

export interface ScoringRunsTable {
  id: string;
  model_id: string;
  status: 'running' | 'done' | 'superseded';
  total: number;
  done: number;
  cursor: string | null;
  last_contact_id: string | null;
  started_at: DbTime;
  updated_at: DbTime;
  finished_at: DbTime | null;
}

export interface StagesTable {
  key: string;
  name_en: string;
  name_nl: string;
  definition_en: string;
  definition_nl: string;
  position: number;
  is_side: DbBool;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface StageTransitionsTable {
  from_key: string;
  to_key: string;
}

export interface StageChangesTable {
  id: string;
  contact_id: string;
  from_stage: string | null;
  to_stage: string;
  occurred_at: DbTime;
  recorded_at: DbTime;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string | null;
  reason_code: string | null;
  note: string | null;
  /** The note as a code with parameters (JSON), when Baton wrote it. */
  note_message?: ColumnType<unknown, string | null | undefined, string | null>;
  agreement_version: number | null;
}

export interface EventsTable {
  id: string;
  type: string;
  occurred_at: DbTime;
  actor_kind: string;
  actor_id: string | null;
  subject_type: string;
  subject_id: string;
  payload: ColumnType<unknown, string, string>;
}

export interface AuditLogTable {
  id: string;
  occurred_at: DbTime;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string | null;
  api_key_id: string | null;
  ip: string | null;
  user_agent: string | null;
  subject_type: string | null;
  subject_id: string | null;
  details: ColumnType<unknown, string, string>;
}

export interface AuditSettingsTable {
  id: number;
  retention_days: number;
  updated_at: DbTime;
}

export interface ReportingSettingsTable {
  id: number;
  default_period: string;
  updated_at: DbTime;
}

export interface DB {
  users: UsersTable;
  recovery_codes: RecoveryCodesTable;
  sign_in_challenges: SignInChallengesTable;
  oidc_logins: OidcLoginsTable;
  security_settings: SecuritySettingsTable;
  retention_settings: RetentionSettingsTable;
  company_settings: CompanySettingsTable;
  password_tokens: PasswordTokensTable;
  import_jobs: ImportJobsTable;
  action_links: ActionLinksTable;
  notification_reads: NotificationReadsTable;
  alert_channels: AlertChannelsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_batches: WebhookBatchesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_settings: WebhookSettingsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  api_keys: ApiKeysTable;
  accounts: AccountsTable;
  account_domains: AccountDomainsTable;
  contacts: ContactsTable;
  scoring_models: ScoringModelsTable;
  user_absences: UserAbsencesTable;
  routing_pools: RoutingPoolsTable;
  routing_pool_members: RoutingPoolMembersTable;
  routing_rules: RoutingRulesTable;
  routing_settings: RoutingSettingsTable;
  assignments: AssignmentsTable;
  outbox: OutboxTable;
  sla_calendars: SlaCalendarsTable;
  sla_policies: SlaPoliciesTable;
  sla_instances: SlaInstancesTable;
  lead_speeds: LeadSpeedsTable;
  rep_speeds: RepSpeedsTable;
  rep_speed_days: RepSpeedDaysTable;
  team_speeds: TeamSpeedsTable;
  team_speed_days: TeamSpeedDaysTable;
  table_versions: TableVersionsTable;
  sla_clock_days: SlaClockDaysTable;
  saved_views: SavedViewsTable;
  tasks: TasksTable;
  campaign_members: CampaignMembersTable;
  connections: ConnectionsTable;
  connection_cursors: ConnectionCursorsTable;
  connection_links: ConnectionLinksTable;
  connection_log: ConnectionLogTable;
  mail_log_addresses: MailLogAddressesTable;
  mail_meetings: MailMeetingsTable;
  mail_log_settings: MailLogSettingsTable;
  mailbox_connections: MailboxConnectionsTable;
  mailbox_cursors: MailboxCursorsTable;
  marketing_commitments: MarketingCommitmentsTable;
  rejection_reasons: RejectionReasonsTable;
  handoff_settings: HandoffSettingsTable;
  qualifications: QualificationsTable;
  opportunity_stages: OpportunityStagesTable;
  opportunities: OpportunitiesTable;
  opportunity_stage_changes: OpportunityStageChangesTable;
  opportunity_contacts: OpportunityContactsTable;
  contact_scores: ContactScoresTable;
  scoring_runs: ScoringRunsTable;
  stages: StagesTable;
  stage_transitions: StageTransitionsTable;
  stage_changes: StageChangesTable;
  events: EventsTable;
  audit_log: AuditLogTable;
  audit_settings: AuditSettingsTable;
  reporting_settings: ReportingSettingsTable;
  touchpoints: TouchpointsTable;
  idempotency_keys: IdempotencyKeysTable;
  suppressions: SuppressionsTable;
  visitor_identities: VisitorIdentitiesTable;
  forms: FormsTable;
  consent_records: ConsentRecordsTable;
  contact_aliases: ContactAliasesTable;
  attribution_settings: AttributionSettingsTable;
  campaign_costs: CampaignCostsTable;
  attribution_snapshots: AttributionSnapshotsTable;
  attribution_credits: AttributionCreditsTable;
  attribution_live_credits: AttributionLiveCreditsTable;
  attribution_live_lines: AttributionLiveLinesTable;
  contact_stage_firsts: ContactStageFirstsTable;
  campaign_stage_entries: CampaignStageEntriesTable;
  funnel_people: FunnelPeopleTable;
  funnel_stays: FunnelStaysTable;
  handoff_fates: HandoffFatesTable;
  targets: TargetsTable;
  plans: PlansTable;
  bonus_plans: BonusPlansTable;
  agreements: AgreementsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type TeamRow = Selectable<TeamsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AccountRow = Selectable<AccountsTable>;
export type ContactRow = Selectable<ContactsTable>;
export type TaskRow = Selectable<TasksTable>;
export type NewTaskRow = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
export type ConsentRecordRow = Selectable<ConsentRecordsTable>;
export type NewContactRow = Insertable<ContactsTable>;
export type ContactUpdate = Updateable<ContactsTable>;
export type ScoringModelRow = Selectable<ScoringModelsTable>;
export type ContactScoreRow = Selectable<ContactScoresTable>;
export type ScoringRunRow = Selectable<ScoringRunsTable>;
export type StageRow = Selectable<StagesTable>;
export type StageChangeRow = Selectable<StageChangesTable>;
export type NewTeamRow = Insertable<TeamsTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type NewStageRow = Insertable<StagesTable>;
export type StageUpdate = Updateable<StagesTable>;
export type NewStageChangeRow = Insertable<StageChangesTable>;

export interface TouchpointsTable {
  id: string;
  client_event_id: string | null;
  type: string;
  category: string;
  occurred_at: DbTime;
  received_at: DbTime;
  contact_id: string | null;
  visitor_id: string | null;
  user_id: string | null;
  channel: string | null;
  campaign: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  url: string | null;
  properties: ColumnType<unknown, string, string>;
  is_lead_creating: DbBool;
  source_kind: string;
  source_id: string | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  created_at: DbTime;
}

export interface VisitorIdentitiesTable {
  visitor_id: string;
  contact_id: string;
  identified_at: DbTime;
}

export interface FormsTable {
  id: string;
  key: string;
  name: string;
  event_type: string;
  /** JSON: form field name → contact field. */
  field_mapping: string;
  consent_text_en: string | null;
  consent_text_nl: string | null;
  redirect_url: string | null;
  /** JSON array of origins allowed to post the form and send tracking. */
  allowed_origins: string;
  is_active: DbBool;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface ConsentRecordsTable {
  id: string;
  contact_id: string;
  status: string;
  source: string;
  text: string | null;
  language: string | null;
  occurred_at: DbTime;
  recorded_at: DbTime;
  /** What it was given or withdrawn for: newsletter, sales_contact. */
  purpose: ColumnType<string, string | undefined, string>;
  /** The version of the text the person saw. */
  version: string | null;
}

export interface ContactAliasesTable {
  email: string;
  contact_id: string;
  created_at: DbTime;
}

export interface SuppressionsTable {
  email_hash: string;
  reason: string;
  created_at: DbTime;
}

export type TouchpointRow = Selectable<TouchpointsTable>;
export type NewTouchpointRow = Insertable<TouchpointsTable>;
export type FormRow = Selectable<FormsTable>;
export type NewFormRow = Insertable<FormsTable>;
export type FormUpdate = Updateable<FormsTable>;

export interface AttributionSettingsTable {
  id: number;
  model: string;
  lookback_days: number;
  is_sales_touches_counted: DbBool;
  dedupe_minutes: number;
  half_life_days: number;
  custom_weights: ColumnType<unknown, string, string>;
  updated_by: string | null;
  updated_at: DbTime;
}

export interface CampaignCostsTable {
  id: string;
  campaign: string;
  channel: string | null;
  starts_on: string;
  ends_on: string;
  amount_minor: ColumnType<number | string | bigint, number, number>;
  currency: string;
  note: string | null;
  created_by: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface AttributionSnapshotsTable {
  opportunity_id: string;
  model: string;
  settings: ColumnType<unknown, string, string>;
  amount_minor: ColumnType<number | string | bigint, number, number>;
  currency: string;
  is_sourced: DbBool;
  is_influenced: DbBool;
  won_at: DbTime;
  created_at: DbTime;
}

export interface AttributionCreditsTable {
  opportunity_id: string;
  touchpoint_id: string;
  position: number;
  occurred_at: DbTime;
  channel: string;
  campaign: string | null;
  category: string;
  touch_type: string;
  weight: number;
  credit_minor: ColumnType<number | string | bigint, number, number>;
  reason: ColumnType<unknown, string, string>;
}

/** A deal's credit under the agreed model, kept up to date (migration 0046). */
export interface AttributionLiveCreditsTable {
  opportunity_id: string;
  changes: Generated<number>;
  credited_changes: number | null;
  valid_until: DbTime | null;
  currency: string | null;
  pipeline_on: string | null;
  revenue_on: string | null;
  amount_minor: ColumnType<number | string | bigint | null, number | null, number | null>;
  is_sourced: DbBool | null;
  is_influenced: DbBool | null;
  lines: number | null;
  credit_minor: ColumnType<number | string | bigint | null, number | null, number | null>;
  weight: number | null;
}

/** A deal's credit per channel, campaign or touch type, with the days it counts on. */
export interface AttributionLiveLinesTable {
  opportunity_id: string;
  dimension: 'channel' | 'campaign' | 'touch';
  key: string | null;
  currency: string;
  pipeline_on: string;
  revenue_on: string | null;
  credit_minor: ColumnType<number | string | bigint, number, number>;
  weight: number;
  touches: number;
}

/** A person's first entry into each stage and the move after it (migration 0047). */
export interface ContactStageFirstsTable {
  contact_id: string;
  stage: string;
  entered_at: DbTime;
  left_at: DbTime | null;
}

/** A person's cohort (created, owner) and the stages they ever entered, kept (migration 0057). */
export interface FunnelPeopleTable {
  contact_id: string;
  created_at: DbTime;
  owner_id: string | null;
  /** The keys of the stages they entered, sorted and joined by commas; '' for none. */
  stages: string;
}

/** How long a person stayed in a stage after their first entry into it, kept (migration 0057). */
export interface FunnelStaysTable {
  contact_id: string;
  stage: string;
  created_at: DbTime;
  owner_id: string | null;
  stay_ms: ColumnType<number | string, number, number>;
}

/**
 * An entry into `mql` or `sql` with the campaign that made the person a lead, as it is now, and
 * their previous entry into the same stage, kept (migration 0055).
 */
export interface CampaignStageEntriesTable {
  contact_id: string;
  stage: string;
  stage_change_id: string;
  occurred_at: DbTime;
  previous_at: DbTime | null;
  campaign: string | null;
}

/** A handover (a lead's entry into `mql` at an instant) and its fate, kept (migration 0050). */
export interface HandoffFatesTable {
  contact_id: string;
  mql_at: DbTime;
  /** The lead's handover before this one (null: none). */
  prior_mql_at: DbTime | null;
  changes: ColumnType<number, number | undefined, number>;
  /** The `changes` the fate was worked out from (null: never): it is stale while they differ. */
  kept_changes: number | null;
  assignment_id: string | null;
  assigned_to: string | null;
  assigned_at: DbTime | null;
  decision_id: string | null;
  decision_to: string | null;
  decided_at: DbTime | null;
  decided_by: string | null;
  reason_code: string | null;
  sql_at: DbTime | null;
  opportunity_id: string | null;
  opportunity_status: 'open' | 'won' | 'lost' | null;
  opportunity_currency: string | null;
  opportunity_amount_minor: ColumnType<number | string | bigint | null, number | null, number | null>;
  opportunity_closed_on: string | null;
  campaign: string | null;
  form_id: string | null;
}

export interface TargetsTable {
  id: string;
  period_kind: string;
  period_start: string;
  metric: string;
  owner_kind: string;
  owner_id: string;
  value: ColumnType<number | string | bigint, number, number>;
  currency: string | null;
  is_joint: DbBool;
  note: string | null;
  created_by: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface PlansTable {
  id: string;
  name: string;
  period_kind: string;
  period_start: string;
  currency: string;
  inputs: ColumnType<unknown, string, string>;
  result: ColumnType<unknown, string, string>;
  is_current: DbBool;
  created_by: string | null;
  created_at: DbTime;
  /** The local day of the last daily pace check, 'YYYY-MM-DD'. */
  pace_checked_on: string | null;
  /** The stages found behind at that check, comma-separated ('' when none). */
  pace_behind: string | null;
}

export interface BonusPlansTable {
  id: string;
  name: string;
  period_kind: string;
  period_start: string;
  metric: string;
  plan_minor: ColumnType<number | string | bigint, number, number>;
  currency: string;
  pool_minor: ColumnType<number | string | bigint, number, number>;
  marketing_share_pct: number;
  curve: ColumnType<unknown, string, string>;
  participants: ColumnType<unknown, string, string>;
  created_by: string | null;
  created_at: DbTime;
  updated_at: DbTime;
}

export interface AgreementsTable {
  id: string;
  version: number;
  state: string;
  title: string;
  effective_from: DbTime;
  content: ColumnType<unknown, string, string>;
  marketing_signer_id: string | null;
  sales_signer_id: string | null;
  marketing_signed_at: DbTime | null;
  sales_signed_at: DbTime | null;
  created_by: string | null;
  created_at: DbTime;
  proposed_at: DbTime | null;
  updated_at: DbTime;
}
