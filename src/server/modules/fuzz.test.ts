import fc from 'fast-check';
import { expect, it, onTestFinished } from 'vitest';
import { loadTestSettings } from '../config.ts';
import { describeEachDialect } from '../testing/databases.ts';
import { createTestApp, createTestContext, seedCompany, type TestContext } from '../testing/world.ts';
import type { App } from './shared/http.ts';

/*
 * Every operation of /api/openapi.json, called with boundary and malformed values generated from
 * its own schemas (path, query and body), on both stores: whatever a careless or hostile client
 * sends, Baton answers without a 5xx, and every error is problem+json. Bounded: a fixed number of
 * runs per operation, from a fixed seed; a failure lists every request that failed and its answer.
 */

interface Schema {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  items?: Schema | Schema[];
  prefixItems?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: Schema | undefined;
}

/** More runs or another seed for a longer hunt: BATON_FUZZ_RUNS, BATON_FUZZ_SEED. */
const { runs: runsPerOperation, seed } = loadTestSettings().fuzz;

/** Values that break a careless parser: wrong types, extremes, text no store keeps, impossible dates. */
const wild = fc.constantFrom<unknown>(
  null,
  '',
  ' ',
  -1,
  0,
  1.5,
  2 ** 53,
  -(2 ** 63),
  1e308,
  true,
  [],
  {},
  'x'.repeat(5000),
  'x\u0000y',
  '\uD800',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-02-30',
  '../../etc/passwd',
  "' or 1=1 --",
  '=HYPERLINK("http://evil")',
  '00000000-0000-0000-0000-000000000000',
  { $ne: null },
  { __proto__: { admin: true } },
);

function stringsFor(schema: Schema): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  ];
  if (schema.format === 'uuid') options.push(fc.uuid({ version: 7 }), fc.uuid());
  if (schema.format === 'date-time')
    options.push(
      fc
        .date({ min: new Date('1800-01-01'), max: new Date('3100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
    );
  if (schema.format === 'email') options.push(fc.emailAddress(), fc.constant('a@b'), fc.constant('@'));
  if (schema.maxLength !== undefined)
    options.push(fc.constant('a'.repeat(schema.maxLength)), fc.constant('a'.repeat(schema.maxLength + 1)));
  if (schema.minLength !== undefined && schema.minLength > 0)
    options.push(fc.constant('a'.repeat(schema.minLength - 1)));
  if (schema.pattern?.includes('\\d{4}') || schema.pattern?.includes('(19|2\\d)'))
    options.push(fc.constantFrom('2026-03-10', '2026-13-01', '1899-12-31', '3000-01-01', '2026-03'));
  return fc.oneof(...options);
}

function numbersFor(schema: Schema, integer: boolean): fc.Arbitrary<unknown> {
  const low = schema.minimum ?? schema.exclusiveMinimum ?? -1000;
  const high = schema.maximum ?? schema.exclusiveMaximum ?? 1000;
  return fc.oneof(
    fc.constantFrom(low - 1, low, high, high + 1, 0, -0),
    integer ? fc.integer({ min: -1_000_000, max: 1_000_000 }) : fc.double({ noNaN: true }),
    fc.double(),
  );
}

/** Mostly values of the schema's shape, at and past its bounds; now and then anything at all. */
function valuesFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return wild;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((s) => valuesFor(s, depth + 1)), wild);
  if (schema.allOf) return valuesFor(Object.assign({}, ...schema.allOf) as Schema, depth + 1);
  let typed: fc.Arbitrary<unknown>;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.enum) typed = fc.oneof(fc.constantFrom(...schema.enum), fc.string({ maxLength: 10 }));
  else if (schema.const !== undefined) typed = fc.constant(schema.const);
  else if (type === 'string') typed = stringsFor(schema);
  else if (type === 'integer') typed = numbersFor(schema, true);
  else if (type === 'number') typed = numbersFor(schema, false);
  else if (type === 'boolean') typed = fc.boolean();
  else if (type === 'null') typed = fc.constant(null);
  else if (type === 'array') {
    const items = Array.isArray(schema.items) ? schema.items[0] : (schema.items ?? schema.prefixItems?.[0]);
    typed = fc.array(valuesFor(items, depth + 1), { maxLength: Math.min(4, (schema.maxItems ?? 3) + 1) });
  } else if (type === 'object' || schema.properties) {
    const properties = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    const fields = Object.fromEntries(
      Object.entries(properties).map(([name, s]) => [name, valuesFor(s, depth + 1)]),
    );
    typed = fc
      .tuple(
        fc.record(fields, { requiredKeys: [...required].filter((k) => k in fields) }),
        fc.option(fc.dictionary(fc.string({ maxLength: 8 }), wild, { maxKeys: 2 }), { nil: undefined }),
      )
      // Sometimes a required field goes missing, sometimes an unknown one comes along.
      .chain(([record, extra]) =>
        fc
          .option(fc.constantFrom(...(required.size > 0 ? [...required] : [''])), { nil: undefined, freq: 4 })
          .map((drop) => {
            const value: Record<string, unknown> = { ...record, ...extra };
            if (drop) delete value[drop];
            return value;
          }),
      );
  } else typed = wild;
  return fc.oneof({ weight: 5, arbitrary: typed }, { weight: 1, arbitrary: wild });
}

function operationsOf(spec: {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }
    >
  >;
}): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths))
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  return operations;
}

/** A path parameter: a record that exists, one that does not, or something that is no id at all. */
function pathValues(ids: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...ids),
    fc.uuid({ version: 7 }),
    fc.constantFrom(
      'not-an-id',
      '0',
      '-1',
      '1e999',
      '%00',
      '%ED%A0%80',
      '..%2F..',
      'a'.repeat(300),
      '2026',
      'v1',
    ),
    fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
  );
}

describeEachDialect('every operation of the API, fuzzed', (getDatabase) => {
  let context: TestContext;
  let app: App;
  let authorization: string;
  let operations: Operation[];
  let ids: string[];

  /** A seeded company, the API described, and an admin's API key to call it with. */
  async function setUp() {
    context = createTestContext(getDatabase());
    context.clock.set('2026-03-10T12:00:00.000Z');
    app = await createTestApp(context);
    const world = await seedCompany(context, app);
    // An admin's API key: nothing the fuzzing does to sessions or passwords locks it out.
    const key = await context.services.apiKeys.createApiKey({ kind: 'cli' }, { name: 'Fuzz', role: 'admin' });
    authorization = `Bearer ${key.key}`;
    ids = [world.repContact.id, world.outsiderContact.id, world.rep.id, world.team.id, world.account.id];
    const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<
      Parameters<typeof operationsOf>[0]
    >();
    operations = operationsOf(spec);
    onTestFinished(() => app.close());
  }

  it(
    'answers every generated request without a 5xx, and every error as problem+json',
    { timeout: 600_000 },
    async () => {
      await setUp();
      expect(operations.length).toBeGreaterThan(100);
      const failures: string[] = [];
      for (const [index, operation] of operations.entries()) {
        const pathParams = operation.parameters.filter((p) => p.in === 'path');
        const queryParams = operation.parameters.filter((p) => p.in === 'query');
        const request = fc.record({
          path: fc.tuple(...pathParams.map(() => pathValues(ids))),
          query: fc.tuple(...queryParams.map((p) => fc.option(valuesFor(p.schema), { nil: undefined }))),
          body: operation.body ? valuesFor(operation.body) : fc.constant(undefined),
        });
        await fc.assert(
          fc.asyncProperty(request, async ({ path, query, body }) => {
            let url = operation.path;
            pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, path[i]!)));
            const search = new URLSearchParams();
            queryParams.forEach((p, i) => {
              const value = query[i];
              if (value === undefined) return;
              for (const v of Array.isArray(value) ? value : [value])
                search.append(p.name, typeof v === 'string' ? v : JSON.stringify(v));
            });
            const response = await app.inject({
              method: operation.method as 'GET',
              url: `${url}${search.size > 0 ? `?${search.toString()}` : ''}`,
              headers: { authorization, ...(body !== undefined && { 'content-type': 'application/json' }) },
              ...(body !== undefined && { payload: JSON.stringify(body) }),
            });
            const label = `${operation.method} ${url}?${search.toString()} ${JSON.stringify(body)?.slice(0, 300)}`;
            if (response.statusCode >= 500)
              failures.push(`${response.statusCode} ${label}: ${response.body.slice(0, 300)}`);
            else if (
              response.statusCode >= 400 &&
              !String(response.headers['content-type']).startsWith('application/problem+json')
            )
              failures.push(`${response.statusCode} not problem+json ${label}`);
            return true;
          }),
          { numRuns: runsPerOperation, seed: seed + index, endOnFailure: true },
        );
      }
      expect(failures).toEqual([]);
    },
  );
});
