import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Collapse, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoutingRule, RulesPreview } from '../../../src/contract/routing.ts';
import { routingFields } from '../../../src/domain/routing/fields.ts';
import { ApiError, api } from '../api.ts';
import { useAction } from './use-action.ts';

type Condition = RoutingRule['conditions'][number];
type LeafCondition = Exclude<Condition, { op: 'any' }>;
type Op = LeafCondition['op'];

/** A condition as the builder edits it: a field of the list, a form field's name, an operator and its values. */
interface Leaf {
  field: string;
  attribute: string;
  op: Op;
  value: string;
  number: number | null;
  values: string[];
  min: number | null;
  max: number | null;
}
type DraftCondition = { kind: 'leaf'; leaf: Leaf } | { kind: 'any'; leaves: Leaf[] };
interface DraftRule {
  key: number;
  name: string;
  conditions: DraftCondition[];
  target: { kind: 'pool' | 'user'; id: string | null };
}

const numericFields = new Set(['account.employeeCount']);
const freeMail = 'freeMail';
const attributes = 'attributes';
const fieldChoices = [...routingFields, attributes, freeMail] as const;

const opsFor = (field: string): Op[] =>
  field === freeMail
    ? ['free_mail']
    : numericFields.has(field)
      ? ['equals', 'range', 'exists']
      : ['equals', 'in', 'contains', 'exists'];

const blankLeaf = (): Leaf => ({
  field: 'country',
  attribute: '',
  op: 'equals',
  value: '',
  number: null,
  values: [],
  min: null,
  max: null,
});

let nextKey = 1;

function leafOf(c: LeafCondition): Leaf {
  const leaf = blankLeaf();
  if (c.op === 'free_mail') return { ...leaf, field: freeMail, op: 'free_mail' };
  const isAttribute = c.field.startsWith('attributes.');
  Object.assign(leaf, {
    field: isAttribute ? attributes : c.field,
    attribute: isAttribute ? c.field.slice('attributes.'.length) : '',
    op: c.op,
  });
  if (c.op === 'equals') {
    if (typeof c.value === 'number') leaf.number = c.value;
    else leaf.value = String(c.value);
  }
  if (c.op === 'contains') leaf.value = c.value;
  if (c.op === 'in') leaf.values = c.values.map(String);
  if (c.op === 'range') Object.assign(leaf, { min: c.min ?? null, max: c.max ?? null });
  return leaf;
}

function draftOf(rule: Pick<RoutingRule, 'name' | 'conditions' | 'target'>): DraftRule {
  return {
    key: nextKey++,
    name: rule.name,
    conditions: rule.conditions.map((c) =>
      c.op === 'any' ? { kind: 'any', leaves: c.conditions.map(leafOf) } : { kind: 'leaf', leaf: leafOf(c) },
    ),
    target:
      'poolId' in rule.target
        ? { kind: 'pool', id: rule.target.poolId }
        : { kind: 'user', id: rule.target.userId },
  };
}

/** A condition as the server takes it, or the reason it is not complete yet. */
function conditionOf(leaf: Leaf): LeafCondition | 'attribute' | 'value' {
  if (leaf.op === 'free_mail') return { op: 'free_mail' };
  if (leaf.field === attributes && leaf.attribute.trim() === '') return 'attribute';
  const field = leaf.field === attributes ? `attributes.${leaf.attribute.trim()}` : leaf.field;
  switch (leaf.op) {
    case 'exists':
      return { op: 'exists', field };
    case 'equals':
      if (numericFields.has(leaf.field))
        return leaf.number === null ? 'value' : { op: 'equals', field, value: leaf.number };
      return leaf.value.trim() === '' ? 'value' : { op: 'equals', field, value: leaf.value.trim() };
    case 'contains':
      return leaf.value.trim() === '' ? 'value' : { op: 'contains', field, value: leaf.value.trim() };
    case 'in':
      return leaf.values.length === 0 ? 'value' : { op: 'in', field, values: leaf.values };
    case 'range':
      return leaf.min === null && leaf.max === null
        ? 'value'
        : {
            op: 'range',
            field,
            ...(leaf.min !== null && { min: leaf.min }),
            ...(leaf.max !== null && { max: leaf.max }),
          };
  }
}

type Problems = Record<string, string>;

/** The rules as the server takes them, with every place that is not complete yet. */
interface Texts {
  name: string;
  attribute: string;
  value: string;
  target: string;
}

function build(rules: DraftRule[], texts: Texts) {
  const problems: Problems = {};
  const built: { name: string; conditions: Condition[]; target: RoutingRule['target'] }[] = [];
  rules.forEach((rule, i) => {
    if (rule.name.trim() === '') problems[`${i}.name`] = texts.name;
    const leaf = (l: Leaf, path: string): LeafCondition | null => {
      const c = conditionOf(l);
      if (typeof c === 'string') {
        problems[path] = c === 'attribute' ? texts.attribute : texts.value;
        return null;
      }
      return c;
    };
    const conditions = rule.conditions.flatMap((c, j): Condition[] => {
      if (c.kind === 'leaf') {
        const built = leaf(c.leaf, `${i}.conditions.${j}`);
        return built ? [built] : [];
      }
      const leaves = c.leaves.flatMap((l, k) => {
        const built = leaf(l, `${i}.conditions.${j}.${k}`);
        return built ? [built] : [];
      });
      return leaves.length === c.leaves.length && leaves.length > 0
        ? [{ op: 'any', conditions: leaves }]
        : [];
    });
    if (!rule.target.id) problems[`${i}.target`] = texts.target;
    built.push({
      name: rule.name.trim(),
      conditions,
      target:
        rule.target.kind === 'pool' ? { poolId: rule.target.id ?? '' } : { userId: rule.target.id ?? '' },
    });
  });
  return { rules: built, problems };
}

/** Where the server's refusal of a rule belongs: body.rules.1.conditions.0 → 1.conditions.0. */
function problemsOf(error: unknown): Problems | null {
  if (!(error instanceof ApiError) || !error.problem.errors?.length) return null;
  const problems: Problems = {};
  for (const e of error.problem.errors) {
    const path = e.field.replace(/^body\.rules\./, '').replace(/\.target\.(poolId|userId)$/, '.target');
    problems[path] = e.reason;
  }
  return problems;
}

function FieldProblem({ text }: { text: string | undefined }) {
  return text ? (
    <Typography.Text type="danger" role="alert" style={{ display: 'block' }}>
      {text}
    </Typography.Text>
  ) : null;
}

function LeafEditor({
  leaf,
  label,
  onChange,
  onRemove,
}: {
  leaf: Leaf;
  label: string;
  onChange: (leaf: Leaf) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const ops = opsFor(leaf.field);
  return (
    <Space wrap align="start">
      <Select
        aria-label={`${t('builder.field')} ${label}`}
        style={{ minWidth: 180 }}
        value={leaf.field}
        onChange={(field: string) =>
          onChange({ ...leaf, field, op: opsFor(field).includes(leaf.op) ? leaf.op : opsFor(field)[0]! })
        }
        options={fieldChoices.map((f) => ({ value: f, label: t(`builder.fields.${f}`) }))}
      />
      {leaf.field === attributes && (
        <Input
          aria-label={`${t('builder.attribute')} ${label}`}
          placeholder={t('builder.attribute')}
          style={{ width: 160 }}
          value={leaf.attribute}
          onChange={(e) => onChange({ ...leaf, attribute: e.target.value })}
        />
      )}
      {ops.length > 1 && (
        <Select
          aria-label={`${t('builder.operator')} ${label}`}
          style={{ minWidth: 130 }}
          value={leaf.op}
          onChange={(op: Op) => onChange({ ...leaf, op })}
          options={ops.map((op) => ({ value: op, label: t(`builder.ops.${op}`) }))}
        />
      )}
      {(leaf.op === 'equals' || leaf.op === 'contains') &&
        (numericFields.has(leaf.field) ? (
          <InputNumber
            aria-label={`${t('builder.value')} ${label}`}
            value={leaf.number}
            onChange={(v) => onChange({ ...leaf, number: typeof v === 'number' ? v : null })}
          />
        ) : (
          <Input
            aria-label={`${t('builder.value')} ${label}`}
            style={{ width: 180 }}
            value={leaf.value}
            onChange={(e) => onChange({ ...leaf, value: e.target.value })}
          />
        ))}
      {leaf.op === 'in' && (
        <Select
          mode="tags"
          aria-label={`${t('builder.values')} ${label}`}
          style={{ minWidth: 220 }}
          value={leaf.values}
          tokenSeparators={[',']}
          open={false}
          onChange={(values: string[]) => onChange({ ...leaf, values })}
        />
      )}
      {leaf.op === 'range' && (
        <>
          <InputNumber
            aria-label={`${t('builder.min')} ${label}`}
            placeholder={t('builder.min')}
            value={leaf.min}
            onChange={(v) => onChange({ ...leaf, min: typeof v === 'number' ? v : null })}
          />
          <InputNumber
            aria-label={`${t('builder.max')} ${label}`}
            placeholder={t('builder.max')}
            value={leaf.max}
            onChange={(v) => onChange({ ...leaf, max: typeof v === 'number' ? v : null })}
          />
        </>
      )}
      <Button aria-label={`${t('builder.removeCondition')} ${label}`} onClick={onRemove}>
        ×
      </Button>
    </Space>
  );
}

/**
 * Routing rules without JSON: ordered rules, each with conditions that must all hold (and "any
 * of" groups), a pool or a person to send to, a preview on recent leads, and JSON for import and
 * export. Nothing the server would refuse is sent; what it refuses shows beside its place.
 */
export function RulesBuilder() {
  const { t } = useTranslation();
  const rulesQuery = useQuery({ queryKey: ['rules'], queryFn: api.rules });
  const pools = useQuery({ queryKey: ['pools'], queryFn: api.pools });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users });
  const [rules, setRules] = useState<DraftRule[] | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const [preview, setPreview] = useState<RulesPreview | null>(null);
  const [json, setJson] = useState<string>('');

  useEffect(() => {
    if (rulesQuery.data && rules === null) setRules(rulesQuery.data.data.map(draftOf));
  }, [rulesQuery.data, rules]);
  const list = rules ?? [];
  const texts: Texts = {
    name: t('builder.ruleNameNeeded'),
    attribute: t('builder.attribute'),
    value: t('builder.valueNeeded'),
    target: t('builder.sendTo'),
  };
  const change = (next: DraftRule[]) => {
    setRules(next);
    setPreview(null);
  };
  const update = (i: number, rule: DraftRule) => change(list.map((r, at) => (at === i ? rule : r)));

  const checked = () => {
    const { rules: built, problems: found } = build(list, texts);
    setProblems(found);
    return Object.keys(found).length === 0 ? built : null;
  };
  const onRefused = (error: unknown) => {
    const found = problemsOf(error);
    if (found) setProblems(found);
  };
  const save = useAction({
    run: (body: { rules: ReturnType<typeof build>['rules'] }) => api.replaceRules(body),
    invalidate: [['rules'], ['checklist']],
    success: t('profile.saved'),
    done: (saved) => {
      setRules(saved.data.map(draftOf));
      setProblems({});
    },
  });
  const tryRules = useAction({
    run: (body: { rules: ReturnType<typeof build>['rules'] }) => api.previewRules(body),
    invalidate: [],
    done: setPreview,
  });

  const people = (users.data?.data ?? []).filter(
    (u) => u.isActive && (u.role === 'sales_rep' || u.role === 'sales_manager'),
  );

  return (
    <Card
      size="small"
      title={<h3 className="baton-card-title">{t('builder.rules')}</h3>}
      loading={rules === null}
    >
      <Typography.Paragraph type="secondary">{t('builder.rulesIntro')}</Typography.Paragraph>
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        {list.map((rule, i) => {
          const label = (j: number, k?: number) => `${i + 1}.${j + 1}${k === undefined ? '' : `.${k + 1}`}`;
          const setConditions = (conditions: DraftCondition[]) => update(i, { ...rule, conditions });
          const result = preview?.rules[i];
          return (
            <Card
              key={rule.key}
              size="small"
              data-testid={`rule-${i + 1}`}
              title={
                <Space>
                  <span>{i + 1}.</span>
                  <Input
                    aria-label={`${t('builder.ruleName')} ${i + 1}`}
                    placeholder={t('builder.ruleName')}
                    value={rule.name}
                    maxLength={200}
                    status={problems[`${i}.name`] ? 'error' : ''}
                    onChange={(e) => update(i, { ...rule, name: e.target.value })}
                  />
                </Space>
              }
              extra={
                <Space size={4}>
                  <Button
                    size="small"
                    aria-label={`${t('builder.moveUp')} ${i + 1}`}
                    disabled={i === 0}
                    onClick={() =>
                      change([...list.slice(0, i - 1), rule, list[i - 1]!, ...list.slice(i + 1)])
                    }
                  >
                    ↑
                  </Button>
                  <Button
                    size="small"
                    aria-label={`${t('builder.moveDown')} ${i + 1}`}
                    disabled={i === list.length - 1}
                    onClick={() => change([...list.slice(0, i), list[i + 1]!, rule, ...list.slice(i + 2)])}
                  >
                    ↓
                  </Button>
                  <Button
                    size="small"
                    danger
                    aria-label={`${t('builder.removeRule')} ${i + 1}`}
                    onClick={() => change(list.filter((_, at) => at !== i))}
                  >
                    ×
                  </Button>
                </Space>
              }
            >
              <FieldProblem text={problems[`${i}.name`]} />
              <Typography.Text strong>{t('builder.conditions')}</Typography.Text>
              <Space orientation="vertical" style={{ width: '100%', marginTop: 8 }}>
                {rule.conditions.length === 0 && (
                  <Typography.Text type="secondary">{t('builder.noConditions')}</Typography.Text>
                )}
                {rule.conditions.map((c, j) =>
                  c.kind === 'leaf' ? (
                    <div key={j}>
                      <LeafEditor
                        leaf={c.leaf}
                        label={label(j)}
                        onChange={(leaf) =>
                          setConditions(
                            rule.conditions.map((x, at) => (at === j ? { kind: 'leaf', leaf } : x)),
                          )
                        }
                        onRemove={() => setConditions(rule.conditions.filter((_, at) => at !== j))}
                      />
                      <FieldProblem text={problems[`${i}.conditions.${j}`]} />
                    </div>
                  ) : (
                    <Card key={j} size="small" type="inner" title={t('builder.group')}>
                      <Space orientation="vertical" style={{ width: '100%' }}>
                        {c.leaves.map((leaf, k) => (
                          <div key={k}>
                            <LeafEditor
                              leaf={leaf}
                              label={label(j, k)}
                              onChange={(next) =>
                                setConditions(
                                  rule.conditions.map((x, at) =>
                                    at === j
                                      ? {
                                          kind: 'any',
                                          leaves: c.leaves.map((l, kk) => (kk === k ? next : l)),
                                        }
                                      : x,
                                  ),
                                )
                              }
                              onRemove={() =>
                                setConditions(
                                  c.leaves.length === 1
                                    ? rule.conditions.filter((_, at) => at !== j)
                                    : rule.conditions.map((x, at) =>
                                        at === j
                                          ? { kind: 'any', leaves: c.leaves.filter((_, kk) => kk !== k) }
                                          : x,
                                      ),
                                )
                              }
                            />
                            <FieldProblem text={problems[`${i}.conditions.${j}.${k}`]} />
                          </div>
                        ))}
                        <FieldProblem text={problems[`${i}.conditions.${j}`]} />
                        <Button
                          size="small"
                          onClick={() =>
                            setConditions(
                              rule.conditions.map((x, at) =>
                                at === j ? { kind: 'any', leaves: [...c.leaves, blankLeaf()] } : x,
                              ),
                            )
                          }
                        >
                          {t('builder.addToGroup')}
                        </Button>
                      </Space>
                    </Card>
                  ),
                )}
                <Space wrap>
                  <Button
                    size="small"
                    onClick={() => setConditions([...rule.conditions, { kind: 'leaf', leaf: blankLeaf() }])}
                  >
                    {t('builder.addCondition')}
                  </Button>
                  <Button
                    size="small"
                    onClick={() =>
                      setConditions([...rule.conditions, { kind: 'any', leaves: [blankLeaf(), blankLeaf()] }])
                    }
                  >
                    {t('builder.addGroup')}
                  </Button>
                </Space>
                <Space wrap style={{ marginTop: 8 }}>
                  <Typography.Text strong>{t('builder.sendTo')}</Typography.Text>
                  <Radio.Group
                    aria-label={`${t('builder.sendTo')} ${i + 1}`}
                    value={rule.target.kind}
                    onChange={(e) =>
                      update(i, { ...rule, target: { kind: e.target.value as 'pool' | 'user', id: null } })
                    }
                    options={[
                      { value: 'pool', label: t('builder.pool') },
                      { value: 'user', label: t('builder.person') },
                    ]}
                  />
                  <Select
                    aria-label={`${rule.target.kind === 'pool' ? t('builder.pool') : t('builder.person')} ${i + 1}`}
                    style={{ minWidth: 220 }}
                    status={problems[`${i}.target`] ? 'error' : ''}
                    value={rule.target.id}
                    onChange={(id: string) => update(i, { ...rule, target: { ...rule.target, id } })}
                    options={
                      rule.target.kind === 'pool'
                        ? (pools.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))
                        : people.map((u) => ({ value: u.id, label: u.name }))
                    }
                  />
                </Space>
                <FieldProblem text={problems[`${i}.target`]} />
                {result && (
                  <Typography.Text type="secondary" data-testid={`rule-preview-${i + 1}`}>
                    {t('builder.previewResult', { matched: result.matched, sampled: preview.sampled })}
                    {result.examples.length > 0 &&
                      `: ${result.examples.map((e) => [e.name, e.company].filter(Boolean).join(', ')).join('; ')}`}
                  </Typography.Text>
                )}
              </Space>
            </Card>
          );
        })}
        <Space wrap>
          <Button
            onClick={() =>
              change([
                ...list,
                { key: nextKey++, name: '', conditions: [], target: { kind: 'pool', id: null } },
              ])
            }
          >
            {t('builder.addRule')}
          </Button>
          <Button
            onClick={() => {
              const built = checked();
              if (built) tryRules.mutate({ rules: built }, { onError: onRefused });
            }}
            loading={tryRules.isPending}
          >
            {t('builder.preview')}
          </Button>
          <Button
            type="primary"
            onClick={() => {
              const built = checked();
              if (built) save.mutate({ rules: built }, { onError: onRefused });
            }}
            loading={save.isPending}
          >
            {t('builder.save')}
          </Button>
        </Space>
        {preview && preview.sampled === 0 && <Alert type="info" showIcon title={t('builder.previewNone')} />}
        {preview && preview.sampled > 0 && (
          <Typography.Text type="secondary">
            {t('builder.unmatched', { count: preview.unmatched })}
          </Typography.Text>
        )}
        <Collapse
          size="small"
          onChange={() => setJson(JSON.stringify(build(list, texts).rules, null, 2))}
          items={[
            {
              key: 'json',
              label: t('builder.json'),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  <Typography.Text type="secondary">{t('builder.jsonHint')}</Typography.Text>
                  <Input.TextArea
                    aria-label={t('builder.json')}
                    rows={10}
                    value={json}
                    onChange={(e) => setJson(e.target.value)}
                    style={{ fontFamily: 'monospace' }}
                  />
                  <Button
                    onClick={() => {
                      try {
                        const parsed = JSON.parse(json) as Pick<
                          RoutingRule,
                          'name' | 'conditions' | 'target'
                        >[];
                        change(parsed.map(draftOf));
                      } catch {
                        setProblems({ json: t('common.failed') });
                      }
                    }}
                  >
                    {t('builder.json')} →
                  </Button>
                  <FieldProblem text={problems.json} />
                </Space>
              ),
            },
          ]}
        />
      </Space>
    </Card>
  );
}
