import type { Page } from 'playwright-core';
import type { apiSession } from './helpers.ts';

/*
 * Finding English on a page a Dutch reader sees (issue 24): every visible text and every label a
 * screen reader or a tooltip gives, less what the company itself named and the glossary's terms,
 * checked for words that are English and never Dutch.
 */

/**
 * English words that do not occur in Dutch. Words both languages share (open, per, score, team,
 * lead, deal, demo, manager, status, test, was, had, die, last, been) are left out on purpose.
 */
const englishWords = new Set(
  `the and with from has have were this that these those which who whom whose not yes for by on at or an
  its are will would can could should your you our their there what when where why how all any each
  every none after before because into than then them they she him his
  save cancel delete edit search settings overview accepted rejected missed waived breached reminder
  escalated due overdue days hours minutes rule rules fallback channel source owner won lost sent
  received called meeting booked waiting assigned unassigned reassigned matched new name title
  company total average first next show hide more less add remove loading unknown back page`
    .split(/\s+/)
    .filter(Boolean),
);

/** Names Baton does not own that a Dutch page may show as they are. */
const fixedNames = [
  // Microsoft's own name of the Teams Workflows template a person picks.
  'Post to a channel when a webhook request is received',
];

/** Keys under which the API returns what the company named: people, companies, titles, campaigns. */
const nameKeys = new Set([
  'name',
  'firstName',
  'lastName',
  'title',
  'campaign',
  'company',
  'label',
  'description',
]);

/**
 * Everything the company named, as the admin reads it from the API: people, teams, pools, rules,
 * policies, calendars, forms, campaigns, accounts, contacts and deals, and the stages', reasons'
 * and metrics' Dutch names (the glossary's own terms). Baton's own default scoring rules are
 * not among them: their labels must reach a Dutch reader in Dutch.
 */
export async function namesOf(call: Awaited<ReturnType<typeof apiSession>>): Promise<string[]> {
  const found = new Set<string>(fixedNames);
  const collect = (value: unknown, key: string | null): void => {
    if (Array.isArray(value)) for (const item of value) collect(item, key);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      // A name in both languages: the Dutch one is the glossary's term.
      if (key && nameKeys.has(key) && typeof record.nl === 'string') add(record.nl);
      else for (const [k, v] of Object.entries(record)) collect(v, k);
    } else if (typeof value === 'string' && key && nameKeys.has(key) && value.trim().length > 1)
      add(value.trim());
  };
  const add = (name: string) => {
    found.add(name);
    // "Sales accepted lead (SAL)" is shown whole and, in a chart, as its name and its acronym.
    const short = /^(.*\S)\s+\([A-Z]{2,5}\)$/.exec(name)?.[1];
    if (short) found.add(short);
  };
  const paged = async (path: string) => {
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: { data: unknown[]; nextCursor: string | null } = await call(
        'GET',
        `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      collect(page.data, null);
      cursor = page.nextCursor;
    } while (cursor);
  };
  for (const path of [
    '/users',
    '/teams',
    '/routing/pools',
    '/routing/rules',
    '/sla/policies',
    '/sla/calendars',
    '/sla/commitments',
    '/forms',
    '/attribution/costs',
    '/stages',
    '/opportunities/stages',
    '/handoff/reasons',
    '/metrics',
    '/bonus-plans',
    '/plans',
    '/views?list=contacts',
  ])
    collect(await call('GET', path), null);
  for (const path of ['/contacts', '/accounts', '/opportunities']) await paged(path);
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * The visible texts of a page, each text node on its own, and the labels that are read out or
 * shown on hover (aria-label, title, placeholder), with whether `idle` (a JS expression) held at
 * that same moment: read in one evaluation, so nothing can start or end loading in between. Code
 * (`<code>`, `translate="no"`) is left out: a metric's key in the API is the same in every language.
 */
export function textsIfIdle(page: Page, idle: string): Promise<{ idle: boolean; texts: string[] }> {
  return page.evaluate(`(() => ({ idle: ${idle}, texts: (${textsSource})() }))()`);
}

/** What textsIfIdle reads in the page. */
const textsSource = `() => {
    const texts = [];
    const skipped = (el) => !el || el.closest('code, kbd, script, style, noscript, [translate="no"]');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      const text = node.textContent.trim();
      if (text && !skipped(el) && el.checkVisibility({ visibilityProperty: true, opacityProperty: false }))
        texts.push(text);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (skipped(el) || !el.checkVisibility({ visibilityProperty: true })) continue;
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = el.getAttribute(name);
        if (value && value.trim()) texts.push(value.trim());
      }
    }
    return texts;
  }`;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new WeakMap<readonly string[], RegExp>();

/**
 * The English in a text a Dutch reader sees: the text (names taken out) when it holds a word that
 * is English and never Dutch. An acronym in capitals (IT, BE, SAL) is no English word.
 *
 * @example englishIn('Regel “Enterprise”', ['Enterprise']) // []
 * @example englishIn('no rule matched: the fallback pool', []) // ['no rule matched: the fallback pool [the, rule, matched, fallback]']
 */
export function englishIn(text: string, names: readonly string[]): string[] {
  let pattern = patterns.get(names);
  if (!pattern) {
    pattern = new RegExp(names.map(escape).join('|') || '(?!)', 'g');
    patterns.set(names, pattern);
  }
  const rest = text.replace(pattern, ' ');
  const words = (rest.match(/[A-Za-z']+(?:-[A-Za-z']+)*/g) ?? []).filter(
    (w) => !(w.length <= 4 && w === w.toUpperCase()) && englishWords.has(w.toLowerCase()),
  );
  return words.length === 0
    ? []
    : [`${text.slice(0, 200)} [${[...new Set(words.map((w) => w.toLowerCase()))].join(', ')}]`];
}
