import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP server on 127.0.0.1 that receives webhooks, as an integration would. Each request is
 * kept; `answer` decides the reply per request (by default 204), and may also never answer, send a
 * redirect or an endless body.
 */
export async function startWebhookReceiver(
  answer: (request: ReceivedWebhook, response: ServerResponse) => void = (_r, res) =>
    res.writeHead(204).end(),
) {
  const received: ReceivedWebhook[] = [];
  let current = answer;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hook = {
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(hook);
      current(hook, res);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Answers from now on with this. */
    answerWith(next: typeof answer) {
      current = next;
    },
    /** The events received at `path`, as [webhook-id, type] pairs. */
    typesAt(path = '/') {
      return received
        .filter((r) => r.path === path)
        .map((r) => [r.headers['webhook-id'], (JSON.parse(r.body) as { type: string }).type] as const);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
