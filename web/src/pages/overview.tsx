import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Descriptions, Empty, Row, Space, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api.ts';
import { CsvButton } from '../components/csv-button.tsx';
import { MetricTitle, MetricValue, PeriodNote, useReportPeriod } from '../components/metric.tsx';
import { PaceCard } from '../components/pace-card.tsx';
import { PeriodPicker, periodQuery } from '../components/period-picker.tsx';
import { formatPercent, formatStay } from '../format.ts';

/** A wait's colour: green within the hour, amber within a day, red beyond. */
const speedColour = (upToMs: number | null) =>
  upToMs !== null && upToMs <= 3600_000
    ? '#237804'
    : upToMs !== null && upToMs <= 86_400_000
      ? '#ad6800'
      : '#a8071a';

/** The director's overview: the funnel, follow-up on both sides, speed to lead, Marketing's pace. */
export function OverviewPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [period, setPeriod] = useReportPeriod();
  const range = period && periodQuery(period);
  const funnel = useQuery({
    queryKey: ['funnel', range],
    queryFn: () => api.funnel(range!),
    enabled: range !== undefined,
  });
  const report = useQuery({
    queryKey: ['sla-report', range],
    queryFn: () => api.slaReport(range!),
    enabled: range !== undefined,
  });
  const commitments = useQuery({ queryKey: ['commitments'], queryFn: api.commitments });

  const stages = funnel.data?.stages ?? [];
  const sales = report.data?.total;
  const speed = sales?.speedToLead;
  const bound = (ms: number) =>
    ms >= 24 * 3600_000
      ? t('time.days', { count: ms / (24 * 3600_000) })
      : ms >= 3600_000
        ? t('time.hours', { count: ms / 3600_000 })
        : t('time.minutes', { count: ms / 60_000 });
  const bucketLabel = (upToMs: number | null, i: number, all: { upToMs: number | null }[]) =>
    upToMs === null
      ? t('overview.longer', { span: bound(all[i - 1]?.upToMs ?? 0) })
      : t('overview.within', { span: bound(upToMs) });
  const distribution = (speed?.distribution ?? []).map((b, i, all) => ({
    label: bucketLabel(b.upToMs, i, all),
    leads: b.leads,
    upToMs: b.upToMs,
  }));
  // The running period first, then the one before it.
  const current = (commitments.data?.data ?? [])
    .filter((c) => c.pace.status !== 'upcoming')
    .sort((a, b) => b.startsOn.localeCompare(a.startsOn))
    .slice(0, 2);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('overview.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('overview.intro')}</Typography.Paragraph>
      </div>
      <Space wrap>
        {period && <PeriodPicker value={period} onChange={setPeriod} />}
        <PeriodNote range={range} />
      </Space>
      {(funnel.isError || report.isError) && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Card
        title={<h2 className="baton-card-title">{t('overview.funnel')}</h2>}
        extra={
          <Space wrap>
            <Typography.Text type="secondary">{t('overview.funnelCohort')}</Typography.Text>
            {range && <CsvButton href={api.reportCsvUrl('funnel', range)} what={t('overview.funnel')} />}
          </Space>
        }
      >
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <div
              role="img"
              aria-label={t('overview.funnelLabel', {
                list: stages.map((s) => `${s.name[language]}: ${s.reached}`).join(', '),
              })}
            >
              <ResponsiveContainer width="100%" height={Math.max(200, stages.length * 40)}>
                <BarChart
                  layout="vertical"
                  margin={{ left: 8, right: 24 }}
                  data={stages.map((s) => ({ name: s.name[language], reached: s.reached }))}
                >
                  <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                  <XAxis type="number" allowDecimals={false} />
                  <YAxis type="category" dataKey="name" width={200} tick={{ fontSize: 12 }} />
                  <Tooltip />
                  <Bar
                    isAnimationActive={false}
                    dataKey="reached"
                    name={t('overview.reached')}
                    fill="#0b5cd5"
                  />
                </BarChart>
              </ResponsiveContainer>
            </div>
          </Col>
          <Col xs={24} lg={12}>
            <Table
              size="small"
              rowKey="key"
              loading={funnel.isPending}
              pagination={false}
              dataSource={stages}
              columns={[
                { title: t('glossary.stage'), key: 'name', render: (_, s) => s.name[language] },
                { title: t('overview.reached'), dataIndex: 'reached', align: 'right' },
                {
                  title: t('overview.conversion'),
                  dataIndex: 'conversion',
                  align: 'right',
                  render: (v: number | null) => formatPercent(v, language),
                },
                {
                  title: t('overview.timeInStage'),
                  dataIndex: 'medianMsInStage',
                  align: 'right',
                  render: (v: number | null) => formatStay(v, t),
                },
              ]}
            />
          </Col>
        </Row>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="baton-card-title">{t('overview.salesSide')}</h2>}>
            {sales ? (
              <Space orientation="vertical" style={{ width: '100%' }}>
                <Row gutter={16}>
                  <Col span={8}>
                    <Statistic
                      title={<MetricTitle id="sla_compliance" range={range} />}
                      valueRender={() => (
                        <MetricValue id="sla_compliance" value={sales.compliance}>
                          {formatPercent(sales.compliance, language)}
                        </MetricValue>
                      )}
                    />
                  </Col>
                  <Col span={8}>
                    <Statistic title={t('overview.met')} value={sales.met} suffix={`/ ${sales.measured}`} />
                  </Col>
                  <Col span={8}>
                    <Statistic title={t('overview.waived')} value={sales.waived} />
                  </Col>
                </Row>
                <Descriptions
                  size="small"
                  column={1}
                  items={[
                    {
                      key: 'levels',
                      label: t('overview.breachedByLevel'),
                      children:
                        Object.entries(sales.breachedByLevel)
                          .map(([level, n]) => `${t('queue.level', { level })}: ${n}`)
                          .join(' · ') || '—',
                    },
                    {
                      key: 'speed',
                      label: <MetricTitle id="speed_to_lead" range={range} />,
                      children: (
                        <MetricValue id="speed_to_lead" value={sales.speedToLead.medianMs}>
                          {sales.speedToLead.medianMs === null
                            ? '—'
                            : t('overview.medianP90', {
                                median: formatStay(sales.speedToLead.medianMs, t),
                                p90: formatStay(sales.speedToLead.p90Ms, t),
                              })}
                        </MetricValue>
                      ),
                    },
                  ]}
                />
              </Space>
            ) : (
              <Empty />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="baton-card-title">{t('overview.marketingSide')}</h2>}>
            {(report.data?.marketing ?? []).length === 0 ? (
              <Typography.Text type="secondary">{t('overview.noCommitment')}</Typography.Text>
            ) : (
              <Table
                size="small"
                rowKey="commitmentId"
                pagination={false}
                dataSource={report.data?.marketing ?? []}
                columns={[
                  {
                    title: t('common.period'),
                    key: 'period',
                    render: (_, c) => `${c.startsOn} – ${c.endsOn}`,
                  },
                  {
                    title: t('overview.delivered'),
                    key: 'delivered',
                    align: 'right',
                    render: (_, c) => `${c.pace.delivered} / ${c.mqlTarget}`,
                  },
                  {
                    title: <MetricTitle id="acceptance_rate" range={range} />,
                    key: 'acceptance',
                    align: 'right',
                    render: (_, c) => formatPercent(c.pace.acceptanceRate, language),
                  },
                  {
                    title: t('queue.status'),
                    key: 'status',
                    render: (_, c) => t(`commitment.status.${c.pace.status}`),
                  },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card
            title={
              <h2 className="baton-card-title">
                <MetricTitle id="speed_to_lead" range={range} />
              </h2>
            }
          >
            {speed && speed.touched > 0 ? (
              <>
                <div
                  role="img"
                  aria-label={t('overview.speedLabel', {
                    list: distribution.map((d) => `${d.label}: ${d.leads}`).join(', '),
                  })}
                >
                  <ResponsiveContainer width="100%" height={220}>
                    <BarChart data={distribution}>
                      <CartesianGrid strokeDasharray="3 3" vertical={false} />
                      <XAxis dataKey="label" interval={0} tick={{ fontSize: 11 }} />
                      <YAxis allowDecimals={false} />
                      <Tooltip />
                      <Bar
                        isAnimationActive={false}
                        dataKey="leads"
                        name={t('overview.leads')}
                        fill="#237804"
                      >
                        {distribution.map((d) => (
                          <Cell key={d.label} fill={speedColour(d.upToMs)} />
                        ))}
                      </Bar>
                    </BarChart>
                  </ResponsiveContainer>
                </div>
                <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
                  {t('overview.speedSummary', {
                    touched: speed.touched,
                    leads: speed.leads,
                    median: speed.medianMs === null ? '—' : formatStay(speed.medianMs, t),
                  })}
                </Typography.Paragraph>
              </>
            ) : (
              <Typography.Text type="secondary">{t('overview.noSpeed')}</Typography.Text>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
              {t('overview.pace')}
            </Typography.Title>
            {current.length === 0 ? (
              <Typography.Text type="secondary">{t('overview.noCommitment')}</Typography.Text>
            ) : (
              current.map((c) => <PaceCard key={c.id} commitment={c} />)
            )}
          </Space>
        </Col>
      </Row>
    </Space>
  );
}
