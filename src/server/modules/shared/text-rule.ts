import { findUnstorableText, unstorableTextReason } from '../../../contract/text.ts';
import { createError } from './errors.ts';
import type { App } from './http.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers each item of its body on its own, text rule included (a batch). */
    checksTextPerItem?: boolean;
  }
}

/**
 * Refuses a request whose path, query or JSON body holds text no store can keep (contract/text.ts),
 * with a 400 naming the field, before validation: without it PostgreSQL would answer a 500 and
 * SQLite would store it. A route that answers per item (the events batch, CSV files) checks each
 * item itself.
 */
export function registerTextRule(app: App): void {
  app.addHook('preValidation', async (request) => {
    const parts = [
      ['params', request.params],
      ['querystring', request.query],
      ...(request.routeOptions.config.checksTextPerItem ? [] : [['body', request.body] as const]),
    ] as const;
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
