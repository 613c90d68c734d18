import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPublicAddress, literalAddress } from '../../domain/webhooks/webhooks.ts';

/**
 * The `webhook-signature` value of the Standard Webhooks specification for one secret:
 * `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed by the base64 after `whsec_`.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Private and loopback targets are refused unless true (checked on every connection). */
  allowPrivate: boolean;
}

export interface WebhookAnswer {
  status: number | null;
  /** The first `maxBodyBytes` of the answer; the rest is never read. */
  body: string | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookAnswer>;
  close(): void;
}

export class PrivateTargetError extends Error {
  constructor(address: string) {
    super(`the address ${address} is private, loopback or reserved; an admin may allow such targets`);
  }
}

/**
 * Why an address's name may not be posted to, checked before it is stored: it does not resolve, or
 * resolves to a private, loopback or reserved address; null when it is fine or a literal address
 * (the rules without a lookup are `targetProblem`'s). The sender checks again on every connection.
 */
export async function nameProblem(url: string): Promise<string | null> {
  const host = new URL(url).hostname;
  if (literalAddress(host) !== null) return null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    return `the name ${host} does not resolve`;
  }
  return addresses.some((a) => !isPublicAddress(a.address))
    ? `${host} resolves to a private, loopback or reserved address`
    : null;
}

/** Looks a name up and refuses it when any address it gives is not public. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) return callback(new PrivateTargetError(refused.address), '', 0);
    const first = addresses[0]!;
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, first.address, first.family);
  });
};

/**
 * Posts webhooks over HTTP(S) with kept-alive connections: never follows a redirect (a 3xx is a
 * failed attempt), gives up after `timeoutMs` whatever the endpoint does (slow headers, a body
 * that never ends), and reads at most `maxBodyBytes` of an answer. Names are looked up on each new
 * connection and a private address is refused there too, so a name that turns private later
 * (DNS rebinding) cannot reach inside.
 */
export function createWebhookSender(options: { timeoutMs: number; maxBodyBytes: number }): WebhookSender {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }),
  };
  return {
    send(request) {
      const started = performance.now();
      const finish = (answer: Omit<WebhookAnswer, 'durationMs'>): WebhookAnswer => ({
        ...answer,
        durationMs: Math.round(performance.now() - started),
      });
      return new Promise<WebhookAnswer>((resolve) => {
        let settled = false;
        const timeout: { timer?: NodeJS.Timeout } = {};
        const done = (answer: Omit<WebhookAnswer, 'durationMs'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timeout.timer);
          resolve(finish(answer));
        };
        let url: URL;
        try {
          url = new URL(request.url);
        } catch {
          return done({ status: null, body: null, error: 'not a valid address' });
        }
        const literal = literalAddress(url.hostname);
        if (!request.allowPrivate && literal !== null && !isPublicAddress(literal))
          return done({ status: null, body: null, error: new PrivateTargetError(literal).message });
        const client = url.protocol === 'https:' ? https : http;
        const req = client.request(url, {
          method: 'POST',
          agent: agents[url.protocol as 'http:' | 'https:'],
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(request.body),
            'user-agent': 'Baton-Webhooks/1',
            ...request.headers,
          },
          ...(request.allowPrivate ? {} : { lookup: guardedLookup }),
        });
        timeout.timer = setTimeout(() => {
          req.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
        req.on('error', (error) => done({ status: null, body: null, error: error.message }));
        req.on('response', (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          const end = () => {
            const body = Buffer.concat(chunks).subarray(0, options.maxBodyBytes).toString('utf8');
            const redirect =
              status >= 300 && status < 400
                ? `redirected to ${res.headers.location ?? 'nowhere'}; webhooks do not follow redirects`
                : null;
            done({ status, body, error: redirect });
          };
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            if (size >= options.maxBodyBytes) {
              // Enough to show in the log: the rest of a long or endless answer is not read.
              end();
              res.destroy();
            }
          });
          res.on('end', end);
          res.on('error', (error) => done({ status, body: null, error: error.message }));
        });
        req.end(request.body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
