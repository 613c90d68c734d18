import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  LoginBody,
  LoginResult,
  RecoveryCodes,
  SecondFactorBody,
  SecondFactorStatus,
  SecuritySettings,
  Session,
  SessionWithRecoveryCodes,
  SignInOptions,
  SsoCallbackQuery,
  SsoStartQuery,
  TotpCodeBody,
  TotpEnrolment,
  UpdateSecuritySettingsBody,
} from '../../../contract/auth.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { createError } from '../shared/errors.ts';
import { crossOrigin } from './auth.errors.ts';
import { problemResponses, sessionCookieName, type App } from '../shared/http.ts';
import type { UsersService } from '../users/users.service.ts';
import type { AuthService, SignInStep } from './auth.service.ts';
import { SsoRefused, type OidcService } from './oidc.service.ts';

/** The cookie of a sign-in waiting for its second factor: only the sign-in routes see it. */
const challengeCookieName = 'baton_challenge';
const challengeCookiePath = '/api/v1/auth';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** When the session of the cookie ends; null for API keys and anonymous callers. */
    sessionExpiresAt: Date | null;
  }
  interface FastifyContextConfig {
    /** The route answers anonymous callers (sign-in, health, the API description). */
    isPublic?: boolean;
    /**
     * The Authorization header is the route's own credential (a CRM's webhook with HTTP Basic),
     * checked by the route, not an API key.
     */
    ownAuthorization?: boolean;
  }
}

export interface AuthHttpOptions {
  cookieSecure: 'auto' | 'always' | 'never';
}

/**
 * Resolves who is calling, once per request: a Bearer API key, or the session cookie. A request
 * with neither is anonymous; services decide whether that is enough.
 */
export function registerActorHook(app: App, auth: AuthService): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionExpiresAt', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header !== undefined && request.routeOptions.config.ownAuthorization) return;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match)
        throw createError('auth.invalid_api_key', 'The Authorization header must be "Bearer <api key>"');
      request.actor = await auth.authenticateApiKey(match[1]!);
      return;
    }
    const token = request.cookies[sessionCookieName];
    const session = token ? await auth.authenticateSession(token) : null;
    if (session) {
      request.actor = session.actor;
      request.sessionExpiresAt = session.expiresAt;
    }
  });
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * In the API's scope: a change made with the session cookie must come from Baton's own pages.
 * SameSite=Lax alone lets another site's form or body-less POST ride on the cookie; browsers say
 * where a request comes from (Sec-Fetch-Site, Origin), so one from elsewhere is refused before it
 * does anything. API keys are not sent by browsers on their own, so they are not checked; nor is a
 * client that says neither (curl with a cookie). Signing in is checked too (login CSRF).
 */
export function registerSameOriginRequirement(api: App, options: { publicUrl?: string } = {}): void {
  // Behind a proxy that ends TLS without BATON_TRUST_PROXY, the request looks like http while the
  // browser says https: the address people open Baton at counts as Baton's own too.
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  api.addHook('onRequest', async (request) => {
    if (safeMethods.has(request.method) || request.headers.authorization !== undefined) return;
    const usesCookie =
      request.cookies[sessionCookieName] !== undefined || request.routeOptions.config.isPublic;
    if (!usesCookie) return;
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw crossOrigin();
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}` && origin !== publicOrigin)
      throw crossOrigin();
  });
}

/**
 * In the API's scope: an anonymous caller learns they must sign in before learning what is wrong
 * with their input. Routes marked `isPublic` (sign-in, sign-out) are open.
 */
export function registerSignInRequirement(api: App): void {
  api.addHook('preValidation', async (request) => {
    if (request.actor === null && !request.routeOptions.config.isPublic)
      throw createError('auth.unauthenticated');
  });
}

/** Whether the cookies of this request are marked Secure. */
function secureCookies(request: FastifyRequest, options: AuthHttpOptions): boolean {
  return (
    options.cookieSecure === 'always' || (options.cookieSecure === 'auto' && request.protocol === 'https')
  );
}

/**
 * Sets the cookie a sign-in step gives: the session's, or the challenge's for the second factor;
 * answers what the client needs next. Setup and a new password sign in through this too.
 */
export function answerSignInStep(
  request: FastifyRequest,
  reply: FastifyReply,
  step: SignInStep,
  options: AuthHttpOptions,
) {
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: secureCookies(request, options) };
  if (step.kind === 'challenge') {
    reply.setCookie(challengeCookieName, step.token, {
      ...cookie,
      path: challengeCookiePath,
      expires: new Date(step.challenge.challenge.expiresAt),
    });
    return step.challenge;
  }
  if (request.cookies[challengeCookieName] !== undefined)
    reply.clearCookie(challengeCookieName, { ...cookie, path: challengeCookiePath });
  reply.setCookie(sessionCookieName, step.token, {
    ...cookie,
    path: '/',
    expires: new Date(step.session.expiresAt),
  });
  return step.session;
}

export function authRoutes(
  app: App,
  deps: { auth: AuthService; users: UsersService; oidc: OidcService },
  options: AuthHttpOptions,
) {
  const { auth, users, oidc } = deps;
  const secure = (request: FastifyRequest) => secureCookies(request, options);

  const clearCookie = (request: FastifyRequest, reply: FastifyReply) =>
    reply.clearCookie(sessionCookieName, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secure(request),
    });

  app.post(
    '/auth/login',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        security: [],
        description:
          'Answers the session (and sets its cookie), or, when a second factor is set up or the role requires one, ' +
          'a challenge: then POST /auth/second-factor with a code of the authenticator app.',
        body: LoginBody,
        response: { 200: LoginResult, ...problemResponses },
      },
    },
    async (request, reply) => {
      const step = await auth.login(request.body.email, request.body.password, request.ip);
      return answerStep(request, reply, step);
    },
  );

  const answerStep = (request: FastifyRequest, reply: FastifyReply, step: SignInStep) =>
    answerSignInStep(request, reply, step, options);

  app.post(
    '/auth/second-factor',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary:
          'The second step of a sign-in: a code of the authenticator app or a recovery code; sets the session cookie',
        security: [],
        body: SecondFactorBody,
        response: { 200: SessionWithRecoveryCodes, ...problemResponses },
      },
    },
    async (request, reply) => {
      const step = await auth.completeSecondFactor(
        request.cookies[challengeCookieName],
        request.body,
        request.ip,
      );
      const session = answerStep(request, reply, step) as Session;
      return step.recoveryCodes ? { ...session, recoveryCodes: step.recoveryCodes } : session;
    },
  );

  app.post(
    '/auth/second-factor/enrolment',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary:
          'During a sign-in whose role requires a second factor not yet set up: a secret for the authenticator app',
        security: [],
        response: { 200: TotpEnrolment, ...problemResponses },
      },
    },
    async (request) => auth.enrolDuringSignIn(request.cookies[challengeCookieName]),
  );

  app.get(
    '/auth/options',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary: 'How one signs in here: single sign-on (and its name), and whether passwords are allowed',
        security: [],
        response: { 200: SignInOptions, ...problemResponses },
      },
    },
    async () => {
      const rules = await auth.policy();
      return {
        sso: oidc.isConfigured() ? { name: oidc.name()!, startUrl: '/api/v1/auth/oidc/start' } : null,
        passwordAllowed: !rules.ssoRequired,
      };
    },
  );

  /** A refused SSO sign-in lands on the sign-in page, which explains the reason in the person's language. */
  const refusedTo = (reason: string) => `/sign-in?sso_error=${encodeURIComponent(reason)}`;

  app.get(
    '/auth/oidc/start',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with single sign-on: redirects to the OpenID Provider',
        security: [],
        querystring: SsoStartQuery,
        response: { 302: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (!oidc.isConfigured()) throw createError('auth.sso_not_configured');
      try {
        return reply.redirect(await oidc.start(request.query.returnTo ?? '/', request.ip), 302);
      } catch (error) {
        if (error instanceof SsoRefused) return reply.redirect(refusedTo(error.reason), 302);
        throw error;
      }
    },
  );

  app.get(
    '/auth/oidc/callback',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary:
          'Where the OpenID Provider sends the browser back: signs in (or asks for the second factor) and redirects',
        security: [],
        querystring: SsoCallbackQuery,
        response: { 302: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (!oidc.isConfigured()) throw createError('auth.sso_not_configured');
      try {
        const step = await oidc.callback(request.query, request.ip);
        answerStep(request, reply, step);
        return reply.redirect(
          step.kind === 'challenge'
            ? `/sign-in?second_factor=1${step.challenge.challenge.enrol ? '&enrol=1' : ''}&returnTo=${encodeURIComponent(step.returnTo)}`
            : step.returnTo,
          302,
        );
      } catch (error) {
        if (error instanceof SsoRefused) return reply.redirect(refusedTo(error.reason), 302);
        throw error;
      }
    },
  );

  app.get(
    '/me/second-factor',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your second factor: set up or not, required for your role, recovery codes left',
        response: { 200: SecondFactorStatus, ...problemResponses },
      },
    },
    async (request) => auth.secondFactorStatus(request.actor),
  );

  app.post(
    '/me/second-factor/enrolment',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Start setting up an authenticator app: its secret and otpauth URI (in force once confirmed)',
        response: { 200: TotpEnrolment, ...problemResponses },
      },
    },
    async (request) => auth.beginEnrolment(request.actor),
  );

  app.post(
    '/me/second-factor/confirmation',
    {
      schema: {
        tags: ['auth'],
        summary: 'Confirm the authenticator app with a code; answers the recovery codes, once',
        body: TotpCodeBody,
        response: { 200: RecoveryCodes, ...problemResponses },
      },
    },
    async (request) => auth.confirmEnrolment(request.actor, request.body.code),
  );

  app.post(
    '/me/second-factor/recovery-codes',
    {
      schema: {
        tags: ['auth'],
        summary: 'New recovery codes (the old ones stop working), against a code of the app',
        body: TotpCodeBody,
        response: { 200: RecoveryCodes, ...problemResponses },
      },
    },
    async (request) => auth.renewRecoveryCodes(request.actor, request.body.code),
  );

  app.delete(
    '/me/second-factor',
    {
      schema: {
        tags: ['auth'],
        summary: 'Turn the second factor off, against a code of the app (not when your role requires one)',
        body: TotpCodeBody,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await auth.disableSecondFactor(request.actor, request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/settings/security',
    {
      schema: {
        tags: ['auth'],
        summary:
          'The sign-in policy: SSO required (but for a break-glass admin), a second factor for roles (admin)',
        response: { 200: SecuritySettings, ...problemResponses },
      },
    },
    async (request) => auth.securitySettings(request.actor),
  );

  app.patch(
    '/settings/security',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change the sign-in policy (admin); logged',
        body: UpdateSecuritySettingsBody,
        response: { 200: SecuritySettings, ...problemResponses },
      },
    },
    async (request) => auth.updateSecuritySettings(request.actor, request.body),
  );

  app.post(
    '/auth/logout',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign out: ends the session of the cookie',
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const token = request.cookies[sessionCookieName];
      if (token) await auth.logout(token);
      clearCookie(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'The current session: who is signed in and until when',
        response: { 200: Session, ...problemResponses },
      },
    },
    async (request) => {
      const expiresAt = request.sessionExpiresAt;
      if (!expiresAt || request.actor?.kind !== 'user') throw createError('auth.unauthenticated');
      return { user: await users.getMe(request.actor), expiresAt: expiresAt.toISOString() };
    },
  );
}
