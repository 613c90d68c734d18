import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  email: string;
  name?: string;
  emailVerified?: boolean;
  groups?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The people who can sign in at the provider, by login name. */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

const page = (uid: string, prompt: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1><p>${prompt}</p>
<form method="post" action="/interaction/${uid}/login">
<label>Account <input name="login" autocomplete="username" autofocus></label>
<button type="submit">Sign in at the provider</button></form></main></body></html>`;

function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(new URLSearchParams(body)));
    request.on('error', reject);
  });
}

/**
 * A real OpenID Provider (`oidc-provider`, the certified implementation) on 127.0.0.1, for the
 * sign-in tests: discovery, the authorization code flow with PKCE, signed ID tokens, userinfo.
 * Its login page is a one-field form (the account's login name); consent is given at once.
 */
export async function startTestOidcProvider(options: {
  redirectUri: string;
  accounts?: Record<string, TestAccount>;
}): Promise<TestOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const clientId = 'baton';
  const clientSecret = 'baton-test-secret-0123456789abcdef';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    cookies: { keys: ['baton-test-cookie-key'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          name: account.name ?? sub,
          ...(account.groups && { groups: account.groups }),
        }),
      };
    },
  });
  // The provider's own warnings about development keys are expected here.
  provider.on('server_error', (_ctx, error) =>
    process.stderr.write(`test OIDC provider: ${String(error)}\n`),
  );
  const callback = provider.callback();

  server.on('request', (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    if (!match) {
      void callback(request, response);
      return;
    }
    void (async () => {
      try {
        const details = await provider.interactionDetails(request, response);
        if (details.prompt.name === 'login' && !match[2]) {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          response.end(page(details.uid, 'Sign in to continue to Baton'));
          return;
        }
        if (details.prompt.name === 'login') {
          const login = (await readForm(request)).get('login') ?? '';
          if (!accounts.has(login)) {
            response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
            response.end(page(details.uid, `No account "${login}" here`));
            return;
          }
          await provider.interactionFinished(request, response, { login: { accountId: login } });
          return;
        }
        // Consent is given at once: the test provider trusts Baton.
        const grant = details.grantId
          ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant())
          : new provider.Grant({
              accountId: details.session!.accountId,
              clientId: details.params.client_id as string,
            });
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
        };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        const grantId = await grant.save();
        await provider.interactionFinished(
          request,
          response,
          { consent: { grantId } },
          {
            mergeWithLastSubmission: true,
          },
        );
      } catch (error) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      }
    })();
  });

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Walks a browser's way through a sign-in without a browser: follows redirects by hand, keeps the
 * provider's cookies, fills the provider's login form. Returns the URL of Baton's callback.
 */
export async function signInAtProvider(authorizationUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = authorizationUrl;
  let body: URLSearchParams | undefined;
  const origin = new URL(authorizationUrl).origin;
  for (let hop = 0; hop < 12; hop++) {
    if (!url.startsWith(origin)) return url;
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(body && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(body && { body }),
    });
    keep(response);
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).toString();
      continue;
    }
    const html = await response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action)
      throw new Error(`the provider answered ${response.status} without a way on: ${html.slice(0, 300)}`);
    url = new URL(action, url).toString();
    body = new URLSearchParams({ login });
  }
  throw new Error('too many redirects at the provider');
}
