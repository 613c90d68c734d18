import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { UnassignedLead } from '../../../src/contract/routing.ts';
import { api } from '../api.ts';
import { ReassignButton } from '../components/clock-actions.tsx';
import { useAction } from '../components/use-action.ts';
import { assignmentReason, formatMoment, routeText } from '../format.ts';
import { useUser } from '../session.ts';

/** Leads no rep could take, oldest first, with why; a manager routes them again or picks a rep. */
export function UnassignedPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const queue = useQuery({ queryKey: ['unassigned'], queryFn: api.unassigned, refetchInterval: 60_000 });
  const nameOf = (lead: UnassignedLead) => lead.contact.name ?? lead.contact.email ?? lead.contactId;
  const route = useAction({
    run: (contactId: string) => api.route(contactId),
    invalidate: [['unassigned']],
    success: (assignment) =>
      assignment.userId
        ? t('unassigned.routed')
        : t('unassigned.stillNoOne', { reason: routeText(t, assignment) }),
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('unassigned.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('unassigned.intro')}</Typography.Paragraph>
      </div>
      {queue.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Table<UnassignedLead>
        rowKey="id"
        loading={queue.isPending}
        dataSource={queue.data?.data ?? []}
        locale={{ emptyText: t('unassigned.empty') }}
        scroll={{ x: 800 }}
        columns={[
          {
            title: t('queue.lead'),
            key: 'lead',
            render: (_, a) => (
              <Space orientation="vertical" size={0}>
                {/* Admins see every lead; a manager sees it once it is someone's in their team. */}
                {user.role === 'admin' ? <Link to={`/leads/${a.contactId}`}>{nameOf(a)}</Link> : nameOf(a)}
                <Typography.Text type="secondary">
                  {[a.contact.company, a.contact.email].filter(Boolean).join(' · ')}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('unassigned.since'),
            dataIndex: 'assignedAt',
            render: (v: string) => formatMoment(v, user.timeZone, language),
          },
          {
            title: t('unassigned.why'),
            key: 'why',
            render: (_, a) => assignmentReason(t, a) ?? routeText(t, a),
          },
          {
            title: t('queue.actions'),
            key: 'actions',
            render: (_, a) => (
              <Space wrap>
                <Button size="small" onClick={() => route.mutate(a.contactId)} loading={route.isPending}>
                  {t('unassigned.routeAgain')}
                </Button>
                <ReassignButton
                  contactId={a.contactId}
                  name={nameOf(a)}
                  currentUserId={null}
                  label={t('unassigned.assign')}
                />
              </Space>
            ),
          },
        ]}
      />
    </Space>
  );
}
