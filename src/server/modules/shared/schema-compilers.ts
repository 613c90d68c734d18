import ValidatorSelector from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Compiled = ((...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteCompiler = (route: { schema: unknown }) => Compiled;

/**
 * Compiling the routes' schemas (Ajv validators, fast-json-stringify serializers) was most of what
 * starting Baton cost: about a second for some 150 routes, before the first request could be
 * answered. Two changes, neither visible to a client:
 * - **on first use**: a route's validator or serializer is compiled when the route is first called
 *   (a few milliseconds, once), so the server listens without compiling routes nobody calls yet;
 * - **once per process**: the schemas are the contract's constants, the same for every app a
 *   process builds, so a compiled function is shared by every app (tests build hundreds).
 * Compiled functions hold no per-app state; a validator changes only the data it checks (defaults,
 * coercion). A schema that does not compile still fails loudly, on the route's first call; every
 * route is called by the test suite.
 */
function sharedAndLazy<B>(selector: B, kind: 'validator' | 'serializer'): B {
  const pools = new Map<string, RouteCompiler>();
  return ((externalSchemas: unknown, options: unknown) => {
    const key = JSON.stringify([externalSchemas, options]);
    let pool = pools.get(key);
    if (pool) return pool;
    let compile: RouteCompiler | undefined;
    const compiled = new Map<string, Compiled>();
    pool = (route) => {
      const schemaKey = JSON.stringify(route.schema);
      let fn = compiled.get(schemaKey);
      if (fn) return fn;
      let real: Compiled | undefined;
      const load = () => {
        compile ??= (selector as unknown as (e: unknown, o: unknown) => RouteCompiler)(
          externalSchemas,
          options,
        );
        return (real ??= compile(route));
      };
      const lazy: Compiled = (...args) => {
        const target = load();
        const result = target(...args);
        if (kind === 'validator') lazy.errors = target.errors;
        return result;
      };
      // Fastify hands an Ajv validator its parent object (so a root value can be coerced) when the
      // function has `schemaEnv`; the lazy one passes that on.
      if (kind === 'validator') lazy.schemaEnv = true;
      fn = lazy;
      compiled.set(schemaKey, fn);
      return fn;
    };
    pools.set(key, pool);
    return pool;
  }) as B;
}

/** Fastify's `schemaController` option: validators and serializers compiled once per process, on first use. */
export const sharedSchemaController: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator: sharedAndLazy(ValidatorSelector(), 'validator'),
    buildSerializer: sharedAndLazy(SerializerSelector(), 'serializer'),
  },
};
