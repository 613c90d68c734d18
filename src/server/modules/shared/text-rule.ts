import { findUnstorableText, unstorableTextReason } from '../../../contract/text.ts';
import { createError } from './errors.ts';
import type { App } from './http.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers each item of its body on its own, text rule included (a batch). */
    checksTextPerItem?: boolean;
  }
}

const numeral = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** The name of a path or query value written as a number too large to be one (1e999), if any. */
function findHugeNumber(values: unknown): string | null {
  if (typeof values !== 'object' || values === null) return null;
  for (const [name, value] of Object.entries(values))
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === 'string' && numeral.test(v) && !Number.isFinite(Number(v))) return name;
  return null;
}

/**
 * Refuses a request whose path, query or JSON body holds text no store can keep (contract/text.ts),
 * or whose path or query holds a number too large to be one,
 * with a 400 naming the field, before validation: without it PostgreSQL would answer a 500 and
 * SQLite would store it. A route that answers per item (the events batch, CSV files) checks each
 * item itself.
 */
export function registerTextRule(app: App): void {
  app.addHook('preValidation', async (request) => {
    const parts = [
      ['params', request.params],
      ['query', request.query],
      ...(request.routeOptions.config.checksTextPerItem ? [] : [['body', request.body] as const]),
    ] as const;
    // Ajv turns "1e999" in a path or query into Infinity and lets it pass as an integer.
    for (const [where, value] of [
      ['params', request.params],
      ['query', request.query],
    ] as const) {
      const found = findHugeNumber(value);
      if (found)
        throw createError('http.validation_failed', `${where}.${found}: is not a finite number`, [
          { field: `${where}.${found}`, reason: 'is not a finite number' },
        ]);
    }
    for (const [where, value] of parts) {
      const found = findUnstorableText(value);
      if (!found) continue;
      const field = [where, ...found].join('.');
      throw createError('http.validation_failed', `${field}: ${unstorableTextReason}`, [
        { field, reason: unstorableTextReason },
      ]);
    }
  });
}
