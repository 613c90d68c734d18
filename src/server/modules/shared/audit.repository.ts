import type { Db } from '../../db/database.ts';
import { likeSql, startsWithPattern, toDbTime } from '../../db/dialect.ts';
import { sql } from 'kysely';
import { newId } from '../../platform/ids.ts';
import { currentRequestOrigin } from '../../platform/request-context.ts';

/**
 * The changes of the event log that matter for security and trust, which the audit log records
 * with where they came from: sign-ins, people and keys, the settings that route, time, score and
 * reward leads, manual routing and waivers, exports and erasures.
 */
const auditedEventTypes = new Set([
  'user.signed_in',
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.second_factor_enabled',
  'user.second_factor_disabled',
  'user.second_factor_reset',
  'user.recovery_codes_renewed',
  'user.invited',
  'user.password_set',
  'user.password_reset_requested',
  'security.settings_changed',
  'company.set_up',
  'company.updated',
  'team.created',
  'team.updated',
  'team.deleted',
  'alerts.changed',
  'api_key.created',
  'api_key.revoked',
  'webhook.endpoint_created',
  'webhook.endpoint_changed',
  'webhook.endpoint_deleted',
  'webhook.endpoint_disabled',
  'webhook.secret_rotated',
  'webhook.secret_viewed',
  'webhook.replayed',
  'webhook.settings_changed',
  'connection.created',
  'connection.changed',
  'connection.deleted',
  'connection.replayed',
  'stage.created',
  'stage.updated',
  'scoring.model_activated',
  'sla.policy_changed',
  'sla.calendar_created',
  'sla.calendar_changed',
  'sla.calendar_deleted',
  'routing.pool_created',
  'routing.pool_changed',
  'routing.pool_deleted',
  'routing.rules_replaced',
  'routing.settings_changed',
  'import.completed',
  'sla.commitment_created',
  'sla.commitment_changed',
  'sla.commitment_deleted',
  'sla.waived',
  'handoff.settings_changed',
  'handoff.reason_created',
  'handoff.reason_changed',
  'handoff.reasons_ordered',
  'attribution.settings_changed',
  'target.set',
  'target.deleted',
  'plan.saved',
  'bonus.plan_saved',
  'bonus.plan_deleted',
  'lead.reassigned',
  'contact.exported',
  'contact.erased',
  'contact.merged',
  'account.merged',
  'contact.consent_recorded',
  'retention.settings_changed',
  'mail_log.settings_changed',
  'mailbox.connected',
  'mailbox.disconnected',
  'retention.applied',
  'agreement.drafted',
  'agreement.updated',
  'agreement.proposed',
  'agreement.signed',
  'agreement.withdrawn',
]);

/** Whether an event of the log goes into the audit log too: a routing decision only when a person made it. */
export function isAudited(event: { type: string; actor: { kind: string } }): boolean {
  if (event.type === 'lead.assigned' || event.type === 'lead.unassigned')
    return event.actor.kind !== 'system';
  return auditedEventTypes.has(event.type);
}

/** One line of the audit log: who did what, to what, when; where from is read from the request. */
export interface AuditEntry {
  action: string;
  occurredAt: Date;
  actor: { kind: string; id: string | null; label?: string | null };
  subject?: { type: string; id: string } | null;
  details?: Record<string, unknown>;
}

/**
 * Appends to the audit log, in the caller's transaction (so the entry exists exactly when the
 * change does), with the IP and user agent of the request being served, if any.
 */
export async function insertAuditEntry(db: Db, entry: AuditEntry): Promise<void> {
  const origin = currentRequestOrigin();
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      occurred_at: toDbTime(entry.occurredAt),
      action: entry.action,
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      actor_label: entry.actor.label ?? null,
      api_key_id: entry.actor.kind === 'api_key' ? entry.actor.id : null,
      ip: origin?.ip ?? null,
      user_agent: origin?.userAgent?.slice(0, 500) ?? null,
      subject_type: entry.subject?.type ?? null,
      subject_id: entry.subject?.id ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface AuditFilter {
  actorId?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Entries before this one (newest first). */
  before?: { at: string; id: string } | null | undefined;
  limit: number;
}

/** The log, newest first, filtered by actor, action (or its prefix: `user.`) and period. */
export async function findAuditEntries(db: Db, filter: AuditFilter) {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.action)
    query = filter.action.endsWith('.')
      ? query.where(likeSql(sql.ref('action'), startsWithPattern(filter.action)))
      : query.where('action', '=', filter.action);
  if (filter.from) query = query.where('occurred_at', '>=', toDbTime(filter.from));
  if (filter.to) query = query.where('occurred_at', '<', toDbTime(filter.to));
  if (filter.before) {
    const { at, id } = filter.before;
    query = query.where((eb) =>
      eb.or([eb('occurred_at', '<', at), eb.and([eb('occurred_at', '=', at), eb('id', '<', id)])]),
    );
  }
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function findAuditRetentionDays(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_settings')
    .select('retention_days')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(row?.retention_days ?? 730);
}

export async function updateAuditRetentionDays(db: Db, days: number, at: Date): Promise<void> {
  await db
    .updateTable('audit_settings')
    .set({ retention_days: days, updated_at: toDbTime(at) })
    .where('id', '=', 1)
    .execute();
}

/** Removes the entries older than the retention; the store refuses any younger one. */
export async function deleteAuditEntriesBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('audit_log')
    .where('occurred_at', '<', toDbTime(cutoff))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function findAuditEntryById(db: Db, id: string) {
  return db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirst();
}
