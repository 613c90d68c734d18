import { BellOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, List, Popover, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { InboxItem } from '../../../src/contract/inbox.ts';
import { api } from '../api.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';

/** The text of each kind of alert. */
const kindText = {
  'lead.assigned': 'inbox.kinds.lead_assigned',
  'lead.unassigned': 'inbox.kinds.lead_unassigned',
  'sla.reminder': 'inbox.kinds.sla_reminder',
  'sla.breached': 'inbox.kinds.sla_breached',
  'handoff.digest': 'inbox.kinds.handoff_digest',
  'commitment.pace': 'inbox.kinds.commitment_pace',
  'plan.behind': 'inbox.kinds.plan_behind',
  'webhook.disabled': 'inbox.kinds.webhook_disabled',
  'connection.needs_admin': 'inbox.kinds.connection_needs_admin',
} as const satisfies Record<InboxItem['kind'], string>;

/** Where an alert opens: its lead, the leads of a digest, or the page it is about. */
function pathOf(item: InboxItem, role: string): string {
  if (item.lead) return `/leads/${item.lead.id}`;
  if (item.kind === 'sla.reminder') return '/leads';
  if (item.kind === 'sla.breached') return role === 'sales_rep' ? '/leads' : '/team';
  if (item.kind === 'plan.behind') return '/plan';
  if (item.kind === 'commitment.pace') return '/commitments';
  if (item.kind === 'handoff.digest') return '/handoff';
  if (item.kind === 'webhook.disabled') return '/settings?tab=webhooks';
  if (item.kind === 'connection.needs_admin') return '/settings?tab=connections';
  return '/';
}

/**
 * The bell in the header: the alerts Baton sent this person (the same as their emails), with the
 * unread count; opening it marks them read.
 */
export function NotificationBell() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const inbox = useQuery({ queryKey: ['inbox'], queryFn: api.inbox, refetchInterval: 60_000 });
  const unread = inbox.data?.unread ?? 0;
  const toggle = (next: boolean) => {
    setOpen(next);
    if (next && unread > 0)
      void api
        .markInboxRead()
        .then((read) =>
          queryClient.setQueryData(['inbox'], { ...read, data: inbox.data?.data ?? read.data }),
        );
  };
  return (
    <Popover
      open={open}
      onOpenChange={toggle}
      trigger="click"
      placement="bottomRight"
      title={t('inbox.title')}
      content={
        <List<InboxItem>
          size="small"
          style={{ width: 'min(360px, 80vw)', maxHeight: 420, overflowY: 'auto' }}
          dataSource={inbox.data?.data ?? []}
          locale={{ emptyText: t('inbox.empty') }}
          renderItem={(item) => (
            <List.Item>
              <Link
                to={pathOf(item, user.role)}
                onClick={() => setOpen(false)}
                style={{ fontWeight: item.unread ? 600 : 400 }}
              >
                {t(kindText[item.kind], {
                  lead: item.lead?.name ?? (item.leads > 1 ? t('inbox.leads', { count: item.leads }) : ''),
                })}
              </Link>
              <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 8, whiteSpace: 'nowrap' }}>
                {formatMoment(item.at, user.timeZone, i18n.language)}
              </Typography.Text>
            </List.Item>
          )}
        />
      }
    >
      <Badge count={unread} size="small">
        <Button
          size="small"
          icon={<BellOutlined />}
          aria-label={unread > 0 ? t('inbox.bellUnread', { count: unread }) : t('inbox.bell')}
        />
      </Badge>
    </Popover>
  );
}
