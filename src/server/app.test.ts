import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect, it } from 'vitest';
import { createTestDatabase, describeEachDialect } from './testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn } from './testing/world.ts';

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: { level: 'info', stream } };
}

describeEachDialect('the HTTP API', (getDatabase, dialect) => {
  it('answers unknown routes with 404 problem details', async () => {
    const app = await createTestApp(createTestContext(getDatabase()));
    const response = await app.inject({ url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      status: 404,
      code: 'http.not_found',
      instance: '/api/v1/nothing-here',
    });
    await app.close();
  });

  it('answers a body that is not JSON with 400 problem details, and an unknown content type with 415', async () => {
    const context = createTestContext(getDatabase());
    const app = await createTestApp(context);
    const admin = await addUser(context, 'admin');
    const cookie = await signIn(app, admin.email);
    const broken = await app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { cookie, 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ code: 'http.bad_request' });
    const xml = await app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { cookie, 'content-type': 'application/xml' },
      payload: '<contact/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toMatchObject({ code: 'http.unsupported_media_type' });
    await app.close();
  });

  it('answers bad input on every write route with 400 problem details naming the field', async () => {
    const context = createTestContext(getDatabase());
    const app = await createTestApp(context);
    const admin = await addUser(context, 'admin');
    const cookie = await signIn(app, admin.email);
    const spec = app.swagger() as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const writes = Object.entries(spec.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody !== undefined)
        .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
    expect(writes.length).toBeGreaterThanOrEqual(10);
    for (const { method, path } of writes) {
      const url = path
        .replace('{id}', '0190a5e8-0000-7000-8000-000000000000')
        .replace('{key}', 'mql')
        .replace('{version}', '1');
      const response = await app.inject({
        method: method as 'POST',
        url,
        headers: { cookie },
        payload: { surelyNotAField: true },
      });
      expect({ route: `${method} ${path}`, status: response.statusCode }).toEqual({
        route: `${method} ${path}`,
        status: 400,
      });
      const problem = response.json<{ code: string; errors: { field: string; reason: string }[] }>();
      expect(problem.code).toBe('http.validation_failed');
      expect(problem.errors).toContainEqual({
        field: 'body.surelyNotAField',
        reason: 'is not a known field',
      });

      const wrongType = await app.inject({ method: method as 'POST', url, headers: { cookie }, payload: [] });
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json().errors[0].field).toBe('body');
    }
    await app.close();
  });

  it('answers a malformed id in any route with 400 naming params.id', async () => {
    const context = createTestContext(getDatabase());
    const app = await createTestApp(context);
    const cookie = await signIn(app, (await addUser(context, 'admin')).email);
    const spec = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths)
      .filter(([path]) => path.includes('{id}'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method, path })));
    expect(routes.length).toBeGreaterThanOrEqual(8);
    for (const { method, path } of routes) {
      const response = await app.inject({
        method: method.toUpperCase() as 'GET',
        url: path.replace('{id}', 'not-an-id'),
        headers: { cookie },
        ...(method !== 'get' && method !== 'delete' && { payload: {} }),
      });
      expect({ route: `${method} ${path}`, status: response.statusCode }).toEqual({
        route: `${method} ${path}`,
        status: 400,
      });
      expect(response.json().errors).toContainEqual({ field: 'params.id', reason: 'must be a valid uuid' });
    }
    await app.close();
  });

  it('echoes a sane request id and makes one up otherwise', async () => {
    const app = await createTestApp(createTestContext(getDatabase()));
    const given = await app.inject({ url: '/api/health', headers: { 'x-request-id': 'lb-1234' } });
    expect(given.headers['x-request-id']).toBe('lb-1234');
    const insane = await app.inject({ url: '/api/health', headers: { 'x-request-id': 'a b\nc' } });
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await app.close();
  });

  it('reports health with the database dialect', async () => {
    const app = await createTestApp(createTestContext(getDatabase()));
    const response = await app.inject({ url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: { dialect, ok: true }, version: 'test' });
    await app.close();
  });

  it('hides what went wrong in a 500 from the client and logs it under the request id', async () => {
    const database = await createTestDatabase(dialect);
    const { lines, logger } = captureLogs();
    const context = createTestContext(database);
    const admin = await addUser(context, 'admin');
    const app = await createTestApp(context, { logger });
    const cookie = await signIn(app, admin.email);
    await database.close(); // the database goes away under a running server

    const response = await app.inject({
      url: '/api/v1/contacts',
      headers: { cookie, 'x-request-id': 'req-500' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      type: 'urn:baton:problem:http.internal_error',
      title: 'Something went wrong on our side',
      status: 500,
      instance: '/api/v1/contacts',
      code: 'http.internal_error',
      requestId: 'req-500',
    });
    expect(response.body).not.toMatch(/select|sqlite|pool|at \w+ \(/i);
    const logged = lines.find((l) => l.reqId === 'req-500' && l.level === 50);
    expect(logged).toMatchObject({
      msg: 'request failed',
      err: { message: expect.any(String), stack: expect.any(String) },
    });

    const health = await app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'unavailable', database: { ok: false } });
    await app.close();
    await database.dispose();
  });
});

it('describes the API as valid OpenAPI 3.1, with every route and a reference page', async () => {
  const database = await createTestDatabase('sqlite');
  const app = await createTestApp(createTestContext(database));
  const response = await app.inject({ url: '/api/openapi.json' });
  expect(response.statusCode).toBe(200);
  const spec = response.json<{
    openapi: string;
    paths: Record<string, unknown>;
    components: { schemas: object };
  }>();

  const validator = new Validator();
  const result = await validator.validate(spec);
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
  expect(spec.openapi).toBe('3.1.0');
  expect(Object.keys(spec.paths)).toEqual(
    expect.arrayContaining([
      '/api/v1/contacts',
      '/api/v1/contacts/{id}/stage-changes',
      '/api/v1/stages',
      '/api/health',
    ]),
  );
  expect(spec.components.schemas).toHaveProperty('ProblemDetails');

  const docs = await app.inject({ url: '/api/docs/' });
  expect(docs.statusCode).toBe(200);
  expect(docs.headers['content-type']).toContain('text/html');
  await app.close();
  await database.dispose();
});

/** Sends raw bytes to the server and returns what comes back until it closes the connection. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

function problemOf(raw: string) {
  const [head, body] = raw.split('\r\n\r\n');
  return { head: head ?? '', body: JSON.parse(body ?? 'null') as Record<string, unknown> };
}

it('answers an address or headers too long for it with 414 and 431 problem details', async () => {
  const database = await createTestDatabase('sqlite');
  const app = await createTestApp(createTestContext(database));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  try {
    // A path parameter longer than the router takes: 414, from the router, with a request id.
    const long = await app.inject({ url: `/api/v1/contacts/${'a'.repeat(600)}` });
    expect(long.statusCode).toBe(414);
    expect(long.headers['content-type']).toContain('application/problem+json');
    expect(long.json()).toMatchObject({
      status: 414,
      code: 'http.uri_too_long',
      requestId: expect.any(String),
    });

    // Headers past Node's limit: refused by the HTTP parser, before Fastify has a request.
    const huge = problemOf(
      await rawRequest(port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
    );
    expect(huge.head).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge.head).toContain('Content-Type: application/problem+json');
    expect(huge.body).toMatchObject({ status: 431, code: 'http.headers_too_large' });

    // A request line that is not HTTP: 400, the same way.
    const garbage = problemOf(await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(garbage.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage.body).toMatchObject({ status: 400, code: 'http.bad_request' });
  } finally {
    await app.close();
    await database.dispose();
  }
});
