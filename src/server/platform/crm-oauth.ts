import type { v2 } from 'pipedrive';
import { commonJsExports } from './common-js.ts';
import { CrmError } from './hubspot.ts';

/*
 * OAuth 2 for a CRM connection, through each vendor's official client: the address an admin is sent
 * to to grant Baton access, the code it comes back with exchanged for tokens, and the access token
 * refreshed before it expires. A refresh token the CRM no longer accepts (the app uninstalled, the
 * access revoked) is a refused token, as a revoked private-app token is.
 */

export type OAuthKind = 'hubspot' | 'pipedrive';

/** What Baton keeps (sealed) of a connection made with OAuth 2. */
export interface OAuthGrant {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken: string;
  /** When the access token expires (RFC 3339). */
  expiresAt: string;
  /** Pipedrive: the company's own API address, as the token answer names it. */
  apiDomain: string | null;
}

/** The scopes Baton asks for: read and write people and deals, read companies, owners and activities. */
export const oauthScopes: Record<OAuthKind, string[]> = {
  hubspot: [
    'oauth',
    'crm.objects.contacts.read',
    'crm.objects.contacts.write',
    'crm.objects.companies.read',
    'crm.objects.deals.read',
    'crm.objects.deals.write',
    'crm.objects.owners.read',
    'crm.schemas.contacts.read',
  ],
  pipedrive: ['base', 'contacts:full', 'deals:full', 'activities:read', 'users:read'],
};

/** The vendors' OAuth hosts; a connection's own address (a proxy, a test double) replaces them. */
const hosts = {
  hubspot: { authorize: 'https://app.hubspot.com', token: 'https://api.hubapi.com' },
  pipedrive: { authorize: 'https://oauth.pipedrive.com', token: 'https://oauth.pipedrive.com' },
} as const;

const hostsOf = (kind: OAuthKind, baseUrl: string | null) => {
  const own = baseUrl?.replace(/\/$/, '');
  return own ? { authorize: own, token: own } : hosts[kind];
};

/** Where an admin grants Baton access; the CRM sends them back to `redirectUri` with a code and `state`. */
export async function authorizationUrl(
  kind: OAuthKind,
  input: { clientId: string; redirectUri: string; state: string; baseUrl: string | null },
): Promise<string> {
  const { authorize } = hostsOf(kind, input.baseUrl);
  if (kind === 'hubspot') {
    const { Client } = commonJsExports(await import('@hubspot/api-client'));
    const url = new Client().oauth.getAuthorizationUrl(
      input.clientId,
      input.redirectUri,
      oauthScopes.hubspot.join(' '),
      undefined,
      input.state,
    );
    return url.replace(/^https:\/\/app\.hubspot\.com/, authorize);
  }
  const { v2 } = commonJsExports(await import('pipedrive'));
  const oauth = new v2.OAuth2Configuration({
    clientId: input.clientId,
    clientSecret: 'unused',
    redirectUri: input.redirectUri,
    host: authorize,
  });
  return `${oauth.authorizationUrl}&state=${encodeURIComponent(input.state)}`;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  api_domain?: string;
}

/** The HTTP status of a failed call through either client (the HubSpot client's `code`, axios's `response`). */
const statusOf = (error: unknown): number => {
  const e = error as { code?: unknown; response?: { status?: unknown } };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.response?.status === 'number') return e.response.status;
  return 0;
};

const failed = (error: unknown, what: string): CrmError => {
  const status = statusOf(error);
  // 400 invalid_grant (HubSpot: BAD_REFRESH_TOKEN): the grant is gone, as a revoked token.
  return new CrmError(
    status === 400 || status === 401 || status === 403 ? 'auth' : 'unavailable',
    `${what} failed${status ? ` (HTTP ${status})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
  );
};

/** Asks the CRM for tokens: for the code an admin came back with, or with the refresh token. */
async function requestTokens(
  kind: OAuthKind,
  input: {
    clientId: string;
    clientSecret: string;
    baseUrl: string | null;
    now: Date;
  } & ({ code: string; redirectUri: string } | { refreshToken: string }),
): Promise<Omit<OAuthGrant, 'clientId' | 'clientSecret'>> {
  const { token } = hostsOf(kind, input.baseUrl);
  const fromCode = 'code' in input;
  let answer: TokenAnswer;
  try {
    if (kind === 'hubspot') {
      const { Client } = commonJsExports(await import('@hubspot/api-client'));
      const client = new Client({ basePath: token });
      const t = await client.oauth.tokensApi.create(
        fromCode ? 'authorization_code' : 'refresh_token',
        fromCode ? input.code : undefined,
        fromCode ? input.redirectUri : undefined,
        input.clientId,
        input.clientSecret,
        fromCode ? undefined : input.refreshToken,
      );
      answer = { access_token: t.accessToken, refresh_token: t.refreshToken, expires_in: t.expiresIn };
    } else {
      const { v2 } = commonJsExports(await import('pipedrive'));
      const oauth = new v2.OAuth2Configuration({
        clientId: input.clientId,
        clientSecret: input.clientSecret,
        redirectUri: fromCode ? input.redirectUri : 'unused',
        host: token,
      });
      if (!fromCode) oauth.updateToken({ refresh_token: input.refreshToken } as v2.TokenResponse);
      const reply = (fromCode ? await oauth.authorize(input.code) : await oauth.tokenRefresh()) as unknown;
      // The client hands back axios's answer (its body in `data`).
      answer = ((reply as { data?: TokenAnswer }).data ?? reply) as TokenAnswer;
    }
  } catch (error) {
    throw failed(error, fromCode ? 'Exchanging the authorization code' : 'Refreshing the access token');
  }
  if (!answer.access_token || !answer.expires_in)
    throw new CrmError('unavailable', 'The token answer lacks an access token or its lifetime');
  const refreshToken = answer.refresh_token ?? (fromCode ? null : input.refreshToken);
  if (!refreshToken) throw new CrmError('unavailable', 'The token answer lacks a refresh token');
  return {
    accessToken: answer.access_token,
    refreshToken,
    expiresAt: new Date(input.now.getTime() + answer.expires_in * 1000).toISOString(),
    apiDomain: answer.api_domain ?? null,
  };
}

/** The tokens for the code an admin came back with. */
export async function exchangeCode(
  kind: OAuthKind,
  input: {
    clientId: string;
    clientSecret: string;
    code: string;
    redirectUri: string;
    baseUrl: string | null;
    now: Date;
  },
): Promise<OAuthGrant> {
  return {
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    ...(await requestTokens(kind, input)),
  };
}

/** A fresh access token for a grant (the refresh token kept when the CRM sends no new one). */
export async function refreshGrant(
  kind: OAuthKind,
  grant: OAuthGrant,
  baseUrl: string | null,
  now: Date,
): Promise<OAuthGrant> {
  const fresh = await requestTokens(kind, {
    clientId: grant.clientId,
    clientSecret: grant.clientSecret,
    refreshToken: grant.refreshToken,
    baseUrl,
    now,
  });
  return { ...grant, ...fresh, apiDomain: fresh.apiDomain ?? grant.apiDomain };
}
