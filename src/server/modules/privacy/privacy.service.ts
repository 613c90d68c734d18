import { strToU8, zipSync } from 'fflate';
import type {
  RetentionReport,
  RetentionSettings,
  SubjectLookup,
  UpdateRetentionSettingsBody,
} from '../../../contract/privacy.ts';
import { actorRef } from '../shared/access.ts';
import { findLatestEventOfType, insertEvent, scrubLogsAbout } from '../shared/events.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { EventPayload } from '../shared/events.repository.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import { fromDbTime } from '../../db/dialect.ts';
import { emailHash } from '../capture/capture.repository.ts';
import type { ContactsService } from '../contacts/contacts.service.ts';
import { authorize } from '../shared/access.ts';
import { writeCsv } from '../shared/csv.ts';
import { catchUpWebhooks } from '../webhooks/webhooks.usecases.ts';
import {
  countExpiredWebhookMessages,
  deleteWebhookMessages,
  findExpiredWebhookMessages,
} from '../webhooks/webhooks.repository.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import {
  anonymiseContact,
  blankEmailBodiesBefore,
  deleteAnonymousTouchesBefore,
  findRetentionSettings,
  findUnconvertedLeadsBefore,
  updateRetentionSettings,
  findContactIdsByAnyEmail,
  findRecordsOfContact,
  findSuppression,
  personalTables,
  type StoredRow,
} from './privacy.repository.ts';

/** A stored value as it goes into an export: times as ISO text, JSON text as the value it holds. */
function exportValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'string' && /^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

const cell = (value: unknown): string | number =>
  value === null || value === undefined
    ? ''
    : typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? value
        : typeof value === 'boolean'
          ? String(value)
          : JSON.stringify(value);

function tableCsv(rows: StoredRow[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return writeCsv(
    rows.map((row) => columns.map((column) => cell(row[column]))),
    columns,
  );
}

const readme = (contactId: string, at: string, counts: [string, number][]) =>
  [
    `Everything Baton holds about contact ${contactId}, exported ${at}.`,
    `Alles wat Baton over contact ${contactId} bewaart, geëxporteerd op ${at}.`,
    '',
    'person.json       the person as Baton shows them: contact, company, addresses, touches, stages, consent, score, log',
    'records.json      every stored row about them, table by table (the same rows as the CSV files)',
    'tables/<t>.csv    one file per table that holds rows about them',
    '',
    ...counts.map(([table, n]) => `${table.padEnd(26)} ${n} rows`),
    '',
  ].join('\n');

/**
 * Requests of a data subject under the GDPR/AVG: find a person by any address of theirs, export
 * everything held about them in one archive, erase them (through the contacts service, which keeps
 * the suppression hash).
 */
const dayMs = 86_400_000;
const cutoff = (now: Date, days: number | null) =>
  days === null ? null : new Date(now.getTime() - days * dayMs);

export function createPrivacyService(deps: ServiceDeps, contacts: ContactsService) {
  const { db, clock } = deps;

  async function lastRun(): Promise<RetentionReport | null> {
    const event = await findLatestEventOfType(db, 'retention.applied');
    if (!event) return null;
    const report = readJson(EventPayload, event.payload, 'events.payload') as unknown as RetentionReport;
    // Runs before webhook messages had a period did not delete any.
    return { ...report, webhookMessages: report.webhookMessages ?? 0 };
  }

  async function presentRetention(): Promise<RetentionSettings> {
    const row = await findRetentionSettings(db);
    return {
      anonymousTouchesDays: row.anonymous_touches_days,
      unconvertedLeadsDays: row.unconverted_leads_days,
      emailBodiesDays: row.email_bodies_days,
      webhookMessagesDays: row.webhook_messages_days,
      updatedAt: fromDbTime(row.updated_at).toISOString(),
      lastRun: await lastRun(),
    };
  }

  /**
   * Applies the retention periods once: deletes anonymous touches, anonymises quiet leads that
   * never became customers (in batches, each in its own transaction), blanks old email bodies,
   * deletes old webhook messages once every delivery of them finished (in batches). The report
   * goes into the audit log (not for a dry run).
   */
  async function applyRetention(
    actor: { kind: 'system'; id: null } | ReturnType<typeof actorRef>,
    dryRun: boolean,
  ): Promise<RetentionReport> {
    const now = clock.now();
    const settings = await findRetentionSettings(db);
    const touchesBefore = cutoff(now, settings.anonymous_touches_days);
    const leadsBefore = cutoff(now, settings.unconverted_leads_days);
    const bodiesBefore = cutoff(now, settings.email_bodies_days);
    const messagesBefore = cutoff(now, settings.webhook_messages_days);
    const report: RetentionReport = {
      at: now.toISOString(),
      dryRun,
      anonymousTouches: touchesBefore ? await deleteAnonymousTouchesBefore(db, touchesBefore, dryRun) : 0,
      unconvertedLeads: 0,
      emailBodies: bodiesBefore ? await blankEmailBodiesBefore(db, bodiesBefore, dryRun) : 0,
      webhookMessages: 0,
    };
    if (messagesBefore && dryRun)
      report.webhookMessages = await countExpiredWebhookMessages(db, messagesBefore);
    else if (messagesBefore)
      for (;;) {
        const ids = await findExpiredWebhookMessages(db, messagesBefore, 2_000);
        await db.transaction().execute((trx) => deleteWebhookMessages(trx, ids));
        report.webhookMessages += ids.length;
        if (ids.length < 2_000) break;
      }
    if (leadsBefore) {
      // In id order from where the last batch ended: a batch does not read again the leads the
      // ones before it looked at (a dry run counts them all, in larger batches).
      const batch = dryRun ? 10_000 : 200;
      for (let after: string | null = null; ;) {
        const ids = await findUnconvertedLeadsBefore(db, leadsBefore, batch, after);
        if (!dryRun)
          for (const id of ids)
            await db.transaction().execute(async (trx) => {
              await anonymiseContact(trx, id, now);
              await scrubLogsAbout(trx, 'contact', id);
            });
        report.unconvertedLeads += ids.length;
        if (ids.length < batch) break;
        after = ids.at(-1)!;
      }
    }
    if (!dryRun)
      await insertEvent(db, {
        type: 'retention.applied',
        occurredAt: now,
        actor,
        subject: { type: 'retention', id: '1' },
        payload: { ...report },
      });
    return report;
  }

  return {
    async retentionSettings(actor: Actor | null): Promise<RetentionSettings> {
      authorize(actor, 'auditLog.manage');
      return presentRetention();
    },

    /** Sets the periods (admin); logged. The next daily run applies them. */
    async updateRetention(
      actor: Actor | null,
      input: UpdateRetentionSettingsBody,
    ): Promise<RetentionSettings> {
      const who = authorize(actor, 'auditLog.manage');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await findRetentionSettings(trx);
        const before = {
          anonymousTouchesDays: row.anonymous_touches_days,
          unconvertedLeadsDays: row.unconverted_leads_days,
          emailBodiesDays: row.email_bodies_days,
          webhookMessagesDays: row.webhook_messages_days,
        };
        const after = {
          anonymousTouchesDays:
            input.anonymousTouchesDays === undefined
              ? before.anonymousTouchesDays
              : input.anonymousTouchesDays,
          unconvertedLeadsDays:
            input.unconvertedLeadsDays === undefined
              ? before.unconvertedLeadsDays
              : input.unconvertedLeadsDays,
          emailBodiesDays:
            input.emailBodiesDays === undefined ? before.emailBodiesDays : input.emailBodiesDays,
          webhookMessagesDays:
            input.webhookMessagesDays === undefined ? before.webhookMessagesDays : input.webhookMessagesDays,
        };
        await updateRetentionSettings(trx, { ...after, at: now });
        await insertEvent(trx, {
          type: 'retention.settings_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'retention', id: '1' },
          payload: { before, after },
        });
      });
      return presentRetention();
    },

    /** Applies the periods now, or counts what would go (admin, CLI). */
    async runRetention(actor: Actor | null, dryRun: boolean): Promise<RetentionReport> {
      const who = authorize(actor, 'auditLog.manage');
      return applyRetention(actorRef(who), dryRun);
    },

    /** The daily job: applies the periods when the last run is a day old (or there was none). */
    async applyRetentionDaily(): Promise<RetentionReport | null> {
      const last = await lastRun();
      if (last && clock.now().getTime() - new Date(last.at).getTime() < dayMs - 60_000) return null;
      const settings = await findRetentionSettings(db);
      if (
        settings.anonymous_touches_days === null &&
        settings.unconverted_leads_days === null &&
        settings.email_bodies_days === null &&
        settings.webhook_messages_days === null
      )
        return null;
      return applyRetention({ kind: 'system', id: null }, false);
    },

    /** The people an address belongs to (also as a merged duplicate's address), and whether it was erased. */
    async findSubject(actor: Actor | null, email: string): Promise<SubjectLookup> {
      authorize(actor, 'contacts.export');
      const normalized = normalizeEmail(email);
      const ids = await findContactIdsByAnyEmail(db, normalized);
      const found = await Promise.all(ids.map((id) => contacts.getContact(actor, id).catch(() => null)));
      const suppression = await findSuppression(db, emailHash(normalized));
      return {
        email: normalized,
        contacts: found.filter((c) => c !== null),
        erasedAt: suppression ? fromDbTime(suppression.created_at).toISOString() : null,
      };
    },

    /**
     * One zip archive (GDPR art. 15 and 20): the person as JSON, and every stored row about them,
     * table by table, as JSON and as CSV (formulas neutralised). The export is in the audit log.
     */
    async exportArchive(
      actor: Actor | null,
      contactId: string,
    ): Promise<{ filename: string; archive: Uint8Array }> {
      // Checks the permission and that the caller may see this person, and logs the export.
      const person = await contacts.exportContact(actor, contactId);
      // Events still waiting in a batch become messages first, so that the export lists them.
      await catchUpWebhooks(db, clock.now());
      const stored = await findRecordsOfContact(db, contactId);
      const records = Object.fromEntries(
        personalTables.map((table) => [
          table,
          stored[table].map((row) =>
            Object.fromEntries(Object.entries(row).map(([key, value]) => [key, exportValue(value)])),
          ),
        ]),
      );
      const files: Record<string, Uint8Array> = {
        'README.txt': strToU8(
          readme(
            contactId,
            clock.now().toISOString(),
            personalTables.map((t) => [t, stored[t].length]),
          ),
        ),
        'person.json': strToU8(JSON.stringify(person, null, 2)),
        'records.json': strToU8(JSON.stringify(records, null, 2)),
      };
      for (const table of personalTables) {
        if (records[table]!.length > 0) files[`tables/${table}.csv`] = strToU8(tableCsv(records[table]!));
      }
      return { filename: `baton-person-${contactId}.zip`, archive: zipSync(files, { level: 6 }) };
    },

    /** Erases a person: everything about them goes, their addresses stay only as hashes that keep them out. */
    async erase(actor: Actor | null, contactId: string): Promise<void> {
      await contacts.eraseContact(actor, contactId);
    },
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
