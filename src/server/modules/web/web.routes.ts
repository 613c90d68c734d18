import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { handleNotFound } from '../shared/error-handler.ts';
import type { App } from '../shared/http.ts';

/** Paths the web app never owns: the API, the docs, and what websites call. */
const serverPaths = /^\/(api|f|t)(\/|$)|^\/t\.js$/;

const notBuilt = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Baton</title>
<body style="font-family: system-ui, sans-serif; margin: 3rem">
<h1>Baton is running, but its web app is not built</h1>
<p>Run <code>npm run build:web</code> (or start Baton with <code>npm start</code>, which builds it first).
The API is at <a href="/api/docs">/api/docs</a>.</p>
<p lang="nl">De webapp is nog niet gebouwd: voer <code>npm run build:web</code> uit.</p>
</body></html>`;

/**
 * Serves the built React app at `/`: its hashed assets with a long cache (compressed for a browser
 * that takes gzip or Brotli), and `index.html` for every other page address a person opens
 * (/leads/…, /handoff), so links in emails work. API addresses that do not exist still answer
 * problem details.
 */
export async function webRoutes(app: App, { webDir }: { webDir: string }) {
  const root = resolve(webDir);
  const built = existsSync(join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      index: false,
      wildcard: false,
      cacheControl: false,
      // The build writes each asset gzipped and in Brotli beside it (web/vite.config.ts): a browser
      // that takes either is sent that file, a third of the size.
      preCompressed: true,
      setHeaders: (res, path) => {
        res.setHeader(
          'cache-control',
          path.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        // A cache in between keeps one copy per encoding.
        res.setHeader('vary', 'accept-encoding');
      },
    });
  }

  const page = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !serverPaths.test(path) &&
      !/\.[a-z0-9]+$/i.test(path);
    if (!wantsPage) return handleNotFound(request, reply);
    reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    if (!built) return reply.code(503).type('text/html; charset=utf-8').send(notBuilt);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  };
  app.setNotFoundHandler(page);
}
