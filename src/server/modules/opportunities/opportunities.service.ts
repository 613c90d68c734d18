/**
 * Opportunities: created from a sales-qualified lead (which moves it to `opportunity`), with an
 * amount in minor units, an expected close date, a configurable stage pipeline, an owner and the
 * people on the deal. Won or lost closes it (lost with a reason); winning makes the lead a
 * customer. Every stage change is stored with its time and who made it.
 */
import type {
  CreateOpportunityBody,
  CreateOpportunityStageBody,
  UpdateOpportunityStageBody,
  ListOpportunitiesQuery,
  MoveOpportunityBody,
  Opportunity,
  OpportunityDetail,
  OpportunityStage,
  UpdateOpportunityBody,
  WinRates,
  WinRatesQuery,
} from '../../../contract/opportunities.ts';
import type { StageChange } from '../../../contract/stages.ts';
import { queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';
import { canSee, type Actor, type Visibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { findAccounts } from '../accounts/accounts.repository.ts';
import type { ContactsService } from '../contacts/contacts.service.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { inTransaction } from '../shared/transaction.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { findUserById, findUsersByIds } from '../users/users.repository.ts';
import {
  countClosedByOwner,
  findOpportunities,
  findOpportunityById,
  findOpportunityByExternalId,
  findOpportunityContacts,
  findOpportunityHistory,
  findOpportunityStages,
  insertOpportunity,
  insertOpportunityStage,
  insertOpportunityStageChange,
  updateOpportunityStageRow,
  replaceOpportunityContacts,
  updateOpportunityIf,
  type OpportunityRow,
  type OpportunityStageRow,
} from './opportunities.repository.ts';

/** A deal as a connected CRM has it, in Baton's terms (its stage mapped to one of Baton's). */
export interface ExternalDeal {
  externalId: string;
  name: string;
  stage: string;
  ownerId: string | null;
  accountId: string | null;
  contactId: string | null;
  amountMinor: number | null;
  currency: string;
  expectedCloseOn: string | null;
  closedOn: string | null;
  createdAt: Date;
  stageChangedAt: Date;
  /** The CRM's stage is the one Baton wrote there: Baton's stage stands (the two pipelines differ). */
  keepStage?: boolean;
}

/** Lead stages from which an opportunity may be created: qualified, or already in one. */
const dealStages = ['sql', 'opportunity', 'customer'];

function toStage(row: OpportunityStageRow): OpportunityStage {
  return {
    key: row.key,
    name: { en: row.name_en, nl: row.name_nl },
    position: Number(row.position),
    probability: Number(row.probability),
    outcome: row.outcome,
    active: fromDbBool(row.is_active),
  };
}

function toOpportunity(row: OpportunityRow, contacts: { contactId: string; role: string }[]): Opportunity {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    accountId: row.account_id,
    contactId: row.contact_id,
    ownerId: row.owner_id,
    stage: row.stage,
    status: row.status,
    amountMinor: row.amount_minor === null ? null : Number(row.amount_minor),
    currency: row.currency,
    product: row.product,
    expectedCloseOn: row.expected_close_on,
    closedOn: row.closed_on,
    lostReason: row.lost_reason,
    wonReason: row.won_reason,
    contacts,
    stageEnteredAt: fromDbTime(row.stage_entered_at).toISOString(),
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

export function createOpportunitiesService(
  deps: ServiceDeps,
  contacts: ContactsService,
  hooks: { onWon?: (trx: Db, opportunityId: string) => Promise<void> } = {},
) {
  const { db, clock } = deps;

  async function loadVisible(conn: Db, who: Actor, id: string): Promise<OpportunityRow> {
    const [row, visibility] = await Promise.all([findOpportunityById(conn, id), loadVisibility(conn, who)]);
    if (!row || !canSee(visibility, row.owner_id)) throw createError('opportunities.not_found');
    return row;
  }

  async function stageOf(conn: Db, key: string, field: string): Promise<OpportunityStageRow> {
    const stage = (await findOpportunityStages(conn)).find((s) => s.key === key && fromDbBool(s.is_active));
    if (!stage) throw fieldError('opportunities.unknown_stage', field, 'is not an active opportunity stage');
    return stage;
  }

  async function checkOwner(conn: Db, ownerId: string): Promise<void> {
    const owner = await findUserById(conn, ownerId);
    if (
      !owner ||
      !fromDbBool(owner.is_active) ||
      !['sales_rep', 'sales_manager', 'admin'].includes(owner.role)
    )
      throw fieldError('opportunities.invalid_owner', 'ownerId', 'must be an active sales user');
  }

  /** Every contact named in the body must be one the caller may see: another team's is "no such contact". */
  async function checkContacts(
    conn: Db,
    roles: readonly { contactId: string }[],
    visibility: Visibility,
  ): Promise<void> {
    for (const [i, role] of roles.entries()) {
      const contact = await findContactById(conn, role.contactId);
      if (!contact || !canSee(visibility, contact.owner_id))
        throw fieldError('opportunities.invalid_contact', `contacts.${i}.contactId`, 'no such contact');
    }
  }

  async function present(conn: Db, row: OpportunityRow): Promise<Opportunity> {
    return toOpportunity(row, (await findOpportunityContacts(conn, [row.id])).get(row.id) ?? []);
  }

  return {
    async listStages(actor: Actor | null): Promise<OpportunityStage[]> {
      authorize(actor, 'opportunities.read');
      return (await findOpportunityStages(db)).map(toStage);
    },

    /** Adds a stage to the pipeline (an open one between others, or another way to win or lose). */
    async createStage(actor: Actor | null, input: CreateOpportunityStageBody): Promise<OpportunityStage> {
      const who = authorize(actor, 'opportunities.configure');
      const now = clock.now();
      return inTransaction(
        db,
        async (trx) => {
          await insertOpportunityStage(trx, {
            key: input.key,
            name_en: input.name.en,
            name_nl: input.name.nl,
            position: input.position,
            probability: input.probability,
            outcome: input.outcome,
            is_active: true,
            created_at: toDbTime(now),
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'opportunity.stage_created',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'opportunity_stage', id: input.key },
            payload: { ...input },
          });
          return toStage((await findOpportunityStages(trx)).find((s) => s.key === input.key)!);
        },
        () => fieldError('opportunities.stage_exists', 'key', 'a stage with this key exists'),
      );
    },

    /**
     * Renames, reorders, reweighs or retires a stage. Opportunities in a retired stage stay there;
     * the pipeline always keeps an active open, won and lost stage.
     */
    async updateStage(
      actor: Actor | null,
      key: string,
      input: UpdateOpportunityStageBody,
    ): Promise<OpportunityStage> {
      const who = authorize(actor, 'opportunities.configure');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const stages = await findOpportunityStages(trx);
        const stage = stages.find((s) => s.key === key);
        if (!stage) throw createError('opportunities.stage_not_found');
        if (
          input.active === false &&
          !stages.some((s) => s.key !== key && s.outcome === stage.outcome && fromDbBool(s.is_active))
        )
          throw createError('opportunities.stage_required', `the last active ${stage.outcome} stage stays`);
        await updateOpportunityStageRow(trx, key, {
          ...(input.name && { name_en: input.name.en, name_nl: input.name.nl }),
          ...(input.position !== undefined && { position: input.position }),
          ...(input.probability !== undefined && { probability: input.probability }),
          ...(input.active !== undefined && { is_active: input.active }),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'opportunity.stage_changed_settings',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'opportunity_stage', id: key },
          payload: { ...input },
        });
        return toStage((await findOpportunityStages(trx)).find((s) => s.key === key)!);
      });
    },

    async list(actor: Actor | null, query: ListOpportunitiesQuery) {
      const who = authorize(actor, 'opportunities.read');
      const visibility = await loadVisibility(db, who);
      const limit = query.limit ?? 50;
      const rows = await findOpportunities(db, query, visibility, limit + 1, decodeCursor(query.cursor));
      const page = toPage(rows, limit);
      const people = await findOpportunityContacts(
        db,
        page.items.map((r) => r.id),
      );
      return {
        data: page.items.map((row) => toOpportunity(row, people.get(row.id) ?? [])),
        nextCursor: page.nextCursor,
      };
    },

    /** Won ÷ (won + lost) per owner, or per owner's manager (closed opportunities only). */
    async winRates(actor: Actor | null, query: WinRatesQuery): Promise<WinRates> {
      const who = authorize(actor, 'opportunities.read');
      const counts = await countClosedByOwner(db, await loadVisibility(db, who));
      const owners = await findUsersByIds(
        db,
        counts.map((c) => c.ownerId).filter((id): id is string => id !== null),
      );
      const managerOf = new Map(owners.map((u) => [u.id, u.manager_id]));
      const keyOf = (ownerId: string | null) =>
        query.by === 'owner' ? ownerId : ownerId ? (managerOf.get(ownerId) ?? null) : null;
      const totals = new Map<string | null, { won: number; lost: number }>();
      for (const c of counts) {
        const key = keyOf(c.ownerId);
        const total = totals.get(key) ?? { won: 0, lost: 0 };
        if (c.status === 'won') total.won += c.count;
        else total.lost += c.count;
        totals.set(key, total);
      }
      const names = new Map(
        (
          await findUsersByIds(
            db,
            [...totals.keys()].filter((k): k is string => k !== null),
          )
        ).map((u) => [u.id, u.name]),
      );
      return {
        by: query.by,
        rows: [...totals.entries()]
          .map(([userId, t]) => ({
            userId,
            name: userId ? (names.get(userId) ?? null) : null,
            won: t.won,
            lost: t.lost,
            winRate: t.won + t.lost > 0 ? t.won / (t.won + t.lost) : null,
          }))
          .sort((a, b) => String(a.name).localeCompare(String(b.name))),
      };
    },

    async get(actor: Actor | null, id: string): Promise<OpportunityDetail> {
      const who = authorize(actor, 'opportunities.read');
      const row = await loadVisible(db, who, id);
      const history = await findOpportunityHistory(db, id);
      return {
        ...(await present(db, row)),
        history: history.map((h) => ({
          from: h.from_stage,
          to: h.to_stage,
          occurredAt: fromDbTime(h.occurred_at).toISOString(),
          actor: { kind: h.actor_kind, id: h.actor_id },
          reason: h.reason,
          note: h.note,
        })),
      };
    },

    /**
     * Creates an opportunity, from a sales-qualified lead (the lead moves to `opportunity`) or for
     * an account alone. The owner is the one named, else the lead's rep, else whoever creates it.
     */
    async create(actor: Actor | null, input: CreateOpportunityBody): Promise<Opportunity> {
      const who = authorize(actor, 'opportunities.write');
      const now = clock.now();
      const id = newId();
      let moved: StageChange | null = null;
      const created = await db.transaction().execute(async (trx) => {
        const visibility = await loadVisibility(trx, who);
        const contact = input.contactId ? await findContactById(trx, input.contactId) : undefined;
        if (input.contactId && (!contact || !canSee(visibility, contact.owner_id)))
          throw fieldError('opportunities.invalid_contact', 'contactId', 'no such contact');
        if (contact && !dealStages.includes(contact.stage))
          throw fieldError(
            'opportunities.invalid_contact',
            'contactId',
            `must be a sales-qualified lead (sql) first; it is ${contact.stage}`,
          );
        const accountId = input.accountId !== undefined ? input.accountId : (contact?.account_id ?? null);
        // The account named must be one the caller may see (theirs, or one of their contacts').
        if (accountId && (await findAccounts(trx, {}, visibility, 1, undefined, accountId)).length === 0)
          throw fieldError('opportunities.invalid_contact', 'accountId', 'no such account');
        const ownerId =
          input.ownerId !== undefined
            ? input.ownerId
            : (contact?.owner_id ?? (who.kind === 'user' ? who.userId : null));
        if (ownerId) await checkOwner(trx, ownerId);
        if (ownerId && !canSee(visibility, ownerId))
          throw fieldError('opportunities.invalid_owner', 'ownerId', 'must be you or someone in your team');
        const stages = await findOpportunityStages(trx);
        const stage = input.stage
          ? await stageOf(trx, input.stage, 'stage')
          : stages.find((s) => s.outcome === 'open' && fromDbBool(s.is_active))!;
        if (stage.outcome !== 'open')
          throw fieldError(
            'opportunities.unknown_stage',
            'stage',
            'a new opportunity starts in an open stage',
          );
        const roles =
          input.contacts ?? (contact ? [{ contactId: contact.id, role: 'decision_maker' as const }] : []);
        await checkContacts(trx, roles, visibility);
        await insertOpportunity(trx, {
          id,
          external_id: null,
          name: input.name,
          account_id: accountId,
          contact_id: contact?.id ?? null,
          owner_id: ownerId,
          stage: stage.key,
          status: 'open',
          amount_minor: input.amountMinor ?? null,
          currency: input.currency ?? 'EUR',
          product: input.product ?? null,
          expected_close_on: input.expectedCloseOn ?? null,
          closed_on: null,
          lost_reason: null,
          won_reason: null,
          stage_entered_at: toDbTime(now),
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        await insertOpportunityStageChange(trx, {
          id: newId(),
          opportunity_id: id,
          from_stage: null,
          to_stage: stage.key,
          occurred_at: toDbTime(now),
          ...actorColumns(who),
          reason: null,
          note: null,
        });
        await replaceOpportunityContacts(
          trx,
          id,
          roles.map((r) => ({ opportunity_id: id, contact_id: r.contactId, role: r.role })),
        );
        if (contact?.stage === 'sql')
          moved = await contacts.changeStageIn(trx, who, contact, {
            to: 'opportunity',
            note: `Opportunity "${input.name}"`,
            noteMessage: { code: 'opportunity_created', params: { name: input.name } },
          });
        await insertEvent(trx, {
          type: 'opportunity.created',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'opportunity', id },
          payload: { ...input, ownerId, accountId, stage: stage.key },
        });
        await queueWebhooks(trx, [
          webhookEvent(
            'opportunity.created',
            now,
            opportunityData((await findOpportunityById(trx, id))!, null),
          ),
        ]);
        return present(trx, (await findOpportunityById(trx, id))!);
      });
      if (moved) contacts.announceStageChange(moved);
      return created;
    },

    async update(actor: Actor | null, id: string, input: UpdateOpportunityBody): Promise<Opportunity> {
      const who = authorize(actor, 'opportunities.write');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await loadVisible(trx, who, id);
        const visibility = await loadVisibility(trx, who);
        if (input.ownerId) {
          await checkOwner(trx, input.ownerId);
          if (!canSee(visibility, input.ownerId))
            throw fieldError('opportunities.invalid_owner', 'ownerId', 'must be you or someone in your team');
        }
        if (input.contacts) await checkContacts(trx, input.contacts, visibility);
        await updateOpportunityIf(trx, id, null, {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.ownerId !== undefined && { owner_id: input.ownerId }),
          ...(input.amountMinor !== undefined && { amount_minor: input.amountMinor }),
          ...(input.currency !== undefined && { currency: input.currency }),
          ...(input.product !== undefined && { product: input.product }),
          ...(input.expectedCloseOn !== undefined && { expected_close_on: input.expectedCloseOn }),
          updated_at: toDbTime(now),
        });
        if (input.contacts)
          await replaceOpportunityContacts(
            trx,
            id,
            input.contacts.map((r) => ({ opportunity_id: id, contact_id: r.contactId, role: r.role })),
          );
        await insertEvent(trx, {
          type: 'opportunity.changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'opportunity', id: row.id },
          payload: { ...input },
        });
        return present(trx, (await findOpportunityById(trx, id))!);
      });
    },

    /**
     * Moves an opportunity along the pipeline. Won or lost closes it with its reason (lost needs
     * one); won makes the lead it came from a customer.
     */
    async move(actor: Actor | null, id: string, input: MoveOpportunityBody): Promise<OpportunityDetail> {
      const who = authorize(actor, 'opportunities.write');
      const now = clock.now();
      const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now;
      if (occurredAt.getTime() > now.getTime() + 5 * 60_000)
        throw fieldError('http.validation_failed', 'occurredAt', 'is in the future');
      let moved: StageChange | null = null;
      await db.transaction().execute(async (trx) => {
        const row = await loadVisible(trx, who, id);
        if (row.status !== 'open') throw createError('opportunities.closed');
        const stage = await stageOf(trx, input.stage, 'stage');
        if (stage.key === row.stage)
          throw fieldError('http.validation_failed', 'stage', 'is the current stage');
        if (stage.outcome === 'lost' && !input.reason)
          throw fieldError('http.validation_failed', 'reason', 'is required when an opportunity is lost');
        if (occurredAt < fromDbTime(row.stage_entered_at))
          throw fieldError(
            'http.validation_failed',
            'occurredAt',
            'is before the opportunity entered its stage',
          );
        const closed = stage.outcome !== 'open';
        const changed = await updateOpportunityIf(trx, id, row.stage, {
          stage: stage.key,
          status: stage.outcome,
          stage_entered_at: toDbTime(occurredAt),
          ...(closed && { closed_on: toDbTime(occurredAt).slice(0, 10) }),
          ...(stage.outcome === 'lost' && { lost_reason: input.reason ?? null }),
          ...(stage.outcome === 'won' && { won_reason: input.reason ?? null }),
          updated_at: toDbTime(now),
        });
        if (!changed) throw createError('opportunities.closed', 'the opportunity moved meanwhile');
        await insertOpportunityStageChange(trx, {
          id: newId(),
          opportunity_id: id,
          from_stage: row.stage,
          to_stage: stage.key,
          occurred_at: toDbTime(occurredAt),
          ...actorColumns(who),
          reason: input.reason ?? null,
          note: input.note ?? null,
        });
        if (stage.outcome === 'won') await hooks.onWon?.(trx, id);
        if (stage.outcome === 'won' && row.contact_id) {
          const contact = await findContactById(trx, row.contact_id);
          if (contact?.stage === 'opportunity')
            moved = await contacts.changeStageIn(trx, who, contact, {
              to: 'customer',
              note: `Won "${row.name}"`,
              noteMessage: { code: 'opportunity_won', params: { name: row.name } },
            });
        }
        await insertEvent(trx, {
          type: `opportunity.${stage.outcome === 'open' ? 'stage_changed' : stage.outcome}`,
          occurredAt,
          actor: actorRef(who),
          subject: { type: 'opportunity', id },
          payload: { from: row.stage, to: stage.key, reason: input.reason ?? null },
        });
        if (stage.outcome !== 'open')
          await queueWebhooks(trx, [
            webhookEvent(
              stage.outcome === 'won' ? 'opportunity.won' : 'opportunity.lost',
              occurredAt,
              opportunityData((await findOpportunityById(trx, id))!, input.reason ?? null),
            ),
          ]);
      });
      if (moved) contacts.announceStageChange(moved);
      return this.get(who, id);
    },
    /**
     * A deal from a connected CRM, by its id there (`externalId`): created, changed or moved as the
     * CRM says, in one transaction. The CRM is the deal's system of record, so a deal it reopens is
     * reopened. Its lead moves as a deal made in Baton would move it (sql → opportunity on the
     * deal, → customer on the win), a win stores its credit, and the events and webhooks are the
     * same. A call with nothing new changes nothing, so reading a deal twice is harmless.
     */
    async receiveExternal(
      source: { connectionId: string; name: string },
      deal: ExternalDeal,
    ): Promise<{ id: string; outcome: 'created' | 'changed' | 'moved' | 'unchanged' }> {
      const who: Actor = { kind: 'cli' };
      const now = clock.now();
      const moves: StageChange[] = [];
      const outcome = await db.transaction().execute(async (trx) => {
        const existing = await findOpportunityByExternalId(trx, deal.externalId);
        const wanted = deal.keepStage && existing ? existing.stage : deal.stage;
        const stage = (await findOpportunityStages(trx)).find((s) => s.key === wanted);
        if (!stage) throw fieldError('opportunities.unknown_stage', 'stage', `no stage ${wanted}`);
        const closedOn =
          stage.outcome === 'open' ? null : (deal.closedOn ?? toDbTime(deal.stageChangedAt).slice(0, 10));
        // What the CRM leaves blank (no company, an owner nobody in Baton) keeps what Baton has.
        const fields = {
          name: deal.name,
          account_id: deal.accountId ?? existing?.account_id ?? null,
          owner_id: deal.ownerId ?? existing?.owner_id ?? null,
          amount_minor: deal.amountMinor,
          currency: deal.currency,
          expected_close_on: deal.expectedCloseOn,
        };
        const contact = deal.contactId ? await findContactById(trx, deal.contactId) : undefined;
        const moveLead = async (to: 'opportunity' | 'customer') => {
          const current = contact && (await findContactById(trx, contact.id));
          if (!current) return;
          if (to === 'opportunity' && current.stage !== 'sql') return;
          if (to === 'customer' && current.stage !== 'opportunity') return;
          moves.push(
            await contacts.changeStageIn(trx, who, current, {
              to,
              note: `${to === 'opportunity' ? 'Deal' : 'Won'} "${deal.name}" in ${source.name}`,
              noteMessage: {
                code: to === 'opportunity' ? 'opportunity_created' : 'opportunity_won',
                params: { name: deal.name },
              },
            }),
          );
        };
        const event = (type: string, id: string, payload: Record<string, unknown>, at = now) =>
          insertEvent(trx, {
            type,
            occurredAt: at,
            actor: { kind: 'system', id: null },
            subject: { type: 'opportunity', id },
            payload: { ...payload, source: source.connectionId, externalId: deal.externalId },
          });
        const stageChange = (id: string, from: string | null) =>
          insertOpportunityStageChange(trx, {
            id: newId(),
            opportunity_id: id,
            from_stage: from,
            to_stage: stage.key,
            occurred_at: toDbTime(deal.stageChangedAt),
            actor_kind: 'connector',
            actor_id: source.connectionId,
            reason: null,
            note: source.name,
          });
        const closing = async (id: string) => {
          if (stage.outcome === 'open') return;
          if (stage.outcome === 'won') {
            await hooks.onWon?.(trx, id);
            await moveLead('customer');
          }
          await event(`opportunity.${stage.outcome}`, id, { to: stage.key }, deal.stageChangedAt);
          await queueWebhooks(trx, [
            webhookEvent(
              stage.outcome === 'won' ? 'opportunity.won' : 'opportunity.lost',
              deal.stageChangedAt,
              opportunityData((await findOpportunityById(trx, id))!, null),
            ),
          ]);
        };

        if (!existing) {
          const id = newId();
          await insertOpportunity(trx, {
            id,
            external_id: deal.externalId,
            ...fields,
            contact_id: contact?.id ?? null,
            stage: stage.key,
            status: stage.outcome,
            product: null,
            closed_on: closedOn,
            lost_reason: null,
            won_reason: null,
            stage_entered_at: toDbTime(deal.stageChangedAt),
            created_at: toDbTime(deal.createdAt),
            updated_at: toDbTime(now),
          });
          await stageChange(id, null);
          if (contact)
            await replaceOpportunityContacts(trx, id, [
              { opportunity_id: id, contact_id: contact.id, role: 'decision_maker' },
            ]);
          await moveLead('opportunity');
          await event('opportunity.created', id, { name: deal.name, stage: stage.key }, deal.createdAt);
          await queueWebhooks(trx, [
            webhookEvent(
              'opportunity.created',
              deal.createdAt,
              opportunityData((await findOpportunityById(trx, id))!, null),
            ),
          ]);
          await closing(id);
          return { id, outcome: 'created' as const };
        }
        const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter((k) =>
          k === 'amount_minor'
            ? (existing.amount_minor === null ? null : Number(existing.amount_minor)) !== fields.amount_minor
            : existing[k] !== fields[k],
        );
        const moved = existing.stage !== stage.key;
        if (changed.length === 0 && !moved) return { id: existing.id, outcome: 'unchanged' as const };
        await updateOpportunityIf(trx, existing.id, null, {
          ...fields,
          ...(moved && {
            stage: stage.key,
            status: stage.outcome,
            closed_on: closedOn,
            stage_entered_at: toDbTime(deal.stageChangedAt),
          }),
          updated_at: toDbTime(now),
        });
        if (changed.length > 0) await event('opportunity.changed', existing.id, { changed });
        if (!moved) return { id: existing.id, outcome: 'changed' as const };
        await stageChange(existing.id, existing.stage);
        if (stage.outcome === 'open')
          await event('opportunity.stage_changed', existing.id, { from: existing.stage, to: stage.key });
        await closing(existing.id);
        return { id: existing.id, outcome: 'moved' as const };
      });
      for (const move of moves) contacts.announceStageChange(move);
      return outcome;
    },
  };
}

/** What a deal's webhook says about it. */
function opportunityData(row: OpportunityRow, reason: string | null) {
  return {
    opportunityId: row.id,
    name: row.name,
    stage: row.stage,
    status: row.status,
    amountMinor: row.amount_minor === null ? null : Number(row.amount_minor),
    currency: row.currency,
    ownerId: row.owner_id,
    accountId: row.account_id,
    reason,
  };
}

function actorColumns(who: Actor) {
  const ref = actorRef(who);
  return { actor_kind: ref.kind, actor_id: ref.id };
}

export type OpportunitiesService = ReturnType<typeof createOpportunitiesService>;
