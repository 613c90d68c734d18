import { Card, Empty, Flex, Grid, Space, Spin, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SlaQueueItem } from '../../../src/contract/sla.ts';
import { Countdown, StatusTag } from './countdown.tsx';

/** One row per lead: its most urgent clock, and what else is due on it. */
export interface QueueRow {
  key: string;
  item: SlaQueueItem;
  others: SlaQueueItem[];
}

/** Groups the queue (most urgent first) by lead, keeping the order of each lead's most urgent clock. */
export function byLead(items: readonly SlaQueueItem[]): QueueRow[] {
  const rows = new Map<string, QueueRow>();
  for (const item of items) {
    const row = rows.get(item.contact.id);
    if (row) row.others.push(item);
    else rows.set(item.contact.id, { key: item.contact.id, item, others: [] });
  }
  return [...rows.values()];
}

export function leadName(item: SlaQueueItem): string {
  return item.contact.name ?? item.contact.email ?? item.contact.id;
}

/**
 * The leads waiting for a follow-up with live countdowns: a table on a wide screen, a list of cards
 * on a phone.
 */
export function QueueTable({
  rows,
  receivedAt,
  loading,
  showRep = false,
  actions,
}: {
  rows: QueueRow[];
  receivedAt: number;
  loading: boolean;
  showRep?: boolean;
  actions?: (row: QueueRow) => ReactNode;
}) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const lead = (row: QueueRow) => (
    <Space orientation="vertical" size={0}>
      <Link to={`/leads/${row.item.contact.id}`}>{leadName(row.item)}</Link>
      <Typography.Text type="secondary">
        {[row.item.contact.company, row.item.contact.email].filter(Boolean).join(' · ')}
      </Typography.Text>
    </Space>
  );
  const due = (row: QueueRow) => (
    <Space orientation="vertical" size={2}>
      <span>{t(`target.${row.item.clock.target}`)}</span>
      {row.others.map((o) => (
        <Typography.Text key={o.clock.id} type="secondary">
          {t('queue.then', { target: t(`target.${o.clock.target}`) })}
        </Typography.Text>
      ))}
    </Space>
  );

  if (screens.md === false) {
    return (
      <Spin spinning={loading}>
        {rows.length === 0 && !loading ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('queue.empty')} />
        ) : (
          <Flex vertical gap={8} role="list">
            {rows.map((row) => (
              <Card key={row.key} size="small" role="listitem">
                <Space orientation="vertical" size={4} style={{ width: '100%' }}>
                  <Space wrap>
                    <Countdown item={row.item} receivedAt={receivedAt} />
                    <StatusTag status={row.item.clock.status} level={row.item.clock.level} />
                  </Space>
                  {lead(row)}
                  {due(row)}
                  {showRep && row.item.rep && <span>{row.item.rep.name}</span>}
                  {actions?.(row)}
                </Space>
              </Card>
            ))}
          </Flex>
        )}
      </Spin>
    );
  }

  const columns: ColumnsType<QueueRow> = [
    {
      title: t('queue.timeLeft'),
      key: 'left',
      width: 190,
      render: (_, row) => <Countdown item={row.item} receivedAt={receivedAt} />,
    },
    { title: t('queue.lead'), key: 'lead', render: (_, row) => lead(row) },
    ...(showRep
      ? [
          {
            title: t('queue.rep'),
            key: 'rep',
            render: (_: unknown, row: QueueRow) => row.item.rep?.name ?? '—',
          },
        ]
      : []),
    {
      title: t('queue.stage'),
      key: 'stage',
      width: 90,
      render: (_, row) => <Tag>{row.item.contact.stage.toUpperCase()}</Tag>,
    },
    { title: t('queue.due'), key: 'due', render: (_, row) => due(row) },
    {
      title: t('queue.status'),
      key: 'status',
      width: 150,
      render: (_, row) => <StatusTag status={row.item.clock.status} level={row.item.clock.level} />,
    },
    ...(actions
      ? [{ title: t('queue.actions'), key: 'actions', render: (_: unknown, row: QueueRow) => actions(row) }]
      : []),
  ];
  return (
    <Table<QueueRow>
      rowKey="key"
      size="middle"
      loading={loading}
      columns={columns}
      dataSource={rows}
      pagination={{ pageSize: 25, hideOnSinglePage: true }}
      locale={{ emptyText: t('queue.empty') }}
    />
  );
}
