import type { IngestResponse } from '../../../contract/events.ts';
import type { EventResult } from '../../../contract/events.ts';
import { maxEventsPerBatch } from '../../../contract/events.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import type { CaptureOrigin } from '../../../domain/capture/plan-capture.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import { idempotencyRequest, type Outcome } from '../shared/idempotency.ts';
import { commitCaptureJobs, prepare, type Job, type KeySweep, type Prepared } from './capture.usecases.ts';

/** Requests merged into one group commit, at most. */
const maxJobsPerGroup = 256;

/**
 * Capture's entry points: the events API (with its request shape and idempotency), imports and
 * Baton's own forms, all through one group commit into the capture engine (capture.usecases.ts).
 */
export function createCaptureService(deps: ServiceDeps) {
  const { db, clock } = deps;
  const publish = (announced: readonly DomainEvent[]) => deps.events.publish(announced);
  const queue: Job[] = [];
  let flushing = false;
  const keySweep: KeySweep = { last: Number.NEGATIVE_INFINITY };

  /**
   * Group commit: requests that arrive while a transaction is being written wait and then share
   * the next one, so many small requests cost a few durable commits. Each is answered only once
   * its transaction is durable. A lone request waits one turn of the event loop, no more.
   */
  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0)
        await commitCaptureJobs({
          db,
          sqlite: deps.sqlite,
          jobs: queue.splice(0, maxJobsPerGroup),
          clock,
          keySweep,
          publish,
        });
    } finally {
      flushing = false;
    }
  }

  function enqueue(job: Omit<Job, 'resolve' | 'reject'>): Promise<Outcome<IngestResponse>> {
    return new Promise((resolve, reject) => {
      queue.push({ ...job, resolve, reject });
      // Start on the next turn of the event loop, so requests that arrive together go together.
      if (!flushing) {
        flushing = true;
        setImmediate(() => void flush());
      }
    });
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
      const ref = actorRef(who);
      const origin: CaptureOrigin = {
        actor: ref,
        sourceKind,
        defaultUserId: who.kind === 'user' ? who.userId : null,
      };
      const idempotency = idempotencyRequest(who, idempotencyKey, 'POST', '/api/v1/events', body);
      const outcome = await enqueue({ prepared, origin, idempotency });
      // A single event refused by the rules (an erased person, an unknown user) is a 400, like an invalid one.
      const only = outcome.body.results[0];
      if (!isBatch && only?.status === 'rejected') {
        throw createError(
          'http.validation_failed',
          only.errors?.map((e) => `${e.field} ${e.reason}`).join('; '),
          only.errors?.map((e) => ({ field: `body.${e.field}`, reason: e.reason })),
        );
      }
      return outcome;
    },

    /** Stores already-checked items (an import chunk) through the group commit; answers each item. */
    async ingestPrepared(
      origin: CaptureOrigin,
      prepared: Prepared[],
    ): Promise<(EventResult & { created?: boolean })[]> {
      const outcome = await enqueue({ prepared, origin, idempotency: null });
      return outcome.body.results;
    },

    /**
     * For Baton's own public entry points (forms, tracking), which check their caller themselves:
     * stores one event through the same path, with `afterWrite` in the same transaction.
     */
    async ingestFrom(
      origin: CaptureOrigin,
      event: unknown,
      afterWrite?: Job['afterWrite'],
    ): Promise<EventResult> {
      const prepared = prepare(event, 0, clock.now());
      if (!prepared.ok) {
        throw createError(
          'http.validation_failed',
          prepared.errors.map((e) => `${e.field} ${e.reason}`).join('; '),
          prepared.errors,
        );
      }
      const outcome = await enqueue({
        prepared: [prepared],
        origin,
        idempotency: null,
        ...(afterWrite && { afterWrite }),
      });
      return outcome.body.results[0]!;
    },
  };
}

export type CaptureService = ReturnType<typeof createCaptureService>;
