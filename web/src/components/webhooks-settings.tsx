import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  CreateWebhookEndpointBody,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from '../../../src/contract/webhooks.ts';
import { api } from '../api.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';
import { showFieldErrors, useAction } from './use-action.ts';

/** An event type in the reader's language: `lead.assigned` → webhooks.events.lead.assigned. */
function useEventLabel() {
  const { t } = useTranslation();
  return (type: string) => t(`webhooks.events.${type}`, { defaultValue: type });
}

/** One endpoint's delivery log: each message, its attempts, and sending it again. */
function DeliveriesModal({ endpoint, onClose }: { endpoint: WebhookEndpoint; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const label = useEventLabel();
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpoint.id],
    queryFn: () => api.webhookDeliveries(endpoint.id),
    refetchInterval: 5_000,
  });
  const replay = useAction({
    run: api.replayWebhookDelivery,
    invalidate: [['webhook-deliveries', endpoint.id]],
    success: t('webhooks.replayed', { count: 1 }),
  });
  const replayDay = useAction({
    run: () => {
      const to = dayjs();
      return api.replayWebhooks(endpoint.id, {
        from: to.subtract(24, 'hour').toISOString(),
        to: to.toISOString(),
        onlyFailed: true,
      });
    },
    invalidate: [['webhook-deliveries', endpoint.id]],
    success: (result) => t('webhooks.replayed', { count: result.replayed }),
  });
  const tone = { delivered: tones.green, pending: tones.orange, failed: tones.red } as const;
  return (
    <Modal
      open
      title={t('webhooks.deliveriesOf', { url: endpoint.url })}
      onCancel={onClose}
      footer={null}
      width={900}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Button onClick={() => replayDay.mutate(undefined)} disabled={replayDay.isPending}>
          {t('webhooks.replayDay')}
        </Button>
        <Table<WebhookDelivery>
          rowKey="id"
          size="small"
          scroll={{ x: true }}
          loading={deliveries.isPending}
          dataSource={deliveries.data?.data ?? []}
          pagination={false}
          locale={{ emptyText: t('webhooks.noDeliveries') }}
          columns={[
            {
              title: t('webhooks.when'),
              dataIndex: 'createdAt',
              render: (v: string) => formatMoment(v, user.timeZone, i18n.language),
            },
            { title: t('webhooks.event'), dataIndex: 'eventType', render: (v: string) => label(v) },
            {
              title: t('webhooks.status'),
              dataIndex: 'status',
              render: (v: WebhookDelivery['status']) => (
                <Tag style={tone[v]}>{t(`webhooks.statuses.${v}`)}</Tag>
              ),
            },
            { title: t('webhooks.attempts'), dataIndex: 'attempts' },
            {
              title: t('webhooks.answer'),
              key: 'answer',
              render: (_, d) => [d.lastStatus, d.lastError].filter((v) => v !== null).join(' · ') || '—',
            },
            {
              title: t('webhooks.webhookId'),
              dataIndex: 'messageId',
              render: (v: string) => <Typography.Text code>{v.slice(0, 16)}…</Typography.Text>,
            },
            {
              title: t('queue.actions'),
              key: 'replay',
              render: (_, d) => (
                <Button
                  size="small"
                  onClick={() => replay.mutate(d.id)}
                  aria-label={`${t('webhooks.replay')}: ${d.messageId}`}
                >
                  {t('webhooks.replay')}
                </Button>
              ),
            },
          ]}
        />
      </Space>
    </Modal>
  );
}

/**
 * Settings → Webhooks: endpoints that hear of Baton's decisions, signed after the Standard
 * Webhooks specification. The secret shows once after creating or rotating, and on request.
 */
export function WebhooksSettings() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const label = useEventLabel();
  const [form] = Form.useForm<CreateWebhookEndpointBody>();
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | { url: string; secret: string } | null>(
    null,
  );
  const [open, setOpen] = useState<WebhookEndpoint | null>(null);
  const settings = useQuery({ queryKey: ['webhook-settings'], queryFn: api.webhookSettings });
  const endpoints = useQuery({ queryKey: ['webhooks'], queryFn: api.webhookEndpoints });
  const types = useQuery({
    queryKey: ['webhook-event-types'],
    queryFn: api.webhookEventTypes,
    staleTime: Infinity,
  });
  const saveSettings = useAction({
    run: api.updateWebhookSettings,
    invalidate: [['webhook-settings']],
    success: t('profile.saved'),
  });
  const create = useAction({
    run: api.createWebhookEndpoint,
    invalidate: [['webhooks']],
    done: (created) => {
      setSecret(created);
      form.resetFields();
    },
  });
  const update = useAction({
    run: ({ id, enabled }: { id: string; enabled: boolean }) => api.updateWebhookEndpoint(id, { enabled }),
    invalidate: [['webhooks']],
    success: t('profile.saved'),
  });
  const rotate = useAction({ run: api.rotateWebhookSecret, invalidate: [['webhooks']], done: setSecret });
  const reveal = useAction({
    run: async (endpoint: WebhookEndpoint) => ({
      url: endpoint.url,
      ...(await api.webhookSecret(endpoint.id)),
    }),
    invalidate: [],
    done: setSecret,
  });
  const remove = useAction({
    run: api.deleteWebhookEndpoint,
    invalidate: [['webhooks']],
    success: t('webhooks.deleted'),
  });

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Paragraph style={{ margin: 0 }}>{t('webhooks.intro')}</Typography.Paragraph>
      <Card size="small" title={t('webhooks.add')}>
        <Form<CreateWebhookEndpointBody>
          form={form}
          layout="vertical"
          requiredMark={false}
          onFinish={(values) =>
            create.mutate(values, {
              onError: (error) => void showFieldErrors(form, error, ['url', 'description', 'eventTypes']),
            })
          }
        >
          <Form.Item
            name="url"
            label={t('webhooks.url')}
            rules={[{ required: true, message: t('webhooks.urlNeeded') }]}
          >
            <Input placeholder="https://" maxLength={2000} />
          </Form.Item>
          <Form.Item name="description" label={t('webhooks.description')}>
            <Input maxLength={500} />
          </Form.Item>
          <Form.Item
            name="eventTypes"
            label={t('webhooks.events.title')}
            // A validator rather than `required`: antd would put aria-required on the group's div.
            rules={[
              {
                validator: (_, value?: string[]) =>
                  value && value.length > 0
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('webhooks.eventsNeeded'))),
              },
            ]}
          >
            <Checkbox.Group
              options={(types.data?.data ?? []).map((e) => ({
                value: e.type,
                // The event's code is what a receiver sees: the same in every language.
                label: (
                  <>
                    {label(e.type)}{' '}
                    <Typography.Text code translate="no">
                      {e.type}
                    </Typography.Text>
                  </>
                ),
              }))}
              style={{
                display: 'grid',
                gridTemplateColumns: 'repeat(auto-fill, minmax(280px, 1fr))',
                gap: 4,
              }}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" disabled={create.isPending}>
            {t('webhooks.addButton')}
          </Button>
        </Form>
      </Card>
      {secret && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setSecret(null) }}
          title={t('webhooks.secretOf', { url: secret.url })}
          description={
            <Typography.Text copyable code data-testid="webhook-secret">
              {secret.secret}
            </Typography.Text>
          }
        />
      )}
      <Table<WebhookEndpoint>
        rowKey="id"
        size="small"
        scroll={{ x: true }}
        loading={endpoints.isPending}
        dataSource={endpoints.data?.data ?? []}
        pagination={false}
        locale={{ emptyText: t('webhooks.none') }}
        columns={[
          {
            title: t('webhooks.url'),
            dataIndex: 'url',
            render: (v: string, e) => (
              <span>
                {v}
                {e.description && <Typography.Text type="secondary"> · {e.description}</Typography.Text>}
              </span>
            ),
          },
          {
            title: t('webhooks.events.title'),
            dataIndex: 'eventTypes',
            render: (v: WebhookEventType[]) => v.map((type) => label(type)).join(', '),
          },
          {
            title: t('webhooks.status'),
            key: 'status',
            render: (_, e) =>
              e.enabled ? (
                e.failingSince ? (
                  <Tag style={tones.orange}>
                    {t('webhooks.failingSince', {
                      since: formatMoment(e.failingSince, user.timeZone, i18n.language),
                    })}
                  </Tag>
                ) : (
                  <Tag style={tones.green}>{t('webhooks.on')}</Tag>
                )
              ) : (
                <Tag style={tones.grey}>
                  {e.disabledReason === 'failing' ? t('webhooks.offFailing') : t('webhooks.off')}
                </Tag>
              ),
          },
          {
            title: t('queue.actions'),
            key: 'actions',
            render: (_, e) => (
              <Space wrap>
                <Button
                  size="small"
                  onClick={() => setOpen(e)}
                  aria-label={`${t('webhooks.deliveries')}: ${e.url}`}
                >
                  {t('webhooks.deliveries')}
                </Button>
                <Button
                  size="small"
                  onClick={() => update.mutate({ id: e.id, enabled: !e.enabled })}
                  aria-label={`${e.enabled ? t('webhooks.turnOff') : t('webhooks.turnOn')}: ${e.url}`}
                >
                  {e.enabled ? t('webhooks.turnOff') : t('webhooks.turnOn')}
                </Button>
                <Button
                  size="small"
                  onClick={() => reveal.mutate(e)}
                  aria-label={`${t('webhooks.showSecret')}: ${e.url}`}
                >
                  {t('webhooks.showSecret')}
                </Button>
                <Popconfirm
                  title={t('webhooks.rotateConfirm')}
                  okText={t('webhooks.rotate')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => rotate.mutate({ id: e.id, graceHours: 24 })}
                >
                  <Button size="small" aria-label={`${t('webhooks.rotate')}: ${e.url}`}>
                    {t('webhooks.rotate')}
                  </Button>
                </Popconfirm>
                <Popconfirm
                  title={t('webhooks.deleteConfirm')}
                  okText={t('webhooks.delete')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => remove.mutate(e.id)}
                >
                  <Button size="small" danger aria-label={`${t('webhooks.delete')}: ${e.url}`}>
                    {t('webhooks.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Card size="small" title={t('webhooks.safety')}>
        <Space align="start">
          <Switch
            checked={settings.data?.allowPrivateTargets ?? false}
            loading={settings.isPending}
            onChange={(allowPrivateTargets) => saveSettings.mutate({ allowPrivateTargets })}
            aria-label={t('webhooks.allowPrivate')}
          />
          <span>
            {t('webhooks.allowPrivate')}
            <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
              {t('webhooks.allowPrivateHint')}
            </Typography.Paragraph>
          </span>
        </Space>
      </Card>
      {open && <DeliveriesModal endpoint={open} onClose={() => setOpen(null)} />}
    </Space>
  );
}
