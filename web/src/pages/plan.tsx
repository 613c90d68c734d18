import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanInputBody, PlanResult, PutTargetBody, Target } from '../../../src/contract/planning.ts';
import { useUser } from '../session.ts';
import { ApiError, api } from '../api.ts';
import { BehindAlert } from '../components/behind-alert.tsx';
import { PaceTable } from '../components/pace-table.tsx';
import { PlanPeriodPicker, thisQuarter, type PlanPeriod } from '../components/plan-period.tsx';
import { tones } from '../theme.ts';
import { formatMoney, formatPercent } from '../format.ts';

const steps = ['inquiryToMql', 'mqlToSal', 'salToSql', 'sqlToOpportunity', 'opportunityToWon'] as const;
const stages = ['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won'] as const;

interface PlannerFields {
  revenueTarget: number;
  currency: string;
  averageDealSize?: number | null;
  rates: Partial<Record<(typeof steps)[number], number | null>>;
  /** Days each step takes; empty means the company's own durations (or the default). */
  lagDays?: Partial<Record<(typeof steps)[number], number | null>>;
}

/** The reverse waterfall, the pace against the saved plan, and the targets of a period. */
export function PlanPage() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<PlanPeriod>(thisQuarter);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1}>{t('plan.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('plan.intro')}</Typography.Paragraph>
      <PlanPeriodPicker value={period} onChange={setPeriod} />
      <Tabs
        items={[
          { key: 'pacing', label: t('plan.pacing'), children: <PacingView period={period} /> },
          { key: 'planner', label: t('plan.planner'), children: <Planner period={period} /> },
          { key: 'targets', label: t('plan.targets'), children: <Targets period={period} /> },
        ]}
      />
    </Space>
  );
}

function PacingView({ period }: { period: PlanPeriod }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const pacing = useQuery({ queryKey: ['pacing', period], queryFn: () => api.pacing(period) });
  const data = pacing.data;
  if (pacing.isPending) return <Card loading />;
  if (!data?.plan)
    return <Alert type="info" showIcon title={t('plan.noPlan')} description={t('plan.noPlanHint')} />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Text>
        {t('plan.against', { name: data.plan.name })}{' '}
        {data.agreements.map((a) =>
          a.version === null ? null : (
            <Tag key={a.from}>{t('plan.agreementVersion', { version: a.version })}</Tag>
          ),
        )}
      </Typography.Text>
      <BehindAlert alerts={data.alerts} language={language} />
      <PaceTable stages={data.stages} />
    </Space>
  );
}

function Planner({ period }: { period: PlanPeriod }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PlannerFields>();
  const [result, setResult] = useState<PlanResult | null>(null);
  const [name, setName] = useState('');
  const toBody = (v: PlannerFields): PlanInputBody => {
    const rates = Object.fromEntries(
      Object.entries(v.rates ?? {})
        .filter(([, r]) => r !== null && r !== undefined)
        .map(([k, r]) => [k, (r as number) / 100]),
    );
    const lagDays = Object.fromEntries(
      Object.entries(v.lagDays ?? {}).filter(([, d]) => d !== null && d !== undefined),
    );
    return {
      ...period,
      revenueTarget: Math.round(v.revenueTarget * 100),
      currency: v.currency,
      ...(v.averageDealSize ? { averageDealSize: Math.round(v.averageDealSize * 100) } : {}),
      ...(Object.keys(rates).length > 0 && { rates }),
      ...(Object.keys(lagDays).length > 0 && { lagDays }),
    };
  };
  const preview = useMutation({
    mutationFn: (v: PlannerFields) => api.previewPlan(toBody(v)),
    onSuccess: setResult,
    onError: (e) =>
      void message.error(
        e instanceof ApiError ? (e.problem.errors?.[0]?.reason ?? e.problem.title) : String(e),
      ),
  });
  const save = useMutation({
    mutationFn: () => api.savePlan({ ...toBody(form.getFieldsValue()), name: name || t('plan.defaultName') }),
    onSuccess: () => {
      void message.success(t('plan.saved'));
      void queryClient.invalidateQueries({ queryKey: ['pacing'] });
    },
    onError: (e) => void message.error(e instanceof ApiError ? e.problem.title : String(e)),
  });
  const money = (minor: number) => formatMoney(minor, result?.currency ?? 'EUR', language);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Form<PlannerFields>
        form={form}
        layout="inline"
        initialValues={{ currency: 'EUR', revenueTarget: 2_000_000, rates: {} }}
        onFinish={(v) => preview.mutate(v)}
      >
        <Form.Item name="revenueTarget" label={t('plan.revenueTarget')} rules={[{ required: true }]}>
          <InputNumber min={1} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item
          name="currency"
          label={t('plan.currency')}
          rules={[{ required: true, pattern: /^[A-Z]{3}$/ }]}
        >
          <Input style={{ width: 80 }} />
        </Form.Item>
        <Form.Item name="averageDealSize" label={t('plan.dealSize')}>
          <InputNumber min={1} style={{ width: 140 }} placeholder={t('plan.fromHistory')} />
        </Form.Item>
        {steps.map((s) => (
          <Form.Item key={s} name={['rates', s]} label={t(`plan.steps.${s}`)}>
            <InputNumber min={1} max={100} suffix="%" style={{ width: 110 }} placeholder={t('plan.auto')} />
          </Form.Item>
        ))}
        {steps.map((s) => (
          <Form.Item key={`lag-${s}`} name={['lagDays', s]} label={t(`plan.lags.${s}`)}>
            <InputNumber
              min={0}
              max={730}
              suffix={t('plan.days')}
              style={{ width: 120 }}
              placeholder={t('plan.auto')}
            />
          </Form.Item>
        ))}
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={preview.isPending}>
            {t('plan.calculate')}
          </Button>
        </Form.Item>
      </Form>
      {result && (
        <>
          <Table
            rowKey="stage"
            pagination={false}
            scroll={{ x: true }}
            dataSource={[...result.rows].reverse()}
            columns={[
              {
                title: t('plan.stage'),
                dataIndex: 'stage',
                fixed: 'left',
                render: (s: PlanResult['rows'][number]['stage']) => t(`plan.stages.${s}`),
              },
              { title: t('plan.needed'), dataIndex: 'needed', render: (n: number) => <strong>{n}</strong> },
              ...result.months.map((m, i) => ({
                title: m,
                key: m,
                render: (_: unknown, row: PlanResult['rows'][number]) => row.byMonth[i]?.needed ?? 0,
              })),
            ]}
          />
          <Typography.Text type="secondary">
            {t('plan.basis', { revenue: money(result.revenueTarget), deal: money(result.averageDealSize) })}{' '}
            {steps.map((s) => (
              <Tag key={s} style={result.sources.rates[s]?.source === 'history' ? tones.blue : tones.grey}>
                {t(`plan.steps.${s}`)} {formatPercent(result.rates[s], language)} (
                {t(`plan.sources.${result.sources.rates[s]?.source ?? 'default'}`)})
              </Tag>
            ))}
          </Typography.Text>
          <Card title={t('plan.sensitivity')} size="small">
            <Table
              rowKey="step"
              size="small"
              pagination={false}
              dataSource={result.sensitivity}
              columns={[
                {
                  title: t('plan.ifRose'),
                  dataIndex: 'step',
                  render: (s: PlanResult['sensitivity'][number]['step'], row) =>
                    t('plan.rose', {
                      step: t(`plan.steps.${s}`),
                      from: formatPercent(row.from, language),
                      to: formatPercent(row.to, language),
                    }),
                },
                ...stages.map((s) => ({
                  title: t(`plan.stages.${s}`),
                  key: s,
                  render: (_: unknown, row: PlanResult['sensitivity'][number]) => {
                    const c = row.change[s] ?? 0;
                    return c === 0 ? '—' : c > 0 ? `+${c}` : String(c);
                  },
                })),
              ]}
            />
          </Card>
          <Space>
            <Input
              aria-label={t('plan.name')}
              placeholder={t('plan.defaultName')}
              value={name}
              onChange={(e) => setName(e.target.value)}
              style={{ width: 240 }}
            />
            <Button onClick={() => save.mutate()} loading={save.isPending}>
              {t('plan.save')}
            </Button>
          </Space>
        </>
      )}
    </Space>
  );
}

const metrics = ['revenue', 'pipeline', 'wins', 'sql', 'sal', 'mql'] as const;

interface TargetFields {
  metric: (typeof metrics)[number];
  owner: string;
  value: number;
  currency?: string;
  joint?: boolean;
}

/** The targets of a period: the company's, a team's or a person's, joint when both teams share them. */
function Targets({ period }: { period: PlanPeriod }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const user = useUser();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<TargetFields>();
  const targets = useQuery({
    queryKey: ['targets', period],
    queryFn: async () =>
      (await api.targets({ periodStart: period.periodStart })).filter(
        (x) => x.periodKind === period.periodKind,
      ),
  });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users });
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams });
  const mayWrite = ['admin', 'marketing', 'director'].includes(user.role);
  const isMoney = (m: string) => m === 'revenue' || m === 'pipeline';
  const put = useMutation({
    mutationFn: (v: TargetFields) => {
      const [ownerKind, ownerId] = v.owner.split(':') as [PutTargetBody['ownerKind'], string | undefined];
      return api.putTarget({
        ...period,
        metric: v.metric,
        ownerKind,
        ...(ownerId && { ownerId }),
        value: isMoney(v.metric) ? Math.round(v.value * 100) : Math.round(v.value),
        ...(isMoney(v.metric) && { currency: v.currency ?? 'EUR' }),
        joint: v.joint ?? false,
      });
    },
    onSuccess: () => {
      void message.success(t('plan.targetSaved'));
      void queryClient.invalidateQueries({ queryKey: ['targets'] });
    },
    onError: (e) =>
      void message.error(
        e instanceof ApiError ? (e.problem.errors?.[0]?.reason ?? e.problem.title) : String(e),
      ),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.removeTarget(id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['targets'] }),
  });
  const owners = [
    { value: 'company', label: t('plan.company') },
    ...(teams.data?.data ?? []).map((team) => ({ value: `team:${team.id}`, label: team.name })),
    ...(users.data?.data ?? [])
      .filter((u) => u.isActive)
      .map((u) => ({ value: `user:${u.id}`, label: u.name })),
  ];
  const metric = Form.useWatch('metric', form);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Table<Target>
        rowKey="id"
        size="small"
        pagination={false}
        loading={targets.isPending}
        locale={{ emptyText: t('plan.noTargets') }}
        dataSource={targets.data ?? []}
        columns={[
          {
            title: t('plan.metric'),
            dataIndex: 'metric',
            render: (m: Target['metric']) => t(`plan.metrics.${m}`),
          },
          {
            title: t('plan.owner'),
            key: 'owner',
            render: (_: unknown, x) => (x.owner.kind === 'company' ? t('plan.company') : x.owner.name),
          },
          {
            title: t('plan.value'),
            key: 'value',
            render: (_: unknown, x) => (x.currency ? formatMoney(x.value, x.currency, language) : x.value),
          },
          {
            title: t('plan.joint'),
            dataIndex: 'joint',
            render: (joint: boolean) => (joint ? <Tag style={tones.blue}>{t('plan.jointTag')}</Tag> : null),
          },
          ...(mayWrite
            ? [
                {
                  title: '',
                  key: 'remove',
                  render: (_: unknown, x: Target) => (
                    <Button size="small" danger onClick={() => remove.mutate(x.id)}>
                      {t('plan.remove')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {mayWrite && (
        <Form<TargetFields>
          form={form}
          layout="inline"
          initialValues={{ metric: 'revenue', owner: 'company', currency: 'EUR', joint: true }}
          onFinish={(v) => put.mutate(v)}
        >
          <Form.Item name="metric" label={t('plan.metric')}>
            <Select
              style={{ width: 160 }}
              options={metrics.map((m) => ({ value: m, label: t(`plan.metrics.${m}`) }))}
            />
          </Form.Item>
          <Form.Item name="owner" label={t('plan.owner')}>
            <Select style={{ width: 200 }} options={owners} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
          <Form.Item name="value" label={t('plan.value')} rules={[{ required: true }]}>
            <InputNumber min={0} style={{ width: 150 }} />
          </Form.Item>
          {isMoney(metric ?? 'revenue') && (
            <Form.Item
              name="currency"
              label={t('plan.currency')}
              rules={[{ required: true, pattern: /^[A-Z]{3}$/ }]}
            >
              <Input style={{ width: 80 }} />
            </Form.Item>
          )}
          <Form.Item name="joint" label={t('plan.joint')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={put.isPending}>
              {t('plan.setTarget')}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Space>
  );
}
