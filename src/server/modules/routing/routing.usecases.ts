import type { Message } from '../../../contract/common.ts';
import type { Assignment } from '../../../contract/routing.ts';
import type { Actor } from '../../../domain/access/roles.ts';
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
import type { Pool } from '../../../contract/routing.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { AssignmentsTable, ContactRow } from '../../db/tables.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import { findAccountById, findDomainsByAccounts } from '../accounts/accounts.repository.ts';
import {
  findContactForUpdate,
  findLatestConsent,
  updateContactRow,
} from '../contacts/contacts.repository.ts';
import {
  queueLeadAssigned,
  queueUnassignedAlert,
  wasAlerted,
  type Links,
} from '../notifications/notifications.usecases.ts';
import { findContactScore } from '../scoring/scoring.repository.ts';
import { actorRef } from '../shared/access.ts';
import { createError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';
import { followUpRecords, startClocksForAssignment, type CalendarCache } from '../sla/sla.usecases.ts';
import {
  advancePoolTurn,
  countAssignments,
  findAssignmentsOfContact,
  findPoolById,
  findPoolMembers,
  findRoutingPeople,
  findLatestRejecter,
  findRoutingSettings,
  findRules,
  findUnassigned,
  findWaitingMqls,
  insertAssignment,
  markQueueRetried,
} from './routing.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { Assignment as AssignmentSchema, RoutingRule } from '../../../contract/routing.ts';
import { StoredAttributes } from '../../../contract/contacts.ts';
import { Nullable } from '../../../contract/common.ts';
import { Type } from 'typebox';

const RuleConditions = RoutingRule.properties.conditions;
/** A pool's smooth weighted round-robin state: each member's current weight. */
const TurnState = Nullable(Type.Record(Type.String(), Type.Number()));

/*
 * The routing engine: where a lead goes and why (the account's owner, a rule, the fallback pool,
 * a rep by the pool's strategy), stored with its reasons, the rep told and the SLA's clocks
 * started in the same transaction. Each function takes what it needs by name; pools, rules and
 * settings are in routing.service.ts.
 */

const dayMs = 86_400_000;
/** Balancing compares leads per day over this many days. */
const periodDays = 30;

/** Each rep's follow-up record for the performance factor (the SLA's, unless a test gives one). */
export type RecordsOf = (input: {
  conn: Db;
  userIds: readonly string[];
  now: Date;
}) => Promise<Map<string, { measured: number; met: number } | null>>;

/**
 * `always` (by hand), `if_waiting` (an automatic trigger routes an MQL once), `from_queue` (a lead
 * in the unassigned queue is tried again; a second "no one" is not stored again).
 */
export type RouteMode = 'always' | 'if_waiting' | 'from_queue';

/** What routing is run with, besides the store and the instant. */
export interface RoutingEngine {
  links: Links;
  calendars: CalendarCache;
  recordsOf?: RecordsOf;
}

/** The explanation as stored: the contract's, with the messages it is rendered from. */
type StoredExplanation = Assignment['explanation'] & { because: Message; reasonMessage?: Message };

export type AssignmentRow = Awaited<ReturnType<typeof findAssignmentsOfContact>>[number];

export function toAssignment(row: Omit<AssignmentRow, 'retried_at' | 'queue_closed_at'>): Assignment {
  // The stored explanation also keeps the messages (since 2026-12); older rows get theirs from
  // the kind and the English text Baton wrote then.
  const {
    because,
    reasonMessage,
    ...explanation
  }: Assignment['explanation'] & { because?: Message; reasonMessage?: Message } = readJson(
    AssignmentSchema.properties.explanation,
    row.explanation,
    'assignments.explanation',
  );
  return {
    id: row.id,
    contactId: row.contact_id,
    userId: row.user_id,
    kind: row.kind,
    poolId: row.pool_id,
    ruleId: row.rule_id,
    reason: row.reason,
    because: because ?? legacyBecause(row.kind, explanation.route),
    reasonMessage: reasonMessage ?? legacyReasonMessage(row.reason),
    explanation,
    actor: { kind: row.actor_kind, id: row.actor_id },
    assignedAt: fromDbTime(row.assigned_at).toISOString(),
  };
}

/** How a lead was routed, for an assignment stored before the messages were. */
function legacyBecause(kind: AssignmentRow['kind'], route: string): Message {
  const rule = /^rule "(.*)"/.exec(route)?.[1];
  const nobodyNow = route.endsWith('; no one there could take it now');
  const held = /^held for a person to route: Sales rejected it (\d+) times/.exec(route);
  const consent =
    /^not routed: the person withdrew consent to sales contact \((.*), (\d{4}-\d\d-\d\d)\)$/.exec(route);
  if (held) return { code: 'held', params: { rejections: Number(held[1]) } };
  if (consent) return { code: 'no_consent', params: { source: consent[1]!, date: consent[2]! } };
  if (rule !== undefined) return { code: nobodyNow ? 'rule_nobody_now' : 'rule', params: { rule } };
  if (route.startsWith('no rule matched: the fallback pool'))
    return { code: nobodyNow ? 'fallback_nobody_now' : 'fallback', params: {} };
  if (kind === 'manual') return { code: 'manual', params: {} };
  if (kind === 'owner') return { code: 'owner', params: {} };
  return { code: 'unassigned', params: {} };
}

function legacyReasonMessage(reason: string | null): Message | null {
  const missed = reason && /^SLA missed \((\w+)\)$/.exec(reason);
  return missed ? { code: 'sla_missed', params: { target: missed[1]! } } : null;
}

/** How a lead was routed, as a code with parameters for the reader's language. */
function routeBecause(decision: RouteDecision, ruleName: string | undefined, nobodyNow: boolean): Message {
  switch (decision.kind) {
    case 'owner':
      return { code: 'owner', params: {} };
    case 'rule':
      return { code: nobodyNow ? 'rule_nobody_now' : 'rule', params: { rule: ruleName ?? decision.ruleId } };
    case 'fallback':
      return { code: nobodyNow ? 'fallback_nobody_now' : 'fallback', params: {} };
    case 'unassigned':
      return { code: 'unassigned', params: {} };
  }
}

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

/** Everything about the people in a pool that the choice needs, now. */
async function candidatesFor({
  conn,
  members,
  now,
  performanceAware,
  recordsOf,
  rejecter = null,
}: {
  conn: Db;
  /** The rep who sent this lead back last time, to be skipped; null when no one is. */
  rejecter?: string | null;
  members: {
    user_id: string;
    weight: number;
    cap_per_day: number | null;
    cap_per_week: number | null;
    joined_at: Date | string;
  }[];
  now: Date;
  performanceAware: boolean;
  recordsOf: RecordsOf;
}): Promise<Candidate[]> {
  const ids = members.map((m) => m.user_id);
  const people = await findRoutingPeople(conn, ids, now);
  const records = performanceAware ? await recordsOf({ conn, userIds: ids, now }) : new Map<string, null>();
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
      rejectedThisLead: m.user_id === rejecter,
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

/** The facts routing rules test about a lead and its account (as scoring names them, plus grade and source). */
export async function factsOfLead(conn: Db, contact: ContactRow) {
  const account = contact.account_id ? await findAccountById(conn, contact.account_id) : undefined;
  const domains = account ? (await findDomainsByAccounts(conn, [account.id])).get(account.id) : undefined;
  const score = await findContactScore(conn, contact.id);
  const attributes = readJson(StoredAttributes, contact.attributes, 'contacts.attributes') ?? {};
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
  return { account, facts };
}

/**
 * Where a lead would go now, and why, without storing anything: the owner, a rule, the fallback
 * pool or no one, the rep chosen, every candidate's verdict, and the pool's next turn.
 */
export async function decideLead({
  conn,
  contact,
  now,
  exclude = new Set(),
  recordsOf = followUpRecords,
}: {
  conn: Db;
  contact: ContactRow;
  now: Date;
  exclude?: ReadonlySet<string>;
  recordsOf?: RecordsOf;
}) {
  const { account, facts } = await factsOfLead(conn, contact);

  const settings = await findRoutingSettings(conn);
  const rules = await findRules(conn);
  // The rep who just sent this lead back does not get it again (an owner of its account still does).
  const rejecter = settings.skipRejectingRep ? await findLatestRejecter(conn, contact.id) : null;
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
      conditions: readJson(RuleConditions, r.conditions, 'routing_rules.conditions'),
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
      current: readJson(TurnState, pool.turn_state, 'routing_pools.turn_state') ?? {},
    };
    choice = chooseRep(
      { strategy: pool.strategy, performanceAware: aware },
      await candidatesFor({
        conn,
        members: members.filter((m) => !exclude.has(m.user_id)),
        now,
        performanceAware: aware,
        recordsOf,
        rejecter,
      }),
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
      await candidatesFor({
        conn,
        members: exclude.has(single.user_id) ? [] : [single],
        now,
        performanceAware: false,
        recordsOf,
        rejecter,
      }),
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
      because: routeBecause(route, ruleName, userId === null && choice?.kind === 'none'),
      strategy,
      candidates: choice?.candidates ?? [],
      performance: aware ? { formula: performanceFactorFormula, ...performanceFactorRule } : null,
    } satisfies StoredExplanation,
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
      because: { code: 'held', params: { rejections: Number(contact.rejection_count) } },
      strategy: null,
      candidates: [],
      performance: null,
    } satisfies StoredExplanation,
  };
}

/** Not routed: the person withdrew their consent to be contacted by Sales. */
function consentHold(source: string, at: Date) {
  return {
    ...holdFor({ rejection_count: 0 } as ContactRow),
    explanation: {
      route: `not routed: the person withdrew consent to sales contact (${source}, ${at.toISOString().slice(0, 10)})`,
      because: { code: 'no_consent', params: { source, date: at.toISOString().slice(0, 10) } },
      strategy: null,
      candidates: [],
      performance: null,
    } satisfies StoredExplanation,
  };
}

/**
 * Routes a lead now and stores the decision with its reasons, and queues the email that tells the
 * rep (or, with no one eligible, the alert to the managers) in the caller's transaction; the rep's
 * SLA clocks start in it too. What to announce after the commit goes to `announced`.
 */
export async function routeLead({
  trx,
  actor,
  contactId,
  mode,
  exclude = new Set(),
  reason = null,
  reasonMessage = null,
  announced,
  now,
  links,
  calendars,
  recordsOf = followUpRecords,
}: {
  trx: Db;
  actor: Actor;
  contactId: string;
  mode: RouteMode;
  exclude?: ReadonlySet<string>;
  reason?: string | null;
  /** The reason as a message, when Baton gave it. */
  reasonMessage?: Message | null;
  announced: DomainEvent[];
  now: Date;
  links: Links;
  calendars: CalendarCache;
  recordsOf?: RecordsOf;
}): Promise<Assignment | null> {
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
  // A person who withdrew consent to be contacted by Sales is routed to no one, whoever asks.
  const consent = await findLatestConsent(trx, contactId, 'sales_contact');
  const decision =
    consent?.status === 'withdrawn'
      ? consentHold(consent.source, fromDbTime(consent.occurred_at))
      : held && mode === 'if_waiting'
        ? holdFor(contact)
        : await decideLead({ conn: trx, contact, now, exclude, recordsOf });
  const { userId, kind } = decision;
  if (held && mode === 'always')
    await updateContactRow(trx, contactId, { needs_review: false, updated_at: toDbTime(now) });
  if (userId === null && queued) {
    // Still no one: back of the queue's turn. The managers hear of it once per stay in the queue,
    // once it needs them.
    if (mode === 'from_queue') await markQueueRetried(trx, queued.id, now);
    if (
      needsAttention(decision.explanation.candidates, decision.hadTarget) &&
      !(await wasAlerted({ trx, contactId, since: fromDbTime(queued.assigned_at) }))
    ) {
      const alerted = await queueUnassignedAlert({
        trx,
        now,
        links,
        assignmentId: queued.id,
        contact,
        candidates: decision.explanation.candidates,
        hadTarget: decision.hadTarget,
      });
      if (alerted > 0) announced.push({ type: 'outbox.queued', count: alerted, at: now });
    }
    return null;
  }
  const ref = actorRef(actor);
  const row = {
    id: newId(),
    contact_id: contactId,
    user_id: userId,
    kind,
    pool_id: decision.poolId,
    rule_id: decision.ruleId,
    reason,
    explanation: JSON.stringify({ ...decision.explanation, ...(reasonMessage && { reasonMessage }) }),
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
  await queueWebhooks(trx, [
    webhookEvent('lead.assigned', now, {
      contactId,
      assignmentId: row.id,
      ownerId: userId,
      previousOwnerId: contact.owner_id,
      kind: reason !== null && mode === 'always' && userId !== null ? 'reassigned' : kind,
      reason,
    }),
  ]);
  if (userId !== null) {
    await queueLeadAssigned({
      trx,
      now,
      links,
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
    await startClocksForAssignment({ trx, contact, assignmentId: row.id, userId, now, calendars });
    announced.push(
      { type: 'lead.assigned', contactId, userId, at: now },
      { type: 'outbox.queued', count: 1, at: now },
    );
  } else {
    announced.push({ type: 'lead.unassigned', contactId, at: now });
    if (held || needsAttention(decision.explanation.candidates, decision.hadTarget)) {
      const alerted = await queueUnassignedAlert({
        trx,
        now,
        links,
        assignmentId: row.id,
        contact,
        candidates: decision.explanation.candidates,
        hadTarget: decision.hadTarget,
        ...(held && { heldAfterRejections: Number(contact.rejection_count) }),
      });
      if (alerted > 0) announced.push({ type: 'outbox.queued', count: alerted, at: now });
    }
  }
  // The pool's turn moves last: on PostgreSQL its row stays locked until the commit, and every
  // other lead of the pool waits for it (issue 27's scale-out profile), so it is held for the
  // commit only, not for the clocks, emails and webhooks above. Still only if no other decision
  // moved it since it was read.
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
  return toAssignment(row);
}

/** Routes a lead in a transaction of its own, and announces what happened once it is committed. */
export async function routeNow({
  db,
  actor,
  contactId,
  mode,
  now,
  publish,
  engine,
}: {
  db: Db;
  actor: Actor;
  contactId: string;
  mode: RouteMode;
  now: Date;
  publish: (events: readonly DomainEvent[]) => void;
  engine: RoutingEngine;
}): Promise<Assignment | null> {
  const announced: DomainEvent[] = [];
  const assignment = await db
    .transaction()
    .execute((trx) => routeLead({ trx, actor, contactId, mode, announced, now, ...engine }));
  publish(announced);
  return assignment;
}

/**
 * Gives a lead to the next eligible rep after an SLA miss, never to the rep who missed, in the
 * sweeper's transaction. With no one else eligible the lead joins the unassigned queue and the
 * managers hear of it.
 */
export async function reassignAfterMiss({
  trx,
  contactId,
  missedBy,
  missedTarget,
  now,
  engine,
}: {
  trx: Db;
  contactId: string;
  missedBy: string | null;
  /** The follow-up target that was missed, such as first_response. */
  missedTarget: string;
  now: Date;
  engine: RoutingEngine;
}): Promise<{ userId: string | null; announced: DomainEvent[] }> {
  const announced: DomainEvent[] = [];
  const assignment = await routeLead({
    trx,
    actor: { kind: 'cli' },
    contactId,
    mode: 'always',
    exclude: new Set(missedBy ? [missedBy] : []),
    reason: `SLA missed (${missedTarget})`,
    reasonMessage: { code: 'sla_missed', params: { target: missedTarget } },
    announced,
    now,
    ...engine,
  });
  return { userId: assignment?.userId ?? null, announced };
}

/** Routes MQLs that were never routed (the process died between the MQL and its routing). */
export async function routeWaitingMqls({
  db,
  actor,
  limit = 100,
  clock,
  publish,
  engine,
}: {
  db: Db;
  actor: Actor;
  limit?: number;
  clock: { now(): Date };
  publish: (events: readonly DomainEvent[]) => void;
  engine: RoutingEngine;
}): Promise<number> {
  let routed = 0;
  for (const contactId of await findWaitingMqls(db, limit))
    if (await routeNow({ db, actor, contactId, mode: 'if_waiting', now: clock.now(), publish, engine }))
      routed++;
  return routed;
}

/**
 * Tries the leads in the unassigned queue again (someone's working day began, an absence or a
 * day's cap ended), and alerts the managers of those that still need a person. Returns how many
 * found a rep.
 */
export async function routeQueuedLeads({
  db,
  actor,
  limit = 200,
  clock,
  publish,
  engine,
}: {
  db: Db;
  actor: Actor;
  limit?: number;
  clock: { now(): Date };
  publish: (events: readonly DomainEvent[]) => void;
  engine: RoutingEngine;
}): Promise<number> {
  let routed = 0;
  for (const row of await findUnassigned(db, limit, { forRetry: true }))
    if (
      await routeNow({
        db,
        actor,
        contactId: row.contact_id,
        mode: 'from_queue',
        now: clock.now(),
        publish,
        engine,
      })
    )
      routed++;
  return routed;
}
