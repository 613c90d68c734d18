import { Button, Card, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ScoringModelDefinition } from '../../../src/contract/scoring.ts';
import { ApiError } from '../api.ts';

/**
 * The condition builder that routing rules and scoring's fit rules share: conditions on a lead's
 * and its account's fields that must all hold, "any of" groups, and a form's own fields.
 */
export type Condition = ScoringModelDefinition['fitRules'][number]['conditions'][number];
export type LeafCondition = Exclude<Condition, { op: 'any' }>;
type Op = LeafCondition['op'];

/** A condition as the builder edits it: a field of the list, a form field's name, an operator and its values. */
export interface Leaf {
  field: string;
  attribute: string;
  op: Op;
  value: string;
  number: number | null;
  values: string[];
  min: number | null;
  max: number | null;
}
export type DraftCondition = { kind: 'leaf'; leaf: Leaf } | { kind: 'any'; leaves: Leaf[] };

/** Where each problem goes: a path such as `1.conditions.0` (rule 2, condition 1), and its reason. */
export type Problems = Record<string, string>;

const numericFields = new Set(['account.employeeCount']);
const freeMail = 'freeMail';
const attributes = 'attributes';

const opsFor = (field: string): Op[] =>
  field === freeMail
    ? ['free_mail']
    : numericFields.has(field)
      ? ['equals', 'range', 'exists']
      : ['equals', 'in', 'contains', 'exists'];

export const blankLeaf = (): Leaf => ({
  field: 'country',
  attribute: '',
  op: 'equals',
  value: '',
  number: null,
  values: [],
  min: null,
  max: null,
});

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

/** Stored conditions as the builder edits them. */
export const draftConditionsOf = (conditions: readonly Condition[]): DraftCondition[] =>
  conditions.map((c) =>
    c.op === 'any' ? { kind: 'any', leaves: c.conditions.map(leafOf) } : { kind: 'leaf', leaf: leafOf(c) },
  );

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

/**
 * The conditions as the server takes them; each incomplete place is written into `problems`
 * under `path.j` (or `path.j.k` inside a group), with `texts` as the reason.
 */
export function buildConditions(
  drafts: readonly DraftCondition[],
  path: string,
  problems: Problems,
  texts: { attribute: string; value: string },
): Condition[] {
  const leaf = (l: Leaf, at: string): LeafCondition | null => {
    const c = conditionOf(l);
    if (typeof c === 'string') {
      problems[at] = c === 'attribute' ? texts.attribute : texts.value;
      return null;
    }
    return c;
  };
  return drafts.flatMap((c, j): Condition[] => {
    if (c.kind === 'leaf') {
      const built = leaf(c.leaf, `${path}.${j}`);
      return built ? [built] : [];
    }
    const leaves = c.leaves.flatMap((l, k) => {
      const built = leaf(l, `${path}.${j}.${k}`);
      return built ? [built] : [];
    });
    return leaves.length === c.leaves.length && leaves.length > 0 ? [{ op: 'any', conditions: leaves }] : [];
  });
}

/**
 * Where the server's refusal belongs: its field, less `prefix` and with `rename` applied
 * (body.rules.1.conditions.0 → 1.conditions.0).
 */
export function problemsOf(error: unknown, prefix: RegExp, rename: [RegExp, string][] = []): Problems | null {
  if (!(error instanceof ApiError) || !error.problem.errors?.length) return null;
  const problems: Problems = {};
  for (const e of error.problem.errors) {
    let path = e.field.replace(prefix, '');
    for (const [from, to] of rename) path = path.replace(from, to);
    problems[path] = e.reason;
  }
  return problems;
}

export function FieldProblem({ text }: { text: string | undefined }) {
  return text ? (
    <Typography.Text type="danger" role="alert" style={{ display: 'block' }}>
      {text}
    </Typography.Text>
  ) : null;
}

function LeafEditor({
  leaf,
  label,
  fields,
  onChange,
  onRemove,
}: {
  leaf: Leaf;
  label: string;
  fields: readonly string[];
  onChange: (leaf: Leaf) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const ops = opsFor(leaf.field);
  const choices = [...fields, attributes, freeMail];
  return (
    <Space wrap align="start">
      <Select
        aria-label={`${t('builder.field')} ${label}`}
        style={{ minWidth: 180 }}
        showSearch={{ optionFilterProp: 'label' }}
        value={leaf.field}
        onChange={(field: string) =>
          onChange({ ...leaf, field, op: opsFor(field).includes(leaf.op) ? leaf.op : opsFor(field)[0]! })
        }
        options={choices.map((f) => ({ value: f, label: t(`builder.fields.${f as 'country'}`) }))}
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
 * A rule's conditions: each one a field, an operator and a value; groups of which any one must
 * hold; buttons to add either. Labels count from `n` ("2.1", "2.3.1") and problems are read at
 * `path.j` and `path.j.k`.
 */
export function ConditionsEditor({
  conditions,
  onChange,
  fields,
  n,
  path,
  problems,
}: {
  conditions: DraftCondition[];
  onChange: (conditions: DraftCondition[]) => void;
  fields: readonly string[];
  n: number;
  path: string;
  problems: Problems;
}) {
  const { t } = useTranslation();
  const label = (j: number, k?: number) => `${n}.${j + 1}${k === undefined ? '' : `.${k + 1}`}`;
  const group = (j: number, leaves: Leaf[]) =>
    onChange(conditions.map((x, at) => (at === j ? { kind: 'any', leaves } : x)));
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {conditions.length === 0 && (
        <Typography.Text type="secondary">{t('builder.noConditions')}</Typography.Text>
      )}
      {conditions.map((c, j) =>
        c.kind === 'leaf' ? (
          <div key={j}>
            <LeafEditor
              leaf={c.leaf}
              label={label(j)}
              fields={fields}
              onChange={(leaf) =>
                onChange(conditions.map((x, at) => (at === j ? { kind: 'leaf', leaf } : x)))
              }
              onRemove={() => onChange(conditions.filter((_, at) => at !== j))}
            />
            <FieldProblem text={problems[`${path}.${j}`]} />
          </div>
        ) : (
          <Card key={j} size="small" type="inner" title={t('builder.group')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {c.leaves.map((leaf, k) => (
                <div key={k}>
                  <LeafEditor
                    leaf={leaf}
                    label={label(j, k)}
                    fields={fields}
                    onChange={(next) =>
                      group(
                        j,
                        c.leaves.map((l, kk) => (kk === k ? next : l)),
                      )
                    }
                    onRemove={() =>
                      c.leaves.length === 1
                        ? onChange(conditions.filter((_, at) => at !== j))
                        : group(
                            j,
                            c.leaves.filter((_, kk) => kk !== k),
                          )
                    }
                  />
                  <FieldProblem text={problems[`${path}.${j}.${k}`]} />
                </div>
              ))}
              <FieldProblem text={problems[`${path}.${j}`]} />
              <Button size="small" onClick={() => group(j, [...c.leaves, blankLeaf()])}>
                {t('builder.addToGroup')}
              </Button>
            </Space>
          </Card>
        ),
      )}
      <Space wrap>
        <Button size="small" onClick={() => onChange([...conditions, { kind: 'leaf', leaf: blankLeaf() }])}>
          {t('builder.addCondition')}
        </Button>
        <Button
          size="small"
          onClick={() => onChange([...conditions, { kind: 'any', leaves: [blankLeaf(), blankLeaf()] }])}
        >
          {t('builder.addGroup')}
        </Button>
      </Space>
    </Space>
  );
}
