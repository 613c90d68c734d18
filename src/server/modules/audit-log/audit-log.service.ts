import type {
  AuditLogEntry,
  AuditLogPage,
  AuditLogQuery,
  UpdateAuditLogSettingsBody,
} from '../../../contract/audit-log.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { fromDbTime } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import { actorRef, authorize } from '../shared/access.ts';
import {
  deleteAuditEntriesBefore,
  findAuditEntries,
  findAuditEntryById,
  findAuditRetentionDays,
  insertAuditEntry,
  updateAuditRetentionDays,
} from '../shared/audit.repository.ts';
import { writeCsv } from '../shared/csv.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { EventPayload } from '../shared/events.repository.ts';
import { decodeCursor, encodeCursor } from '../shared/pagination.ts';
import { findUsersByIds } from '../users/users.repository.ts';

const dayMs = 86_400_000;
/** At most this many entries go into one CSV export. */
const maxExportRows = 50_000;

type Row = Awaited<ReturnType<typeof findAuditEntries>>[number];

/** The audit log as admins read it: filtered, paged, exported; and its retention. */
export function createAuditLogService(deps: ServiceDeps) {
  const { db, clock } = deps;

  async function present(rows: Row[]): Promise<AuditLogEntry[]> {
    const userIds = [
      ...new Set(rows.filter((r) => r.actor_kind === 'user' && r.actor_id).map((r) => r.actor_id!)),
    ];
    const names = new Map((await findUsersByIds(db, userIds)).map((u) => [u.id, u.name]));
    return rows.map((r) => ({
      id: r.id,
      at: fromDbTime(r.occurred_at).toISOString(),
      action: r.action,
      actor: {
        kind: r.actor_kind,
        id: r.actor_id,
        name: (r.actor_id ? names.get(r.actor_id) : undefined) ?? r.actor_label,
      },
      apiKeyId: r.api_key_id,
      ip: r.ip,
      userAgent: r.user_agent,
      subject: r.subject_type && r.subject_id ? { type: r.subject_type, id: r.subject_id } : null,
      details: readJson(EventPayload, r.details, 'audit_log.details'),
    }));
  }

  async function page(query: AuditLogQuery, limit: number) {
    const afterId = decodeCursor(query.cursor);
    const after = afterId ? await findAuditEntryById(db, afterId) : undefined;
    return findAuditEntries(db, {
      actorId: query.actorId,
      action: query.action,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      before: after ? { at: fromDbTime(after.occurred_at).toISOString(), id: after.id } : null,
      limit,
    });
  }

  return {
    /** The log, newest first, by actor, action (or a kind of action, `user.`) and period. */
    async list(actor: Actor | null, query: AuditLogQuery): Promise<AuditLogPage> {
      authorize(actor, 'auditLog.read');
      const limit = query.limit ?? 100;
      const rows = await page(query, limit + 1);
      const data = await present(rows.slice(0, limit));
      return { data, nextCursor: rows.length > limit ? encodeCursor(data.at(-1)!.id) : null };
    },

    /** The same entries as CSV (formula-safe), up to 50,000; the export is itself in the log. */
    async exportCsv(actor: Actor | null, query: AuditLogQuery): Promise<string> {
      const who = authorize(actor, 'auditLog.read');
      const entries = await present(await page({ ...query, cursor: undefined }, maxExportRows));
      await insertAuditEntry(db, {
        action: 'audit_log.exported',
        occurredAt: clock.now(),
        actor: actorRef(who),
        details: { rows: entries.length, filter: { ...query } },
      });
      return writeCsv(
        entries.map((e) => [
          e.at,
          e.action,
          e.actor.kind,
          e.actor.id ?? '',
          e.actor.name ?? '',
          e.apiKeyId ?? '',
          e.ip ?? '',
          e.userAgent ?? '',
          e.subject?.type ?? '',
          e.subject?.id ?? '',
          JSON.stringify(e.details),
        ]),
        [
          'at',
          'action',
          'actor_kind',
          'actor_id',
          'actor_name',
          'api_key_id',
          'ip',
          'user_agent',
          'subject_type',
          'subject_id',
          'details',
        ],
      );
    },

    async getSettings(actor: Actor | null): Promise<{ retentionDays: number }> {
      authorize(actor, 'auditLog.read');
      return { retentionDays: await findAuditRetentionDays(db) };
    },

    async updateSettings(
      actor: Actor | null,
      input: UpdateAuditLogSettingsBody,
    ): Promise<{ retentionDays: number }> {
      const who = authorize(actor, 'auditLog.manage');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = await findAuditRetentionDays(trx);
        await updateAuditRetentionDays(trx, input.retentionDays, now);
        await insertAuditEntry(trx, {
          action: 'audit_log.retention_changed',
          occurredAt: now,
          actor: actorRef(who),
          details: { from: before, to: input.retentionDays },
        });
      });
      return { retentionDays: input.retentionDays };
    },

    /** Removes the entries past the retention (daily, with the lead flow's checks). Returns how many. */
    async purgeExpired(): Promise<number> {
      const days = await findAuditRetentionDays(db);
      // A day's margin: the store measures the retention on its own clock.
      return deleteAuditEntriesBefore(db, new Date(clock.now().getTime() - (days + 1) * dayMs));
    },
  };
}

export type AuditLogService = ReturnType<typeof createAuditLogService>;
