import type {
  Assignment,
  CreatePoolBody,
  Pool,
  ReassignBody,
  ReplaceRulesBody,
  RoutePreview,
  RoutingRule,
  RoutingSettings,
  RulesPreview,
  UnassignedLead,
  UpdatePoolBody,
  UpdateRoutingSettingsBody,
} from '../../../contract/routing.ts';
import { canRoute, canSee, type Actor } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { ContactRow } from '../../db/tables.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import {
  findContactById,
  findContactForUpdate,
  findLatestConsent,
  updateContactRow,
} from '../contacts/contacts.repository.ts';
import { queueLeadAssigned } from '../notifications/notifications.usecases.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';
import { inTransaction } from '../shared/transaction.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { startClocksForAssignment } from '../sla/sla.usecases.ts';
import { findUserById } from '../users/users.repository.ts';
import {
  findAssignmentsOfContact,
  findPoolById,
  findPoolMembers,
  findPools,
  findRoutingPeople,
  findRoutingSettings,
  findRules,
  findRecentLeads,
  countPoolUses,
  deletePoolRow,
  findUnassigned,
  insertAssignment,
  insertPool,
  replacePoolMembers,
  replaceRules,
  updatePoolRow,
  updateRoutingSettings,
} from './routing.repository.ts';
import { routingFields } from '../../../contract/routing.ts';
import { fieldsOf } from '../../../domain/scoring/score-contact.ts';
import { decideRoute } from '../../../domain/routing/decide-route.ts';
import {
  decideLead,
  factsOfLead,
  routeNow,
  routeQueuedLeads,
  routeWaitingMqls,
  toAssignment,
  type RoutingEngine,
} from './routing.usecases.ts';
import { readJson } from '../../db/json-column.ts';
import { RoutingRule as RoutingRuleSchema } from '../../../contract/routing.ts';

const poolNotFound = (field?: string) =>
  field ? fieldError('routing.pool_not_found', field, 'no such pool') : createError('routing.pool_not_found');

/** Members as stored, in the order given (turns and ties follow it). */
const memberRows = (members: CreatePoolBody['members']) =>
  members.map((m, position) => ({
    user_id: m.userId,
    position,
    weight: m.weight ?? 1,
    cap_per_day: m.capPerDay ?? null,
    cap_per_week: m.capPerWeek ?? null,
  }));

/**
 * Routing as people set it up and use it by hand: pools, rules, settings, a preview, routing or
 * reassigning a lead, and its history. The decisions themselves are made by the engine
 * (routing.usecases.ts), which the lead flow also drives.
 */
export function createRoutingService(deps: ServiceDeps, engine: RoutingEngine) {
  const { db, clock, events } = deps;
  const publish = (announced: readonly DomainEvent[]) => events.publish(announced);

  async function presentPools(conn: Db, ids?: readonly string[]): Promise<Pool[]> {
    const pools = (await findPools(conn)).filter((p) => !ids || ids.includes(p.id));
    const members = await findPoolMembers(
      conn,
      pools.map((p) => p.id),
    );
    return pools.map((p) => ({
      id: p.id,
      name: p.name,
      strategy: p.strategy,
      performanceAware: fromDbBool(p.is_performance_aware),
      members: members
        .filter((m) => m.pool_id === p.id)
        .map((m) => ({
          userId: m.user_id,
          weight: Number(m.weight),
          capPerDay: m.cap_per_day,
          capPerWeek: m.cap_per_week,
        })),
      createdAt: fromDbTime(p.created_at).toISOString(),
      updatedAt: fromDbTime(p.updated_at).toISOString(),
    }));
  }

  /**
   * The lead a caller names to route or preview, if they may: a manager only the leads nobody owns
   * and those of their team; otherwise the same "not found" as for a lead that does not exist.
   */
  async function findRoutable(who: Actor, contactId: string): Promise<ContactRow> {
    const [contact, visibility] = await Promise.all([
      findContactById(db, contactId),
      loadVisibility(db, who),
    ]);
    if (!contact || !canRoute(visibility, contact.owner_id)) throw createError('contacts.not_found');
    return contact;
  }

  /**
   * A rule names known facts (or a form's own `attributes.<name>`), and a pool or an active person
   * that exists: the builder never saves a rule that would silently match nothing.
   */
  async function checkRules(conn: Db, input: ReplaceRulesBody): Promise<void> {
    const known = new Set<string>(routingFields);
    for (const [i, rule] of input.rules.entries()) {
      for (const [j, condition] of rule.conditions.entries())
        for (const field of fieldsOf(condition))
          if (!known.has(field) && !(field.startsWith('attributes.') && field.length > 'attributes.'.length))
            throw fieldError(
              'routing.invalid_rule',
              `rules.${i}.conditions.${j}`,
              `unknown field "${field}": use ${routingFields.join(', ')} or attributes.<name>`,
            );
      if ('poolId' in rule.target && !(await findPoolById(conn, rule.target.poolId)))
        throw poolNotFound(`rules.${i}.target.poolId`);
      if ('userId' in rule.target) {
        const user = await findUserById(conn, rule.target.userId);
        if (!user || !fromDbBool(user.is_active))
          throw fieldError('routing.invalid_rule', `rules.${i}.target.userId`, 'no active user with this id');
      }
    }
  }

  return {
    async listPools(actor: Actor | null): Promise<Pool[]> {
      authorize(actor, 'routing.read');
      return presentPools(db);
    },

    async createPool(actor: Actor | null, input: CreatePoolBody): Promise<Pool> {
      const who = authorize(actor, 'routing.write');
      const now = clock.now();
      const id = newId();
      return inTransaction(
        db,
        async (trx) => {
          await insertPool(trx, {
            id,
            name: input.name,
            strategy: input.strategy ?? 'round_robin',
            is_performance_aware: input.performanceAware ?? false,
            last_user_id: null,
            turn_state: '{}',
            created_at: toDbTime(now),
            updated_at: toDbTime(now),
          });
          await replacePoolMembers(trx, id, memberRows(input.members), now);
          await insertEvent(trx, {
            type: 'routing.pool_created',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'routing_pool', id },
            payload: { ...input },
          });
          return (await presentPools(trx, [id]))[0]!;
        },
        () => fieldError('routing.pool_name_taken', 'name', 'a pool with this name exists'),
      );
    },

    async updatePool(actor: Actor | null, id: string, input: UpdatePoolBody): Promise<Pool> {
      const who = authorize(actor, 'routing.write');
      const now = clock.now();
      return inTransaction(
        db,
        async (trx) => {
          if (!(await findPoolById(trx, id))) throw poolNotFound();
          await updatePoolRow(trx, id, {
            ...(input.name !== undefined && { name: input.name }),
            ...(input.strategy !== undefined && { strategy: input.strategy }),
            ...(input.performanceAware !== undefined && { is_performance_aware: input.performanceAware }),
            updated_at: toDbTime(now),
          });
          if (input.members) await replacePoolMembers(trx, id, memberRows(input.members), now);
          await insertEvent(trx, {
            type: 'routing.pool_changed',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'routing_pool', id },
            payload: { ...input },
          });
          return (await presentPools(trx, [id]))[0]!;
        },
        () => fieldError('routing.pool_name_taken', 'name', 'a pool with this name exists'),
      );
    },

    async getRules(actor: Actor | null): Promise<RoutingRule[]> {
      authorize(actor, 'routing.read');
      return (await findRules(db)).map((r) => ({
        id: r.id,
        name: r.name,
        conditions: readJson(
          RoutingRuleSchema.properties.conditions,
          r.conditions,
          'routing_rules.conditions',
        ),
        target: r.target_pool_id ? { poolId: r.target_pool_id } : { userId: r.target_user_id! },
      }));
    },

    /** Replaces the ordered list of rules: the first that matches a lead wins. */
    async replaceRules(actor: Actor | null, input: ReplaceRulesBody): Promise<RoutingRule[]> {
      const who = authorize(actor, 'routing.write');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await checkRules(trx, input);
        await replaceRules(
          trx,
          input.rules.map((r) => ({
            id: newId(),
            name: r.name,
            conditions: JSON.stringify(r.conditions),
            target_pool_id: 'poolId' in r.target ? r.target.poolId : null,
            target_user_id: 'userId' in r.target ? r.target.userId : null,
          })),
          now,
        );
        await insertEvent(trx, {
          type: 'routing.rules_replaced',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'routing_rules', id: 'all' },
          payload: { rules: input.rules },
        });
      });
      return this.getRules(actor);
    },

    /**
     * Which of the recent leads each rule would take, tried in order as routing does (the first
     * rule that matches wins), without storing anything: the rule builder's preview.
     */
    async previewRules(actor: Actor | null, input: ReplaceRulesBody): Promise<RulesPreview> {
      authorize(actor, 'routing.write');
      await checkRules(db, input);
      const leads = await findRecentLeads(db, 200);
      const rules = input.rules.map((r, i) => ({
        id: String(i),
        label: r.name,
        conditions: r.conditions,
        target: { kind: 'pool' as const, poolId: '' },
      }));
      const result: RulesPreview = {
        sampled: leads.length,
        rules: rules.map(() => ({ matched: 0, examples: [] })),
        unmatched: 0,
      };
      for (const lead of leads) {
        const { account, facts } = await factsOfLead(db, lead);
        const route = decideRoute({
          accountOwner: null,
          ownershipFirst: false,
          rules,
          fallbackPoolId: null,
          facts,
        });
        if (route.kind !== 'rule') {
          result.unmatched += 1;
          continue;
        }
        const slot = result.rules[Number(route.ruleId)]!;
        slot.matched += 1;
        if (slot.examples.length < 5) {
          const name = [lead.first_name, lead.last_name].filter(Boolean).join(' ');
          slot.examples.push({ id: lead.id, name: name || lead.email, company: account?.name ?? null });
        }
      }
      return result;
    },

    /** Deletes a pool no rule and no fallback uses; its past assignments keep their history. */
    async deletePool(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'routing.write');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const pool = await findPoolById(trx, id);
        if (!pool) throw poolNotFound();
        const uses = await countPoolUses(trx, id);
        if (uses.rules > 0 || uses.fallback)
          throw createError(
            'routing.pool_in_use',
            uses.fallback
              ? 'This pool is the fallback pool: choose another fallback first'
              : `${uses.rules} routing rule(s) send leads to this pool: change them first`,
          );
        await deletePoolRow(trx, id);
        await insertEvent(trx, {
          type: 'routing.pool_deleted',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'routing_pool', id },
          payload: { name: pool.name },
        });
      });
    },

    async getSettings(actor: Actor | null): Promise<RoutingSettings> {
      authorize(actor, 'routing.read');
      return findRoutingSettings(db);
    },

    async updateSettings(actor: Actor | null, input: UpdateRoutingSettingsBody): Promise<RoutingSettings> {
      const who = authorize(actor, 'routing.write');
      if (input.fallbackPoolId && !(await findPoolById(db, input.fallbackPoolId)))
        throw poolNotFound('fallbackPoolId');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await updateRoutingSettings(
          trx,
          {
            ...(input.ownershipFirst !== undefined && { is_ownership_first: input.ownershipFirst }),
            ...(input.fallbackPoolId !== undefined && { fallback_pool_id: input.fallbackPoolId }),
            ...(input.skipRejectingRep !== undefined && { is_rejecter_skipped: input.skipRejectingRep }),
          },
          now,
        );
        await insertEvent(trx, {
          type: 'routing.settings_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'routing_settings', id: 'routing' },
          payload: { ...input },
        });
      });
      return findRoutingSettings(db);
    },

    /** Where a lead would go now, and why, without routing it: for checking rules and pools. */
    async previewRoute(actor: Actor | null, contactId: string): Promise<RoutePreview> {
      const contact = await findRoutable(authorize(actor, 'leads.route'), contactId);
      const {
        userId,
        kind,
        poolId,
        ruleId,
        explanation: { because, ...explanation },
      } = await decideLead({
        conn: db,
        contact,
        now: clock.now(),
        ...(engine.recordsOf && { recordsOf: engine.recordsOf }),
      });
      return { contactId, userId, kind, poolId, ruleId, because, explanation };
    },

    /** Routes a lead now, by hand (a manager) or from an integration. */
    async routeContact(actor: Actor | null, contactId: string): Promise<Assignment> {
      const who = authorize(actor, 'leads.route');
      await findRoutable(who, contactId);
      return (await routeNow({
        db,
        actor: who,
        contactId,
        mode: 'always',
        now: clock.now(),
        publish,
        engine,
      }))!;
    },

    /**
     * Gives a lead to another rep, by hand, with a reason on record. A manager may reassign the
     * leads of their team, to an active member of it; an admin any lead to any active user.
     */
    async reassign(actor: Actor | null, contactId: string, input: ReassignBody): Promise<Assignment> {
      const who = authorize(actor, 'leads.route');
      const now = clock.now();
      const { assignment, changed } = await db.transaction().execute(async (trx) => {
        const visibility = await loadVisibility(trx, who);
        // Locked: two people moving one lead at once take turns, and each sees the other’s owner.
        const contact = await findContactForUpdate(trx, contactId);
        if (!contact || !canSee(visibility, contact.owner_id)) throw createError('contacts.not_found');
        if ((await findLatestConsent(trx, contactId, 'sales_contact'))?.status === 'withdrawn')
          throw createError('contacts.no_sales_consent');
        const target = (await findRoutingPeople(trx, [input.userId], now)).get(input.userId);
        if (
          !target?.isActive ||
          (visibility.kind === 'owned_by' && !visibility.userIds.includes(input.userId))
        )
          throw fieldError('routing.invalid_assignee', 'userId', 'not an active member of your team');
        // Given to the rep who already has it (a second click, a retry): nothing changes, nothing
        // is sent, and the rep's clocks run on.
        const latest = (await findAssignmentsOfContact(trx, contactId)).at(-1);
        if (
          latest?.user_id === input.userId &&
          contact.owner_id === input.userId &&
          !fromDbBool(contact.needs_review)
        )
          return { assignment: toAssignment(latest), changed: false };
        const ref = actorRef(who);
        const row = {
          id: newId(),
          contact_id: contactId,
          user_id: input.userId,
          kind: 'manual' as const,
          pool_id: null,
          rule_id: null,
          reason: input.reason,
          explanation: JSON.stringify({
            route: 'reassigned by hand',
            because: { code: 'manual', params: {} },
            strategy: null,
            candidates: [],
          }),
          actor_kind: ref.kind,
          actor_id: ref.id,
          assigned_at: toDbTime(now),
        };
        await insertAssignment(trx, row);
        // A person decided: a lead held after repeated rejections may be routed again.
        await updateContactRow(trx, contactId, {
          owner_id: input.userId,
          needs_review: false,
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'lead.reassigned',
          occurredAt: now,
          actor: ref,
          subject: { type: 'contact', id: contactId },
          payload: { from: contact.owner_id, to: input.userId, reason: input.reason },
        });
        await queueWebhooks(trx, [
          webhookEvent('lead.assigned', now, {
            contactId,
            assignmentId: row.id,
            ownerId: input.userId,
            previousOwnerId: contact.owner_id,
            kind: 'manual',
            reason: input.reason,
          }),
        ]);
        const by = who.kind === 'user' ? await findUserById(trx, who.userId) : undefined;
        await queueLeadAssigned({
          trx,
          now,
          links: engine.links,
          assignmentId: row.id,
          contact,
          userId: input.userId,
          by: { kind: 'manual', byName: by?.name ?? null, reason: input.reason },
        });
        await startClocksForAssignment({
          trx,
          contact,
          assignmentId: row.id,
          userId: input.userId,
          now,
          calendars: engine.calendars,
        });
        return { assignment: toAssignment(row), changed: true };
      });
      if (changed)
        events.publish([
          { type: 'lead.assigned', contactId, userId: input.userId, at: now },
          { type: 'outbox.queued', count: 1, at: now },
        ]);
      return assignment;
    },

    /** Routes a lead that entered `mql` and has no routing decision since; null when it has one. */
    async routeIfWaiting(actor: Actor | null, contactId: string): Promise<Assignment | null> {
      const who = authorize(actor, 'leads.route');
      return routeNow({ db, actor: who, contactId, mode: 'if_waiting', now: clock.now(), publish, engine });
    },

    /** Routes MQLs that were never routed (the process died between the MQL and its routing). */
    async routeWaiting(actor: Actor | null, limit = 100): Promise<number> {
      const who = authorize(actor, 'leads.route');
      return routeWaitingMqls({ db, actor: who, limit, clock, publish, engine });
    },

    /** Tries the leads in the unassigned queue again; returns how many found a rep. */
    async routeQueued(actor: Actor | null, limit = 200): Promise<number> {
      const who = authorize(actor, 'leads.route');
      return routeQueuedLeads({ db, actor: who, limit, clock, publish, engine });
    },

    /** Every routing decision and reassignment of a lead, oldest first: "why did I get this lead". */
    async listAssignments(actor: Actor | null, contactId: string): Promise<Assignment[]> {
      const who = authorize(actor, 'routing.read');
      const [contact, visibility] = await Promise.all([
        findContactById(db, contactId),
        loadVisibility(db, who),
      ]);
      if (!contact || !canSee(visibility, contact.owner_id)) throw createError('contacts.not_found');
      return (await findAssignmentsOfContact(db, contactId)).map(toAssignment);
    },

    /** Leads whose latest routing found no one: the queue managers work from. */
    async listUnassigned(actor: Actor | null): Promise<UnassignedLead[]> {
      authorize(actor, 'leads.route');
      return (await findUnassigned(db, 500)).map((row) => ({
        ...toAssignment(row),
        contact: {
          name: [row.first_name, row.last_name].filter(Boolean).join(' ') || null,
          email: row.email,
          company: row.company,
          stage: row.contact_stage,
        },
      }));
    },
  };
}

export type RoutingService = ReturnType<typeof createRoutingService>;
