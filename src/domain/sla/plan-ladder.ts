/**
 * Follow-up SLAs (PRODUCT.md §3): what a rep must do by when, and what happens when they do not.
 * Pure: the caller supplies the calendar and the instants; this plans the ladder and says which
 * step is due.
 */
import { addBusinessTime, type BusinessCalendar } from './business-time.ts';

/** What ends the clock. */
export type SlaTarget =
  'first_response' | 'accept_or_reject' | 'qualify_or_recycle' | 'opportunity_or_recycle';

export interface LadderSettings {
  /** The window in business time, in milliseconds (seconds are allowed, for demos). */
  windowMs: number;
  /** A reminder to the rep when this share of the window is used (0.5), or none. */
  reminderAt: number | null;
  /**
   * Misses that escalate, one window apart: the first to the rep's manager, the second to the
   * director (the manager's manager). 0 escalates to no one.
   */
  escalations: number;
  /** After the last escalation and one more window, give the lead to another rep. */
  reassign: boolean;
}

export type StepKind = 'reminder' | 'breach' | 'reassign';

export interface LadderStep {
  /** 0-based position in the ladder; each step is taken once, in order. */
  index: number;
  kind: StepKind;
  /** Breach level (1 = first miss); 0 for the reminder. */
  level: number;
  /** Who hears of it: the rep, their manager, the director, or routing (reassignment). */
  notify: 'rep' | 'manager' | 'director' | 'routing';
  at: Date;
}

/**
 * The ladder of an SLA that started at `startedAt`: the reminder, each escalation one window after
 * the last, then the reassignment. Steps are in time order.
 *
 * @example planLadder({ windowMs: 4 * 3_600_000, reminderAt: 0.5, escalations: 2, reassign: true }, calendar, start).map((s) => s.kind) // ['reminder', 'breach', 'breach', 'reassign']
 */
export function planLadder(
  settings: LadderSettings,
  calendar: BusinessCalendar,
  startedAt: Date,
): LadderStep[] {
  const after = (windows: number) =>
    addBusinessTime(calendar, startedAt, Math.round(settings.windowMs * windows));
  const steps: Omit<LadderStep, 'index'>[] = [];
  if (settings.reminderAt !== null && settings.reminderAt > 0 && settings.reminderAt < 1)
    steps.push({ kind: 'reminder', level: 0, notify: 'rep', at: after(settings.reminderAt) });
  for (let level = 1; level <= Math.max(1, settings.escalations); level++)
    steps.push({
      kind: 'breach',
      level,
      notify: level > settings.escalations ? 'rep' : level === 1 ? 'manager' : 'director',
      at: after(level),
    });
  if (settings.reassign)
    steps.push({
      kind: 'reassign',
      level: 0,
      notify: 'routing',
      at: after(Math.max(1, settings.escalations) + 1),
    });
  return steps.map((step, index) => ({ ...step, index }));
}

/** The deadline itself: when the first breach happens. */
export function deadlineOf(ladder: readonly LadderStep[]): Date {
  return ladder.find((s) => s.kind === 'breach')!.at;
}

/**
 * The steps due now, in order, from the next one not yet taken: a sweep that was down for a while
 * takes every step it missed, once each.
 *
 * @example dueSteps(ladder, 1, now) // the breaches whose time has come, from index 1 on
 */
export function dueSteps<S extends TimedStep>(ladder: readonly S[], nextIndex: number, now: Date): S[] {
  const nowMs = now.getTime();
  const nowText = isoTextOf(nowMs);
  return ladder.filter((s) => s.index >= nextIndex && atOrBefore(s.at, nowMs, nowText));
}

/** The last instant written as ISO text: a sweep asks for the same `now` ten thousand times. */
let lastIso = { ms: Number.NaN, text: '' };
function isoTextOf(ms: number): string {
  if (lastIso.ms !== ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

/**
 * Whether an instant is at or before now. ISO text as `toISOString` writes it (24 characters:
 * UTC, milliseconds, years 0–9999) sorts as its instants do, so it is compared as text, and a
 * sweep of 10,000 clocks parses no dates. Any other text is parsed.
 */
function atOrBefore(at: Date | string, nowMs: number, nowText: string): boolean {
  if (typeof at !== 'string') return at.getTime() <= nowMs;
  const canonical =
    at.length === 24 &&
    nowText.length === 24 &&
    at.charCodeAt(10) === 84 /* T */ &&
    at.charCodeAt(19) === 46 /* . */ &&
    at.charCodeAt(23) === 90; /* Z */
  return canonical ? at <= nowText : Date.parse(at) <= nowMs;
}

/**
 * When to look again: the next step's time, or null when the ladder is done. The time comes back
 * as the ladder holds it (a Date, or the ISO text a stored ladder keeps).
 */
export function nextCheckAt<S extends TimedStep>(ladder: readonly S[], nextIndex: number): S['at'] | null {
  return ladder.find((s) => s.index >= nextIndex)?.at ?? null;
}

/**
 * A step as the two functions above read it: its place, and its instant as a Date or as ISO 8601
 * text (a clock's stored ladder, read by the sweep without making a Date of every step).
 */
export interface TimedStep {
  index: number;
  at: Date | string;
}

export interface PolicyDefaults {
  key: string;
  stage: 'mql' | 'sal' | 'sql';
  target: SlaTarget;
  /** Hot leads (a demo request) get a shorter first-response window. */
  priority: 'hot' | 'normal';
  name: { en: string; nl: string };
  ladder: LadderSettings;
}

const minute = 60_000;
const hour = 60 * minute;
/** A business day of the default calendar (09:00–17:30). */
const businessDay = 8.5 * hour;

/** PRODUCT.md's defaults, which admins may edit. */
export const defaultPolicies: readonly PolicyDefaults[] = [
  {
    key: 'mql-first-response-hot',
    stage: 'mql',
    target: 'first_response',
    priority: 'hot',
    name: { en: 'Hot lead: first response', nl: 'Hete lead: eerste reactie' },
    ladder: { windowMs: 15 * minute, reminderAt: 0.5, escalations: 2, reassign: true },
  },
  {
    key: 'mql-first-response',
    stage: 'mql',
    target: 'first_response',
    priority: 'normal',
    name: { en: 'MQL: first response', nl: 'MQL: eerste reactie' },
    ladder: { windowMs: 4 * hour, reminderAt: 0.5, escalations: 2, reassign: true },
  },
  {
    key: 'mql-accept-or-reject',
    stage: 'mql',
    target: 'accept_or_reject',
    priority: 'normal',
    name: { en: 'MQL: accept or reject', nl: 'MQL: accepteren of afwijzen' },
    ladder: { windowMs: businessDay, reminderAt: 0.5, escalations: 2, reassign: false },
  },
  {
    key: 'sal-qualify-or-recycle',
    stage: 'sal',
    target: 'qualify_or_recycle',
    priority: 'normal',
    name: { en: 'SAL: qualify or recycle', nl: 'SAL: kwalificeren of terugsturen' },
    ladder: { windowMs: 5 * businessDay, reminderAt: 0.5, escalations: 2, reassign: false },
  },
  {
    key: 'sql-opportunity-or-recycle',
    stage: 'sql',
    target: 'opportunity_or_recycle',
    priority: 'normal',
    name: { en: 'SQL: opportunity or recycle', nl: 'SQL: opportunity of terugsturen' },
    ladder: { windowMs: 10 * businessDay, reminderAt: 0.5, escalations: 2, reassign: false },
  },
];

/**
 * Which policies a lead gets when it reaches a stage with an owner: for each target the hot
 * policy if the lead is hot and one exists, else the normal one.
 *
 * @example policiesFor(defaultPolicies, 'mql', true).map((p) => p.key) // ['mql-first-response-hot', 'mql-accept-or-reject']
 */
export function policiesFor<P extends { stage: string; target: string; priority: string }>(
  policies: readonly P[],
  stage: string,
  isHot: boolean,
): P[] {
  const atStage = policies.filter((p) => p.stage === stage);
  // The clocks in the order they run out: respond, then decide, then qualify, then convert.
  const order: readonly string[] = [
    'first_response',
    'accept_or_reject',
    'qualify_or_recycle',
    'opportunity_or_recycle',
  ];
  const targets = [...new Set(atStage.map((p) => p.target))].sort(
    (a, b) => order.indexOf(a) - order.indexOf(b),
  );
  return targets.flatMap((target) => {
    const hot = isHot ? atStage.find((p) => p.target === target && p.priority === 'hot') : undefined;
    const normal = atStage.find((p) => p.target === target && p.priority === 'normal');
    const chosen = hot ?? normal;
    return chosen ? [chosen] : [];
  });
}

/** Whether an activity or decision ends a clock with this target. */
export function stopsClock(
  target: SlaTarget,
  event: { kind: 'sales_activity' } | { kind: 'stage_change'; from: string; to: string; byHuman: boolean },
): boolean {
  if (event.kind === 'sales_activity') return target === 'first_response';
  if (!event.byHuman) return false;
  switch (target) {
    // Accepting or rejecting is a genuine response too.
    case 'first_response':
    case 'accept_or_reject':
      return event.from === 'mql' && event.to !== 'mql';
    case 'qualify_or_recycle':
      return event.from === 'sal' && event.to !== 'sal';
    case 'opportunity_or_recycle':
      return event.from === 'sql' && event.to !== 'sql';
  }
}
