import dayjs from 'dayjs';
import type { TFunction } from 'i18next';
import type { Assignment } from '../../src/contract/routing.ts';
import type { User } from '../../src/contract/users.ts';
import i18n from './i18n.ts';
import type { StageChange } from '../../src/contract/stages.ts';

/** "2 h 05 min", "14 min 09 s": a span of (business) time, for a countdown or an overdue. */
export function formatSpan(ms: number, t: TFunction): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (hours > 0) return t('time.hoursMinutes', { hours, minutes: pad(minutes) });
  return t('time.minutesSeconds', { minutes, seconds: pad(seconds) });
}

/** A moment in the user's time zone, in their language: "27 nov. 2026 14:05". */
export function formatMoment(iso: string | null | undefined, timeZone: string, language: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}

export function fromNow(iso: string): string {
  return dayjs(iso).fromNow();
}

/** Integer minor units as money: 2500000 EUR → "€ 25.000,00" in Dutch. */
export function formatMoney(minor: number, currency: string, language: string): string {
  return new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { style: 'currency', currency }).format(
    minor / 100,
  );
}

export function formatPercent(rate: number | null | undefined, language: string): string {
  if (rate === null || rate === undefined) return '—';
  return new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(rate);
}

/** A long span in days and hours, a short one in hours and minutes: "3 d 4 h", "2 h 05 min". */
export function formatStay(ms: number | null, t: TFunction): string {
  if (ms === null) return '—';
  const hours = ms / 3600_000;
  if (hours >= 24)
    return t('time.daysHours', { days: Math.floor(hours / 24), hours: Math.floor(hours % 24) });
  return formatSpan(ms, t);
}

/**
 * A code for something new from its label ("No budget yet" → "no_budget_yet"): lower-case ASCII
 * words joined by `separator`, starting with a letter, at most `max` characters, and unique among
 * `taken` (which it joins).
 *
 * @example codeOf('Decision maker', new Set(['decision-maker']), '-', 64) // 'decision-maker-2'
 */
export function codeOf(label: string, taken: Set<string>, separator: '_' | '-', max: number): string {
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .replace(new RegExp(`^\\${separator}+|\\${separator}+$`, 'g'), '');
  const base = (/^[a-z]/.test(slug) ? slug : `r${separator}${slug}`)
    .slice(0, max - 3)
    .replace(new RegExp(`\\${separator}+$`), '');
  let code = base;
  for (let n = 2; taken.has(code); n++) code = `${base}${separator}${n}`;
  taken.add(code);
  return code;
}

/**
 * A touch's channel in the reader's language: Baton's own codes are translated, a company's own
 * medium (a utm_medium it chose) is shown as written.
 */
export function channelName(t: TFunction, code: string): string {
  return t(`channels.${code}` as 'channels.email', { defaultValue: code });
}

/** How a lead was routed, from the assignment's message, in the reader's language. */
export function routeText(t: TFunction, assignment: Pick<Assignment, 'because'>): string {
  const { code, params } = assignment.because;
  return t(`routeMessage.${code}` as 'routeMessage.rule', { ...params, defaultValue: code });
}

/** The reason for an assignment: Baton's own in the reader's language, a person's as written. */
export function assignmentReason(
  t: TFunction,
  assignment: Pick<Assignment, 'reason' | 'reasonMessage'>,
): string | null {
  const message = assignment.reasonMessage;
  if (!message) return assignment.reason;
  const target = String(message.params.target ?? '');
  return t(`routeMessage.${message.code}` as 'routeMessage.sla_missed', {
    ...message.params,
    target: t(`target.${target}` as 'target.first_response', { defaultValue: target }),
    defaultValue: assignment.reason ?? message.code,
  });
}

/** The note on a stage change: Baton's own in the reader's language, a person's as written. */
export function stageNoteText(
  t: TFunction,
  change: Pick<StageChange, 'note' | 'noteMessage'>,
  language: string,
): string | null {
  const message = change.noteMessage;
  if (!message) return change.note;
  const number = new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: 2 });
  const params = Object.fromEntries(
    Object.entries(message.params).map(([k, v]) => [
      k,
      typeof v === 'number' && k !== 'version' ? number.format(v) : v,
    ]),
  );
  return t(`stageNote.${message.code}` as 'stageNote.imported', {
    ...params,
    defaultValue: change.note ?? '',
  });
}

/** Who made a change that no person made, from the label Baton gave it. */
export function actorLabelText(t: TFunction, label: string): string {
  const scoring = /^scoring model v(\d+)$/.exec(label);
  if (scoring) return t('actorLabel.scoring', { version: scoring[1] });
  if (label === 'cli') return t('actorLabel.cli');
  const capture = /^capture:(.+)$/.exec(label);
  if (capture) {
    const source = capture[1]!;
    return t('actorLabel.capture', {
      source: t(`actorLabel.sources.${source}` as 'actorLabel.sources.api', { defaultValue: source }),
    });
  }
  return label;
}

/** A report group's name: "(none)" and Baton's channel codes in the reader's language. */
export function groupName(t: TFunction, groupBy: string, label: string): string {
  if (label === '(none)') return t('handoff.none');
  return groupBy === 'channel' ? channelName(t, label) : label;
}

/**
 * A person as a picker offers them: their name, and until when they are away if they are now
 * (routing skips them until then), in the reader's language.
 *
 * @example personName(t, { name: 'Emma', absentUntil: '2026-12-08T08:00:00Z' }) // 'Emma · afwezig tot 8 dec' in Dutch
 */
export function personName(t: TFunction, user: Pick<User, 'name' | 'absentUntil'>): string {
  if (!user.absentUntil) return user.name;
  const until = new Intl.DateTimeFormat(i18n.language === 'nl' ? 'nl-NL' : 'en-GB', {
    day: 'numeric',
    month: 'short',
  }).format(new Date(user.absentUntil));
  return t('people.absentUntil', { name: user.name, until });
}
