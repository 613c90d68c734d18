import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Input, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LeadFate } from '../../../src/contract/handoff.ts';
import { api } from '../api.ts';
import { CsvButton } from '../components/csv-button.tsx';
import { ChannelSelect } from '../components/channel-select.tsx';
import { MetricTitle, MetricValue, PeriodNote, useReportPeriod } from '../components/metric.tsx';
import { PeriodPicker, periodQuery } from '../components/period-picker.tsx';
import { channelName, formatMoment, formatMoney, formatPercent } from '../format.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';

const pageSize = 50;

/** Marketing's handoff tracker: every MQL of a period and its fate, and why Sales rejected. */
export function HandoffPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [period, setPeriod] = useReportPeriod();
  const [campaign, setCampaign] = useState('');
  const [source, setSource] = useState('');
  const range = period && periodQuery(period);
  // The counts come with the first page; further pages of leads on request.
  const fates = useInfiniteQuery({
    queryKey: ['fates', range, campaign, source],
    queryFn: ({ pageParam }) =>
      api.fates({
        ...range!,
        ...(campaign && { campaign }),
        ...(source && { source }),
        limit: pageSize,
        ...(pageParam && { cursor: pageParam }),
      }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: range !== undefined,
  });
  const leads = fates.data?.pages.flatMap((p) => p.data) ?? [];
  const rejections = useQuery({
    queryKey: ['rejections', range],
    queryFn: () => api.rejections({ ...range!, by: 'campaign' }),
    enabled: range !== undefined,
  });
  const reasons = useQuery({ queryKey: ['reasons'], queryFn: api.reasons, staleTime: 300_000 });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  const nameOf = (id: string | null) => (id && users.data?.data.find((u) => u.id === id)?.name) ?? '—';
  const reasonLabel = (code: string | null) =>
    (code && reasons.data?.data.find((r) => r.key === code)?.label[language]) ?? code ?? '—';

  const counts = new Map<string, number>();
  for (const group of rejections.data?.groups ?? [])
    for (const r of group.reasons) counts.set(r.code, (counts.get(r.code) ?? 0) + r.count);
  const byReason = [...counts.entries()]
    .map(([code, count]) => ({ code, label: reasonLabel(code), count }))
    .sort((a, b) => b.count - a.count);

  const summary = fates.data?.pages[0]?.summary;
  const decision = (fate: LeadFate) =>
    fate.decision === 'accepted' ? (
      <Tag style={tones.green}>{t('fate.accepted')}</Tag>
    ) : fate.decision === 'rejected' ? (
      <Tag style={tones.red}>{t('fate.rejected')}</Tag>
    ) : fate.assignedTo ? (
      <Tag style={tones.orange}>{t('fate.waiting')}</Tag>
    ) : (
      <Tag style={tones.grey}>{t('fate.unassigned')}</Tag>
    );

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('handoff.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('handoff.intro')}</Typography.Paragraph>
      </div>
      <Space wrap>
        {period && <PeriodPicker value={period} onChange={setPeriod} />}
        <Input.Search
          aria-label={t('handoff.campaign')}
          placeholder={t('handoff.campaign')}
          allowClear
          onSearch={setCampaign}
          style={{ width: 220 }}
        />
        <ChannelSelect
          label={t('handoff.source')}
          value={source || undefined}
          onChange={(v) => setSource(v ?? '')}
        />
      </Space>
      <PeriodNote range={range} />
      {(fates.isError || rejections.isError) && (
        <Alert type="error" title={t('common.loadFailed')} showIcon />
      )}
      <Row gutter={[16, 16]}>
        {(
          [
            ['mqls', summary?.mqls],
            ['accepted', summary?.accepted],
            ['rejected', summary?.rejected],
            ['sql', summary?.sql],
            ['opportunities', summary?.opportunities],
            ['won', summary?.won],
          ] as const
        ).map(([key, value]) => (
          <Col key={key} xs={12} sm={8} lg={4}>
            <Card size="small">
              {key === 'mqls' && !campaign && !source ? (
                <Statistic
                  title={
                    <MetricTitle id="mqls" range={range}>
                      {t('handoff.summary.mqls')}
                    </MetricTitle>
                  }
                  loading={fates.isPending}
                  valueRender={() => (
                    <MetricValue id="mqls" value={value}>
                      {value ?? 0}
                    </MetricValue>
                  )}
                />
              ) : (
                <Statistic title={t(`handoff.summary.${key}`)} value={value ?? 0} loading={fates.isPending} />
              )}
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="baton-card-title">{t('handoff.reasonsChart')}</h2>}>
            {byReason.length === 0 ? (
              <Typography.Text type="secondary">{t('handoff.noRejections')}</Typography.Text>
            ) : (
              <div
                role="img"
                aria-label={t('handoff.reasonsChartLabel', {
                  list: byReason.map((r) => `${r.label}: ${r.count}`).join(', '),
                })}
              >
                <ResponsiveContainer width="100%" height={Math.max(160, byReason.length * 36)}>
                  <BarChart data={byReason} layout="vertical" margin={{ left: 24, right: 24 }}>
                    <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                    <XAxis type="number" allowDecimals={false} />
                    <YAxis type="category" dataKey="label" width={180} />
                    <Tooltip />
                    <Bar
                      isAnimationActive={false}
                      dataKey="count"
                      name={t('handoff.rejections')}
                      fill="#c4161c"
                    />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card
            title={<h2 className="baton-card-title">{t('handoff.byCampaign')}</h2>}
            extra={
              range && (
                <CsvButton
                  href={api.reportCsvUrl('handoff/rejections', { ...range, by: 'campaign' })}
                  what={t('handoff.byCampaign')}
                />
              )
            }
          >
            <Table
              size="small"
              rowKey={(g) => g.key ?? '—'}
              loading={rejections.isPending}
              dataSource={rejections.data?.groups ?? []}
              pagination={{ pageSize: 8, hideOnSinglePage: true }}
              columns={[
                {
                  title: t('handoff.campaign'),
                  dataIndex: 'key',
                  render: (v: string | null) => v ?? t('handoff.none'),
                },
                { title: t('handoff.summary.mqls'), dataIndex: 'mqls', align: 'right' },
                { title: t('handoff.summary.rejected'), dataIndex: 'rejected', align: 'right' },
                {
                  title: t('handoff.rejectionRate'),
                  dataIndex: 'rejectionRate',
                  align: 'right',
                  render: (v: number | null) => formatPercent(v, language),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Card
        title={<h2 className="baton-card-title">{t('handoff.fates')}</h2>}
        extra={
          range &&
          user.role !== 'sales_rep' && (
            <CsvButton
              href={api.reportCsvUrl('handoff/fates', {
                ...range,
                ...(campaign && { campaign }),
                ...(source && { source }),
              })}
              what={t('handoff.fates')}
            />
          )
        }
      >
        <Table<LeadFate>
          rowKey="contactId"
          size="small"
          loading={fates.isPending}
          dataSource={leads}
          scroll={{ x: 1000 }}
          pagination={false}
          columns={[
            {
              title: t('queue.lead'),
              key: 'lead',
              render: (_, f) => <Link to={`/leads/${f.contactId}`}>{f.name ?? f.email ?? f.contactId}</Link>,
            },
            {
              title: t('handoff.mqlAt'),
              dataIndex: 'mqlAt',
              render: (v: string) => formatMoment(v, user.timeZone, language),
            },
            {
              title: t('handoff.source'),
              dataIndex: 'source',
              render: (v: string | null) => (v ? channelName(t, v) : '—'),
            },
            { title: t('handoff.campaign'), dataIndex: 'campaign', render: (v: string | null) => v ?? '—' },
            { title: t('handoff.grade'), dataIndex: 'scoreBand', render: (v: string | null) => v ?? '—' },
            { title: t('queue.rep'), dataIndex: 'assignedTo', render: (v: string | null) => nameOf(v) },
            { title: t('handoff.decision'), key: 'decision', render: (_, f) => decision(f) },
            {
              title: t('lead.reason'),
              dataIndex: 'reasonCode',
              render: (v: string | null) => (v ? reasonLabel(v) : '—'),
            },
            { title: t('handoff.stageNow'), dataIndex: 'stage', render: (v: string) => v.toUpperCase() },
            {
              title: t('handoff.opportunity'),
              key: 'opportunity',
              render: (_, f) =>
                f.opportunity
                  ? `${t(`opportunityStatus.${f.opportunity.status}`)}${
                      f.opportunity.amountMinor !== null
                        ? ` · ${formatMoney(f.opportunity.amountMinor, f.opportunity.currency, language)}`
                        : ''
                    }`
                  : '—',
            },
          ]}
        />
        {summary && summary.mqls > 0 && (
          <Space style={{ marginTop: 12 }}>
            <Typography.Text type="secondary">
              {t('handoff.shown', { shown: leads.length, total: summary.mqls })}
            </Typography.Text>
            {fates.hasNextPage && (
              <Button onClick={() => void fates.fetchNextPage()} loading={fates.isFetchingNextPage}>
                {t('handoff.more')}
              </Button>
            )}
          </Space>
        )}
      </Card>
    </Space>
  );
}
