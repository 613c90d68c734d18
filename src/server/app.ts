import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { ProblemDetails } from '../contract/common.ts';
import type { Database } from './db/database.ts';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import { agreementsRoutes } from './modules/agreements/agreements.routes.ts';
import { attributionRoutes } from './modules/attribution/attribution.routes.ts';
import { boardRoutes } from './modules/board/board.routes.ts';
import { bonusRoutes } from './modules/bonus/bonus.routes.ts';
import { planningRoutes } from './modules/planning/planning.routes.ts';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.ts';
import { webhooksRoutes, webhooksSection } from './modules/webhooks/webhooks.routes.ts';
import { oneClickRoutes } from './modules/one-click/one-click.routes.ts';
import {
  authRoutes,
  registerActorHook,
  registerSameOriginRequirement,
  registerSignInRequirement,
} from './modules/auth/auth.routes.ts';
import { captureRoutes } from './modules/capture/capture.routes.ts';
import { importRoutes } from './modules/capture/import.routes.ts';
import { importJobsRoutes } from './modules/imports/import-jobs.routes.ts';
import { formsRoutes, publicCaptureRoutes } from './modules/forms/forms.routes.ts';
import { contactsRoutes } from './modules/contacts/contacts.routes.ts';
import { listsRoutes } from './modules/lists/lists.routes.ts';
import { tasksRoutes } from './modules/tasks/tasks.routes.ts';
import { mailboxRoutes } from './modules/mailbox/mailbox.routes.ts';
import { connectorsRoutes } from './modules/connectors/connectors.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { auditLogRoutes } from './modules/audit-log/audit-log.routes.ts';
import { metricsRoutes } from './modules/metrics/metrics.routes.ts';
import { onboardingRoutes } from './modules/onboarding/onboarding.routes.ts';
import { privacyRoutes } from './modules/privacy/privacy.routes.ts';
import { registerTextRule } from './modules/shared/text-rule.ts';
import { withRequestOrigin } from './platform/request-context.ts';
import { clientErrorResponse, handleError } from './modules/shared/error-handler.ts';
import { sharedSchemaController } from './modules/shared/schema-compilers.ts';
import type { App } from './modules/shared/http.ts';
import { routingRoutes } from './modules/routing/routing.routes.ts';
import { notificationsRoutes } from './modules/notifications/notifications.routes.ts';
import { alertsRoutes } from './modules/alerts/alerts.routes.ts';
import { slaRoutes } from './modules/sla/sla.routes.ts';
import { handoffRoutes } from './modules/handoff/handoff.routes.ts';
import { opportunitiesRoutes } from './modules/opportunities/opportunities.routes.ts';
import { scoringRoutes } from './modules/scoring/scoring.routes.ts';
import { stagesRoutes } from './modules/stages/stages.routes.ts';
import { teamsRoutes } from './modules/teams/teams.routes.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import { webRoutes } from './modules/web/web.routes.ts';
import type { Services } from './services.ts';

export interface AppDeps {
  database: Database;
  services: Services;
  version: string;
  cookieSecure: 'auto' | 'always' | 'never';
  trustProxy: boolean;
  logger: FastifyServerOptions['logger'];
  /** The built web app's folder; without it (tests of the API alone) `/` says it is not built. */
  webDir?: string;
  /** The address people open Baton at (BATON_PUBLIC_URL): requests from it are Baton's own. */
  publicUrl?: string;
}

const requestIdPattern = /^[\w.:-]{1,128}$/;

/** Builds the HTTP app. Every module is registered here, by hand, in one place. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger,
    trustProxy: deps.trustProxy,
    // Honour a caller's request id (a load balancer's) when it is sane; otherwise make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    ajv: {
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true },
    },
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router finds before a route runs (a path parameter longer than the router takes:
    // 414; a malformed address) are problem details like every other error.
    frameworkErrors: (error, request, reply) => void handleError(error, request, reply),
    // And so are requests Node refuses before Fastify sees them (431, 408, 400).
    clientErrorHandler: (error, socket) => {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.end(clientErrorResponse(error));
      else socket.destroy(error);
    },
    schemaController: sharedSchemaController,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Where each request comes from, for the audit log of whatever it changes.
  app.addHook('onRequest', (request, _reply, done) => {
    withRequestOrigin({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null }, done);
  });
  app.addSchema(ProblemDetails);
  app.setErrorHandler(handleError);
  await webRoutes(app, { webDir: deps.webDir ?? 'dist/web' });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Baton API',
        version: deps.version,
        description:
          'Baton closes the gap between Marketing and Sales. Errors are RFC 9457 problem details with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'baton_session' },
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `baton api-keys create`' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
      webhooks: webhooksSection(),
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  registerActorHook(app, deps.services.auth);
  // Text no store can keep (NUL, an unpaired surrogate) is refused, naming the field, on every route.
  registerTextRule(app);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  healthRoutes(app, { database: deps.database, version: deps.version });

  await app.register(async (site: App) => publicCaptureRoutes(site, deps.services));
  await app.register(
    async (api: App) => {
      registerSameOriginRequirement(api, deps.publicUrl ? { publicUrl: deps.publicUrl } : {});
      registerSignInRequirement(api);
      // The API reads JSON (and CSV where a route says so): a text/plain body, which a form on
      // another site can send without asking, is refused as unsupported rather than parsed.
      api.removeContentTypeParser('text/plain');
      authRoutes(api, deps.services, { cookieSecure: deps.cookieSecure });
      usersRoutes(api, deps.services);
      teamsRoutes(api, deps.services);
      contactsRoutes(api, deps.services);
      listsRoutes(api, deps.services);
      tasksRoutes(api, deps.services);
      mailboxRoutes(api, deps.services);
      await connectorsRoutes(api, deps.services);
      accountsRoutes(api, deps.services);
      stagesRoutes(api, deps.services);
      apiKeysRoutes(api, deps.services);
      webhooksRoutes(api, deps.services);
      oneClickRoutes(api, deps.services);
      captureRoutes(api, deps.services);
      formsRoutes(api, deps.services);
      importRoutes(api, deps.services);
      importJobsRoutes(api, deps.services);
      scoringRoutes(api, deps.services);
      routingRoutes(api, deps.services);
      notificationsRoutes(api, deps.services);
      alertsRoutes(api, deps.services);
      slaRoutes(api, deps.services);
      handoffRoutes(api, deps.services);
      opportunitiesRoutes(api, deps.services);
      attributionRoutes(api, deps.services);
      planningRoutes(api, deps.services);
      bonusRoutes(api, deps.services);
      boardRoutes(api, deps.services);
      agreementsRoutes(api, deps.services);
      auditLogRoutes(api, deps.services);
      metricsRoutes(api, deps.services);
      privacyRoutes(api, deps.services);
      onboardingRoutes(api, deps.services, { cookieSecure: deps.cookieSecure });
    },
    { prefix: '/api/v1' },
  );

  return app;
}
