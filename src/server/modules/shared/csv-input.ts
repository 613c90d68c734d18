import { Readable } from 'node:stream';
import type { csvEncodings } from '../../../contract/imports.ts';
import { isStorableText, unstorableTextReason } from '../../../contract/text.ts';

/** The encodings a CSV file is read in; a file in none of the others is read as Windows-1252 (Excel's "CSV" on Windows). */
export type CsvEncoding = (typeof csvEncodings)[number];

/** How much of a file decides its encoding when it has no byte-order mark. */
const sampleBytes = 64 * 1024;

/**
 * The encoding of a file from its first bytes: a byte-order mark says it; otherwise UTF-8 when the
 * sample is valid UTF-8 (a sequence cut off at the sample's end is fine), else Windows-1252.
 *
 * @example detectEncoding(Buffer.from([0x43, 0x61, 0x66, 0xe9])) // 'windows-1252' ("Café" in Latin-1)
 */
export function detectEncoding(sample: Uint8Array): CsvEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/**
 * The separator of a header line: the one of `,`, `;`, tab that occurs most (Dutch Excel writes
 * `;`), or a comma.
 *
 * @example sniffDelimiter('E-mailadres;Voornaam;Bedrijf') // ';'
 */
export function sniffDelimiter(headerLine: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, headerLine.split(d).length - 1] as const);
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : ',';
}

/**
 * Opens a CSV upload as text: reads the start to decide its encoding (and, unless given, its
 * separator), then replays the whole stream decoded, byte-order mark removed. Bytes that are not
 * text in that encoding come out as U+FFFD, which `rowTextProblem` refuses row by row: nothing is
 * stored with replacement characters.
 */
export async function openCsv(
  input: Readable,
  given: { delimiter?: string | undefined } = {},
): Promise<{ text: Readable; encoding: CsvEncoding; delimiter: string }> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < sampleBytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    size += chunk.length;
  }
  const sample = Buffer.concat(head);
  const encoding = detectEncoding(sample.subarray(0, sampleBytes));
  const decoder = new TextDecoder(encoding);
  const start = decoder.decode(sample, { stream: true });
  const delimiter = given.delimiter ?? sniffDelimiter(start.split(/\r?\n/, 1)[0] ?? '');
  async function* decoded() {
    if (start) yield start;
    if (!ended)
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const text = decoder.decode(typeof next.value === 'string' ? Buffer.from(next.value) : next.value, {
          stream: true,
        });
        if (text) yield text;
      }
    const rest = decoder.decode();
    if (rest) yield rest;
  }
  return { text: Readable.from(decoded(), { objectMode: false }), encoding, delimiter };
}

/**
 * The first cell of a row that cannot be stored as it is: bytes that were not text in the file's
 * encoding (decoded as U+FFFD), or a character no store keeps (contract/text.ts).
 */
export function rowTextProblem(
  row: Record<string, string | undefined>,
  encoding: CsvEncoding,
): { column: string; reason: string } | null {
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue;
    if (value.includes('\uFFFD'))
      return {
        column,
        reason: `holds bytes that are not ${encoding === 'windows-1252' ? 'Windows-1252' : encoding.toUpperCase()} text; save the file as UTF-8`,
      };
    if (!isStorableText(value)) return { column, reason: unstorableTextReason };
  }
  return null;
}
