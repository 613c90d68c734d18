import type { Actor } from '../../../domain/access/roles.ts';
import { queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';
import {
  AGREEMENT_SECTIONS,
  decideSignature,
  diffContent,
  spansOver,
  statusAt,
  versionInForce,
  type AgreementSection,
  type ContentChange,
} from '../../../domain/planning/agreement.ts';
import { describeAgreement } from '../../../domain/planning/describe-agreement.ts';
import type {
  Agreement,
  AgreementContent,
  AgreementDiff,
  AgreementSummary,
  AuditEntry,
  CreateAgreementBody,
  MqlReport,
  ProposeAgreementBody,
  UpdateAgreementBody,
} from '../../../contract/agreements.ts';
import type { Db } from '../../db/database.ts';
import { fromDbJson, fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { findEventsByTypes, findLatestEventOfType, insertEvent } from '../shared/events.repository.ts';
import { findUserById, findUsersByIds } from '../users/users.repository.ts';
import {
  countStageEntries,
  findAgreementByVersion,
  findAgreements,
  findLatestVersionNumber,
  insertAgreement,
  toVersion,
  signAgreementRow,
  updateAgreementRow,
  type AgreementRow,
} from './agreements.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { AgreementContent as AgreementContentSchema } from '../../../contract/agreements.ts';
import { EventPayload } from '../shared/events.repository.ts';
import { Type } from 'typebox';

/** What a change outside the agreement records: the version in force and the differences. */
const DriftPayload = Type.Object({ version: Type.Integer(), changes: Type.Unknown() });

/** Where each section of the document is read from in the live configuration. */
export type AgreementSources = { [K in keyof AgreementContent]: () => Promise<AgreementContent[K]> };

/** The stored events that change configuration the agreement covers, by section. */
const CONFIG_EVENTS: Record<string, AgreementSection> = {
  'stage.created': 'stages',
  'stage.updated': 'stages',
  'scoring.model_activated': 'mqlRule',
  'sla.policy_changed': 'sla',
  'sla.commitment_created': 'sla',
  'sla.commitment_changed': 'sla',
  'sla.commitment_deleted': 'sla',
  'handoff.settings_changed': 'recycle',
  'handoff.reason_created': 'recycle',
  'handoff.reason_changed': 'recycle',
  'attribution.settings_changed': 'attribution',
  'target.set': 'targets',
  'target.deleted': 'targets',
  'plan.saved': 'targets',
  'bonus.plan_saved': 'bonus',
  'bonus.plan_deleted': 'bonus',
};
const CHANGE_OUTSIDE = 'agreement.change_outside';
const AGREEMENT_EVENTS = [
  'agreement.drafted',
  'agreement.updated',
  'agreement.proposed',
  'agreement.signed',
  'agreement.withdrawn',
  CHANGE_OUTSIDE,
];

/**
 * Fields that change without the configuration changing, left out of the document and of every
 * comparison with it: when it was saved, and live counters such as a commitment's pace (a rep's
 * decision on a lead is no change of the agreed settings).
 */
const VOLATILE = new Set(['updatedAt', 'createdAt', 'activatedAt', 'pace']);
function stripVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripVolatile);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, v]) => [k, stripVolatile(v)]),
    );
  return value;
}

export function createAgreementsService(deps: ServiceDeps, sources: AgreementSources) {
  const { db, clock } = deps;

  async function assemble(): Promise<AgreementContent> {
    const entries = await Promise.all(
      AGREEMENT_SECTIONS.map(async (section) => [section, stripVolatile(await sources[section]())] as const),
    );
    return Object.fromEntries(entries) as AgreementContent;
  }

  async function load(version: number): Promise<AgreementRow> {
    const row = await findAgreementByVersion(db, version);
    if (!row) throw createError('agreements.not_found', `There is no version ${version}`);
    return row;
  }

  async function summaries(rows: AgreementRow[], all: AgreementRow[]): Promise<AgreementSummary[]> {
    const now = clock.now().getTime();
    const versions = all.map(toVersion);
    const ids = rows
      .flatMap((r) => [r.marketing_signer_id, r.sales_signer_id])
      .filter((id): id is string => !!id);
    const names = new Map((await findUsersByIds(db, [...new Set(ids)])).map((u) => [u.id, u.name]));
    const person = (id: string | null) => (id ? { id, name: names.get(id) ?? id } : null);
    return rows.map((r) => ({
      version: r.version,
      title: r.title,
      status: statusAt(toVersion(r), versions, now),
      effectiveFrom: fromDbTime(r.effective_from).toISOString(),
      marketingSigner: person(r.marketing_signer_id),
      salesSigner: person(r.sales_signer_id),
      marketingSignedAt: fromDbTimeOrNull(r.marketing_signed_at)?.toISOString() ?? null,
      salesSignedAt: fromDbTimeOrNull(r.sales_signed_at)?.toISOString() ?? null,
      createdAt: fromDbTime(r.created_at).toISOString(),
      proposedAt: fromDbTimeOrNull(r.proposed_at)?.toISOString() ?? null,
    }));
  }

  /** What happened to a version, in the event log the audit reads. */
  async function logAgreement(
    trx: Db,
    who: Actor,
    now: Date,
    type: string,
    version: number,
    payload: Record<string, unknown>,
  ): Promise<void> {
    await insertEvent(trx, {
      type,
      occurredAt: now,
      actor: actorRef(who),
      subject: { type: 'agreement', id: String(version) },
      payload,
    });
  }

  async function present(row: AgreementRow): Promise<Agreement> {
    const [summary] = await summaries([row], await findAgreements(db));
    const content = readJson(AgreementContentSchema, row.content, 'agreements.content');
    return {
      ...summary!,
      content,
      document: describeAgreement(content),
      drift: diffContent(stripVolatile(content), await assemble()),
    };
  }

  function changesBySection(changes: ContentChange[]): AgreementSection[] {
    return [...new Set(changes.map((c) => c.section as AgreementSection))];
  }

  async function checkDriftNow(): Promise<ContentChange[]> {
    const now = clock.now();
    const rows = await findAgreements(db);
    const inForce = versionInForce(rows.map(toVersion), now.getTime());
    if (!inForce) return [];
    const row = rows.find((r) => r.version === inForce.version)!;
    // Versions signed before a field counted as volatile still hold it: left out here too.
    const changes = diffContent(stripVolatile(fromDbJson(row.content)), await assemble());
    if (changes.length === 0) return changes;
    const last = await findLatestEventOfType(db, CHANGE_OUTSIDE);
    const lastPayload = last ? readJson(DriftPayload, last.payload, 'events.payload') : null;
    // The same difference is flagged once (compared field by field: PostgreSQL reorders JSON keys).
    if (
      lastPayload &&
      lastPayload.version === inForce.version &&
      diffContent(lastPayload.changes, changes).length === 0
    )
      return changes;
    await insertEvent(db, {
      type: CHANGE_OUTSIDE,
      occurredAt: now,
      actor: { kind: 'system', id: null },
      subject: { type: 'agreement', id: String(inForce.version) },
      payload: { version: inForce.version, sections: changesBySection(changes), changes },
    });
    return changes;
  }

  let driftCheck: Promise<unknown> = Promise.resolve();

  const service = {
    async list(actor: Actor | null): Promise<AgreementSummary[]> {
      authorize(actor, 'agreements.read');
      const rows = await findAgreements(db);
      return summaries(rows, rows);
    },

    async get(actor: Actor | null, version: number): Promise<Agreement> {
      authorize(actor, 'agreements.read');
      return present(await load(version));
    },

    /** A new draft, assembled from the live configuration. */
    async create(actor: Actor | null, input: CreateAgreementBody): Promise<Agreement> {
      const who = authorize(actor, 'agreements.write');
      const now = clock.now();
      const content = await assemble();
      const version = await db.transaction().execute(async (trx) => {
        const next = (await findLatestVersionNumber(trx)) + 1;
        await insertAgreement(trx, {
          id: newId(),
          version: next,
          state: 'draft',
          title: input.title ?? `Agreement ${next}`,
          effective_from: toDbTime(new Date(input.effectiveFrom)),
          content: JSON.stringify(content),
          marketing_signer_id: null,
          sales_signer_id: null,
          marketing_signed_at: null,
          sales_signed_at: null,
          created_by: who.kind === 'user' ? who.userId : null,
          created_at: toDbTime(now),
          proposed_at: null,
          updated_at: toDbTime(now),
        });
        await logAgreement(trx, who, now, 'agreement.drafted', next, {
          version: next,
          effectiveFrom: input.effectiveFrom,
        });
        return next;
      });
      return present(await load(version));
    },

    /** Changes a draft's title or date, or assembles its document again from the live configuration. */
    async update(actor: Actor | null, version: number, input: UpdateAgreementBody): Promise<Agreement> {
      const who = authorize(actor, 'agreements.write');
      const now = clock.now();
      const row = await load(version);
      if (row.state !== 'draft') throw createError('agreements.not_draft');
      const content = input.refresh ? await assemble() : null;
      await db.transaction().execute(async (trx) => {
        const changed = await updateAgreementRow(trx, version, ['draft'], {
          ...(input.title !== undefined && { title: input.title }),
          ...(input.effectiveFrom !== undefined && {
            effective_from: toDbTime(new Date(input.effectiveFrom)),
          }),
          ...(content && { content: JSON.stringify(content) }),
          updated_at: toDbTime(now),
        });
        if (!changed) throw createError('agreements.not_draft');
        await logAgreement(trx, who, now, 'agreement.updated', version, { ...input });
      });
      return present(await load(version));
    },

    /**
     * Proposes a draft for signature by the two heads it names: the head of Marketing (a marketing
     * user) and the head of Sales (a director). The document is assembled once more and then frozen.
     */
    async propose(actor: Actor | null, version: number, input: ProposeAgreementBody): Promise<Agreement> {
      const who = authorize(actor, 'agreements.write');
      const now = clock.now();
      const row = await load(version);
      if (row.state !== 'draft') throw createError('agreements.not_draft');
      const [marketing, sales] = await Promise.all([
        findUserById(db, input.marketingSignerId),
        findUserById(db, input.salesSignerId),
      ]);
      if (!marketing || !marketing.is_active || marketing.role !== 'marketing')
        throw fieldError(
          'agreements.invalid_signer',
          'marketingSignerId',
          'must be an active marketing user',
        );
      if (!sales || !sales.is_active || sales.role !== 'director')
        throw fieldError('agreements.invalid_signer', 'salesSignerId', 'must be an active director');
      const content = await assemble();
      await db.transaction().execute(async (trx) => {
        const changed = await updateAgreementRow(trx, version, ['draft'], {
          state: 'proposed',
          content: JSON.stringify(content),
          marketing_signer_id: marketing.id,
          sales_signer_id: sales.id,
          proposed_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        if (!changed) throw createError('agreements.not_draft');
        await logAgreement(trx, who, now, 'agreement.proposed', version, {
          version,
          marketingSignerId: marketing.id,
          salesSignerId: sales.id,
        });
      });
      return present(await load(version));
    },

    /** Signs as the head named for a side; with the second signature the version is signed. */
    async sign(actor: Actor | null, version: number): Promise<Agreement> {
      const who = authorize(actor, 'agreements.sign');
      if (who.kind !== 'user')
        throw createError('agreements.not_signer', 'An agreement is signed by a person');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await findAgreementByVersion(trx, version);
        if (!row) throw createError('agreements.not_found');
        const decision = decideSignature(toVersion(row), who.userId);
        if (decision.kind === 'refused') throw createError(`agreements.${decision.reason}`);
        const result = await signAgreementRow(trx, { version, side: decision.side, at: toDbTime(now) });
        if (!result.signed) throw createError('agreements.already_signed');
        await logAgreement(trx, who, now, 'agreement.signed', version, {
          version,
          side: decision.side,
          complete: result.complete,
        });
        await queueWebhooks(trx, [
          webhookEvent('agreement.signed', now, {
            version,
            side: decision.side,
            signedBy: who.userId,
            inForce: result.complete,
          }),
        ]);
      });
      return present(await load(version));
    },

    /** Takes back a draft or a proposal (its signatures lapse); signed versions stay as they are. */
    async withdraw(actor: Actor | null, version: number): Promise<Agreement> {
      const who = authorize(actor, 'agreements.write');
      const now = clock.now();
      const row = await load(version);
      if (row.state !== 'draft' && row.state !== 'proposed') throw createError('agreements.not_proposed');
      await db.transaction().execute(async (trx) => {
        const changed = await updateAgreementRow(trx, version, ['draft', 'proposed'], {
          state: 'withdrawn',
          updated_at: toDbTime(now),
        });
        if (!changed) throw createError('agreements.not_proposed');
        await logAgreement(trx, who, now, 'agreement.withdrawn', version, { version, was: row.state });
      });
      return present(await load(version));
    },

    async diff(actor: Actor | null, from: number, to: number): Promise<AgreementDiff> {
      authorize(actor, 'agreements.read');
      const [a, b] = await Promise.all([load(from), load(to)]);
      return { from, to, changes: diffContent(fromDbJson(a.content), fromDbJson(b.content)) };
    },

    async pdf(actor: Actor | null, version: number, lang: 'en' | 'nl'): Promise<Buffer> {
      const agreement = await service.get(actor, version);
      // pdfkit and its fonts take a quarter of a second to load: only when a PDF is asked for.
      const { renderAgreementPdf } = await import('./agreements.pdf.ts');
      return renderAgreementPdf(agreement, lang);
    },

    /** The version in force in each part of a period. */
    async spans(actor: Actor | null, from: Date, to: Date) {
      authorize(actor, 'agreements.read');
      const rows = await findAgreements(db);
      return spansOver(rows.map(toVersion), from.getTime(), to.getTime()).map((s) => ({
        version: s.version,
        from: new Date(s.fromMs).toISOString(),
        to: new Date(s.toMs).toISOString(),
      }));
    },

    /**
     * MQLs of a period in the parts each agreement version governed, each with its own MQL rule:
     * a threshold changed mid-quarter by a new version reads each part against its own rule.
     */
    async mqlReport(actor: Actor | null, fromIso: string, toIso: string): Promise<MqlReport> {
      authorize(actor, 'agreements.read');
      const from = new Date(fromIso);
      const to = new Date(toIso);
      if (to.getTime() <= from.getTime())
        throw fieldError('http.validation_failed', 'to', 'must be after from');
      const rows = await findAgreements(db);
      const byVersion = new Map(rows.map((r) => [r.version, r]));
      const parts = await Promise.all(
        spansOver(rows.map(toVersion), from.getTime(), to.getTime()).map(async (s) => {
          const row = s.version === null ? null : byVersion.get(s.version);
          const content = row ? readJson(AgreementContentSchema, row.content, 'agreements.content') : null;
          return {
            version: s.version,
            from: new Date(s.fromMs).toISOString(),
            to: new Date(s.toMs).toISOString(),
            rule: content?.mqlRule ?? null,
            mqls: await countStageEntries(db, {
              stage: 'mql',
              from: toDbTime(new Date(s.fromMs)),
              to: toDbTime(new Date(s.toMs)),
            }),
          };
        }),
      );
      return { from: from.toISOString(), to: to.toISOString(), parts };
    },

    /**
     * Compares the live configuration with the version in force and, when they differ in a way not
     * flagged yet, records `agreement.change_outside` in the audit log: configuration changed
     * without a signed agreement. Runs after every configuration change and before the audit log is
     * read, so a flag lost in a crash is recorded at the next look.
     */
    async checkDrift(): Promise<ContentChange[]> {
      // One check at a time in this process, so that a reaction and a read do not flag twice.
      const run = driftCheck.then(checkDriftNow, checkDriftNow);
      driftCheck = run.catch(() => []);
      return run;
    },

    /** Configuration changes and the agreement's own history, newest first, each with the version in force then. */
    async audit(
      actor: Actor | null,
      query: { from?: string; to?: string; outsideAgreementOnly?: boolean },
    ): Promise<AuditEntry[]> {
      authorize(actor, 'audit.read');
      await service.checkDrift();
      const types = query.outsideAgreementOnly
        ? [CHANGE_OUTSIDE]
        : [...Object.keys(CONFIG_EVENTS), ...AGREEMENT_EVENTS];
      const [events, rows] = await Promise.all([
        findEventsByTypes(db, {
          types,
          from: query.from ? toDbTime(new Date(query.from)) : null,
          to: query.to ? toDbTime(new Date(query.to)) : null,
          limit: 500,
        }),
        findAgreements(db),
      ]);
      const versions = rows.map(toVersion);
      const userIds = [...new Set(events.map((e) => e.actor_id).filter((id): id is string => !!id))];
      const names = new Map(
        (
          await findUsersByIds(
            db,
            userIds.filter((id) => /^[0-9a-f-]{36}$/.test(id)),
          )
        ).map((u) => [u.id, u.name]),
      );
      return events.map((e) => {
        const at = fromDbTime(e.occurred_at);
        const payload = readJson(EventPayload, e.payload, 'events.payload');
        const outside = e.type === CHANGE_OUTSIDE;
        const sections = outside ? (payload.sections as AgreementSection[]) : null;
        return {
          id: e.id,
          type: e.type,
          at: at.toISOString(),
          actor: {
            kind: e.actor_kind,
            id: e.actor_id,
            name: e.actor_id ? (names.get(e.actor_id) ?? null) : null,
          },
          section: CONFIG_EVENTS[e.type] ?? sections?.[0] ?? null,
          agreementVersion: versionInForce(versions, at.getTime())?.version ?? null,
          outsideAgreement: outside,
          payload,
        };
      });
    },
  };
  return service;
}

export type AgreementsService = ReturnType<typeof createAgreementsService>;
