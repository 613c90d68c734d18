import { useQuery } from '@tanstack/react-query';
import { Alert, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { DecisionButtons, LogActivityButton } from '../components/lead-actions.tsx';
import { QueueTable, byLead, leadName } from '../components/queue-table.tsx';
import { MyTasks } from '../components/tasks-card.tsx';
import { useUser } from '../session.ts';

/** The rep's leads waiting for a follow-up, most urgent first, with live business-time countdowns. */
export function MyLeadsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const queue = useQuery({
    queryKey: ['queue', 'mine', user.id],
    queryFn: async () => ({ ...(await api.queue({ userId: user.id })), receivedAt: performance.now() }),
    refetchInterval: 60_000,
  });
  const rows = byLead(queue.data?.data ?? []);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('queue.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('queue.intro')}</Typography.Paragraph>
      </div>
      {queue.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <MyTasks />
      <QueueTable
        rows={rows}
        receivedAt={queue.data?.receivedAt ?? performance.now()}
        loading={queue.isPending}
        actions={(row) => (
          <Space wrap>
            {row.item.contact.stage === 'mql' && (
              <DecisionButtons contactId={row.item.contact.id} name={leadName(row.item)} />
            )}
            <LogActivityButton contactId={row.item.contact.id} />
          </Space>
        )}
      />
    </Space>
  );
}
