import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../platform/clock.ts';

/*
 * The OAuth 2 authorization server of a local CRM (HubSpot's and Pipedrive's, from their public
 * OAuth guides): an app registered with a client id and secret; the authorize page, where the admin
 * is taken to have granted access at once and is sent back to the redirect URI with a code and the
 * state; the token endpoint (authorization_code and refresh_token grants); access tokens that
 * expire on the clock; refresh tokens the portal can revoke (the app uninstalled).
 */

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export function createOAuthServer(options: {
  clock: Clock;
  app?: OAuthApp;
  /** Seconds an access token lives (HubSpot: 1,800; Pipedrive: 3,599). */
  lifetimeSeconds: number;
  /** The token answer's extras (Pipedrive: api_domain). */
  extras?: Record<string, string>;
}) {
  const app = options.app ?? { clientId: 'baton-app', clientSecret: 'baton-app-secret' };
  const codes = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, number>();
  const counts = { exchanges: 0, refreshes: 0 };
  const extras: Record<string, string> = { ...options.extras };
  let next = 1;

  const mint = () => {
    const access = `oauth-access-${next++}`;
    accessTokens.set(access, options.clock.now().getTime() + options.lifetimeSeconds * 1000);
    return access;
  };

  const server = {
    app,
    counts,
    /** What each token answer carries besides the tokens. */
    extras,
    /** The authorize page: where the browser goes next (back with a code), or null for a bad request. */
    authorize(query: URLSearchParams): string | null {
      const redirect = query.get('redirect_uri');
      if (query.get('client_id') !== app.clientId || !redirect) return null;
      const code = `code-${next++}`;
      codes.set(code, redirect);
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      const state = query.get('state');
      if (state !== null) back.searchParams.set('state', state);
      return back.toString();
    },
    /** The token endpoint: the answer's status and body (errors as { error, message }). */
    token(
      form: URLSearchParams,
      client: { id: string | null; secret: string | null },
    ): { status: number; body: Record<string, unknown> } {
      if (client.id !== app.clientId || client.secret !== app.clientSecret)
        return { status: 401, body: { error: 'invalid_client', message: 'unknown client or wrong secret' } };
      let refresh: string;
      if (form.get('grant_type') === 'authorization_code') {
        const code = form.get('code') ?? '';
        if (codes.get(code) !== form.get('redirect_uri'))
          return {
            status: 400,
            body: { error: 'invalid_grant', message: 'unknown, used or mismatched code' },
          };
        codes.delete(code);
        counts.exchanges += 1;
        refresh = `oauth-refresh-${next++}`;
        refreshTokens.add(refresh);
      } else if (form.get('grant_type') === 'refresh_token') {
        refresh = form.get('refresh_token') ?? '';
        if (!refreshTokens.has(refresh))
          return {
            status: 400,
            body: { error: 'invalid_grant', message: 'missing or unknown refresh token' },
          };
        counts.refreshes += 1;
      } else return { status: 400, body: { error: 'unsupported_grant_type', message: 'unsupported grant' } };
      return {
        status: 200,
        body: {
          access_token: mint(),
          refresh_token: refresh,
          expires_in: options.lifetimeSeconds,
          token_type: 'bearer',
          ...extras,
        },
      };
    },
    /** Whether an access token was minted here and has not expired. */
    isValid(access: string): boolean {
      const until = accessTokens.get(access);
      return until !== undefined && until > options.clock.now().getTime();
    },
    /** The portal's admin uninstalls the app: its refresh and access tokens stop working. */
    revoke() {
      refreshTokens.clear();
      accessTokens.clear();
    },
    /**
     * Answers the authorize page and the token endpoint at these paths (true when it did). The
     * client authenticates in the form (HubSpot) or with HTTP Basic (Pipedrive).
     */
    async handle(
      req: IncomingMessage,
      res: ServerResponse,
      paths: { authorize: string; token: string },
      client: 'form' | 'basic',
      errorBody: (error: string, message: string) => unknown,
    ): Promise<boolean> {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'GET' && url.pathname === paths.authorize) {
        const location = server.authorize(url.searchParams);
        if (location) res.writeHead(302, { location }).end();
        else res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown client_id or redirect_uri');
        return true;
      }
      if (req.method !== 'POST' || url.pathname !== paths.token) return false;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
      const answer = server.token(
        form,
        client === 'basic'
          ? { id: id ?? null, secret: secret ?? null }
          : { id: form.get('client_id'), secret: form.get('client_secret') },
      );
      const body =
        answer.status === 200
          ? answer.body
          : errorBody(String(answer.body.error), String(answer.body.message));
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return true;
    },
  };
  return server;
}

export type OAuthServer = ReturnType<typeof createOAuthServer>;
