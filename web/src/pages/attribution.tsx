import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Empty,
  Modal,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AttributionModel, AttributionReport } from '../../../src/contract/attribution.ts';
import type { TouchReason } from '../../../src/domain/attribution/rule-models.ts';
import { attributionModels } from '../../../src/domain/attribution/rule-models.ts';
import { api } from '../api.ts';
import { CsvButton } from '../components/csv-button.tsx';
import { AttributionSettingsCard, CampaignCosts } from '../components/attribution-setup.tsx';
import { MetricTitle, PeriodNote, useReportPeriod } from '../components/metric.tsx';
import { PeriodPicker, periodQuery } from '../components/period-picker.tsx';
import { channelName, formatMoney, formatPercent, groupName } from '../format.ts';

/** The agreed model, read from the snapshots taken at each win; or any model, computed now. */
type ModelChoice = 'agreed' | AttributionModel;

/**
 * Marketing's share of the deals won and the pipeline created in a period: by channel and campaign
 * under the agreed model or any other, sourced versus influenced, campaign returns, every model
 * side by side, and each deal's ledger.
 */
export function AttributionPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [period, setPeriod] = useReportPeriod();
  const [choice, setChoice] = useState<ModelChoice>('agreed');
  const [ledgerOf, setLedgerOf] = useState<string | null>(null);
  const range = period && { from: period[0].format('YYYY-MM-DD'), to: period[1].format('YYYY-MM-DD') };
  const enabled = range !== undefined;
  const model = choice === 'agreed' ? {} : { model: choice };
  const byChannel = useQuery({
    queryKey: ['attribution', range, choice, 'channel'],
    queryFn: () => api.attribution({ ...range!, ...model, groupBy: 'channel' }),
    enabled,
  });
  const byCampaign = useQuery({
    queryKey: ['attribution', range, choice, 'campaign'],
    queryFn: () => api.attribution({ ...range!, ...model, groupBy: 'campaign' }),
    enabled,
  });
  const byDeal = useQuery({
    queryKey: ['attribution', range, choice, 'deal'],
    queryFn: () => api.attribution({ ...range!, ...model, groupBy: 'deal' }),
    enabled,
  });
  const comparison = useQuery({
    queryKey: ['attribution-comparison', range],
    queryFn: () => api.attributionComparison(range!),
    enabled,
  });
  const report = byChannel.data;
  const money = (minor: number) => formatMoney(minor, report?.currency ?? 'EUR', language);
  const modelName = (m: AttributionModel) => t(`attribution.models.${m}`);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('attribution.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('attribution.intro')}</Typography.Paragraph>
      </div>
      <Space wrap>
        {period && <PeriodPicker value={period} onChange={setPeriod} />}
        <PeriodNote range={period && periodQuery(period)} />
        <Select<ModelChoice>
          aria-label={t('attribution.model')}
          style={{ minWidth: 260 }}
          value={choice}
          onChange={setChoice}
          options={[
            {
              value: 'agreed',
              label: report
                ? t('attribution.agreed', { model: modelName(report.agreedModel) })
                : t('attribution.agreedShort'),
            },
            ...attributionModels.map((m) => ({ value: m, label: modelName(m) })),
          ]}
        />
      </Space>
      {(byChannel.isError || byCampaign.isError || comparison.isError) && (
        <Alert type="error" title={t('common.loadFailed')} showIcon />
      )}
      {report && (
        <Typography.Text type="secondary">
          {report.recognised ? t('attribution.recognisedNote') : t('attribution.liveNote')}
          {report.totals.otherCurrencyDeals > 0 &&
            ` ${t('attribution.otherCurrency', { count: report.totals.otherCurrencyDeals, currency: report.currency })}`}
        </Typography.Text>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="baton-card-title">{t('attribution.revenue')}</h2>}>
            <Figures report={report} kind="revenue" money={money} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="baton-card-title">{t('attribution.pipeline')}</h2>}>
            <Figures report={report} kind="pipeline" money={money} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card
            title={<h2 className="baton-card-title">{t('attribution.byChannel')}</h2>}
            extra={
              range && (
                <CsvButton
                  href={api.reportCsvUrl('attribution/report', { ...range, ...model, groupBy: 'channel' })}
                  what={t('attribution.byChannel')}
                />
              )
            }
          >
            <CreditChart report={report} money={money} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card
            title={<h2 className="baton-card-title">{t('attribution.byCampaign')}</h2>}
            extra={
              range && (
                <CsvButton
                  href={api.reportCsvUrl('attribution/report', { ...range, ...model, groupBy: 'campaign' })}
                  what={t('attribution.byCampaign')}
                />
              )
            }
          >
            <CreditChart report={byCampaign.data} money={money} />
          </Card>
        </Col>
      </Row>
      <Card title={<h2 className="baton-card-title">{t('attribution.campaigns')}</h2>}>
        <ScrollRegion label={t('attribution.campaigns')}>
          <Table
            size="small"
            rowKey="campaign"
            loading={byCampaign.isPending}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            dataSource={byCampaign.data?.campaigns ?? []}
            columns={[
              {
                title: t('attribution.campaign'),
                dataIndex: 'campaign',
                render: (c: string) => groupName(t, 'campaign', c),
              },
              { title: t('attribution.cost'), dataIndex: 'costMinor', align: 'right', render: money },
              { title: t('attribution.revenue'), dataIndex: 'revenueMinor', align: 'right', render: money },
              {
                title: t('attribution.roi'),
                dataIndex: 'roi',
                align: 'right',
                render: (v: number | null) => formatPercent(v, language),
              },
              { title: 'MQL', dataIndex: 'mqls', align: 'right' },
              { title: 'SQL', dataIndex: 'sqls', align: 'right' },
              {
                title: t('attribution.costPer', { what: 'MQL' }),
                dataIndex: 'costPerMqlMinor',
                align: 'right',
                render: (v: number | null) => (v === null ? '—' : money(v)),
              },
              {
                title: t('attribution.costPer', { what: 'SQL' }),
                dataIndex: 'costPerSqlMinor',
                align: 'right',
                render: (v: number | null) => (v === null ? '—' : money(v)),
              },
              {
                title: t('attribution.costPerWin'),
                dataIndex: 'costPerWonDealMinor',
                align: 'right',
                render: (v: number | null) => (v === null ? '—' : money(v)),
              },
            ]}
          />
        </ScrollRegion>
      </Card>
      <Card title={<h2 className="baton-card-title">{t('attribution.comparison')}</h2>}>
        <Typography.Paragraph type="secondary">{t('attribution.comparisonIntro')}</Typography.Paragraph>
        <ScrollRegion label={t('attribution.comparison')}>
          <Table
            size="small"
            rowKey="channel"
            loading={comparison.isPending}
            pagination={false}
            dataSource={comparison.data?.channels ?? []}
            columns={[
              {
                title: t('attribution.channel'),
                dataIndex: 'channel',
                render: (c: string) => groupName(t, 'channel', c),
              },
              ...(comparison.data?.models ?? []).map((m) => ({
                title: modelName(m),
                key: m,
                align: 'right' as const,
                render: (_: unknown, row: { revenueMinor: Record<string, number> }) =>
                  money(row.revenueMinor[m] ?? 0),
              })),
            ]}
          />
        </ScrollRegion>
      </Card>
      <Card
        title={<h2 className="baton-card-title">{t('attribution.deals')}</h2>}
        extra={
          range && (
            <CsvButton
              href={api.reportCsvUrl('attribution/report', { ...range, ...model, groupBy: 'deal' })}
              what={t('attribution.deals')}
            />
          )
        }
      >
        <Table
          size="small"
          rowKey="key"
          loading={byDeal.isPending}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          dataSource={byDeal.data?.rows ?? []}
          columns={[
            { title: t('attribution.deal'), dataIndex: 'label' },
            { title: t('attribution.revenue'), dataIndex: 'revenueMinor', align: 'right', render: money },
            { title: t('attribution.pipeline'), dataIndex: 'pipelineMinor', align: 'right', render: money },
            { title: t('attribution.touches'), dataIndex: 'touches', align: 'right' },
            {
              title: '',
              key: 'ledger',
              render: (_, row) => (
                <Button size="small" onClick={() => setLedgerOf(row.key)}>
                  {t('attribution.openLedger')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      {ledgerOf && (
        <Ledger
          opportunityId={ledgerOf}
          model={choice === 'agreed' ? null : choice}
          onClose={() => setLedgerOf(null)}
        />
      )}
      <CampaignCosts />
      <AttributionSettingsCard />
    </Space>
  );
}

function Figures({
  report,
  kind,
  money,
}: {
  report: AttributionReport | undefined;
  kind: 'revenue' | 'pipeline';
  money: (minor: number) => string;
}) {
  const { t } = useTranslation();
  if (!report) return <Empty />;
  const amount = kind === 'revenue' ? 'revenueMinor' : 'pipelineMinor';
  const deals = kind === 'revenue' ? 'wonDeals' : 'pipelineDeals';
  const unattributed =
    kind === 'revenue' ? report.totals.unattributedRevenueMinor : report.totals.unattributedPipelineMinor;
  return (
    <Row gutter={16}>
      <Col span={8}>
        <Statistic
          title={
            kind === 'revenue' ? (
              <MetricTitle
                id="won_revenue"
                range={{
                  from: `${report.from}T00:00:00.000Z`,
                  to: new Date(Date.parse(`${report.to}T00:00:00.000Z`) + 86_400_000).toISOString(),
                }}
              >
                {t('attribution.total', { count: report.totals[deals] })}
              </MetricTitle>
            ) : (
              t('attribution.total', { count: report.totals[deals] })
            )
          }
          value={money(report.totals[amount])}
          styles={{ content: { fontSize: 20 } }}
        />
      </Col>
      <Col span={8}>
        <Statistic
          title={t('attribution.sourced', { count: report.marketing.sourced[deals] })}
          value={money(report.marketing.sourced[amount])}
          styles={{ content: { fontSize: 20 } }}
        />
      </Col>
      <Col span={8}>
        <Statistic
          title={t('attribution.influenced', { count: report.marketing.influenced[deals] })}
          value={money(report.marketing.influenced[amount])}
          styles={{ content: { fontSize: 20 } }}
        />
      </Col>
      {unattributed > 0 && (
        <Col span={24}>
          <Typography.Text type="secondary">
            {t('attribution.unattributed', { amount: money(unattributed) })}
          </Typography.Text>
        </Col>
      )}
    </Row>
  );
}

function CreditChart({
  report,
  money,
}: {
  report: AttributionReport | undefined;
  money: (minor: number) => string;
}) {
  const { t, i18n } = useTranslation();
  const compact = (major: number) =>
    new Intl.NumberFormat(i18n.language === 'nl' ? 'nl-NL' : 'en-GB', {
      style: 'currency',
      currency: report?.currency ?? 'EUR',
      notation: 'compact',
    }).format(major);
  const rows = (report?.rows ?? [])
    .filter((r) => r.revenueMinor > 0 || r.pipelineMinor > 0)
    .slice(0, 12)
    .map((r) => ({ ...r, label: groupName(t, report?.groupBy ?? 'channel', r.label) }));
  if (rows.length === 0) return <Empty />;
  return (
    <div
      role="img"
      aria-label={t('attribution.chartLabel', {
        list: rows.map((r) => `${r.label}: ${money(r.revenueMinor)}`).join(', '),
      })}
    >
      <ResponsiveContainer width="100%" height={Math.max(200, rows.length * 36)}>
        <BarChart
          layout="vertical"
          margin={{ left: 8, right: 24 }}
          data={rows.map((r) => ({
            name: r.label,
            revenue: r.revenueMinor / 100,
            pipeline: r.pipelineMinor / 100,
          }))}
        >
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={compact} />
          <YAxis type="category" dataKey="name" width={160} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => money(Math.round(Number(v) * 100))} />
          <Bar isAnimationActive={false} dataKey="revenue" name={t('attribution.revenue')} fill="#0b5cd5" />
          <Bar isAnimationActive={false} dataKey="pipeline" name={t('attribution.pipeline')} fill="#7a5af5" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function Ledger({
  opportunityId,
  model,
  onClose,
}: {
  opportunityId: string;
  model: AttributionModel | null;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const ledger = useQuery({
    queryKey: ['attribution-ledger', opportunityId],
    queryFn: () => api.attributionLedger(opportunityId),
  });
  const data = ledger.data;
  const shown: AttributionModel[] = data ? [...new Set([data.agreedModel, ...(model ? [model] : [])])] : [];
  const money = (minor: number) => formatMoney(minor, data?.opportunity.currency ?? 'EUR', language);
  const reasonOf = (r: TouchReason) =>
    [
      ...r.milestones.map((m) =>
        r.standsInFor.includes(m)
          ? t('attribution.standsIn', { milestone: t(`attribution.milestones.${m}`) })
          : t(`attribution.milestones.${m}`),
      ),
      ...(r.basis === 'milestone' ? [] : [t(`attribution.basis.${r.basis}`)]),
    ].join(', ');
  return (
    <Modal
      open
      title={data?.opportunity.name ?? t('attribution.ledger')}
      onCancel={onClose}
      footer={null}
      width={960}
    >
      {ledger.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      {data && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <Typography.Text strong>{money(data.opportunity.amountMinor)}</Typography.Text>
            {data.sourced && <Tag color="blue">{t('attribution.sourcedTag')}</Tag>}
            {data.influenced && <Tag color="purple">{t('attribution.influencedTag')}</Tag>}
            {data.snapshot && (
              <Tag>
                {t('attribution.snapshotTag', { model: t(`attribution.models.${data.snapshot.model}`) })}
              </Tag>
            )}
          </Space>
          <ScrollRegion label={t('attribution.ledger')}>
            <Table
              size="small"
              rowKey="touchId"
              pagination={false}
              dataSource={data.touches}
              columns={[
                {
                  title: t('attribution.when'),
                  dataIndex: 'occurredAt',
                  render: (v: string) => v.slice(0, 10),
                },
                {
                  title: t('attribution.touch'),
                  dataIndex: 'type',
                  render: (type: string) => t(`touch.${type}`, { defaultValue: type }),
                },
                {
                  title: t('attribution.channel'),
                  dataIndex: 'channel',
                  render: (c: string | null) => (c ? channelName(t, c) : '—'),
                },
                {
                  title: t('attribution.campaign'),
                  dataIndex: 'campaign',
                  render: (v: string | null) => v ?? '—',
                },
                ...shown.map((m) => ({
                  title: t(`attribution.models.${m}`),
                  key: m,
                  render: (_: unknown, row: (typeof data.touches)[number]) => {
                    const credit = row.credits[m];
                    return credit ? (
                      <Space orientation="vertical" size={0}>
                        <span>{money(credit.creditMinor)}</span>
                        <Typography.Text type="secondary">{reasonOf(credit.reason)}</Typography.Text>
                      </Space>
                    ) : (
                      '—'
                    );
                  },
                })),
              ]}
            />
          </ScrollRegion>
          {data.touches.length === 0 && (
            <Typography.Text type="secondary">{t('attribution.noTouches')}</Typography.Text>
          )}
        </Space>
      )}
    </Modal>
  );
}

/** A wide table scrolls inside a region the keyboard can reach and a screen reader names. */
function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="baton-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
