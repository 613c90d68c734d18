import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Row, Segmented, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SlaQueueItem } from '../../../src/contract/sla.ts';
import { api } from '../api.ts';
import { CsvButton } from '../components/csv-button.tsx';
import { ReassignButton, WaiveButton } from '../components/clock-actions.tsx';
import { MetricTitle, MetricValue, PeriodNote, useReportPeriod } from '../components/metric.tsx';
import { PeriodPicker, periodQuery } from '../components/period-picker.tsx';
import { QueueTable, byLead, leadName } from '../components/queue-table.tsx';
import { OverdueTasks } from '../components/tasks-card.tsx';
import { formatPercent } from '../format.ts';
import { useUser } from '../session.ts';

type Filter = 'attention' | 'open';

/** The manager's SLA board: leads at risk and breached per rep, compliance per rep, waive and reassign. */
export function TeamBoardPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [filter, setFilter] = useState<Filter>('attention');
  const [period, setPeriod] = useReportPeriod();
  const queue = useQuery({
    queryKey: ['queue', 'team'],
    queryFn: async () => ({ ...(await api.queue({ limit: 500 })), receivedAt: performance.now() }),
    refetchInterval: 60_000,
  });
  const range = period && periodQuery(period);
  const report = useQuery({
    queryKey: ['sla-report', range],
    queryFn: () => api.slaReport(range!),
    enabled: range !== undefined,
  });
  const canWaive = user.role !== 'sales_rep' && user.role !== 'marketing';
  const canReassign = user.role === 'sales_manager' || user.role === 'admin';

  const items = (queue.data?.data ?? []).filter(
    (i) => filter === 'open' || i.clock.status === 'breached' || i.clock.status === 'at_risk',
  );
  type RepRow = {
    key: string;
    name: string;
    atRisk: number;
    breached: number;
    open: number;
    compliance: number | null;
  };
  const perRep = new Map<string, RepRow>();
  // Every rep in view has a row, with nothing open or not: the report lists idle reps too.
  for (const rep of report.data?.reps ?? [])
    perRep.set(rep.userId, {
      key: rep.userId,
      name: rep.name,
      atRisk: 0,
      breached: 0,
      open: 0,
      compliance: rep.compliance,
    });
  for (const item of queue.data?.data ?? []) {
    const key = item.rep?.id ?? '-';
    const row = perRep.get(key) ?? {
      key,
      name: item.rep?.name ?? t('board.noRep'),
      atRisk: 0,
      breached: 0,
      open: 0,
      compliance: null,
    };
    row.open += 1;
    if (item.clock.status === 'at_risk') row.atRisk += 1;
    if (item.clock.status === 'breached') row.breached += 1;
    perRep.set(key, row);
  }
  const compliance = (report.data?.reps ?? [])
    .filter((r) => r.compliance !== null)
    .map((r) => ({ name: r.name, compliance: Math.round((r.compliance ?? 0) * 100), measured: r.measured }));
  const breachedOf = (row: { item: SlaQueueItem; others: SlaQueueItem[] }) =>
    [row.item, ...row.others].find((i) => i.clock.status === 'breached');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('board.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('board.intro')}</Typography.Paragraph>
      </div>
      {(queue.isError || report.isError) && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card
            title={<h2 className="baton-card-title">{t('board.perRep')}</h2>}
            extra={
              range && <CsvButton href={api.reportCsvUrl('sla/report', range)} what={t('board.perRep')} />
            }
          >
            <Table
              size="small"
              rowKey="key"
              loading={queue.isPending || report.isPending}
              pagination={false}
              dataSource={[...perRep.values()].sort(
                (a, b) => b.breached - a.breached || b.atRisk - a.atRisk || a.name.localeCompare(b.name),
              )}
              locale={{ emptyText: t('queue.empty') }}
              columns={[
                { title: t('queue.rep'), dataIndex: 'name' },
                { title: t('board.open'), dataIndex: 'open', align: 'right' },
                { title: t('clockStatus.at_risk'), dataIndex: 'atRisk', align: 'right' },
                { title: t('clockStatus.breached'), dataIndex: 'breached', align: 'right' },
                {
                  title: <MetricTitle id="sla_compliance" range={range} />,
                  key: 'compliance',
                  align: 'right',
                  render: (_, r) => (
                    <MetricValue id="sla_compliance" scope={`rep:${r.key}`} value={r.compliance}>
                      {formatPercent(r.compliance, language)}
                    </MetricValue>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card
            title={
              <h2 className="baton-card-title">
                <MetricTitle id="sla_compliance" range={range}>
                  {t('board.compliance')}
                </MetricTitle>
              </h2>
            }
            extra={period && <PeriodPicker value={period} onChange={setPeriod} />}
          >
            <PeriodNote range={range} />
            {compliance.length === 0 ? (
              <Typography.Text type="secondary">{t('board.noMeasured')}</Typography.Text>
            ) : (
              <div
                role="img"
                aria-label={t('board.complianceLabel', {
                  list: compliance.map((c) => `${c.name}: ${c.compliance}%`).join(', '),
                })}
              >
                <ResponsiveContainer width="100%" height={Math.max(160, compliance.length * 36)}>
                  <BarChart data={compliance} layout="vertical" margin={{ left: 24, right: 24 }}>
                    <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                    <XAxis type="number" domain={[0, 100]} unit="%" />
                    <YAxis type="category" dataKey="name" width={140} />
                    <Tooltip />
                    <Bar
                      isAnimationActive={false}
                      dataKey="compliance"
                      name={t('board.complianceShort')}
                      fill="#0b5cd5"
                    >
                      <LabelList dataKey="compliance" position="right" formatter={(v) => `${String(v)}%`} />
                    </Bar>
                  </BarChart>
                </ResponsiveContainer>
              </div>
            )}
            {report.data && (
              <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
                <MetricValue id="sla_compliance" value={report.data.total.compliance}>
                  {t('board.teamTotal', {
                    compliance: formatPercent(report.data.total.compliance, language),
                    met: report.data.total.met,
                    measured: report.data.total.measured,
                    waived: report.data.total.waived,
                  })}
                </MetricValue>
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
      </Row>
      <OverdueTasks />
      <Card
        title={<h2 className="baton-card-title">{t('board.leads')}</h2>}
        extra={
          <Segmented<Filter>
            aria-label={t('board.filter')}
            value={filter}
            onChange={setFilter}
            options={[
              { value: 'attention', label: t('board.attention') },
              { value: 'open', label: t('board.allOpen') },
            ]}
          />
        }
      >
        <QueueTable
          rows={byLead(items)}
          receivedAt={queue.data?.receivedAt ?? performance.now()}
          loading={queue.isPending}
          showRep
          actions={(row) => {
            const breached = breachedOf(row);
            return (
              <Space wrap>
                {canWaive && breached && (
                  <WaiveButton clockId={breached.clock.id} name={leadName(row.item)} />
                )}
                {canReassign && (
                  <ReassignButton
                    contactId={row.item.contact.id}
                    name={leadName(row.item)}
                    currentUserId={row.item.rep?.id ?? null}
                  />
                )}
              </Space>
            );
          }}
        />
      </Card>
    </Space>
  );
}
