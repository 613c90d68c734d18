import { randomBytes } from 'node:crypto';
import type { CreateFormBody, Form, UpdateFormBody } from '../../../contract/forms.ts';
import { formTargets } from '../../../contract/forms.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import type { CaptureOrigin } from '../../../domain/capture/plan-capture.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { FormRow, NewFormRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import type { CaptureService } from '../capture/capture.service.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { AppError, createError, type FieldProblem } from '../shared/errors.ts';
import { channelOf } from '../../../domain/capture/channel.ts';
import { insertEvent } from '../shared/events.repository.ts';
import {
  findAllowedOrigins,
  findFormById,
  findFormByKey,
  findForms,
  grantConsentUnlessOptedOut,
  insertConsentRecord,
  insertForm,
  updateFormRow,
} from './forms.repository.ts';
import { formSnippet } from './forms.snippet.ts';

type Target = (typeof formTargets)[number];

const defaultMapping = Object.fromEntries(formTargets.map((t) => [t, t])) as Record<string, Target>;
/** A channel for an event, left out when there is none. */
const withChannel = (channel: string | null) => (channel ? { channel: channel.slice(0, 100) } : {});
const truthy = new Set(['on', 'yes', 'true', '1', 'checked']);
const visitorIdPattern = /^[A-Za-z0-9_-]{8,64}$/;
const originsTtlMs = 30_000;

export function toForm(row: FormRow): Form {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    eventType: row.event_type,
    // Forms made before visitors' targets were narrowed may still name an import's externalId or
    // outcome: those fields are left out of the form (and its embed code) from now on.
    fieldMapping: Object.fromEntries(
      Object.entries(JSON.parse(row.field_mapping) as Record<string, string>).filter(([, target]) =>
        (formTargets as readonly string[]).includes(target),
      ),
    ) as Record<string, Target>,
    consentText:
      row.consent_text_en && row.consent_text_nl
        ? { en: row.consent_text_en, nl: row.consent_text_nl }
        : null,
    redirectUrl: row.redirect_url,
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    isActive: fromDbBool(row.is_active),
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

/** What a browser sent: form fields are strings (or lists of strings for repeated names). */
export type Submission = Record<string, unknown>;

export interface SubmissionContext {
  origin: string | undefined;
  referer: string | undefined;
}

function text(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof first !== 'string' && typeof first !== 'number' && typeof first !== 'boolean') return undefined;
  const trimmed = String(first).trim();
  return trimmed === '' ? undefined : trimmed;
}

export function createFormsService(deps: ServiceDeps, capture: CaptureService) {
  const { db, clock } = deps;

  // Every tracked page view checks its origin; the list changes only when forms are edited, so it
  // is read at most every 30 s (at once after an edit on this instance).
  let origins: { set: Set<string>; readAt: number } | undefined;
  const allowedOrigins = async () => {
    const now = clock.now().getTime();
    if (!origins || now - origins.readAt > originsTtlMs)
      origins = { set: await findAllowedOrigins(db), readAt: now };
    return origins.set;
  };

  async function get(id: string): Promise<FormRow> {
    const row = await findFormById(db, id);
    if (!row) throw createError('forms.not_found');
    return row;
  }

  return {
    async listForms(actor: Actor | null): Promise<Form[]> {
      authorize(actor, 'forms.read');
      return (await findForms(db)).map(toForm);
    },

    async getForm(actor: Actor | null, id: string): Promise<Form> {
      authorize(actor, 'forms.read');
      return toForm(await get(id));
    },

    async createForm(actor: Actor | null, input: CreateFormBody): Promise<Form> {
      const who = authorize(actor, 'forms.write');
      const now = toDbTime(clock.now());
      const row: FormRow & NewFormRow = {
        id: newId(),
        key: randomBytes(9).toString('base64url'),
        name: input.name.trim(),
        event_type: input.eventType ?? 'form_submitted',
        field_mapping: JSON.stringify(input.fieldMapping ?? defaultMapping),
        consent_text_en: input.consentText?.en ?? null,
        consent_text_nl: input.consentText?.nl ?? null,
        redirect_url: input.redirectUrl ?? null,
        allowed_origins: JSON.stringify(input.allowedOrigins ?? []),
        is_active: true,
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await insertForm(trx, row);
        await insertEvent(trx, {
          type: 'form.created',
          occurredAt: clock.now(),
          actor: actorRef(who),
          subject: { type: 'form', id: row.id },
          payload: { name: row.name },
        });
      });
      origins = undefined;
      return toForm(row);
    },

    async updateForm(actor: Actor | null, id: string, input: UpdateFormBody): Promise<Form> {
      const who = authorize(actor, 'forms.write');
      await get(id);
      await db.transaction().execute(async (trx) => {
        await updateFormRow(trx, id, {
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.isActive !== undefined && { is_active: input.isActive }),
          ...(input.eventType !== undefined && { event_type: input.eventType }),
          ...(input.fieldMapping !== undefined && { field_mapping: JSON.stringify(input.fieldMapping) }),
          ...(input.consentText !== undefined && {
            consent_text_en: input.consentText?.en ?? null,
            consent_text_nl: input.consentText?.nl ?? null,
          }),
          ...(input.redirectUrl !== undefined && { redirect_url: input.redirectUrl }),
          ...(input.allowedOrigins !== undefined && {
            allowed_origins: JSON.stringify(input.allowedOrigins),
          }),
          updated_at: toDbTime(clock.now()),
        });
        await insertEvent(trx, {
          type: 'form.updated',
          occurredAt: clock.now(),
          actor: actorRef(who),
          subject: { type: 'form', id },
          payload: { fields: Object.keys(input) },
        });
      });
      origins = undefined;
      return toForm(await get(id));
    },

    async snippet(actor: Actor | null, id: string, baseUrl: string, language: 'en' | 'nl'): Promise<string> {
      authorize(actor, 'forms.read');
      return formSnippet(toForm(await get(id)), baseUrl, language);
    },

    /** The active form behind a public key, or "not found". */
    async publicForm(key: string): Promise<Form> {
      const row = await findFormByKey(db, key);
      if (!row || !fromDbBool(row.is_active)) throw createError('forms.not_found');
      return toForm(row);
    },

    /**
     * A post from a website to an active form (from `publicForm`). A filled honeypot is answered like a success and stored nowhere. The
     * consent checkbox is kept with the text the visitor saw and the time, in the same transaction
     * as the submission.
     */
    async submitForm(
      form: Form,
      fields: Submission,
      context: SubmissionContext,
    ): Promise<{ stored: boolean }> {
      if (context.origin && form.allowedOrigins.length > 0 && !form.allowedOrigins.includes(context.origin)) {
        throw createError('forms.origin_not_allowed');
      }
      if (text(fields.website)) return { stored: false };

      const mapped: Partial<Record<Target, string>> = {};
      const mappedNames = new Set<string>();
      for (const [name, target] of Object.entries(form.fieldMapping)) {
        const value = text(fields[name]);
        mappedNames.add(name);
        if (value !== undefined) mapped[target] = value;
      }
      if (!mapped.email) {
        const emailField = Object.entries(form.fieldMapping).find(([, t]) => t === 'email')?.[0] ?? 'email';
        throw createError('forms.email_required', undefined, [
          { field: `body.${emailField}`, reason: 'is required' },
        ]);
      }
      const reserved = new Set(['website', 'consent', 'baton_visitor_id', 'baton_page', 'baton_language']);
      const extra = Object.fromEntries(
        Object.entries(fields)
          .filter(([name]) => !mappedNames.has(name) && !reserved.has(name) && !name.startsWith('utm_'))
          .slice(0, 50)
          .map(([name, value]) => [name.slice(0, 100), text(value)?.slice(0, 1000) ?? null]),
      );
      const consented = form.consentText !== null && truthy.has(text(fields.consent)?.toLowerCase() ?? '');
      const language = text(fields.baton_language) === 'nl' ? 'nl' : 'en';
      const visitorId = text(fields.baton_visitor_id);
      const page = text(fields.baton_page) ?? context.referer;
      // The campaign tags of the page the form is on: its hidden utm_* fields, else the page's own
      // address (a form without the tracking script, or posted before consent, still has them).
      const pageParams = page && /^https?:\/\//.test(page) ? URL.parse(page)?.searchParams : undefined;
      const utm = Object.fromEntries(
        (['source', 'medium', 'campaign', 'term', 'content'] as const).flatMap((k) => {
          const value = text(fields[`utm_${k}`]) ?? text(pageParams?.get(`utm_${k}`) ?? undefined);
          return value ? [[k, value.slice(0, 200)]] : [];
        }),
      );
      const now = clock.now();
      const event = {
        type: form.eventType,
        occurredAt: now.toISOString(),
        ...mapped,
        ...(visitorId && visitorIdPattern.test(visitorId) && { visitorId }),
        ...(page && /^https?:\/\//.test(page) && { url: page.slice(0, 2000) }),
        ...(Object.keys(utm).length > 0 && { utm }),
        ...withChannel(utm.medium ?? utm.source ?? channelOf({ utmMedium: null, url: page, referrer: null })),
        campaign: utm.campaign ?? form.name,
        properties: { form: form.key, fields: extra, consent: consented } as Record<string, unknown>,
      };
      const origin: CaptureOrigin = {
        actor: { kind: 'system', id: form.id },
        sourceKind: 'form',
        defaultUserId: null,
      };
      const store = (submitted: typeof event) =>
        capture.ingestFrom(origin, submitted, async (trx, [outcome]) => {
          if (!consented || outcome?.status !== 'accepted' || !outcome.contactId) return;
          const source = `form:${form.key}`;
          await insertConsentRecord(trx, {
            contactId: outcome.contactId,
            status: 'granted',
            source,
            text: form.consentText![language],
            language,
            at: now,
          });
          await grantConsentUnlessOptedOut(trx, outcome.contactId, source, now);
        });
      // A field the contact cannot take (a phone too long, a country no one knows) must not lose the
      // person: it is left out, what the visitor typed kept with the submission, and the rest stored.
      let result: Awaited<ReturnType<typeof store>>;
      try {
        result = await store(event);
      } catch (error) {
        const problems =
          error instanceof AppError && error.code === 'http.validation_failed'
            ? error.fieldErrors
            : undefined;
        const fieldOf = (problem: FieldProblem) => problem.field.replace(/^body\./, '').split('.')[0]!;
        if (!problems?.length || !problems.every((p) => fieldOf(p) !== 'email' && fieldOf(p) in mapped))
          throw error;
        const kept: Record<string, unknown> = { ...event };
        for (const problem of problems) delete kept[fieldOf(problem)];
        result = await store({
          ...(kept as typeof event),
          properties: {
            ...event.properties,
            refused: Object.fromEntries(
              problems.map((p) => [
                fieldOf(p),
                { value: mapped[fieldOf(p) as Target] ?? null, reason: p.reason },
              ]),
            ),
          },
        });
      }
      if (result.status === 'rejected') {
        // An erased person is answered like anyone else (a website visitor learns nothing) and stored nowhere.
        if (result.errors?.some((e) => e.field === 'email' && e.reason.includes('erased')))
          return { stored: false };
        throw createError(
          'http.validation_failed',
          result.errors?.map((e) => `${e.field} ${e.reason}`).join('; '),
          result.errors?.map((e) => ({ field: `body.${e.field}`, reason: e.reason })),
        );
      }
      return { stored: true };
    },

    /** A page view from the tracking script, sent only after the visitor consented. */
    async collectPageView(
      body: { visitorId?: unknown; url?: unknown; referrer?: unknown; title?: unknown },
      context: SubmissionContext,
    ): Promise<void> {
      if (!context.origin || !(await allowedOrigins()).has(context.origin)) {
        throw createError('forms.origin_not_allowed');
      }
      const url = typeof body.url === 'string' ? new URL(body.url) : null;
      const params = url?.searchParams;
      const utm = Object.fromEntries(
        (['source', 'medium', 'campaign', 'term', 'content'] as const).flatMap((k) => {
          const value = params?.get(`utm_${k}`);
          return value ? [[k, value.slice(0, 200)]] : [];
        }),
      );
      const origin: CaptureOrigin = {
        actor: { kind: 'system', id: null },
        sourceKind: 'tracking',
        defaultUserId: null,
      };
      const result = await capture.ingestFrom(origin, {
        type: 'page_viewed',
        occurredAt: clock.now().toISOString(),
        visitorId: body.visitorId,
        ...(url && { url: url.toString().slice(0, 2000) }),
        ...(Object.keys(utm).length > 0 && { utm }),
        ...withChannel(
          channelOf({
            utmMedium: utm.medium,
            url: url?.toString(),
            referrer: typeof body.referrer === 'string' ? body.referrer : null,
          }),
        ),
        ...(utm.campaign && { campaign: utm.campaign }),
        properties: {
          ...(typeof body.title === 'string' && { title: body.title.slice(0, 300) }),
          ...(typeof body.referrer === 'string' && { referrer: body.referrer.slice(0, 2000) }),
        },
      });
      if (result.status === 'rejected') {
        throw createError(
          'http.validation_failed',
          undefined,
          result.errors?.map((e) => ({ field: `body.${e.field}`, reason: e.reason })),
        );
      }
    },
  };
}

export type FormsService = ReturnType<typeof createFormsService>;
