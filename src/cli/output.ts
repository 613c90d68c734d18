import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { findUnstorableText, unstorableTextReason } from '../contract/text.ts';
import type { Static } from 'typebox';

/** Where the CLI writes: data to stdout, diagnostics to stderr. Injected so e2e tests can read both. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
  /** Whether diagnostics go to a terminal (progress is shown only there). */
  isTerminal: boolean;
}

// `baton … | head` closes the pipe early; the rest of the output has no reader, which is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

/**
 * An Io over two writers with the CLI's line rules: every line of data or diagnostics ends with a
 * newline, except a diagnostic starting with \r, which rewrites the terminal line (progress).
 */
export function lineIo(
  write: { out(text: string): void; err(text: string): void },
  rest: Pick<Io, 'isTerminal' | 'readStdin'>,
): Io {
  return {
    ...rest,
    out: (text) => write.out(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => write.err(text.startsWith('\r') || text.endsWith('\n') ? text : `${text}\n`),
  };
}

export const processIo: Io = lineIo(
  { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) },
  {
    isTerminal: Boolean(process.stderr.isTTY),
    readStdin: async () => {
      if (process.stdin.isTTY) return '';
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  },
);

/** A usage error: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Checks CLI input against the same contract schema the API uses, so both refuse the same things
 * with the same words. `names` maps schema fields to the option that fills them.
 */
export function checkInput<T extends TSchema>(
  schema: T,
  value: unknown,
  names: Record<string, string>,
): Static<T> {
  const problems = [...Value.Errors(schema, value)]
    .filter(
      (e) =>
        e.keyword !== 'anyOf' && !(e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null'),
    )
    .map((e) => {
      const field = e.instancePath.split('/').filter(Boolean)[0] ?? '';
      return `${names[field] ?? field}: ${e.message}`;
    });
  // The text rule of the API (contract/text.ts): the same characters are refused here.
  const unstorable = findUnstorableText(value);
  if (unstorable)
    problems.push(`${names[unstorable[0] ?? ''] ?? unstorable[0] ?? 'input'}: ${unstorableTextReason}`);
  if (problems.length > 0) throw new UsageError([...new Set(problems)].join('\n'));
  return value as Static<T>;
}

export function printTable(io: Io, rows: Record<string, string>[]): void {
  if (rows.length === 0) {
    io.err('(none)');
    return;
  }
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  io.out([line(columns), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n'));
}
