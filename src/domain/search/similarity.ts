/**
 * Typo-tolerant matching of a search against a contact's searched text (name, email, company).
 *
 * Words are compared by their trigrams as PostgreSQL's pg_trgm does: a word is lower-cased, padded
 * with two spaces in front and one behind, and cut into every run of three characters; the
 * similarity of two words is the share of trigrams they have in common (common / all distinct).
 * "jansn" and "jansen" share 4 of 9 trigrams (0.44); "jansen" and "pietersen" 2 of 15 (0.13).
 *
 * The store finds candidates with its own index (FTS5 trigrams, pg_trgm); this one function then
 * decides, so both dialects answer a search alike.
 */

/** The least similarity at which a word of the search counts as a word of the text. */
export const similarEnough = 0.4;

/** The words of a text: runs of letters and digits, lower case. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The distinct trigrams of one word, padded as pg_trgm pads them. */
export function trigramsOf(word: string): Set<string> {
  const padded = `  ${word.toLowerCase()} `;
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i += 1) trigrams.add(padded.slice(i, i + 3));
  return trigrams;
}

/** pg_trgm's similarity of two words: trigrams in common over distinct trigrams of both. */
export function wordSimilarity(a: string, b: string): number {
  const left = trigramsOf(a);
  const right = trigramsOf(b);
  let common = 0;
  for (const trigram of left) if (right.has(trigram)) common += 1;
  return common / (left.size + right.size - common);
}

/**
 * What an index of (unpadded) trigrams is asked for to find the words a search resembles: per word
 * of three letters or more, some of its trigrams and how many of them a similar word still has. A
 * typo changes at most three trigrams of a word, so a word with one typo keeps all but three of
 * them; at least half are asked for, so a short word does not match everything. Six trigrams per
 * word at most, so the question stays small for a long word.
 */
export function trigramQuestion(search: string): { trigrams: string[]; required: number }[] {
  const question = [];
  for (const word of new Set(wordsOf(search))) {
    const trigrams = new Set<string>();
    for (let i = 0; i + 3 <= word.length && trigrams.size < 6; i += 1) trigrams.add(word.slice(i, i + 3));
    if (trigrams.size === 0) continue;
    const required = Math.max(Math.ceil(trigrams.size / 2), trigrams.size - 3);
    question.push({ trigrams: [...trigrams], required });
  }
  return question;
}

/** Every choice of `size` items of `items`, in order. */
export function combinations<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  const chosen: T[][] = [];
  for (let i = 0; i + size <= items.length; i += 1)
    for (const rest of combinations(items.slice(i + 1), size - 1)) chosen.push([items[i]!, ...rest]);
  return chosen;
}

/**
 * How well `text` matches `search` despite typos, from 0 to 1, or null when it does not: every word
 * of the search must be part of a word of the text or similar enough to one. The score is the mean
 * of each search word's best similarity (1 for a word the text contains).
 */
export function similarMatch(search: string, text: string): number | null {
  const wanted = wordsOf(search);
  if (wanted.length === 0) return null;
  const words = wordsOf(text);
  let total = 0;
  for (const word of wanted) {
    let best = 0;
    for (const candidate of words) {
      best = Math.max(best, candidate.includes(word) ? 1 : wordSimilarity(word, candidate));
      if (best === 1) break;
    }
    if (best < similarEnough) return null;
    total += best;
  }
  return total / wanted.length;
}
