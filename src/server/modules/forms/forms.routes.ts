import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import { CreateFormBody, Form, FormKeyParams, FormSnippet, UpdateFormBody } from '../../../contract/forms.ts';
import { AppError, createError } from '../shared/errors.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { FormsService } from './forms.service.ts';
import { trackingScript } from './tracking-script.ts';

/** Marketing's API for forms: create, edit, and get the snippet to embed. */
export function formsRoutes(app: App, { forms }: { forms: FormsService }) {
  const tags = ['forms'];
  const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

  app.get(
    '/forms',
    {
      schema: {
        tags,
        summary: 'List forms',
        response: { 200: Type.Object({ data: Type.Array(Form) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await forms.listForms(request.actor) }),
  );
  app.post(
    '/forms',
    {
      schema: {
        tags,
        summary: 'Create a form',
        body: CreateFormBody,
        response: { 201: Form, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await forms.createForm(request.actor, request.body)),
  );
  app.get(
    '/forms/:id',
    {
      schema: { tags, summary: 'Get a form', params: IdParams, response: { 200: Form, ...problemResponses } },
    },
    async (request) => forms.getForm(request.actor, request.params.id),
  );
  app.patch(
    '/forms/:id',
    {
      schema: {
        tags,
        summary: 'Update a form',
        params: IdParams,
        body: UpdateFormBody,
        response: { 200: Form, ...problemResponses },
      },
    },
    async (request) => forms.updateForm(request.actor, request.params.id, request.body),
  );
  app.get(
    '/forms/:id/snippet',
    {
      schema: {
        tags,
        summary: 'The HTML to embed the form (and the consent-aware tracking script) in a website',
        params: IdParams,
        querystring: Type.Object(
          { language: Type.Optional(Type.Enum(['en', 'nl'])) },
          { additionalProperties: false },
        ),
        response: { 200: FormSnippet, ...problemResponses },
      },
    },
    async (request) => ({
      html: await forms.snippet(
        request.actor,
        request.params.id,
        baseUrl(request),
        request.query.language ?? 'en',
      ),
    }),
  );
}

const thankYou = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Thank you</title>
<p>Thank you, we received your details.</p><p lang="nl">Bedankt, we hebben uw gegevens ontvangen.</p></html>`;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * What a visitor whose browser posted a form sees when it was refused: a page in their language
 * that says what to do, never the API's problem details.
 */
function refusedPage(error: AppError, language: 'en' | 'nl'): string {
  const fields = (error.fieldErrors ?? []).map((f) => f.field.replace(/^body\./, ''));
  const texts = {
    en: {
      title: 'Your details were not sent',
      email: 'Please enter your email address.',
      fields: `Please check what you entered${fields.length > 0 ? ` (${fields.join(', ')})` : ''}.`,
      other: 'Something went wrong on our side. Please try again later.',
      back: 'Go back to the form',
    },
    nl: {
      title: 'Uw gegevens zijn niet verstuurd',
      email: 'Vul uw e-mailadres in.',
      fields: `Controleer wat u hebt ingevuld${fields.length > 0 ? ` (${fields.join(', ')})` : ''}.`,
      other: 'Er ging bij ons iets mis. Probeer het later opnieuw.',
      back: 'Terug naar het formulier',
    },
  }[language];
  const message =
    error.code === 'forms.email_required' ? texts.email : error.status < 500 ? texts.fields : texts.other;
  return `<!doctype html><html lang="${language}"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(texts.title)}</title>
<h1>${escapeHtml(texts.title)}</h1><p>${escapeHtml(message)}</p><p><a href="javascript:history.back()">${escapeHtml(texts.back)}</a></p></html>`;
}

/**
 * What websites call without signing in: form posts (`/f/{key}`), the tracking script (`/t.js`) and
 * its page views (`/t/collect`). Each is limited per address and accepts only the origins listed
 * on the company's forms.
 */
export async function publicCaptureRoutes(app: App, { forms }: { forms: FormsService }) {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        createError('http.too_many_requests', `Try again in ${Math.ceil(context.ttl / 1000)} seconds.`),
        {
          statusCode: 429,
        },
      ),
  });
  // sendBeacon posts text/plain, a "simple" request that needs no CORS preflight.
  app.addContentTypeParser(
    'text/plain',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(createError('http.bad_request', 'The body is not JSON'));
      }
    },
  );

  const allowCors = (request: FastifyRequest, reply: FastifyReply, origins: readonly string[]) => {
    const origin = request.headers.origin;
    if (origin && origins.includes(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      return true;
    }
    return false;
  };
  const context = (request: FastifyRequest) => ({
    origin: request.headers.origin,
    referer: request.headers.referer,
  });
  const perAddress = (max: number) => ({ rateLimit: { max, timeWindow: '1 minute' } });

  app.options(
    '/f/:key',
    { schema: { hide: true, params: FormKeyParams }, config: perAddress(60) },
    async (request, reply) => {
      const form = await forms.publicForm(request.params.key);
      if (!allowCors(request, reply, form.allowedOrigins)) throw createError('forms.origin_not_allowed');
      return reply
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    },
  );

  app.post(
    '/f/:key',
    {
      schema: {
        tags: ['forms'],
        summary: 'Submit a form from a website (form-encoded or JSON)',
        security: [],
        params: FormKeyParams,
      },
      config: perAddress(10),
    },
    async (request, reply) => {
      const form = await forms.publicForm(request.params.key);
      allowCors(request, reply, form.allowedOrigins);
      const fields = (request.body ?? {}) as Record<string, unknown>;
      const fromBrowserForm = request.headers['content-type']?.startsWith(
        'application/x-www-form-urlencoded',
      );
      try {
        await forms.submitForm(form, fields, context(request));
      } catch (error) {
        // A script gets the problem details; a visitor's browser a page they can read.
        if (!fromBrowserForm || !(error instanceof AppError)) throw error;
        request.log.info({ code: error.code, fields: error.fieldErrors }, 'form submission refused');
        return reply
          .code(error.status)
          .type('text/html; charset=utf-8')
          .send(refusedPage(error, fields.baton_language === 'nl' ? 'nl' : 'en'));
      }
      if (fromBrowserForm && form.redirectUrl) return reply.redirect(form.redirectUrl, 303);
      if (fromBrowserForm) return reply.type('text/html; charset=utf-8').send(thankYou);
      return { status: 'ok' };
    },
  );

  app.get('/t.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(trackingScript),
  );

  app.post('/t/collect', { schema: { hide: true }, config: perAddress(120) }, async (request, reply) => {
    reply.header('access-control-allow-origin', request.headers.origin ?? '*').header('vary', 'Origin');
    await forms.collectPageView(request.body ?? {}, context(request));
    return reply.code(204).send();
  });
}
