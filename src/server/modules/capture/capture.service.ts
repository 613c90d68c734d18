import { Compile } from 'typebox/compile';
import {
  EventInput,
  maxEventsPerBatch,
  maxPropertiesBytes,
  type IngestResponse,
} from '../../../contract/events.ts';
import type { EventResult } from '../../../contract/events.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { decideSourceUpdate } from '../../../domain/capture/decide-sources.ts';
import { categoryOf, type EventCategory } from '../../../domain/capture/event-types.ts';
import { decideAccountMatch } from '../../../domain/capture/match-account.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { fromDbTimeOrNull, toDbTime, uniqueViolation } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { hashToken } from '../../platform/secrets.ts';
import { insertAccount, replaceAccountDomains } from '../accounts/accounts.repository.ts';
import { insertContact, insertStageChange } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, type FieldProblem } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { idempotencyRequest, runIdempotent, type Outcome } from '../shared/idempotency.ts';
import {
  claimVisitorTouches,
  findAccountIdByDomain,
  findAccountIdByNameKey,
  findContactsForCapture,
  findSuppressedHashes,
  findTouchIdsByClientIds,
  insertTouchpoint,
  updateContactForCapture,
} from './capture.repository.ts';

const checkEvent = Compile(EventInput);
/** Clients' clocks drift; an event may claim a time this far in the future. */
const allowedClockSkewMs = 5 * 60_000;
/** Two writers racing to create the same contact or account: the loser retries on fresh data. */
const maxAttempts = 3;

type Prepared =
  | { index: number; ok: true; event: EventInput; email: string | null; category: EventCategory; at: Date }
  | { index: number; ok: false; errors: FieldProblem[] };

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

interface KnownContact {
  id: string;
  originalAt: Date | null;
  latestAt: Date | null;
  blanks: Set<'first_name' | 'last_name' | 'title' | 'phone' | 'country'>;
}

export function createCaptureService(deps: ServiceDeps) {
  const { db, clock } = deps;

  async function resolveAccount(
    trx: Db,
    email: string,
    company: string | undefined,
    at: Date,
  ): Promise<string | null> {
    const match = decideAccountMatch(email, company ?? null);
    if (match.kind === 'none') return null;
    const existing =
      match.kind === 'domain'
        ? await findAccountIdByDomain(trx, match.domain)
        : await findAccountIdByNameKey(trx, match.normalizedName);
    if (existing) return existing;
    const id = newId();
    const name = company?.trim() || (match.kind === 'domain' ? match.domain : match.name);
    await insertAccount(trx, {
      id,
      name,
      name_key: match.kind === 'company' ? match.normalizedName : null,
      created_at: toDbTime(at),
      updated_at: toDbTime(at),
    });
    if (match.kind === 'domain') await replaceAccountDomains(trx, id, [match.domain]);
    return id;
  }

  /** Stores the valid events of one request, in the caller's transaction, and answers each item. */
  async function store(
    trx: Db,
    who: Actor,
    prepared: Prepared[],
    sourceKind: string,
  ): Promise<EventResult[]> {
    const now = clock.now();
    const ref = actorRef(who);
    const valid = prepared.filter((p): p is Extract<Prepared, { ok: true }> => p.ok);
    const clientIds = valid.flatMap((p) => (p.event.id ? [p.event.id] : []));
    const emails = [...new Set(valid.flatMap((p) => (p.email ? [p.email] : [])))];
    const userIds = [...new Set(valid.flatMap((p) => (p.event.userId ? [p.event.userId] : [])))];

    const [knownIds, suppressed, contactRows, users] = await Promise.all([
      findTouchIdsByClientIds(trx, clientIds),
      findSuppressedHashes(trx, emails.map(emailHash)),
      findContactsForCapture(trx, emails),
      userIds.length === 0
        ? Promise.resolve([])
        : trx.selectFrom('users').select('id').where('id', 'in', userIds).execute(),
    ]);
    const existingUsers = new Set(users.map((u) => u.id));
    const contacts = new Map<string, KnownContact>(
      contactRows.map((c) => [
        c.email,
        {
          id: c.id,
          originalAt: fromDbTimeOrNull(c.original_touch_at),
          latestAt: fromDbTimeOrNull(c.latest_touch_at),
          blanks: new Set(
            (['first_name', 'last_name', 'title', 'phone', 'country'] as const).filter((k) => c[k] === null),
          ),
        },
      ]),
    );

    const results: EventResult[] = [];
    for (const item of prepared) {
      if (!item.ok) {
        results.push({ index: item.index, status: 'rejected', errors: item.errors });
        continue;
      }
      const { event, email, category, at } = item;
      const known = event.id ? knownIds.get(event.id) : undefined;
      if (known) {
        results.push({ index: item.index, status: 'duplicate', touchId: known });
        continue;
      }
      if (email && suppressed.has(emailHash(email))) {
        results.push({
          index: item.index,
          status: 'rejected',
          errors: [{ field: 'email', reason: 'this person was erased; Baton does not store them again' }],
        });
        continue;
      }
      if (event.userId && !existingUsers.has(event.userId)) {
        results.push({
          index: item.index,
          status: 'rejected',
          errors: [{ field: 'userId', reason: 'no such user' }],
        });
        continue;
      }

      const touchId = newId();
      let contact = email ? contacts.get(email) : undefined;
      let created = false;
      if (email && !contact) {
        const id = newId();
        const accountId = await resolveAccount(trx, email, event.company, now);
        await insertContact(trx, {
          id,
          email,
          first_name: event.firstName ?? null,
          last_name: event.lastName ?? null,
          title: event.title ?? null,
          phone: event.phone ?? null,
          country: event.country ?? null,
          account_id: accountId,
          owner_id: null,
          stage: 'lead',
          stage_entered_at: toDbTime(at < now ? at : now),
          consent_status: 'unknown',
          is_opted_out: false,
          lead_touch_id: touchId,
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        await insertStageChange(trx, {
          id: newId(),
          contact_id: id,
          from_stage: null,
          to_stage: 'lead',
          occurred_at: toDbTime(at < now ? at : now),
          recorded_at: toDbTime(now),
          actor_kind: ref.kind,
          actor_id: ref.id,
          actor_label: `capture:${event.type}`,
          reason_code: null,
          note: null,
          agreement_version: null,
        });
        await insertEvent(trx, {
          type: 'contact.created',
          occurredAt: now,
          actor: ref,
          subject: { type: 'contact', id },
          payload: { via: sourceKind, touchId, accountId },
        });
        contact = { id, originalAt: null, latestAt: null, blanks: new Set() };
        contacts.set(email, contact);
        created = true;
      }

      await insertTouchpoint(trx, {
        id: touchId,
        client_event_id: event.id ?? null,
        type: event.type,
        category,
        occurred_at: toDbTime(at),
        received_at: toDbTime(now),
        contact_id: contact?.id ?? null,
        visitor_id: event.visitorId ?? null,
        user_id: event.userId ?? (category === 'sales' && who.kind === 'user' ? who.userId : null),
        channel: event.channel ?? null,
        campaign: event.campaign ?? null,
        utm_source: event.utm?.source ?? null,
        utm_medium: event.utm?.medium ?? null,
        utm_campaign: event.utm?.campaign ?? null,
        utm_term: event.utm?.term ?? null,
        utm_content: event.utm?.content ?? null,
        url: event.url ?? null,
        properties: JSON.stringify(event.properties ?? {}),
        is_lead_creating: created,
        source_kind: sourceKind,
        source_id: ref.id,
      });
      if (event.id) knownIds.set(event.id, touchId);

      if (contact) {
        // The visitor's anonymous history joins the contact, and may hold its true first touch.
        const claimed = event.visitorId ? await claimVisitorTouches(trx, event.visitorId, contact.id) : [];
        const candidates = [
          ...claimed.map((t) => ({
            id: t.id,
            at: new Date(t.occurred_at),
            category: t.category as EventCategory,
            channel: t.channel,
            campaign: t.campaign,
          })),
          { id: touchId, at, category, channel: event.channel ?? null, campaign: event.campaign ?? null },
        ];
        const patch: Parameters<typeof updateContactForCapture>[2] = {};
        for (const touch of candidates) {
          const decision = decideSourceUpdate(contact, touch);
          if (decision.original) {
            Object.assign(patch, {
              original_touch_id: touch.id,
              original_touch_at: toDbTime(touch.at),
              original_source: touch.channel,
              original_campaign: touch.campaign,
            });
            contact.originalAt = touch.at;
          }
          if (decision.latest) {
            Object.assign(patch, {
              latest_touch_id: touch.id,
              latest_touch_at: toDbTime(touch.at),
              latest_source: touch.channel,
              latest_campaign: touch.campaign,
            });
            contact.latestAt = touch.at;
          }
        }
        // Known facts are never overwritten by an event; blanks are filled.
        const fill = {
          first_name: event.firstName,
          last_name: event.lastName,
          title: event.title,
          phone: event.phone,
          country: event.country,
        };
        for (const [column, value] of Object.entries(fill) as [keyof typeof fill, string | undefined][]) {
          if (value !== undefined && contact.blanks.has(column)) {
            Object.assign(patch, { [column]: value });
            contact.blanks.delete(column);
          }
        }
        if (Object.keys(patch).length > 0)
          await updateContactForCapture(trx, contact.id, { ...patch, updated_at: toDbTime(now) });
      }

      await insertEvent(trx, {
        type: 'touch.recorded',
        occurredAt: at,
        actor: ref,
        subject: { type: 'touch', id: touchId },
        payload: { type: event.type, contactId: contact?.id ?? null, visitorId: event.visitorId ?? null },
      });
      results.push({
        index: item.index,
        status: 'accepted',
        touchId,
        ...(contact && { contactId: contact.id }),
      });
    }
    return results;
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
