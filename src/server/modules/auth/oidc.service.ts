import * as client from 'openid-client';
import type { Role } from '../../../domain/access/roles.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import { fromDbBool, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { insertAuditEntry } from '../shared/audit.repository.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { findUserByEmail, findUserById, insertUser, updateUserRow } from '../users/users.repository.ts';
import { insertOidcLogin, takeOidcLogin } from './auth.repository.ts';
import type { AuthService, SignInStep } from './auth.service.ts';

/** A sign-in at the provider must come back within ten minutes. */
const loginTtlMs = 10 * 60_000;
/** How far the provider's clock may be from Baton's before a token is refused. */
const clockToleranceSeconds = 120;

/** Why an SSO sign-in was refused: a stable code the sign-in page explains, in the person's language. */
export const ssoRefusals = [
  'not_configured',
  'provider_unreachable',
  'wrong_issuer',
  'state_unknown',
  'state_expired',
  'provider_error',
  'bad_nonce',
  'clock_skew',
  'token_rejected',
  'no_email',
  'email_unverified',
  'no_account',
  'inactive',
  'sso_required',
] as const;
export type SsoRefusal = (typeof ssoRefusals)[number];

export class SsoRefused extends Error {
  constructor(
    readonly reason: SsoRefusal,
    message: string,
    readonly email: string | null = null,
  ) {
    super(message);
    this.name = 'SsoRefused';
  }
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** What an openid-client error says in Baton's words. */
function refusalOf(error: unknown): SsoRefused {
  if (error instanceof SsoRefused) return error;
  type Failure = { code?: string; message?: string; cause?: Failure & { claim?: string; error?: string } };
  const outer = error as Failure;
  // openid-client wraps oauth4webapi's error, whose cause says which claim failed.
  const inner = outer.cause instanceof Error ? outer.cause : undefined;
  const e: Failure = inner
    ? { code: outer.code ?? inner.code, message: inner.message, cause: inner.cause }
    : outer;
  const message = e.message ?? String(error);
  if (e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' && /issuer/.test(message))
    return new SsoRefused('wrong_issuer', `The provider answered as another issuer: ${message}`);
  if (e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
    const claim = e.cause?.claim;
    if (claim === 'nonce')
      return new SsoRefused('bad_nonce', 'The ID token was not made for this sign-in (nonce)');
    if (claim === 'iss') return new SsoRefused('wrong_issuer', 'The ID token comes from another issuer');
    return new SsoRefused('token_rejected', message);
  }
  if (e.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED')
    return new SsoRefused('clock_skew', `The ID token's times do not fit Baton's clock: ${message}`);
  if (e.code === 'OAUTH_AUTHORIZATION_RESPONSE_ERROR' || e.code === 'OAUTH_RESPONSE_BODY_ERROR')
    return new SsoRefused('provider_error', `The provider refused: ${e.cause?.error ?? message}`);
  if (e.code === 'OAUTH_INVALID_RESPONSE' && /state/.test(message))
    return new SsoRefused('state_unknown', message);
  return new SsoRefused('token_rejected', message);
}

/**
 * Single sign-on with any OpenID Provider (Entra ID, Google Workspace, Okta, Keycloak) on
 * `openid-client`: the authorization code flow with PKCE, a `state` and a `nonce` kept server-side
 * and used once, the issuer checked at discovery and in the ID token, the token's times checked
 * against Baton's clock. People are matched by email; sign-up and group-to-role mapping are settings.
 */
export function createOidcService(deps: ServiceDeps, authService: AuthService) {
  const { db, clock, auth, publicUrl } = deps;
  const settings = auth.oidc;
  const callbackUrl = `${publicUrl}/api/v1/auth/oidc/callback`;
  let server: Promise<client.ServerMetadata> | undefined;

  /** The provider's metadata, discovered once (again after a failure). */
  async function serverMetadata(): Promise<client.ServerMetadata> {
    if (!settings) throw new SsoRefused('not_configured', 'No OpenID Provider is configured');
    server ??= (async () => {
      const issuer = new URL(settings.issuer);
      const options = loopback.has(issuer.hostname) ? { execute: [client.allowInsecureRequests] } : {};
      const found = await client.discovery(issuer, settings.clientId, undefined, undefined, options);
      return found.serverMetadata();
    })();
    try {
      return await server;
    } catch (error) {
      server = undefined;
      const refusal = refusalOf(error);
      throw refusal.reason === 'token_rejected'
        ? new SsoRefused('provider_unreachable', `The provider could not be reached: ${refusal.message}`)
        : refusal;
    }
  }

  /** The client, with Baton's clock: a token is judged by the time Baton keeps, not the host's. */
  async function configuration(): Promise<client.Configuration> {
    const metadata = await serverMetadata();
    // The one place the host's clock is read on purpose: to tell the client how far Baton's is off.
    // eslint-disable-next-line no-restricted-syntax
    const skew = Math.round((clock.now().getTime() - Date.now()) / 1000);
    const config = new client.Configuration(
      metadata,
      settings!.clientId,
      { [client.clockSkew]: skew, [client.clockTolerance]: clockToleranceSeconds },
      settings!.clientSecret ? client.ClientSecretPost(settings!.clientSecret) : client.None(),
    );
    if (loopback.has(new URL(settings!.issuer).hostname)) client.allowInsecureRequests(config);
    return config;
  }

  async function refuse(refusal: SsoRefused, ip: string): Promise<never> {
    await insertAuditEntry(db, {
      action: 'user.sso_refused',
      occurredAt: clock.now(),
      actor: { kind: 'anonymous', id: null, label: refusal.email },
      details: { reason: refusal.reason, detail: refusal.message.slice(0, 500), ip },
    });
    throw refusal;
  }

  /** The role a person's groups give them, or null when no listed group matches. */
  function roleOfGroups(claims: Record<string, unknown>): Role | null {
    const groups = claims[settings!.groupsClaim];
    const list = Array.isArray(groups) ? groups.map(String) : typeof groups === 'string' ? [groups] : [];
    return settings!.groupRoles.find(([group]) => list.includes(group))?.[1] ?? null;
  }

  return {
    isConfigured: () => settings !== null,
    name: () => settings?.name ?? null,

    /** Where to send the browser to sign in: the provider's page, with state, nonce and PKCE kept here. */
    async start(returnTo: string, ip: string): Promise<string> {
      let config: client.Configuration;
      try {
        config = await configuration();
      } catch (error) {
        return refuse(refusalOf(error), ip);
      }
      const now = clock.now();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const codeVerifier = client.randomPKCECodeVerifier();
      await insertOidcLogin(db, {
        state,
        nonce,
        codeVerifier,
        returnTo,
        createdAt: now,
        expiresAt: new Date(now.getTime() + loginTtlMs),
      });
      return client
        .buildAuthorizationUrl(config, {
          redirect_uri: callbackUrl,
          scope: 'openid email profile',
          state,
          nonce,
          code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
        })
        .toString();
    },

    /**
     * The provider's answer: the sign-in in flight is taken once by its state, the code exchanged
     * with its PKCE verifier, and the ID token checked (issuer, audience, nonce, times). Then the
     * person is found by email (or created, when sign-up is on) and signed in, or asked for their
     * second factor. Every refusal is in the audit log.
     */
    async callback(
      query: Record<string, string | undefined>,
      ip: string,
    ): Promise<SignInStep & { returnTo: string }> {
      const now = clock.now();
      const state = query.state;
      const login = state ? await takeOidcLogin(db, state, now) : undefined;
      if (!login)
        return refuse(
          new SsoRefused('state_unknown', 'This sign-in is unknown or was already used: start again'),
          ip,
        );
      if (login.expired) return refuse(new SsoRefused('state_expired', 'This sign-in took too long'), ip);
      let claims: Record<string, unknown>;
      try {
        const config = await configuration();
        const current = new URL(callbackUrl);
        for (const [key, value] of Object.entries(query))
          if (value !== undefined) current.searchParams.set(key, value);
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: login.code_verifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        });
        claims = { ...(tokens.claims() ?? {}) };
        const iat = typeof claims.iat === 'number' ? claims.iat : null;
        if (iat !== null && iat > now.getTime() / 1000 + clockToleranceSeconds)
          throw new SsoRefused(
            'clock_skew',
            `The ID token was issued ${Math.round(iat - now.getTime() / 1000)} s ahead of Baton's clock`,
          );
        // Many providers put the email only in the userinfo answer.
        if (typeof claims.email !== 'string' || !(settings!.groupsClaim in claims)) {
          const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub as string);
          claims = { ...info, ...claims, ...(typeof claims.email !== 'string' && { email: info.email }) };
          if (!(settings!.groupsClaim in claims) && settings!.groupsClaim in info)
            claims[settings!.groupsClaim] = info[settings!.groupsClaim];
          if (claims.email_verified === undefined && info.email_verified !== undefined)
            claims.email_verified = info.email_verified;
        }
      } catch (error) {
        return refuse(refusalOf(error), ip);
      }
      const raw = typeof claims.email === 'string' ? claims.email : null;
      if (!raw) return refuse(new SsoRefused('no_email', 'The provider did not say the email address'), ip);
      const email = normalizeEmail(raw);
      if (claims.email_verified === false)
        return refuse(
          new SsoRefused('email_unverified', `${email} is not verified at the provider`, email),
          ip,
        );

      let user = await findUserByEmail(db, email);
      const mapped = roleOfGroups(claims);
      if (!user) {
        const role = mapped ?? settings!.signupRole;
        if (!settings!.signupRole || !role)
          return refuse(new SsoRefused('no_account', `No Baton account for ${email}`, email), ip);
        const id = newId();
        const at = toDbTime(now);
        await db.transaction().execute(async (trx) => {
          await insertUser(trx, {
            id,
            email,
            name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email,
            role,
            language: typeof claims.locale === 'string' && claims.locale.startsWith('nl') ? 'nl' : 'en',
            time_zone: 'Europe/Amsterdam',
            manager_id: null,
            is_active: true,
            password_hash: null,
            created_at: at,
            updated_at: at,
            deactivated_at: null,
          });
          await insertEvent(trx, {
            type: 'user.created',
            occurredAt: now,
            actor: { kind: 'system', id: null },
            subject: { type: 'user', id },
            payload: { role, via: 'sso' },
          });
        });
        user = (await findUserById(db, id))!;
      } else if (mapped && mapped !== user.role) {
        const before = user.role;
        await db.transaction().execute(async (trx) => {
          await updateUserRow(trx, user!.id, { role: mapped, updated_at: toDbTime(now) });
          await insertEvent(trx, {
            type: 'user.updated',
            occurredAt: now,
            actor: { kind: 'system', id: null },
            subject: { type: 'user', id: user!.id },
            payload: { role: { from: before, to: mapped }, via: 'sso groups' },
          });
        });
        user = (await findUserById(db, user.id))!;
      }
      if (!fromDbBool(user.is_active))
        return refuse(new SsoRefused('inactive', `${email} is deactivated in Baton`, email), ip);
      return { ...(await authService.afterFirstFactor(user, 'sso', ip)), returnTo: login.return_to };
    },
  };
}

export type OidcService = ReturnType<typeof createOidcService>;
