import { describe, expect, it } from 'vitest';
import {
  gradeOf,
  holds,
  matchesTouch,
  scoreContact,
  type Condition,
  type EngagementRule,
  type Facts,
  type ScoredTouch,
  type ScoringModelDefinition,
  type TouchFilter,
} from './score-contact.ts';
import { scoreAccount } from './score-account.ts';
import { compactExplanation, expandExplanation, type CompactExplanation } from './compact-explanation.ts';

const now = new Date('2026-11-27T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

let n = 0;
function touch(type: string, ageDays: number, extra: Partial<ScoredTouch> = {}): ScoredTouch {
  return {
    id: `t${String(++n).padStart(4, '0')}`,
    type,
    occurredAt: daysAgo(ageDays),
    url: null,
    campaign: null,
    properties: {},
    ...extra,
  };
}

const base: ScoringModelDefinition = {
  fitRules: [],
  engagementRules: [],
  halfLifeDays: 30,
  lookbackDays: 365,
  groupCaps: {},
  grades: { fit: { a: 60, b: 30 }, engagement: { one: 60, two: 30 } },
  mql: {
    fitAtLeast: 40,
    engagementAtLeast: 30,
    highIntent: [{ eventTypes: ['demo_requested'] }],
    highIntentWithinDays: 30,
    recycleCoolOffDays: 30,
  },
  accountEngagementCap: 200,
};
const model = (patch: Partial<ScoringModelDefinition>): ScoringModelDefinition => ({ ...base, ...patch });
const rule = (patch: Partial<EngagementRule>): EngagementRule => ({
  id: 'r',
  label: 'Rule',
  eventTypes: ['page_viewed'],
  points: 10,
  ...patch,
});

describe('holds: every fit condition kind', () => {
  const facts: Facts = {
    title: ' Chief Technology Officer ',
    country: 'NL',
    'account.employeeCount': 120,
    'attributes.TotalVisits': '7',
    phone: '',
    emailDomain: 'gmail.com',
    'attributes.Do Not Email': 'No',
    isCustomer: true,
  };
  it.each<{ condition: Condition; expected: boolean; facts?: Facts }>([
    { condition: { op: 'equals', field: 'country', value: 'nl' }, expected: true },
    { condition: { op: 'equals', field: 'country', value: 'BE' }, expected: false },
    { condition: { op: 'equals', field: 'attributes.TotalVisits', value: 7 }, expected: true },
    { condition: { op: 'equals', field: 'isCustomer', value: true }, expected: true },
    { condition: { op: 'equals', field: 'missing', value: 'x' }, expected: false },
    { condition: { op: 'in', field: 'country', values: ['BE', 'NL'] }, expected: true },
    { condition: { op: 'in', field: 'country', values: ['BE', 'DE'] }, expected: false },
    { condition: { op: 'contains', field: 'title', value: 'technology' }, expected: true },
    { condition: { op: 'contains', field: 'title', value: 'student' }, expected: false },
    { condition: { op: 'contains', field: 'missing', value: '' }, expected: false },
    { condition: { op: 'range', field: 'account.employeeCount', min: 50, max: 249 }, expected: true },
    { condition: { op: 'range', field: 'account.employeeCount', min: 120, max: 120 }, expected: true },
    { condition: { op: 'range', field: 'account.employeeCount', min: 250 }, expected: false },
    { condition: { op: 'range', field: 'attributes.TotalVisits', max: 10 }, expected: true },
    { condition: { op: 'range', field: 'title', min: 0 }, expected: false },
    { condition: { op: 'exists', field: 'title' }, expected: true },
    { condition: { op: 'exists', field: 'phone' }, expected: false },
    { condition: { op: 'exists', field: 'missing' }, expected: false },
    { condition: { op: 'free_mail' }, expected: true },
    { condition: { op: 'free_mail' }, expected: false, facts: { emailDomain: 'acme.nl' } },
    { condition: { op: 'free_mail' }, expected: true, facts: { emailDomain: 'mail.ziggo.nl' } },
    { condition: { op: 'free_mail' }, expected: false, facts: {} },
    {
      condition: {
        op: 'any',
        conditions: [
          { op: 'equals', field: 'country', value: 'BE' },
          { op: 'range', field: 'account.employeeCount', min: 100 },
        ],
      },
      expected: true,
    },
    {
      condition: {
        op: 'any',
        conditions: [
          { op: 'equals', field: 'country', value: 'BE' },
          { op: 'exists', field: 'phone' },
        ],
      },
      expected: false,
    },
  ])('$condition.op $condition.field → $expected', ({ condition, expected, facts: own }) => {
    expect(holds(condition, own ?? facts)).toBe(expected);
  });
});

describe('matchesTouch: engagement filters', () => {
  const t = touch('page_viewed', 1, {
    url: 'https://acme.nl/Careers/dev',
    campaign: 'Spring',
    properties: { form: 'contact-sales', n: 3 },
  });
  it.each<{ filter: TouchFilter; expected: boolean }>([
    { filter: { eventTypes: ['page_viewed'] }, expected: true },
    { filter: { eventTypes: ['form_submitted'] }, expected: false },
    { filter: { eventTypes: ['page_viewed'], urlContains: '/careers' }, expected: true },
    { filter: { eventTypes: ['page_viewed'], urlContains: '/pricing' }, expected: false },
    { filter: { eventTypes: ['page_viewed'], campaign: 'spring' }, expected: true },
    { filter: { eventTypes: ['page_viewed'], campaign: 'autumn' }, expected: false },
    { filter: { eventTypes: ['page_viewed'], properties: { form: 'Contact-Sales' } }, expected: true },
    { filter: { eventTypes: ['page_viewed'], properties: { n: '3' } }, expected: true },
    { filter: { eventTypes: ['page_viewed'], properties: { other: 'x' } }, expected: false },
  ])('$filter → $expected', ({ filter, expected }) => {
    expect(matchesTouch(filter, t)).toBe(expected);
  });
});

describe('gradeOf', () => {
  const grades = base.grades;
  it.each([
    { fit: 60, engagement: 60, grade: 'A1' },
    { fit: 59.99, engagement: 60, grade: 'B1' },
    { fit: 30, engagement: 30, grade: 'B2' },
    { fit: 29, engagement: 29.9, grade: 'C3' },
    { fit: 100, engagement: 0, grade: 'A3' },
    { fit: -20, engagement: 45, grade: 'C2' },
  ])('fit $fit, engagement $engagement → $grade', ({ fit, engagement, grade }) => {
    expect(gradeOf(fit, engagement, grades)).toBe(grade);
  });
});

describe('scoreContact: engagement, decay and caps', () => {
  it.each<{
    name: string;
    rules: EngagementRule[];
    touches: ScoredTouch[];
    halfLifeDays?: number;
    groupCaps?: Record<string, number>;
    engagement: number;
    hit?: Partial<ReturnType<typeof scoreContact>['explanation']['engagement'][number]>;
  }>([
    {
      name: 'a touch today counts in full',
      rules: [rule({})],
      touches: [touch('page_viewed', 0)],
      engagement: 10,
    },
    {
      name: 'a touch one half-life old counts half',
      rules: [rule({})],
      touches: [touch('page_viewed', 30)],
      engagement: 5,
      hit: { pointsBeforeDecay: 10, pointsAfterDecay: 5, matched: 1, counted: 1, cappedBy: 0 },
    },
    {
      name: 'two half-lives: a quarter',
      rules: [rule({ points: 20 })],
      touches: [touch('page_viewed', 60)],
      engagement: 5,
    },
    {
      name: 'a rule that does not decay keeps its points',
      rules: [rule({ decays: false })],
      touches: [touch('page_viewed', 60)],
      engagement: 10,
    },
    {
      name: 'half-life 0 turns decay off',
      rules: [rule({})],
      touches: [touch('page_viewed', 200)],
      halfLifeDays: 0,
      engagement: 10,
    },
    {
      name: 'touches older than the lookback and in the future do not count',
      rules: [rule({})],
      touches: [touch('page_viewed', 400), touch('page_viewed', -1)],
      engagement: 0,
    },
    {
      name: 'other event types do not count',
      rules: [rule({})],
      touches: [touch('email_opened', 0)],
      engagement: 0,
    },
    {
      name: 'at most 2 per day: 3 on one day and 1 the next count 3',
      rules: [rule({ maxPerPeriod: { count: 2, days: 1 }, decays: false })],
      touches: [
        touch('page_viewed', 0, { occurredAt: new Date('2026-11-27T08:00:00Z') }),
        touch('page_viewed', 0, { occurredAt: new Date('2026-11-27T09:00:00Z') }),
        touch('page_viewed', 0, { occurredAt: new Date('2026-11-27T10:00:00Z') }),
        touch('page_viewed', 0, { occurredAt: new Date('2026-11-26T10:00:00Z') }),
      ],
      engagement: 30,
      hit: { matched: 4, counted: 3, pointsBeforeDecay: 30 },
    },
    {
      name: 'a rule cap limits the total after decay and says by how much',
      rules: [rule({ cap: 25, decays: false })],
      touches: [touch('page_viewed', 1), touch('page_viewed', 2), touch('page_viewed', 3)],
      engagement: 25,
      hit: { pointsAfterDecay: 30, cappedBy: 5, points: 25 },
    },
    {
      name: 'a negative rule (careers page) takes points away, capped too',
      rules: [
        rule({ id: 'pages', decays: false }),
        rule({ id: 'careers', urlContains: '/careers', points: -15, cap: 20, decays: false }),
      ],
      touches: [
        touch('page_viewed', 1, { url: 'https://x.nl/careers' }),
        touch('page_viewed', 2, { url: 'https://x.nl/careers/2' }),
      ],
      engagement: 0,
    },
    {
      name: 'a group cap limits rules together',
      rules: [
        rule({ id: 'web', group: 'web', decays: false }),
        rule({ id: 'mail', eventTypes: ['email_clicked'], group: 'web', points: 15, decays: false }),
      ],
      touches: [touch('page_viewed', 1), touch('page_viewed', 2), touch('email_clicked', 1)],
      groupCaps: { web: 20 },
      engagement: 20,
    },
  ])('$name', ({ rules, touches, halfLifeDays, groupCaps, engagement, hit }) => {
    const score = scoreContact(
      model({ engagementRules: rules, halfLifeDays: halfLifeDays ?? 30, groupCaps: groupCaps ?? {} }),
      {},
      touches,
      now,
    );
    expect(score.engagement).toBe(engagement);
    if (hit) expect(score.explanation.engagement[0]).toMatchObject(hit);
  });

  it('explains the group cap it applied', () => {
    const score = scoreContact(
      model({
        engagementRules: [rule({ group: 'web', decays: false })],
        groupCaps: { web: 15 },
      }),
      {},
      [touch('page_viewed', 1), touch('page_viewed', 2)],
      now,
    );
    expect(score.explanation.groupCaps).toEqual([
      { dimension: 'engagement', group: 'web', cap: 15, before: 20, after: 15 },
    ]);
  });
});

describe('scoreContact: fit, grade, MQL and the explanation', () => {
  const fitModel = model({
    fitRules: [
      {
        id: 'nl',
        label: 'In the Netherlands',
        conditions: [{ op: 'in', field: 'country', values: ['NL', 'BE'] }],
        points: 20,
      },
      {
        id: 'mid',
        label: '50–249 employees',
        conditions: [{ op: 'range', field: 'account.employeeCount', min: 50, max: 249 }],
        points: 25,
        group: 'company',
      },
      {
        id: 'it',
        label: 'ICT industry',
        conditions: [{ op: 'equals', field: 'account.industry', value: 'ICT' }],
        points: 25,
        group: 'company',
      },
      {
        id: 'student',
        label: 'Student',
        conditions: [{ op: 'contains', field: 'title', value: 'student' }],
        points: -50,
      },
      { id: 'freemail', label: 'Free-mail address', conditions: [{ op: 'free_mail' }], points: -10 },
      {
        id: 'both',
        label: 'Decision maker in NL',
        conditions: [
          { op: 'contains', field: 'title', value: 'director' },
          { op: 'equals', field: 'country', value: 'NL' },
        ],
        points: 15,
      },
    ],
    engagementRules: [rule({ id: 'pages', label: 'Page views', points: 10, decays: false })],
    groupCaps: { company: 40 },
  });

  it.each<{
    name: string;
    facts: Facts;
    touches: ScoredTouch[];
    fit: number;
    grade: string;
    by: string | null;
  }>([
    {
      name: 'a Dutch ICT director with 3 page views is an A-grade MQL by thresholds',
      facts: { country: 'NL', 'account.employeeCount': 80, 'account.industry': 'ict', title: 'IT Director' },
      touches: [touch('page_viewed', 1), touch('page_viewed', 2), touch('page_viewed', 3)],
      fit: 75,
      grade: 'A2',
      by: 'thresholds',
    },
    {
      name: 'a student on gmail is C-grade and not an MQL',
      facts: { country: 'NL', title: 'Student', emailDomain: 'gmail.com' },
      touches: [touch('page_viewed', 1), touch('page_viewed', 2), touch('page_viewed', 3)],
      fit: -40,
      grade: 'C2',
      by: null,
    },
    {
      name: 'a demo request makes anyone an MQL (high intent)',
      facts: { title: 'Student' },
      touches: [touch('demo_requested', 2)],
      fit: -50,
      grade: 'C3',
      by: 'high_intent',
    },
    {
      name: 'an old demo request is not high intent any more',
      facts: {},
      touches: [touch('demo_requested', 45)],
      fit: 0,
      grade: 'C3',
      by: null,
    },
  ])('$name', ({ facts, touches, fit, grade, by }) => {
    const score = scoreContact(fitModel, facts, touches, now);
    expect(score.fit).toBe(fit);
    expect(score.grade).toBe(grade);
    expect(score.qualifies).toBe(by !== null);
    expect(score.explanation.mql.by).toBe(by);
  });

  it('lists each fired rule with its points, and the group cap on fit', () => {
    const demo = touch('demo_requested', 2);
    const score = scoreContact(
      fitModel,
      { country: 'NL', 'account.employeeCount': 80, 'account.industry': 'ICT' },
      [touch('page_viewed', 1), demo],
      now,
    );
    expect(score.explanation.fit).toEqual([
      { ruleId: 'nl', label: 'In the Netherlands', points: 20, group: null },
      { ruleId: 'mid', label: '50–249 employees', points: 25, group: 'company' },
      { ruleId: 'it', label: 'ICT industry', points: 25, group: 'company' },
    ]);
    expect(score.explanation.groupCaps).toEqual([
      { dimension: 'fit', group: 'company', cap: 40, before: 50, after: 40 },
    ]);
    expect(score.fit).toBe(60);
    expect(score.explanation.engagement).toEqual([
      {
        ruleId: 'pages',
        label: 'Page views',
        matched: 1,
        counted: 1,
        pointsBeforeDecay: 10,
        pointsAfterDecay: 10,
        cappedBy: 0,
        points: 10,
        group: null,
      },
    ]);
    expect(score.explanation.mql).toEqual({
      fitAtLeast: 40,
      engagementAtLeast: 30,
      qualifies: true,
      by: 'high_intent',
      highIntentTouchId: demo.id,
    });
  });

  it('counts a touch stamped a little ahead (a drifting clock) as happening now, and one further ahead not at all', () => {
    const seconds = (s: number) => new Date(now.getTime() + s * 1000);
    const demo = touch('demo_requested', 0, { occurredAt: seconds(20) });
    const scored = scoreContact(
      model({ engagementRules: [rule({ eventTypes: ['demo_requested'], points: 30 })] }),
      {},
      [demo],
      now,
    );
    // Full points, no decay, and the demo request makes the MQL at once.
    expect(scored).toMatchObject({ engagement: 30, qualifies: true });
    expect(scored.explanation.mql).toMatchObject({ by: 'high_intent', highIntentTouchId: demo.id });
    const later = touch('demo_requested', 0, { occurredAt: seconds(6 * 60) });
    expect(scoreContact(base, {}, [later], now)).toMatchObject({ engagement: 0, qualifies: false });
  });

  it('gives the same score whatever order the touches come in', () => {
    const touches = [touch('page_viewed', 5), touch('page_viewed', 1), touch('page_viewed', 3)];
    const capped = model({ engagementRules: [rule({ maxPerPeriod: { count: 1, days: 7 } })] });
    expect(scoreContact(capped, {}, [...touches].reverse(), now)).toEqual(
      scoreContact(capped, {}, touches, now),
    );
  });
});

describe('scoreAccount', () => {
  const accountModel = model({
    fitRules: [
      {
        id: 'size',
        label: 'Mid-size',
        conditions: [{ op: 'range', field: 'account.employeeCount', min: 50 }],
        points: 20,
      },
      { id: 'nl', label: 'NL', conditions: [{ op: 'equals', field: 'country', value: 'NL' }], points: 15 },
    ],
    accountEngagementCap: 100,
  });
  it.each([
    {
      facts: { 'account.employeeCount': 80 },
      engagements: [30, 45.5, 0],
      fit: 20,
      engagement: 75.5,
      grade: 'C1',
    },
    { facts: { 'account.employeeCount': 10 }, engagements: [80, 50], fit: 0, engagement: 100, grade: 'C1' },
    { facts: {}, engagements: [-20, 10], fit: 0, engagement: 10, grade: 'C3' },
  ])(
    'fit $fit and engagement $engagement (capped, contact fields ignored)',
    ({ facts, engagements, ...expected }) => {
      expect(scoreAccount(accountModel, { ...facts, country: 'NL' }, engagements)).toEqual(expected);
    },
  );

  it('counts an "any of" group about the account only, and leaves one that reads a contact field to contacts', () => {
    const grouped = model({
      fitRules: [
        {
          id: 'it-or-telecom',
          label: 'IT or telecom',
          conditions: [
            {
              op: 'any',
              conditions: [
                { op: 'equals', field: 'account.industry', value: 'IT' },
                { op: 'equals', field: 'account.industry', value: 'Telecom' },
              ],
            },
          ],
          points: 10,
        },
        {
          id: 'nl-or-it',
          label: 'NL or IT',
          conditions: [
            {
              op: 'any',
              conditions: [
                { op: 'equals', field: 'country', value: 'NL' },
                { op: 'equals', field: 'account.industry', value: 'Telecom' },
              ],
            },
          ],
          points: 5,
        },
      ],
      accountEngagementCap: 100,
    });
    expect(scoreAccount(grouped, { 'account.industry': 'telecom', country: 'NL' }, []).fit).toBe(10);
    expect(scoreAccount(grouped, { 'account.industry': 'Retail' }, []).fit).toBe(0);
  });
});

describe('compactExplanation', () => {
  it('keeps every number and gets labels, groups and thresholds back from the model', () => {
    const m = model({
      fitRules: [
        {
          id: 'nl',
          label: 'NL',
          conditions: [{ op: 'equals', field: 'country', value: 'NL' }],
          points: 20,
          group: 'geo',
        },
      ],
      engagementRules: [rule({ id: 'pages', label: 'Pages', cap: 15, group: 'web' })],
      groupCaps: { web: 12 },
    });
    const score = scoreContact(
      m,
      { country: 'NL' },
      [touch('page_viewed', 1), touch('demo_requested', 1)],
      now,
    );
    const stored = JSON.parse(JSON.stringify(compactExplanation(score.explanation))) as CompactExplanation;
    expect(expandExplanation(stored, m)).toEqual(score.explanation);
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(score.explanation).length / 2);
  });
});
