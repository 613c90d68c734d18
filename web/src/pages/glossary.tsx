import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Stage } from '../../../src/contract/stages.ts';
import { api } from '../api.ts';

/** One language: every lifecycle stage with the definition both teams agreed on. */
export function GlossaryPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const stages = useQuery({ queryKey: ['stages'], queryFn: api.stages, staleTime: 300_000 });
  const names = new Map((stages.data?.data ?? []).map((s) => [s.key, s.name[language]]));
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
    </Space>
  );
}
