import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../shared/http.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/databases.ts';
import { createTestApp, createTestContext } from '../../testing/world.ts';

/** A built web app as the build leaves it: each asset beside its gzipped and Brotli copies. */
function builtWebApp(dir: string) {
  const script = `console.log(${JSON.stringify('Baton '.repeat(2000))});\n`;
  const page = `<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head><body><div id="root"></div>${'<!-- padding -->'.repeat(100)}</body></html>`;
  mkdirSync(join(dir, 'assets'), { recursive: true });
  for (const [path, text] of [
    ['assets/app-1a2b3c.js', script],
    ['index.html', page],
  ] as const) {
    writeFileSync(join(dir, path), text);
    writeFileSync(join(dir, `${path}.gz`), gzipSync(text));
    writeFileSync(join(dir, `${path}.br`), brotliCompressSync(text));
  }
  // A small file the build leaves uncompressed (under its 1 KB threshold).
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return { script, page };
}

describe('the web app as the server sends it', () => {
  let database: TestDatabase;
  let app: App;
  let dir: string;
  let built: ReturnType<typeof builtWebApp>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-web-'));
    built = builtWebApp(dir);
    database = await createTestDatabase('sqlite');
    app = await createTestApp(createTestContext(database), { webDir: dir });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, encodings?: string) =>
    app.inject({ method: 'GET', url, headers: encodings ? { 'accept-encoding': encodings } : {} });

  it('sends an asset in Brotli or gzip to a browser that takes it, as it is to one that does not, and says so to caches', async () => {
    const brotli = await get('/assets/app-1a2b3c.js', 'gzip, deflate, br, zstd');
    expect(brotli.statusCode).toBe(200);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['content-type']).toMatch(/javascript/);
    expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotli.headers.vary).toMatch(/accept-encoding/i);
    expect(brotli.rawPayload.length).toBeLessThan(built.script.length / 10);
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(built.script);

    const gzip = await get('/assets/app-1a2b3c.js', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(built.script);

    const plain = await get('/assets/app-1a2b3c.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(built.script);
    expect(plain.headers.vary).toMatch(/accept-encoding/i);

    // What the build did not compress is sent as it is, also to a browser that takes Brotli.
    const icon = await get('/favicon.svg', 'br');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-encoding']).toBeUndefined();
    expect(icon.body).toContain('<svg');
  });

  it('sends the page for every address of the app, compressed too, and never from a cache unchecked', async () => {
    for (const url of ['/', '/leads/0190d5a2-7c4e-7000-8000-000000000000', '/handoff?week=2026-W49']) {
      const page = await get(url, 'br');
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(page.rawPayload).toString()).toBe(built.page);
    }
    expect((await get('/leads')).body).toBe(built.page);
    // An API address that does not exist is a problem, not the page.
    const missing = await get('/api/v1/nothing-here', 'br');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
