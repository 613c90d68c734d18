import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

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
  manager_id: string | null;
  is_active: DbBool;
  password_hash: string | null;
  created_at: DbTime;
  updated_at: DbTime;
  deactivated_at: DbTime | null;
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
  email: string;
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
  created_at: DbTime;
  updated_at: DbTime;
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

export interface DB {
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  api_keys: ApiKeysTable;
  accounts: AccountsTable;
  account_domains: AccountDomainsTable;
  contacts: ContactsTable;
  stages: StagesTable;
  stage_transitions: StageTransitionsTable;
  stage_changes: StageChangesTable;
  events: EventsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type TeamRow = Selectable<TeamsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AccountRow = Selectable<AccountsTable>;
export type ContactRow = Selectable<ContactsTable>;
export type NewContactRow = Insertable<ContactsTable>;
export type ContactUpdate = Updateable<ContactsTable>;
export type StageRow = Selectable<StagesTable>;
export type StageChangeRow = Selectable<StageChangesTable>;
export type NewTeamRow = Insertable<TeamsTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type NewStageRow = Insertable<StagesTable>;
export type StageUpdate = Updateable<StagesTable>;
export type NewStageChangeRow = Insertable<StageChangesTable>;
