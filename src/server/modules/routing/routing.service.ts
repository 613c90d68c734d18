import type {
  Assignment,
  UnassignedLead,
  CreatePoolBody,
  Pool,
  ReassignBody,
  RoutePreview,
  ReplaceRulesBody,
  RoutingRule,
  RoutingSettings,
  UpdatePoolBody,
} from '../../../contract/routing.ts';
import { canRoute, canSee, type Actor } from '../../../domain/access/roles.ts';
import { emailDomain } from '../../../domain/capture/match-account.ts';
import {
  chooseRep,
  performanceFactor,
  performanceFactorFormula,
  performanceFactorRule,
  type Candidate,
  type CandidateVerdict,
  type PoolState,
  type RepChoice,
} from '../../../domain/routing/choose-rep.ts';
import { decideRoute, type RouteDecision } from '../../../domain/routing/decide-route.ts';
import {
  isWithinWorkingHours,
  startOfLocalDay,
  startOfLocalWeek,
  type WorkingHours,
} from '../../../domain/routing/working-hours.ts';
import type { Condition } from '../../../domain/scoring/score-contact.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbJson, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { AssignmentsTable, ContactRow } from '../../db/tables.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import { findAccountById, findDomainsByAccounts } from '../accounts/accounts.repository.ts';
import { findContactById, findContactForUpdate, updateContactRow } from '../contacts/contacts.repository.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { findContactScore } from '../scoring/scoring.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { findUserById } from '../users/users.repository.ts';
import {
  advancePoolTurn,
  countAssignments,
  findAssignmentsOfContact,
  findPoolById,
  findPoolMembers,
  findPools,
  findRoutingPeople,
  findRoutingSettings,
  findRules,
  findUnassigned,
  markQueueRetried,
  findWaitingMqls,
  insertAssignment,
  insertPool,
  replacePoolMembers,
  replaceRules,
  updatePoolRow,
  updateRoutingSettings,
} from './routing.repository.ts';

const dayMs = 86_400_000;
/** Balancing compares leads per day over this many days. */
const periodDays = 30;

/**
 * A rep's follow-up record for the performance factor. The SLA issue supplies it; until then every
 * rep has none, so every factor is 1.
 */
export interface FollowUpRecords {
  /** Read on `conn`: routing asks inside its transaction (on SQLite, the only connection). */
  recordsOf(
    userIds: readonly string[],
    conn: Db,
  ): Promise<Map<string, { measured: number; met: number } | null>>;
}
export const noFollowUpRecords: FollowUpRecords = { recordsOf: async () => new Map() };

const poolNotFound = (field?: string) =>
  field ? fieldError('routing.pool_not_found', field, 'no such pool') : createError('routing.pool_not_found');

type AssignmentRow = Awaited<ReturnType<typeof findAssignmentsOfContact>>[number];

function toAssignment(row: Omit<AssignmentRow, 'retried_at'>): Assignment {
  return {
    id: row.id,
    contactId: row.contact_id,
    userId: row.user_id,
    kind: row.kind,
    poolId: row.pool_id,
    ruleId: row.rule_id,
    reason: row.reason,
    explanation: fromDbJson(row.explanation) as Assignment['explanation'],
    actor: { kind: row.actor_kind, id: row.actor_id },
    assignedAt: fromDbTime(row.assigned_at).toISOString(),
  };
}

/** Members as stored, in the order given (turns and ties follow it). */
const memberRows = (members: CreatePoolBody['members']) =>
  members.map((m, position) => ({
    user_id: m.userId,
    position,
    weight: m.weight ?? 1,
    cap_per_day: m.capPerDay ?? null,
    cap_per_week: m.capPerWeek ?? null,
  }));

function describeRoute(decision: RouteDecision, ruleName: string | undefined): string {
  switch (decision.kind) {
    case 'owner':
      return "the account's owner keeps the account";
    case 'rule':
      return `rule "${ruleName ?? decision.ruleId}"`;
    case 'fallback':
      return 'no rule matched: the fallback pool';
    case 'unassigned':
      return 'no rule matched and there is no fallback pool';
  }
}

/**
 * A lead no one could take only because nobody in reach is at work now will be routed when
 * someone starts: that needs no manager. Anything else (everyone absent, inactive or full, or
 * nowhere to go) does.
 */
function needsAttention(candidates: readonly CandidateVerdict[], hadTarget: boolean): boolean {
  return !hadTarget || !candidates.some((c) => c.skipped === 'outside_hours');
}

/** Told of every assignment to a person, in its transaction: the SLA starts its clocks here. */
export interface AssignmentListener {
  onAssigned(trx: Db, input: { contact: ContactRow; assignmentId: string; userId: string }): Promise<void>;
}
const noListener: AssignmentListener = { onAssigned: async () => undefined };

export function createRoutingService(
  deps: ServiceDeps,
  notifications: NotificationsService,
  followUp: FollowUpRecords = noFollowUpRecords,
  assignments: AssignmentListener = noListener,
) {
  const { db, clock, events } = deps;

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

  /** Everything about the people in a pool that the choice needs, now. */
  async function candidatesFor(
    conn: Db,
    members: {
      user_id: string;
      weight: number;
      cap_per_day: number | null;
      cap_per_week: number | null;
      joined_at: Date | string;
    }[],
    now: Date,
    performanceAware: boolean,
  ): Promise<Candidate[]> {
    const ids = members.map((m) => m.user_id);
    const people = await findRoutingPeople(conn, ids, now);
    const records = performanceAware ? await followUp.recordsOf(ids, conn) : new Map<string, null>();
    const periodStart = new Date(now.getTime() - periodDays * dayMs);
    // Caps count in each rep's own day and week: one query per time zone in the pool.
    const byZone = new Map<string, string[]>();
    for (const id of ids) {
      const zone = people.get(id)?.timeZone ?? 'UTC';
      byZone.set(zone, [...(byZone.get(zone) ?? []), id]);
    }
    const counts = new Map<string, { today: number; thisWeek: number; inPeriod: number }>();
    for (const [zone, zoneIds] of byZone) {
      const since = {
        day: startOfLocalDay(zone, now),
        week: startOfLocalWeek(zone, now),
        period: periodStart,
      };
      for (const [id, c] of await countAssignments(conn, zoneIds, since)) counts.set(id, c);
    }
    return members.map((m) => {
      const person = people.get(m.user_id);
      const joined = fromDbTime(m.joined_at).getTime();
      return {
        userId: m.user_id,
        isActive: person?.isActive ?? false,
        isAbsent: person?.isAbsent ?? false,
        isWithinHours: person
          ? isWithinWorkingHours(person.workingHours as WorkingHours, person.timeZone, now)
          : false,
        weight: Number(m.weight),
        caps: { perDay: m.cap_per_day, perWeek: m.cap_per_week },
        assigned: counts.get(m.user_id) ?? { today: 0, thisWeek: 0, inPeriod: 0 },
        daysInPeriod: Math.min(
          periodDays,
          Math.max(1, (now.getTime() - Math.max(joined, periodStart.getTime())) / dayMs),
        ),
        factor: performanceFactor(records.get(m.user_id) ?? null),
        record: records.get(m.user_id) ?? null,
      };
    });
  }

  /**
   * Routes a lead now: to its account's owner, the first matching rule's pool or user, or the
   * fallback pool, and within a pool to a rep by its strategy. The decision, every candidate and
   * why each was skipped are stored with the assignment; with no one eligible the lead waits in
   * the unassigned queue. `onlyIfWaiting`: an automatic trigger routes an MQL once.
   */
  /**
   * Where a lead would go now, and why, without storing anything: the owner, a rule, the fallback
   * pool or no one, the rep chosen, every candidate's verdict, and the pool's next turn.
   */
  async function decide(conn: Db, contact: ContactRow, now: Date, exclude: ReadonlySet<string> = new Set()) {
    const account = contact.account_id ? await findAccountById(conn, contact.account_id) : undefined;
    const domains = account ? (await findDomainsByAccounts(conn, [account.id])).get(account.id) : undefined;
    const score = await findContactScore(conn, contact.id);
    const attributes = (fromDbJson(contact.attributes) ?? {}) as Record<string, string>;
    const facts: Record<string, string | number | null> = {};
    for (const [name, value] of Object.entries(attributes)) facts[`attributes.${name}`] = value;
    Object.assign(facts, {
      email: contact.email,
      emailDomain: contact.email ? emailDomain(contact.email) : null,
      title: contact.title,
      country: contact.country,
      source: contact.original_source,
      latestSource: contact.latest_source,
      grade: score?.grade ?? null,
      'account.name': account?.name ?? null,
      'account.industry': account?.industry ?? null,
      'account.employeeCount': account?.employee_count ?? null,
      'account.country': account?.country ?? null,
      'account.domain': domains?.[0] ?? null,
    });

    const settings = await findRoutingSettings(conn);
    const rules = await findRules(conn);
    let owner: { userId: string; isAvailable: boolean } | null = null;
    if (account?.owner_id) {
      const person = (await findRoutingPeople(conn, [account.owner_id], now)).get(account.owner_id);
      owner = {
        userId: account.owner_id,
        isAvailable:
          !exclude.has(account.owner_id) &&
          !!person &&
          person.isActive &&
          !person.isAbsent &&
          isWithinWorkingHours(person.workingHours as WorkingHours, person.timeZone, now),
      };
    }
    const route = decideRoute({
      accountOwner: owner,
      ownershipFirst: settings.ownershipFirst,
      rules: rules.map((r) => ({
        id: r.id,
        label: r.name,
        conditions: fromDbJson(r.conditions) as Condition[],
        target: r.target_pool_id
          ? { kind: 'pool', poolId: r.target_pool_id }
          : { kind: 'user', userId: r.target_user_id! },
      })),
      fallbackPoolId: settings.fallbackPoolId,
      facts,
    });

    let choice: RepChoice | null = null;
    let strategy: Pool['strategy'] | null = null;
    let poolName: string | null = null;
    let aware = false;
    let turn: { poolId: string; from: PoolState; to: PoolState } | null = null;
    const target =
      route.kind === 'rule'
        ? route.target
        : route.kind === 'fallback'
          ? { kind: 'pool' as const, poolId: route.poolId }
          : null;
    if (target?.kind === 'pool') {
      const pool = (await findPoolById(conn, target.poolId))!;
      strategy = pool.strategy;
      poolName = pool.name;
      const members = await findPoolMembers(conn, [pool.id]);
      aware = fromDbBool(pool.is_performance_aware);
      const state: PoolState = {
        lastUserId: pool.last_user_id,
        current: (fromDbJson(pool.turn_state) ?? {}) as Record<string, number>,
      };
      choice = chooseRep(
        { strategy: pool.strategy, performanceAware: aware },
        await candidatesFor(
          conn,
          members.filter((m) => !exclude.has(m.user_id)),
          now,
          aware,
        ),
        state,
      );
      if (choice.kind === 'chosen') turn = { poolId: pool.id, from: state, to: choice.state };
    } else if (target?.kind === 'user') {
      const single = {
        user_id: target.userId,
        weight: 1,
        cap_per_day: null,
        cap_per_week: null,
        joined_at: now.toISOString(),
      };
      choice = chooseRep(
        { strategy: 'round_robin', performanceAware: false },
        await candidatesFor(conn, exclude.has(single.user_id) ? [] : [single], now, false),
        { lastUserId: null, current: {} },
      );
    }

    const userId = route.kind === 'owner' ? route.userId : choice?.kind === 'chosen' ? choice.userId : null;
    const kind: AssignmentsTable['kind'] =
      userId === null ? 'unassigned' : route.kind === 'unassigned' ? 'unassigned' : route.kind;
    const ruleName = route.kind === 'rule' ? rules.find((r) => r.id === route.ruleId)?.name : undefined;
    return {
      userId,
      kind,
      poolId: target?.kind === 'pool' ? target.poolId : null,
      poolName,
      ruleId: route.kind === 'rule' ? route.ruleId : null,
      ruleName: ruleName ?? null,
      hadTarget: route.kind === 'owner' || target !== null,
      turn,
      explanation: {
        route:
          userId === null && choice?.kind === 'none'
            ? `${describeRoute(route, ruleName)}; no one there could take it now`
            : describeRoute(route, ruleName),
        strategy,
        candidates: choice?.candidates ?? [],
        performance: aware ? { formula: performanceFactorFormula, ...performanceFactorRule } : null,
      } satisfies Assignment['explanation'],
    };
  }

  /** The decision for a lead held for a person after repeated rejections: no one, and why. */
  function holdFor(contact: ContactRow) {
    return {
      userId: null,
      kind: 'unassigned' as const,
      poolId: null,
      poolName: null,
      ruleId: null,
      ruleName: null,
      hadTarget: false,
      turn: null,
      explanation: {
        route: `held for a person to route: Sales rejected it ${Number(contact.rejection_count)} times`,
        strategy: null,
        candidates: [],
        performance: null,
      } satisfies Assignment['explanation'],
    };
  }

  /**
   * Routes a lead now and stores the decision with its reasons, and queues the email that tells
   * the rep (or, with no one eligible, the alert to the managers) in the same transaction. Modes:
   * `always` (by hand), `if_waiting` (an automatic trigger routes an MQL once), `from_queue` (a
   * lead in the unassigned queue is tried again; a second "no one" is not stored again).
   */
  async function route(
    who: Actor,
    contactId: string,
    mode: 'always' | 'if_waiting' | 'from_queue',
  ): Promise<Assignment | null> {
    const announced: DomainEvent[] = [];
    const assignment = await db
      .transaction()
      .execute((trx) => routeIn(trx, who, contactId, mode, announced, { exclude: new Set(), reason: null }));
    events.publish(announced);
    return assignment;
  }

  /** Routing inside the caller's transaction; what to announce after the commit goes to `announced`. */
  async function routeIn(
    trx: Db,
    who: Actor,
    contactId: string,
    mode: 'always' | 'if_waiting' | 'from_queue',
    announced: DomainEvent[],
    options: { exclude: ReadonlySet<string>; reason: string | null },
  ): Promise<Assignment | null> {
    const now = clock.now();
    const contact = await findContactForUpdate(trx, contactId);
    if (!contact) throw createError('contacts.not_found');
    let queued: AssignmentRow | undefined;
    if (mode !== 'always') {
      const history = await findAssignmentsOfContact(trx, contactId);
      const since = fromDbTime(contact.stage_entered_at).getTime();
      if (mode === 'if_waiting') {
        if (contact.stage !== 'mql') return null;
        if (history.some((a) => fromDbTime(a.assigned_at).getTime() >= since)) return null;
      } else {
        // Still in the queue: the latest decision found no one, and the lead has not moved on
        // (recycled, say) since.
        queued = history.at(-1);
        if (queued?.kind !== 'unassigned' || fromDbTime(queued.assigned_at).getTime() < since) return null;
      }
    }
    // A lead Sales rejected as often as the ping-pong limit waits in the queue for a person.
    const held = fromDbBool(contact.needs_review);
    if (held && mode === 'from_queue') return null;
    const decision =
      held && mode === 'if_waiting' ? holdFor(contact) : await decide(trx, contact, now, options.exclude);
    const { userId, kind } = decision;
    if (held && mode === 'always')
      await updateContactRow(trx, contactId, { needs_review: false, updated_at: toDbTime(now) });
    if (userId === null && queued) {
      // Still no one: back of the queue's turn. The managers hear of it once per stay in the queue,
      // once it needs them.
      if (mode === 'from_queue') await markQueueRetried(trx, queued.id, now);
      if (
        needsAttention(decision.explanation.candidates, decision.hadTarget) &&
        !(await notifications.wasAlerted(trx, contactId, fromDbTime(queued.assigned_at)))
      ) {
        const alerted = await notifications.queueUnassignedAlert(trx, {
          assignmentId: queued.id,
          contact,
          candidates: decision.explanation.candidates,
          hadTarget: decision.hadTarget,
        });
        if (alerted > 0) announced.push({ type: 'outbox.queued', count: alerted, at: now });
      }
      return null;
    }
    if (decision.turn)
      await advancePoolTurn(
        trx,
        decision.turn.poolId,
        {
          lastUserId: decision.turn.from.lastUserId,
          turnState: JSON.stringify(decision.turn.from.current),
        },
        { lastUserId: decision.turn.to.lastUserId, turnState: JSON.stringify(decision.turn.to.current) },
      );
    const ref = actorRef(who);
    const row = {
      id: newId(),
      contact_id: contactId,
      user_id: userId,
      kind,
      pool_id: decision.poolId,
      rule_id: decision.ruleId,
      reason: options.reason,
      explanation: JSON.stringify(decision.explanation),
      actor_kind: ref.kind,
      actor_id: ref.id,
      assigned_at: toDbTime(now),
    };
    await insertAssignment(trx, row);
    if (userId !== null && userId !== contact.owner_id)
      await updateContactRow(trx, contactId, { owner_id: userId, updated_at: toDbTime(now) });
    await insertEvent(trx, {
      type: userId === null ? 'lead.unassigned' : 'lead.assigned',
      occurredAt: now,
      actor: ref,
      subject: { type: 'contact', id: contactId },
      payload: { userId, kind, poolId: decision.poolId, ruleId: decision.ruleId },
    });
    if (userId !== null) {
      await notifications.queueLeadAssigned(trx, {
        assignmentId: row.id,
        contact,
        userId,
        by:
          kind === 'owner'
            ? { kind: 'owner' }
            : kind === 'rule'
              ? { kind: 'rule', ruleName: decision.ruleName ?? '', poolName: decision.poolName }
              : { kind: 'fallback', poolName: decision.poolName },
      });
      await assignments.onAssigned(trx, { contact, assignmentId: row.id, userId });
      announced.push(
        { type: 'lead.assigned', contactId, userId, at: now },
        { type: 'outbox.queued', count: 1, at: now },
      );
    } else {
      announced.push({ type: 'lead.unassigned', contactId, at: now });
      if (held || needsAttention(decision.explanation.candidates, decision.hadTarget)) {
        const alerted = await notifications.queueUnassignedAlert(trx, {
          assignmentId: row.id,
          contact,
          candidates: decision.explanation.candidates,
          hadTarget: decision.hadTarget,
          ...(held && { heldAfterRejections: Number(contact.rejection_count) }),
        });
        if (alerted > 0) announced.push({ type: 'outbox.queued', count: alerted, at: now });
      }
    }
    return toAssignment(row);
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

  return {
    async listPools(actor: Actor | null): Promise<Pool[]> {
      authorize(actor, 'routing.read');
      return presentPools(db);
    },

    async createPool(actor: Actor | null, input: CreatePoolBody): Promise<Pool> {
      authorize(actor, 'routing.write');
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
          return (await presentPools(trx, [id]))[0]!;
        },
        () => fieldError('routing.pool_name_taken', 'name', 'a pool with this name exists'),
      );
    },

    async updatePool(actor: Actor | null, id: string, input: UpdatePoolBody): Promise<Pool> {
      authorize(actor, 'routing.write');
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
        conditions: fromDbJson(r.conditions) as RoutingRule['conditions'],
        target: r.target_pool_id ? { poolId: r.target_pool_id } : { userId: r.target_user_id! },
      }));
    },

    /** Replaces the ordered list of rules: the first that matches a lead wins. */
    async replaceRules(actor: Actor | null, input: ReplaceRulesBody): Promise<RoutingRule[]> {
      authorize(actor, 'routing.write');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        for (const [i, rule] of input.rules.entries())
          if ('poolId' in rule.target && !(await findPoolById(trx, rule.target.poolId)))
            throw poolNotFound(`rules.${i}.target.poolId`);
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
      });
      return this.getRules(actor);
    },

    async getSettings(actor: Actor | null): Promise<RoutingSettings> {
      authorize(actor, 'routing.read');
      return findRoutingSettings(db);
    },

    async updateSettings(
      actor: Actor | null,
      input: { ownershipFirst?: boolean; fallbackPoolId?: string | null },
    ): Promise<RoutingSettings> {
      authorize(actor, 'routing.write');
      if (input.fallbackPoolId && !(await findPoolById(db, input.fallbackPoolId)))
        throw poolNotFound('fallbackPoolId');
      await updateRoutingSettings(
        db,
        {
          ...(input.ownershipFirst !== undefined && { is_ownership_first: input.ownershipFirst }),
          ...(input.fallbackPoolId !== undefined && { fallback_pool_id: input.fallbackPoolId }),
        },
        clock.now(),
      );
      return findRoutingSettings(db);
    },

    /** Where a lead would go now, and why, without routing it: for checking rules and pools. */
    async previewRoute(actor: Actor | null, contactId: string): Promise<RoutePreview> {
      const contact = await findRoutable(authorize(actor, 'leads.route'), contactId);
      const { userId, kind, poolId, ruleId, explanation } = await decide(db, contact, clock.now());
      return { contactId, userId, kind, poolId, ruleId, explanation };
    },

    /** Routes a lead now, by hand (a manager) or from an integration. */
    async routeContact(actor: Actor | null, contactId: string): Promise<Assignment> {
      const who = authorize(actor, 'leads.route');
      await findRoutable(who, contactId);
      return (await route(who, contactId, 'always'))!;
    },

    /**
     * Gives a lead to another rep, by hand, with a reason on record. A manager may reassign the
     * leads of their team, to an active member of it; an admin any lead to any active user.
     */
    async reassign(actor: Actor | null, contactId: string, input: ReassignBody): Promise<Assignment> {
      const who = authorize(actor, 'leads.route');
      const now = clock.now();
      const assignment = await db.transaction().execute(async (trx) => {
        const visibility = await loadVisibility(trx, who);
        const contact = await findContactById(trx, contactId);
        if (!contact || !canSee(visibility, contact.owner_id)) throw createError('contacts.not_found');
        const target = (await findRoutingPeople(trx, [input.userId], now)).get(input.userId);
        if (
          !target?.isActive ||
          (visibility.kind === 'owned_by' && !visibility.userIds.includes(input.userId))
        )
          throw fieldError('routing.invalid_assignee', 'userId', 'not an active member of your team');
        const ref = actorRef(who);
        const row = {
          id: newId(),
          contact_id: contactId,
          user_id: input.userId,
          kind: 'manual' as const,
          pool_id: null,
          rule_id: null,
          reason: input.reason,
          explanation: JSON.stringify({ route: 'reassigned by hand', strategy: null, candidates: [] }),
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
        const by = who.kind === 'user' ? await findUserById(trx, who.userId) : undefined;
        await notifications.queueLeadAssigned(trx, {
          assignmentId: row.id,
          contact,
          userId: input.userId,
          by: { kind: 'manual', byName: by?.name ?? null, reason: input.reason },
        });
        await assignments.onAssigned(trx, { contact, assignmentId: row.id, userId: input.userId });
        return toAssignment(row);
      });
      events.publish([
        { type: 'lead.assigned', contactId, userId: input.userId, at: now },
        { type: 'outbox.queued', count: 1, at: now },
      ]);
      return assignment;
    },

    /**
     * Gives a lead to the next eligible rep after an SLA miss, never to the rep who missed, in the
     * sweeper's transaction (the SLA issue). With no one else eligible the lead joins the
     * unassigned queue and the managers hear of it.
     */
    async reassignAfterMiss(
      trx: Db,
      input: { contactId: string; missedBy: string | null; reason: string },
    ): Promise<{ userId: string | null; announced: DomainEvent[] }> {
      const announced: DomainEvent[] = [];
      const assignment = await routeIn(trx, { kind: 'cli' }, input.contactId, 'always', announced, {
        exclude: new Set(input.missedBy ? [input.missedBy] : []),
        reason: input.reason,
      });
      return { userId: assignment?.userId ?? null, announced };
    },

    /** Routes a lead that entered `mql` and has no routing decision since; null when it has one. */
    async routeIfWaiting(actor: Actor | null, contactId: string): Promise<Assignment | null> {
      return route(authorize(actor, 'leads.route'), contactId, 'if_waiting');
    },

    /** Routes MQLs that were never routed (the process died between the MQL and its routing). */
    async routeWaiting(actor: Actor | null, limit = 100): Promise<number> {
      const who = authorize(actor, 'leads.route');
      let routed = 0;
      for (const id of await findWaitingMqls(db, limit)) if (await route(who, id, 'if_waiting')) routed++;
      return routed;
    },

    /**
     * Tries the leads in the unassigned queue again (someone's working day began, an absence or a
     * day's cap ended), and alerts the managers of those that still need a person. Returns how
     * many found a rep.
     */
    async routeQueued(actor: Actor | null, limit = 200): Promise<number> {
      const who = authorize(actor, 'leads.route');
      let routed = 0;
      for (const row of await findUnassigned(db, limit, { forRetry: true }))
        if (await route(who, row.contact_id, 'from_queue')) routed++;
      return routed;
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
