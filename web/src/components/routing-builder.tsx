import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Collapse, Input, Radio, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoutingRule, RulesPreview } from '../../../src/contract/routing.ts';
import { routingFields } from '../../../src/domain/routing/fields.ts';
import { api } from '../api.ts';
import { personName } from '../format.ts';
import {
  buildConditions,
  ConditionsEditor,
  draftConditionsOf,
  FieldProblem,
  problemsOf,
  type Condition,
  type DraftCondition,
  type Problems,
} from './condition-builder.tsx';
import { useAction } from './use-action.ts';

interface DraftRule {
  key: number;
  name: string;
  conditions: DraftCondition[];
  target: { kind: 'pool' | 'user'; id: string | null };
}

let nextKey = 1;

function draftOf(rule: Pick<RoutingRule, 'name' | 'conditions' | 'target'>): DraftRule {
  return {
    key: nextKey++,
    name: rule.name,
    conditions: draftConditionsOf(rule.conditions),
    target:
      'poolId' in rule.target
        ? { kind: 'pool', id: rule.target.poolId }
        : { kind: 'user', id: rule.target.userId },
  };
}

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
    const conditions = buildConditions(rule.conditions, `${i}.conditions`, problems, texts);
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
    const found = problemsOf(error, /^body\.rules\./, [[/\.target\.(poolId|userId)$/, '.target']]);
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
                <ConditionsEditor
                  conditions={rule.conditions}
                  onChange={(conditions) => update(i, { ...rule, conditions })}
                  fields={routingFields}
                  n={i + 1}
                  path={`${i}.conditions`}
                  problems={problems}
                />
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
                        : people.map((u) => ({ value: u.id, label: personName(t, u) }))
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
