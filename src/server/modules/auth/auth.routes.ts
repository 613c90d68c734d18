import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { LoginBody, Session } from '../../../contract/auth.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { createError } from '../shared/errors.ts';
import { crossOrigin } from './auth.errors.ts';
import { problemResponses, sessionCookieName, type App } from '../shared/http.ts';
import type { UsersService } from '../users/users.service.ts';
import type { AuthService } from './auth.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** When the session of the cookie ends; null for API keys and anonymous callers. */
    sessionExpiresAt: Date | null;
  }
  interface FastifyContextConfig {
    /** The route answers anonymous callers (sign-in, health, the API description). */
    isPublic?: boolean;
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

export function authRoutes(
  app: App,
  deps: { auth: AuthService; users: UsersService },
  options: AuthHttpOptions,
) {
  const { auth, users } = deps;
  const secure = (request: FastifyRequest) =>
    options.cookieSecure === 'always' || (options.cookieSecure === 'auto' && request.protocol === 'https');

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
        body: LoginBody,
        response: { 200: Session, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { token, session } = await auth.login(request.body.email, request.body.password, request.ip);
      reply.setCookie(sessionCookieName, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secure(request),
        expires: new Date(session.expiresAt),
      });
      return session;
    },
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
