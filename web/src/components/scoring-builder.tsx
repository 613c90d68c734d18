import { Button, Card, ConfigProvider, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScoringModelDefinition } from '../../../src/contract/scoring.ts';
import { eventTypes } from '../../../src/domain/capture/event-types.ts';
import { scoringFields } from '../../../src/domain/scoring/fields.ts';
import { codeOf } from '../format.ts';
import {
  buildConditions,
  ConditionsEditor,
  draftConditionsOf,
  FieldProblem,
  problemsOf,
  type DraftCondition,
  type Problems,
} from './condition-builder.tsx';

type Definition = ScoringModelDefinition;
type FitRule = Definition['fitRules'][number];
type EngagementRule = Definition['engagementRules'][number];
type TouchFilter = Definition['mql']['highIntent'][number];

interface DraftFit {
  key: number;
  id: string | null;
  label: string;
  points: number | null;
  group: string;
  conditions: DraftCondition[];
}
interface DraftTouch {
  key: number;
  eventTypes: string[];
  urlContains: string;
  campaign: string;
  properties: TouchFilter['properties'];
}
interface DraftEngagement extends DraftTouch {
  id: string | null;
  label: string;
  points: number | null;
  maxCount: number | null;
  maxDays: number | null;
  cap: number | null;
  group: string;
  decays: boolean;
}
interface Draft {
  fit: DraftFit[];
  engagement: DraftEngagement[];
  fitAtLeast: number | null;
  engagementAtLeast: number | null;
  highIntent: DraftTouch[];
  highIntentWithinDays: number | null;
  recycleCoolOffDays: number | null;
  halfLifeDays: number | null;
  lookbackDays: number | null;
}

let nextKey = 1;

const touchOf = (f: TouchFilter): DraftTouch => ({
  key: nextKey++,
  eventTypes: [...f.eventTypes],
  urlContains: f.urlContains ?? '',
  campaign: f.campaign ?? '',
  properties: f.properties,
});

function draftOf(d: Definition): Draft {
  return {
    fit: d.fitRules.map((r) => ({
      key: nextKey++,
      id: r.id,
      label: r.label,
      points: r.points,
      group: r.group ?? '',
      conditions: draftConditionsOf(r.conditions),
    })),
    engagement: d.engagementRules.map((r) => ({
      ...touchOf(r),
      id: r.id,
      label: r.label,
      points: r.points,
      maxCount: r.maxPerPeriod?.count ?? null,
      maxDays: r.maxPerPeriod?.days ?? null,
      cap: r.cap ?? null,
      group: r.group ?? '',
      decays: r.decays ?? true,
    })),
    fitAtLeast: d.mql.fitAtLeast,
    engagementAtLeast: d.mql.engagementAtLeast,
    highIntent: d.mql.highIntent.map(touchOf),
    highIntentWithinDays: d.mql.highIntentWithinDays,
    recycleCoolOffDays: d.mql.recycleCoolOffDays,
    halfLifeDays: d.halfLifeDays,
    lookbackDays: d.lookbackDays,
  };
}

interface Texts {
  label: string;
  points: string;
  value: string;
  attribute: string;
  events: string;
  conditions: string;
  number: string;
}

/** The definition as the server takes it, with every place that is not complete yet. */
function build(draft: Draft, base: Definition, texts: Texts): { definition: Definition; problems: Problems } {
  const problems: Problems = {};
  const need = (value: number | null, path: string): number => {
    if (value === null) problems[path] = texts.number;
    return value ?? 0;
  };
  const touch = (t: DraftTouch, path: string): TouchFilter => {
    if (t.eventTypes.length === 0) problems[`${path}.eventTypes`] = texts.events;
    return {
      eventTypes: t.eventTypes as TouchFilter['eventTypes'],
      ...(t.urlContains.trim() && { urlContains: t.urlContains.trim() }),
      ...(t.campaign.trim() && { campaign: t.campaign.trim() }),
      ...(t.properties && { properties: t.properties }),
    };
  };
  const fitIds = new Set(draft.fit.flatMap((r) => (r.id ? [r.id] : [])));
  const fitRules = draft.fit.map((r, i): FitRule => {
    if (r.label.trim() === '') problems[`fitRules.${i}.label`] = texts.label;
    if (r.points === null) problems[`fitRules.${i}.points`] = texts.points;
    const conditions = buildConditions(r.conditions, `fitRules.${i}.conditions`, problems, texts);
    if (r.conditions.length === 0) problems[`fitRules.${i}.conditions`] = texts.conditions;
    return {
      id: r.id ?? codeOf(r.label, fitIds, '-', 64),
      label: r.label.trim(),
      conditions,
      points: r.points ?? 0,
      ...(r.group.trim() && { group: r.group.trim() }),
    };
  });
  const engagementIds = new Set(draft.engagement.flatMap((r) => (r.id ? [r.id] : [])));
  const engagementRules = draft.engagement.map((r, i): EngagementRule => {
    const path = `engagementRules.${i}`;
    if (r.label.trim() === '') problems[`${path}.label`] = texts.label;
    if (r.points === null) problems[`${path}.points`] = texts.points;
    if ((r.maxCount === null) !== (r.maxDays === null)) problems[`${path}.maxPerPeriod`] = texts.number;
    return {
      id: r.id ?? codeOf(r.label, engagementIds, '-', 64),
      label: r.label.trim(),
      ...touch(r, path),
      points: r.points ?? 0,
      ...(r.maxCount !== null &&
        r.maxDays !== null && { maxPerPeriod: { count: r.maxCount, days: r.maxDays } }),
      ...(r.cap !== null && { cap: r.cap }),
      ...(r.group.trim() && { group: r.group.trim() }),
      ...(!r.decays && { decays: false }),
    };
  });
  const definition: Definition = {
    ...base,
    fitRules,
    engagementRules,
    halfLifeDays: need(draft.halfLifeDays, 'halfLifeDays'),
    lookbackDays: need(draft.lookbackDays, 'lookbackDays'),
    mql: {
      fitAtLeast: need(draft.fitAtLeast, 'mql.fitAtLeast'),
      engagementAtLeast: need(draft.engagementAtLeast, 'mql.engagementAtLeast'),
      highIntent: draft.highIntent.map((t, i) => touch(t, `mql.highIntent.${i}`)),
      highIntentWithinDays: need(draft.highIntentWithinDays, 'mql.highIntentWithinDays'),
      recycleCoolOffDays: need(draft.recycleCoolOffDays, 'mql.recycleCoolOffDays'),
    },
  };
  return { definition, problems };
}

const move = <T,>(list: T[], from: number, to: number): T[] => {
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
};

/** Move up, move down and remove, for the rule numbered `n` of a list named `what`. */
function RuleButtons({
  what,
  n,
  count,
  onMove,
  onRemove,
}: {
  what: string;
  n: number;
  count: number;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      <Button
        size="small"
        aria-label={`${t('builder.moveUp')} ${what} ${n}`}
        disabled={n === 1}
        onClick={() => onMove(n - 2)}
      >
        ↑
      </Button>
      <Button
        size="small"
        aria-label={`${t('builder.moveDown')} ${what} ${n}`}
        disabled={n === count}
        onClick={() => onMove(n)}
      >
        ↓
      </Button>
      <Button size="small" danger aria-label={`${t('builder.removeRule')} ${what} ${n}`} onClick={onRemove}>
        ×
      </Button>
    </Space>
  );
}

/** Which touches count: event types, and optionally a piece of the URL and a campaign. */
function TouchFields({
  touch,
  label,
  path,
  problems,
  onChange,
}: {
  touch: DraftTouch;
  label: string;
  path: string;
  problems: Problems;
  onChange: (touch: DraftTouch) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Space wrap align="start">
        <Select
          mode="multiple"
          aria-label={`${t('scoringBuilder.events')} ${label}`}
          placeholder={t('scoringBuilder.events')}
          style={{ minWidth: 280 }}
          status={problems[`${path}.eventTypes`] ? 'error' : ''}
          value={touch.eventTypes}
          optionFilterProp="label"
          onChange={(eventTypes: string[]) => onChange({ ...touch, eventTypes })}
          options={eventTypes.map((e) => ({ value: e, label: t(`touch.${e as 'form_submitted'}`) }))}
        />
        <Input
          aria-label={`${t('scoringBuilder.urlContains')} ${label}`}
          placeholder={t('scoringBuilder.urlContains')}
          style={{ width: 180 }}
          value={touch.urlContains}
          maxLength={500}
          onChange={(e) => onChange({ ...touch, urlContains: e.target.value })}
        />
        <Input
          aria-label={`${t('scoringBuilder.campaign')} ${label}`}
          placeholder={t('scoringBuilder.campaign')}
          style={{ width: 180 }}
          value={touch.campaign}
          maxLength={200}
          onChange={(e) => onChange({ ...touch, campaign: e.target.value })}
        />
      </Space>
      <FieldProblem text={problems[`${path}.eventTypes`]} />
    </>
  );
}

/** A number with its label beside it, and its problem under it. */
function NumberField({
  label,
  ariaLabel,
  value,
  onChange,
  problem,
  min,
  width = 110,
}: {
  label: string;
  ariaLabel?: string;
  value: number | null;
  onChange: (v: number | null) => void;
  problem?: string | undefined;
  min?: number;
  width?: number;
}) {
  return (
    <Space orientation="vertical" size={2}>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <InputNumber
        aria-label={ariaLabel ?? label}
        style={{ width }}
        min={min}
        status={problem ? 'error' : ''}
        value={value}
        onChange={(v) => onChange(typeof v === 'number' ? v : null)}
      />
      <FieldProblem text={problem} />
    </Space>
  );
}

/**
 * The scoring model without JSON: the MQL rule with its high-intent touches, fit rules on the
 * lead's and account's fields (the condition builder routing uses), engagement rules on touches,
 * each with its points, limits and order. Nothing the server would refuse is sent, and what it
 * refuses shows beside its place. Read-only unless `editable`.
 */
export function ScoringBuilder({
  definition,
  editable,
  saving,
  onSave,
}: {
  definition: Definition;
  editable: boolean;
  saving: boolean;
  /** Saves; the promise rejects with the server's refusal. */
  onSave: (definition: Definition) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(definition));
  const [problems, setProblems] = useState<Problems>({});
  useEffect(() => {
    setDraft(draftOf(definition));
    setProblems({});
  }, [definition]);
  const texts: Texts = {
    label: t('scoringBuilder.labelNeeded'),
    points: t('scoringBuilder.pointsNeeded'),
    value: t('builder.valueNeeded'),
    attribute: t('builder.attribute'),
    events: t('scoringBuilder.eventsNeeded'),
    conditions: t('scoringBuilder.conditionsNeeded'),
    number: t('scoringBuilder.numberNeeded'),
  };
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setFit = (i: number, rule: DraftFit) => set({ fit: draft.fit.map((r, at) => (at === i ? rule : r)) });
  const setEngagement = (i: number, rule: DraftEngagement) =>
    set({ engagement: draft.engagement.map((r, at) => (at === i ? rule : r)) });
  const save = () => {
    const { definition: built, problems: found } = build(draft, definition, texts);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    onSave(built).catch((error: unknown) => {
      const refused = problemsOf(error, /^body\.definition\./);
      if (refused) setProblems(refused);
    });
  };
  const fitWhat = t('scoringBuilder.fitRule');
  const engagementWhat = t('scoringBuilder.engagementRule');

  return (
    // Read-only, the fields are disabled, in a darker grey than antd's so they stay readable (WCAG AA).
    <ConfigProvider
      componentDisabled={!editable}
      theme={editable ? {} : { token: { colorTextDisabled: 'rgba(0, 0, 0, 0.72)' } }}
    >
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Card size="small" title={<h3 className="baton-card-title">{t('scoringBuilder.mql')}</h3>}>
          <Typography.Paragraph type="secondary">{t('scoringBuilder.mqlIntro')}</Typography.Paragraph>
          <Space wrap align="start">
            <NumberField
              label={t('scoring.fitAtLeast')}
              value={draft.fitAtLeast}
              onChange={(fitAtLeast) => set({ fitAtLeast })}
              problem={problems['mql.fitAtLeast']}
            />
            <NumberField
              label={t('scoring.engagementAtLeast')}
              value={draft.engagementAtLeast}
              onChange={(engagementAtLeast) => set({ engagementAtLeast })}
              problem={problems['mql.engagementAtLeast']}
            />
            <NumberField
              label={t('scoringBuilder.withinDays')}
              min={1}
              value={draft.highIntentWithinDays}
              onChange={(highIntentWithinDays) => set({ highIntentWithinDays })}
              problem={problems['mql.highIntentWithinDays']}
            />
            <NumberField
              label={t('scoringBuilder.coolOff')}
              min={0}
              value={draft.recycleCoolOffDays}
              onChange={(recycleCoolOffDays) => set({ recycleCoolOffDays })}
              problem={problems['mql.recycleCoolOffDays']}
            />
            <NumberField
              label={t('scoringBuilder.halfLife')}
              min={0}
              value={draft.halfLifeDays}
              onChange={(halfLifeDays) => set({ halfLifeDays })}
              problem={problems.halfLifeDays}
            />
            <NumberField
              label={t('scoringBuilder.lookback')}
              min={1}
              value={draft.lookbackDays}
              onChange={(lookbackDays) => set({ lookbackDays })}
              problem={problems.lookbackDays}
            />
          </Space>
          <Typography.Paragraph strong style={{ marginTop: 12, marginBottom: 4 }}>
            {t('scoring.highIntent')}
          </Typography.Paragraph>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {draft.highIntent.map((touch, i) => (
              <Space key={touch.key} align="start" wrap>
                <TouchFields
                  touch={touch}
                  label={`${t('scoring.highIntent')} ${i + 1}`}
                  path={`mql.highIntent.${i}`}
                  problems={problems}
                  onChange={(next) =>
                    set({ highIntent: draft.highIntent.map((x, at) => (at === i ? next : x)) })
                  }
                />
                <Button
                  aria-label={`${t('builder.removeCondition')} ${t('scoring.highIntent')} ${i + 1}`}
                  onClick={() => set({ highIntent: draft.highIntent.filter((_, at) => at !== i) })}
                >
                  ×
                </Button>
              </Space>
            ))}
            {editable && (
              <Button
                size="small"
                onClick={() =>
                  set({ highIntent: [...draft.highIntent, touchOf({ eventTypes: ['demo_requested'] })] })
                }
              >
                {t('scoringBuilder.addHighIntent')}
              </Button>
            )}
          </Space>
        </Card>

        <Card size="small" title={<h3 className="baton-card-title">{t('scoring.fitRules')}</h3>}>
          <Typography.Paragraph type="secondary">{t('scoringBuilder.fitIntro')}</Typography.Paragraph>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {draft.fit.map((rule, i) => (
              <Card
                key={rule.key}
                size="small"
                type="inner"
                data-testid={`fit-rule-${i + 1}`}
                title={
                  <Space>
                    <span>{i + 1}.</span>
                    <Input
                      aria-label={`${t('scoringBuilder.label')} ${fitWhat} ${i + 1}`}
                      placeholder={t('scoringBuilder.label')}
                      value={rule.label}
                      maxLength={200}
                      status={problems[`fitRules.${i}.label`] ? 'error' : ''}
                      onChange={(e) => setFit(i, { ...rule, label: e.target.value })}
                    />
                  </Space>
                }
                extra={
                  editable && (
                    <RuleButtons
                      what={fitWhat}
                      n={i + 1}
                      count={draft.fit.length}
                      onMove={(to) => set({ fit: move(draft.fit, i, to) })}
                      onRemove={() => set({ fit: draft.fit.filter((_, at) => at !== i) })}
                    />
                  )
                }
              >
                <FieldProblem text={problems[`fitRules.${i}.label`] ?? problems[`fitRules.${i}.id`]} />
                <ConditionsEditor
                  conditions={rule.conditions}
                  onChange={(conditions) => setFit(i, { ...rule, conditions })}
                  fields={scoringFields}
                  n={i + 1}
                  path={`fitRules.${i}.conditions`}
                  problems={problems}
                />
                <FieldProblem text={problems[`fitRules.${i}.conditions`]} />
                <Space wrap align="start" style={{ marginTop: 8 }}>
                  <NumberField
                    label={t('lead.points')}
                    ariaLabel={`${t('lead.points')} ${fitWhat} ${i + 1}`}
                    value={rule.points}
                    onChange={(points) => setFit(i, { ...rule, points })}
                    problem={problems[`fitRules.${i}.points`]}
                  />
                  <Space orientation="vertical" size={2}>
                    <Typography.Text type="secondary">{t('scoringBuilder.group')}</Typography.Text>
                    <Input
                      aria-label={`${t('scoringBuilder.group')} ${fitWhat} ${i + 1}`}
                      style={{ width: 160 }}
                      value={rule.group}
                      maxLength={64}
                      onChange={(e) => setFit(i, { ...rule, group: e.target.value })}
                    />
                    <FieldProblem text={problems[`fitRules.${i}.group`]} />
                  </Space>
                </Space>
              </Card>
            ))}
            {editable && (
              <Button
                onClick={() =>
                  set({
                    fit: [
                      ...draft.fit,
                      { key: nextKey++, id: null, label: '', points: 5, group: '', conditions: [] },
                    ],
                  })
                }
              >
                {t('scoringBuilder.addFit')}
              </Button>
            )}
          </Space>
        </Card>

        <Card size="small" title={<h3 className="baton-card-title">{t('scoring.engagementRules')}</h3>}>
          <Typography.Paragraph type="secondary">{t('scoringBuilder.engagementIntro')}</Typography.Paragraph>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {draft.engagement.map((rule, i) => {
              const path = `engagementRules.${i}`;
              const named = `${engagementWhat} ${i + 1}`;
              return (
                <Card
                  key={rule.key}
                  size="small"
                  type="inner"
                  data-testid={`engagement-rule-${i + 1}`}
                  title={
                    <Space>
                      <span>{i + 1}.</span>
                      <Input
                        aria-label={`${t('scoringBuilder.label')} ${named}`}
                        placeholder={t('scoringBuilder.label')}
                        value={rule.label}
                        maxLength={200}
                        status={problems[`${path}.label`] ? 'error' : ''}
                        onChange={(e) => setEngagement(i, { ...rule, label: e.target.value })}
                      />
                    </Space>
                  }
                  extra={
                    editable && (
                      <RuleButtons
                        what={engagementWhat}
                        n={i + 1}
                        count={draft.engagement.length}
                        onMove={(to) => set({ engagement: move(draft.engagement, i, to) })}
                        onRemove={() => set({ engagement: draft.engagement.filter((_, at) => at !== i) })}
                      />
                    )
                  }
                >
                  <FieldProblem text={problems[`${path}.label`] ?? problems[`${path}.id`]} />
                  <TouchFields
                    touch={rule}
                    label={named}
                    path={path}
                    problems={problems}
                    onChange={(touch) => setEngagement(i, { ...rule, ...touch })}
                  />
                  <Space wrap align="start" style={{ marginTop: 8 }}>
                    <NumberField
                      label={t('lead.points')}
                      ariaLabel={`${t('lead.points')} ${named}`}
                      value={rule.points}
                      onChange={(points) => setEngagement(i, { ...rule, points })}
                      problem={problems[`${path}.points`]}
                    />
                    <NumberField
                      label={t('scoringBuilder.maxCount')}
                      ariaLabel={`${t('scoringBuilder.maxCount')} ${named}`}
                      min={1}
                      value={rule.maxCount}
                      onChange={(maxCount) => setEngagement(i, { ...rule, maxCount })}
                      problem={problems[`${path}.maxPerPeriod`] ?? problems[`${path}.maxPerPeriod.count`]}
                    />
                    <NumberField
                      label={t('scoringBuilder.maxDays')}
                      ariaLabel={`${t('scoringBuilder.maxDays')} ${named}`}
                      min={1}
                      value={rule.maxDays}
                      onChange={(maxDays) => setEngagement(i, { ...rule, maxDays })}
                      problem={problems[`${path}.maxPerPeriod.days`]}
                    />
                    <NumberField
                      label={t('scoringBuilder.cap')}
                      ariaLabel={`${t('scoringBuilder.cap')} ${named}`}
                      min={0}
                      value={rule.cap}
                      onChange={(cap) => setEngagement(i, { ...rule, cap })}
                      problem={problems[`${path}.cap`]}
                    />
                    <Space orientation="vertical" size={2}>
                      <Typography.Text type="secondary">{t('scoringBuilder.group')}</Typography.Text>
                      <Input
                        aria-label={`${t('scoringBuilder.group')} ${named}`}
                        style={{ width: 140 }}
                        value={rule.group}
                        maxLength={64}
                        onChange={(e) => setEngagement(i, { ...rule, group: e.target.value })}
                      />
                      <FieldProblem text={problems[`${path}.group`]} />
                    </Space>
                    <Space orientation="vertical" size={2}>
                      <Typography.Text type="secondary">{t('scoringBuilder.decays')}</Typography.Text>
                      <Switch
                        aria-label={`${t('scoringBuilder.decays')} ${named}`}
                        checked={rule.decays}
                        onChange={(decays) => setEngagement(i, { ...rule, decays })}
                      />
                    </Space>
                  </Space>
                </Card>
              );
            })}
            {editable && (
              <Button
                onClick={() =>
                  set({
                    engagement: [
                      ...draft.engagement,
                      {
                        ...touchOf({ eventTypes: ['page_viewed'] }),
                        id: null,
                        label: '',
                        points: 1,
                        maxCount: null,
                        maxDays: null,
                        cap: null,
                        group: '',
                        decays: true,
                      },
                    ],
                  })
                }
              >
                {t('scoringBuilder.addEngagement')}
              </Button>
            )}
          </Space>
        </Card>
        {editable && (
          // Stays in view at the foot of the window: the model is long, and Save belongs with every rule.
          <div className="baton-sticky-actions">
            <Space wrap>
              {/* Disabled while saving rather than antd's loading icon: a quick refusal can leave that
                  icon's exit motion, and its "loading" label, behind. */}
              <Button type="primary" onClick={save} disabled={saving}>
                {t('common.save')}
              </Button>
              {Object.keys(problems).length > 0 && (
                <Typography.Text type="danger" role="alert">
                  {t('scoringBuilder.fix', { count: Object.keys(problems).length })}
                </Typography.Text>
              )}
            </Space>
          </div>
        )}
      </Space>
    </ConfigProvider>
  );
}
