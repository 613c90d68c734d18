import { Compile } from 'typebox/compile';
import {
  EventInput,
  maxEventsPerBatch,
  maxPropertiesBytes,
  type IngestResponse,
} from '../../../contract/events.ts';
import type { EventResult } from '../../../contract/events.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { categoryOf, type EventCategory } from '../../../domain/capture/event-types.ts';
import { planCapture, type CaptureEvent } from '../../../domain/capture/plan-capture.ts';
import { decideAccountMatch } from '../../../domain/capture/match-account.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { uniqueViolation } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { hashToken } from '../../platform/secrets.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, type FieldProblem } from '../shared/errors.ts';
import { idempotencyRequest, runIdempotent, type Outcome } from '../shared/idempotency.ts';
import { loadCaptureState, writeCapturePlan } from './capture.repository.ts';

const checkEvent = Compile(EventInput);
/** Clients' clocks drift; an event may claim a time this far in the future. */
const allowedClockSkewMs = 5 * 60_000;
/** Two writers racing to create the same contact or account: the loser retries on fresh data. */
const maxAttempts = 3;

type Prepared =
  | { index: number; ok: true; event: EventInput; email: string | null; category: EventCategory; at: Date }
  | { index: number; ok: false; errors: FieldProblem[] };

function toCaptureEvent(p: Extract<Prepared, { ok: true }>): CaptureEvent {
  const { event } = p;
  const person: CaptureEvent['person'] = {};
  if (event.firstName !== undefined) person.first_name = event.firstName;
  if (event.lastName !== undefined) person.last_name = event.lastName;
  if (event.title !== undefined) person.title = event.title;
  if (event.phone !== undefined) person.phone = event.phone;
  if (event.country !== undefined) person.country = event.country;
  return {
    index: p.index,
    clientId: event.id ?? null,
    type: event.type,
    category: p.category,
    at: p.at,
    email: p.email,
    visitorId: event.visitorId ?? null,
    userId: event.userId ?? null,
    person,
    company: event.company ?? null,
    channel: event.channel ?? null,
    campaign: event.campaign ?? null,
    utm: {
      source: event.utm?.source ?? null,
      medium: event.utm?.medium ?? null,
      campaign: event.utm?.campaign ?? null,
      term: event.utm?.term ?? null,
      content: event.utm?.content ?? null,
    },
    url: event.url ?? null,
    properties: JSON.stringify(event.properties ?? {}),
  };
}

/** Suppressions are kept as hashes, so an erased address is not stored again, not even in the list. */
export function emailHash(email: string): string {
  return hashToken(`email:${normalizeEmail(email)}`);
}

function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const path = instancePath.split('/').filter(Boolean);
  const extra = params.additionalProperties ?? params.requiredProperties;
  if (Array.isArray(extra) && extra.length > 0) path.push(String(extra[0]));
  return path.join('.');
}

function prepare(raw: unknown, index: number, now: Date): Prepared {
  if (!checkEvent.Check(raw)) {
    const seen = new Map<string, FieldProblem>();
    for (const e of checkEvent.Errors(raw)) {
      if (e.keyword === 'boolean') continue;
      const field = fieldOf(e.instancePath, e.params);
      const reason = e.keyword === 'additionalProperties' ? 'is not a known field' : e.message;
      if (!seen.has(field)) seen.set(field, { field, reason });
    }
    // In a batch answer, an error about the item as a whole names the item.
    return {
      index,
      ok: false,
      errors: [...seen.values()].map((e) => (e.field ? e : { ...e, field: 'event' })),
    };
  }
  const event = raw;
  const errors: FieldProblem[] = [];
  if (!event.email && !event.visitorId)
    errors.push({ field: 'email', reason: 'an email or a visitorId is required' });
  const at = new Date(event.occurredAt);
  if (at.getTime() > now.getTime() + allowedClockSkewMs)
    errors.push({ field: 'occurredAt', reason: 'is in the future' });
  if (event.properties && Buffer.byteLength(JSON.stringify(event.properties)) > maxPropertiesBytes) {
    errors.push({ field: 'properties', reason: `is larger than ${maxPropertiesBytes} bytes` });
  }
  if (errors.length > 0) return { index, ok: false, errors };
  return {
    index,
    ok: true,
    event,
    email: event.email ? normalizeEmail(event.email) : null,
    category: categoryOf(event.type),
    at,
  };
}

export function createCaptureService(deps: ServiceDeps) {
  const { db, clock } = deps;

  /** Stores the valid events of one request, in the caller's transaction, and answers each item. */
  async function store(
    trx: Db,
    who: Actor,
    prepared: Prepared[],
    sourceKind: string,
  ): Promise<EventResult[]> {
    const now = clock.now();
    const events = prepared.flatMap((p) => (p.ok ? [toCaptureEvent(p)] : []));
    const state = await loadCaptureState(trx, events, emailHash, (event) => {
      const match = decideAccountMatch(event.email, event.company);
      return match.kind === 'domain'
        ? { domain: match.domain }
        : match.kind === 'company'
          ? { nameKey: match.normalizedName }
          : {};
    });
    const plan = planCapture(events, state, { now, newId });
    await writeCapturePlan(trx, plan, {
      now,
      actor: actorRef(who),
      sourceKind,
      defaultUserId: who.kind === 'user' ? who.userId : null,
    });
    const outcomes = new Map(plan.outcomes.map((o) => [o.index, o]));
    return prepared.map((p): EventResult =>
      p.ok ? outcomes.get(p.index)! : { index: p.index, status: 'rejected', errors: p.errors },
    );
  }

  function summarise(results: EventResult[]): IngestResponse {
    const count = (status: EventResult['status']) => results.filter((r) => r.status === status).length;
    return {
      accepted: count('accepted'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      results,
    };
  }

  return {
    /**
     * Takes one event or a batch. A single invalid event is a 400; in a batch every item is
     * answered on its own and the valid ones are stored.
     */
    async ingest(
      actor: Actor | null,
      body: unknown,
      idempotencyKey: string | undefined,
      sourceKind = 'api',
    ): Promise<Outcome<IngestResponse>> {
      const who = authorize(actor, 'events.write');
      const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
      let items: unknown[];
      if (isBatch) {
        const events = body.events;
        const extra = Object.keys(body).filter((k) => k !== 'events');
        if (
          !Array.isArray(events) ||
          events.length === 0 ||
          events.length > maxEventsPerBatch ||
          extra.length > 0
        ) {
          throw createError('http.validation_failed', 'events: must be a list of 1 to 1000 events', [
            extra.length > 0
              ? { field: `body.${extra[0]}`, reason: 'is not a known field' }
              : { field: 'body.events', reason: `must be a list of 1 to ${maxEventsPerBatch} events` },
          ]);
        }
        items = events;
      } else {
        items = [body];
      }
      const now = clock.now();
      const prepared = items.map((raw, index) => prepare(raw, index, now));
      const single = prepared[0]!;
      if (!isBatch && !single.ok) {
        throw createError(
          'http.validation_failed',
          single.errors.map((e) => `${e.field} ${e.reason}`).join('; '),
          single.errors.map((e) => ({
            field: e.field === 'event' ? 'body' : `body.${e.field}`,
            reason: e.reason,
          })),
        );
      }
      const idempotency = idempotencyRequest(who, idempotencyKey, 'POST', '/api/v1/events', body);
      for (let attempt = 1; ; attempt++) {
        try {
          return await runIdempotent(db, clock, idempotency, async (trx) => ({
            status: 200,
            body: summarise(await store(trx, who, prepared, sourceKind)),
          }));
        } catch (error) {
          // Another writer created the same contact, account or client id first: do it again on fresh data.
          if (attempt >= maxAttempts || !uniqueViolation(error)) throw error;
        }
      }
    },
  };
}

export type CaptureService = ReturnType<typeof createCaptureService>;
