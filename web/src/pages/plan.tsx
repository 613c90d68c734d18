import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanInputBody, PlanResult } from '../../../src/contract/planning.ts';
import { ApiError, api } from '../api.ts';
import { BehindAlert } from '../components/behind-alert.tsx';
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
}

/** The reverse waterfall, the pace against the saved plan, and the targets of a period. */
export function PlanPage() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<PlanPeriod>(thisQuarter);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('plan.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('plan.intro')}</Typography.Paragraph>
      <PlanPeriodPicker value={period} onChange={setPeriod} />
      <Tabs
        items={[
          { key: 'pacing', label: t('plan.pacing'), children: <PacingView period={period} /> },
          { key: 'planner', label: t('plan.planner'), children: <Planner period={period} /> },
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
  const statusTone = { ahead: 'green', on_track: 'blue', behind: 'red', not_started: 'grey' } as const;
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
      <Table
        rowKey="stage"
        pagination={false}
        dataSource={data.stages}
        columns={[
          {
            title: t('plan.stage'),
            dataIndex: 'stage',
            render: (s: PlanResult['rows'][number]['stage']) => t(`plan.stages.${s}`),
          },
          {
            title: t('plan.plannedToDate'),
            dataIndex: 'plannedToDate',
            render: (n: number) => Math.round(n),
          },
          { title: t('plan.actualToDate'), dataIndex: 'actualToDate' },
          { title: t('plan.planTotal'), dataIndex: 'planTotal' },
          { title: t('plan.projection'), dataIndex: 'projection' },
          {
            title: t('plan.status'),
            dataIndex: 'status',
            render: (s: keyof typeof statusTone) => (
              <Tag style={tones[statusTone[s]]}>{t(`plan.statuses.${s}`)}</Tag>
            ),
          },
        ]}
      />
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
    return {
      ...period,
      revenueTarget: Math.round(v.revenueTarget * 100),
      currency: v.currency,
      ...(v.averageDealSize ? { averageDealSize: Math.round(v.averageDealSize * 100) } : {}),
      ...(Object.keys(rates).length > 0 && { rates }),
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
