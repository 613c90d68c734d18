import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { MetricDefinition } from '../../../src/contract/metrics.ts';
import type { Stage } from '../../../src/contract/stages.ts';
import { api } from '../api.ts';
import { useMetrics } from '../components/metric.tsx';

/** One language: every lifecycle stage with the definition both teams agreed on. */
export function GlossaryPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const stages = useQuery({ queryKey: ['stages'], queryFn: api.stages, staleTime: 300_000 });
  const names = new Map((stages.data?.data ?? []).map((s) => [s.key, s.name[language]]));
  const metrics = useMetrics();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('glossary.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('glossary.intro')}</Typography.Paragraph>
      </div>
      {stages.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Card>
        <Table<Stage>
          rowKey="key"
          loading={stages.isPending}
          pagination={false}
          dataSource={[...(stages.data?.data ?? [])].sort((a, b) => a.position - b.position)}
          scroll={{ x: 700 }}
          columns={[
            {
              title: t('glossary.stage'),
              key: 'name',
              width: 200,
              render: (_, s) => (
                <Space orientation="vertical" size={0}>
                  <strong>{s.name[language]}</strong>
                  <Typography.Text type="secondary">
                    {s.key.toUpperCase()}
                    {s.isSide && ` · ${t('glossary.side')}`}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t('glossary.definition'), key: 'definition', render: (_, s) => s.definition[language] },
            {
              title: t('glossary.next'),
              key: 'next',
              width: 260,
              render: (_, s) => (
                <Space wrap size={4}>
                  {s.allowedNext.map((k) => (
                    <Tag key={k}>{names.get(k) ?? k}</Tag>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card title={<h2 className="baton-card-title">{t('metrics.title')}</h2>}>
        <Typography.Paragraph type="secondary">
          {t('metrics.intro')}{' '}
          {metrics.data &&
            `${t('metrics.defaultPeriod')}: ${t(`metrics.periods.${metrics.data.defaultPeriod}`)}.`}
        </Typography.Paragraph>
        {metrics.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
        <Table<MetricDefinition>
          rowKey="id"
          loading={metrics.isPending}
          pagination={false}
          dataSource={metrics.data?.data ?? []}
          scroll={{ x: 900 }}
          columns={[
            {
              title: t('metrics.metric'),
              key: 'name',
              width: 200,
              render: (_, m) => (
                <Space orientation="vertical" size={0}>
                  <strong>{m.name[language]}</strong>
                  {/* The metric's key in the API: a code, the same in every language. */}
                  <Typography.Text type="secondary" code translate="no">
                    {m.id}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t('glossary.definition'), key: 'definition', render: (_, m) => m.definition[language] },
            {
              title: t('metrics.numerator'),
              key: 'rules',
              render: (_, m) => (
                <dl className="baton-metric-rules">
                  <dt>{t('metrics.numerator')}</dt>
                  <dd>{m.numerator[language]}</dd>
                  {m.denominator && (
                    <>
                      <dt>{t('metrics.denominator')}</dt>
                      <dd>{m.denominator[language]}</dd>
                    </>
                  )}
                  <dt>{t('metrics.exclusions')}</dt>
                  <dd>{m.exclusions[language]}</dd>
                </dl>
              ),
            },
            {
              title: t('metrics.periodRule'),
              key: 'period',
              width: 240,
              render: (_, m) => m.period[language],
            },
          ]}
        />
      </Card>
    </Space>
  );
}
