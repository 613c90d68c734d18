import { Compile } from 'typebox/compile';
import { findUnstorableText, unstorableTextReason } from '../../../contract/text.ts';
import {
  ContactImportRow,
  outcomeSpellings,
  EventInput,
  maxPropertiesBytes,
  type IngestResponse,
} from '../../../contract/events.ts';
import type { EventResult } from '../../../contract/events.ts';
import { allowedClockSkewMs, categoryOf } from '../../../domain/capture/event-types.ts';
import { planCapture, type CaptureEvent, type CaptureOrigin } from '../../../domain/capture/plan-capture.ts';
import { decideAccountMatch } from '../../../domain/capture/match-account.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { transientConflict, uniqueViolation } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { createError, type FieldProblem } from '../shared/errors.ts';
import {
  deleteExpiredIdempotencyKeys,
  findIdempotentAnswer,
  isIdempotencyRace,
  recordIdempotentAnswer,
  type IdempotencyRequest,
  type Outcome,
} from '../shared/idempotency.ts';
import { emailHash, loadCaptureState, writeCapturePlan } from './capture.repository.ts';

/*
 * The capture engine: every event, form submission and import row goes through one path that
 * checks it, matches the person and the company, and stores touches and contacts; requests that
 * arrive together share one durable commit. Each function takes what it needs by name; the
 * service (capture.service.ts) checks the caller and the request's shape.
 */

const checkEvent = Compile(EventInput);
/** Two writers racing to create the same contact or account: the loser retries on fresh data. */
const maxAttempts = 3;

/** A validated item, ready to be planned (index and origin are added when its request is planned). */
export type CaptureFields = Omit<CaptureEvent, 'index' | 'origin'>;

export type Prepared =
  { index: number; ok: true; capture: CaptureFields } | { index: number; ok: false; errors: FieldProblem[] };

function fromEventInput(event: EventInput, at: Date): CaptureFields {
  const person: CaptureEvent['person'] = {};
  if (event.firstName !== undefined) person.first_name = event.firstName;
  if (event.lastName !== undefined) person.last_name = event.lastName;
  if (event.title !== undefined) person.title = event.title;
  if (event.phone !== undefined) person.phone = event.phone;
  if (event.country !== undefined) person.country = event.country;
  return {
    recordsTouch: true,
    clientId: event.id ?? null,
    type: event.type,
    category: categoryOf(event.type),
    at,
    email: event.email ? normalizeEmail(event.email) : null,
    externalId: null,
    attributes: null,
    outcome: null,
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

function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const path = instancePath.split('/').filter(Boolean);
  const extra = params.additionalProperties ?? params.requiredProperties;
  if (Array.isArray(extra) && extra.length > 0) path.push(String(extra[0]));
  return path.join('.');
}

export function prepare(raw: unknown, index: number, now: Date): Prepared {
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
  const unstorable = findUnstorableText(event);
  if (unstorable) errors.push({ field: unstorable.join('.') || 'event', reason: unstorableTextReason });
  if (!event.email && !event.visitorId)
    errors.push({ field: 'email', reason: 'an email or a visitorId is required' });
  const at = new Date(event.occurredAt);
  if (at.getTime() > now.getTime() + allowedClockSkewMs)
    errors.push({ field: 'occurredAt', reason: 'is in the future' });
  if (event.properties && Buffer.byteLength(JSON.stringify(event.properties)) > maxPropertiesBytes) {
    errors.push({ field: 'properties', reason: `is larger than ${maxPropertiesBytes} bytes` });
  }
  if (errors.length > 0) return { index, ok: false, errors };
  return { index, ok: true, capture: fromEventInput(event, at) };
}

function schemaErrors(
  errors: Iterable<{ keyword: string; instancePath: string; params: unknown; message: string }>,
) {
  const seen = new Map<string, FieldProblem>();
  for (const e of errors) {
    if (e.keyword === 'boolean') continue;
    const field = fieldOf(e.instancePath, e.params as Record<string, unknown>);
    const reason = e.keyword === 'additionalProperties' ? 'is not a known field' : e.message;
    if (!seen.has(field)) seen.set(field, { field, reason });
  }
  return [...seen.values()];
}

const checkContactRow = Compile(ContactImportRow);

/** A row of a contacts import: the person only, no touch. */
export function prepareContactRow(raw: unknown, index: number, now: Date): Prepared {
  if (!checkContactRow.Check(raw))
    return { index, ok: false, errors: schemaErrors(checkContactRow.Errors(raw)) };
  const unstorable = findUnstorableText(raw);
  if (unstorable)
    return { index, ok: false, errors: [{ field: unstorable.join('.'), reason: unstorableTextReason }] };
  if (raw.email === undefined && raw.externalId === undefined)
    return {
      index,
      ok: false,
      errors: [{ field: 'email', reason: 'a contact needs an email or an external id' }],
    };
  const person: CaptureEvent['person'] = {};
  if (raw.firstName !== undefined) person.first_name = raw.firstName;
  if (raw.lastName !== undefined) person.last_name = raw.lastName;
  if (raw.title !== undefined) person.title = raw.title;
  if (raw.phone !== undefined) person.phone = raw.phone;
  if (raw.country !== undefined) person.country = raw.country;
  return {
    index,
    ok: true,
    capture: {
      recordsTouch: false,
      clientId: null,
      type: 'contact_imported',
      category: 'marketing',
      at: now,
      email: raw.email === undefined ? null : normalizeEmail(raw.email),
      externalId: raw.externalId ?? null,
      attributes: raw.attributes ?? null,
      outcome: raw.outcome === undefined ? null : outcomeSpellings[raw.outcome]!,
      visitorId: null,
      userId: null,
      person,
      company: raw.company ?? null,
      channel: null,
      campaign: null,
      utm: { source: null, medium: null, campaign: null, term: null, content: null },
      url: null,
      properties: '{}',
    },
  };
}

/** One request's events waiting for the next group commit. */
export interface Job {
  prepared: Prepared[];
  origin: CaptureOrigin;
  idempotency: IdempotencyRequest | null;
  /** More writes that belong with these events, in their transaction (a form's consent record). */
  afterWrite?: (trx: Db, results: EventResult[]) => Promise<void>;
  resolve: (outcome: Outcome<IngestResponse>) => void;
  reject: (error: unknown) => void;
}

export function summarise(results: EventResult[]): IngestResponse {
  const count = (status: EventResult['status']) => results.filter((r) => r.status === status).length;
  return {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
    results,
  };
}

/** Expired idempotency keys (and the answers they keep) are swept at most this often. */
const keySweepIntervalMs = 10 * 60_000;

/** When expired idempotency keys were last swept, in this process. */
export interface KeySweep {
  last: number;
}

type Answer = { ok: true; value: Outcome<IngestResponse> } | { ok: false; error: unknown };

/**
 * Stores the events of several requests in one plan and one transaction, and answers each
 * request: a replayed key gets its first answer, a reused key its error, the rest their results.
 */
async function storeJobs({
  trx,
  sqlite,
  jobs,
  now,
  keySweep,
  announce,
}: {
  trx: Db;
  sqlite: SqliteStatements | undefined;
  jobs: readonly Job[];
  now: Date;
  keySweep: KeySweep;
  announce: DomainEvent[];
}): Promise<Answer[]> {
  if (now.getTime() - keySweep.last >= keySweepIntervalMs) {
    await deleteExpiredIdempotencyKeys(trx, now);
    keySweep.last = now.getTime();
  }
  const answers: ({ ok: true; value: Outcome<IngestResponse> } | { ok: false; error: unknown } | null)[] = [];
  const fresh: { job: Job; position: number }[] = [];
  const keysInGroup = new Map<string, number>();
  /** A later request of this group → the earlier one with the same key, whose answer it shares. */
  const sameKeyAs = new Map<number, number>();
  for (const [position, job] of jobs.entries()) {
    answers.push(null);
    if (job.idempotency) {
      const groupKey = `${job.idempotency.scope}\n${job.idempotency.key}`;
      try {
        const remembered = await findIdempotentAnswer<IngestResponse>(trx, job.idempotency, now);
        if (remembered) {
          answers[position] = { ok: true, value: remembered };
          continue;
        }
      } catch (error) {
        answers[position] = { ok: false, error };
        continue;
      }
      const earlier = keysInGroup.get(groupKey);
      if (earlier !== undefined) {
        sameKeyAs.set(position, earlier);
        continue;
      }
      keysInGroup.set(groupKey, position);
    }
    fresh.push({ job, position });
  }

  // One plan for every fresh request: events keep their order, and get a group-wide index.
  const events: CaptureEvent[] = [];
  const owner: { position: number; local: number }[] = [];
  for (const { job, position } of fresh) {
    for (const p of job.prepared) {
      if (!p.ok) continue;
      owner.push({ position, local: p.index });
      events.push({ ...p.capture, index: events.length, origin: job.origin });
    }
  }
  const state = await loadCaptureState(trx, events, emailHash, (event) => {
    const match = decideAccountMatch(event.email, event.company);
    return match.kind === 'domain'
      ? { domain: match.domain }
      : match.kind === 'company'
        ? { nameKey: match.normalizedName }
        : {};
  });
  const plan = planCapture(events, state, { now, newId });
  await writeCapturePlan(trx, sqlite, plan, now);
  for (const contact of plan.newContacts) {
    announce.push({
      type: 'contact.created',
      contactId: contact.id,
      touchId: contact.leadTouchId,
      at: now,
    });
  }
  for (const touch of plan.touches) {
    announce.push({
      type: 'touch.recorded',
      touchId: touch.id,
      contactId: touch.contactId,
      eventType: touch.event.type,
      category: touch.event.category,
      occurredAt: touch.event.at,
    });
  }

  const outcomesByPosition = new Map<number, Map<number, EventResult>>();
  for (const outcome of plan.outcomes) {
    const { position, local } = owner[outcome.index]!;
    const map = outcomesByPosition.get(position) ?? new Map<number, EventResult>();
    map.set(local, { ...outcome, index: local });
    outcomesByPosition.set(position, map);
  }
  for (const { job, position } of fresh) {
    const results = job.prepared.map((p): EventResult =>
      p.ok
        ? outcomesByPosition.get(position)!.get(p.index)!
        : { index: p.index, status: 'rejected', errors: p.errors },
    );
    if (job.afterWrite) await job.afterWrite(trx, results);
    const answer = { status: 200, body: summarise(results) };
    if (job.idempotency) await recordIdempotentAnswer(trx, job.idempotency, answer, now);
    answers[position] = { ok: true, value: { ...answer, replayed: false } };
  }
  // A later request with a key the group already answered gets that answer, or the reuse error.
  return jobs.map((job, position) => {
    const answer = answers[position];
    if (answer) return answer;
    const earlier = sameKeyAs.get(position)!;
    if (job.idempotency!.requestHash !== jobs[earlier]!.idempotency!.requestHash) {
      return { ok: false, error: createError('idempotency.key_reused') };
    }
    const first = answers[earlier]!;
    return first.ok ? { ok: true, value: { ...first.value, replayed: true } } : first;
  });
}

/**
 * Stores the jobs of a group in one transaction and answers each; retried on fresh data when
 * another writer got in first. One job's failure never fails the others: they are tried alone.
 */
export async function commitCaptureJobs({
  db,
  sqlite,
  jobs,
  clock,
  keySweep,
  publish,
}: {
  db: Db;
  sqlite?: SqliteStatements | undefined;
  jobs: readonly Job[];
  clock: Clock;
  keySweep: KeySweep;
  publish: (events: readonly DomainEvent[]) => void;
}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const announce: DomainEvent[] = [];
      const now = clock.now();
      const store = (trx: Db) => storeJobs({ trx, sqlite, jobs, now, keySweep, announce });
      // On a SQLite file the group's callers are answered once the log is synced, off this
      // thread, while the next group is already being written.
      const { value: answers, durable } = sqlite?.transactionSyncedLater
        ? await sqlite.transactionSyncedLater(store)
        : { value: await db.transaction().execute(store), durable: Promise.resolve() };
      void durable.then(
        () => {
          publish(announce);
          for (const [i, job] of jobs.entries()) {
            const answer = answers[i]!;
            if (answer.ok) job.resolve(answer.value);
            else job.reject(answer.error);
          }
        },
        (error: unknown) => {
          for (const job of jobs) job.reject(error);
        },
      );
      return;
    } catch (error) {
      // Another instance created the same contact, account, client id or key first, or PostgreSQL
      // broke a deadlock with another writer by ending this transaction: nothing of it is stored,
      // so it is safe to do it again; the second time sees their rows.
      if (
        attempt < maxAttempts &&
        (uniqueViolation(error) || isIdempotencyRace(error) || transientConflict(error))
      )
        continue;
      if (jobs.length > 1) {
        // One request's problem must not fail the others: answer each on its own.
        for (const job of jobs)
          await commitCaptureJobs({ db, sqlite, jobs: [job], clock, keySweep, publish });
        return;
      }
      for (const job of jobs) job.reject(error);
      return;
    }
  }
}
