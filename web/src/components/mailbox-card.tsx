import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import type { ConnectMailboxBody, MailboxConnection } from '../../../src/contract/mailbox.ts';
import { api } from '../api.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';
import { showFieldErrors, useAction } from './use-action.ts';

const defaultPorts = { tls: 993, starttls: 143, none: 143 } as const;

/**
 * The person's own mailbox on their profile: connect it over IMAP (Baton signs in before it saves
 * anything), see when it was last read, what it logged and why it failed, read it now, or
 * disconnect it, which deletes the password or token.
 */
export function MailboxCard() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [form] = Form.useForm<ConnectMailboxBody>();
  const mailbox = useQuery({
    queryKey: ['mailbox'],
    queryFn: async (): Promise<MailboxConnection | null> => (await api.myMailbox()).connection,
    // While it waits for its first read, look again every few seconds.
    refetchInterval: (query) => (query.state.data && !query.state.data.lastSyncedAt ? 3000 : false),
  });
  const connect = useAction({
    run: (body: ConnectMailboxBody) => api.connectMailbox(body),
    invalidate: [['mailbox']],
    success: t('mailbox.connected'),
  });
  const syncNow = useAction({
    run: () => api.syncMailbox(),
    invalidate: [['mailbox']],
    success: t('mailbox.syncRequested'),
  });
  const disconnect = useAction({
    run: () => api.disconnectMailbox(),
    invalidate: [['mailbox']],
    success: t('mailbox.disconnected'),
  });
  const at = (iso: string | null) => (iso ? formatMoment(iso, user.timeZone, language) : '—');
  const connected = mailbox.data;

  return (
    <Card title={<h2 className="baton-card-title">{t('mailbox.title')}</h2>}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph>{t('mailbox.intro')}</Typography.Paragraph>
        {mailbox.isError && <Alert type="error" showIcon title={t('common.loadFailed')} />}
        {connected && (
          <>
            <Descriptions
              column={1}
              size="small"
              items={[
                {
                  key: 'account',
                  label: t('mailbox.account'),
                  children: `${connected.username} @ ${connected.host}:${connected.port}`,
                },
                {
                  key: 'state',
                  label: t('mailbox.state'),
                  // antd's green and red tags fall short of WCAG's contrast; the alert says what failed.
                  children: (
                    <Tag
                      color={connected.state === 'failing' ? undefined : 'blue'}
                      data-testid="mailbox-state"
                    >
                      {t(`mailbox.states.${connected.state}`)}
                    </Tag>
                  ),
                },
                { key: 'last', label: t('mailbox.lastSynced'), children: at(connected.lastSyncedAt) },
                {
                  key: 'counts',
                  label: t('mailbox.counts'),
                  children: (
                    <span data-testid="mailbox-counts">
                      {t('mailbox.countsText', {
                        read: connected.messagesRead,
                        logged: connected.activitiesLogged,
                      })}
                    </span>
                  ),
                },
              ]}
            />
            {connected.lastError && (
              <Alert type="warning" showIcon title={t('mailbox.failing')} description={connected.lastError} />
            )}
            <Space wrap>
              <Button onClick={() => syncNow.mutate(undefined)} loading={syncNow.isPending}>
                {t('mailbox.syncNow')}
              </Button>
              <Popconfirm
                title={t('mailbox.disconnectConfirm')}
                okText={t('mailbox.disconnect')}
                cancelText={t('common.cancel')}
                onConfirm={() => disconnect.mutate(undefined)}
              >
                <Button danger loading={disconnect.isPending}>
                  {t('mailbox.disconnect')}
                </Button>
              </Popconfirm>
            </Space>
          </>
        )}
        {mailbox.data === null && (
          <Form
            form={form}
            layout="vertical"
            requiredMark={false}
            initialValues={{ security: 'tls', port: 993, auth: 'password' }}
            onValuesChange={(changed: Partial<ConnectMailboxBody>) => {
              if (changed.security) form.setFieldValue('port', defaultPorts[changed.security]);
            }}
            onFinish={(values) =>
              connect.mutate(values, {
                onError: (error) => showFieldErrors(form, error, ['host', 'port', 'username', 'secret']),
              })
            }
          >
            <Form.Item
              name="host"
              label={t('mailbox.host')}
              rules={[{ required: true, message: t('mailbox.hostNeeded') }]}
            >
              <Input placeholder="outlook.office365.com" autoComplete="off" />
            </Form.Item>
            <Space wrap align="start">
              <Form.Item name="security" label={t('mailbox.security')}>
                <Select
                  style={{ minWidth: 200 }}
                  options={(['tls', 'starttls', 'none'] as const).map((value) => ({
                    value,
                    label: t(`mailbox.securities.${value}`),
                  }))}
                />
              </Form.Item>
              <Form.Item name="port" label={t('mailbox.port')} rules={[{ required: true }]}>
                <InputNumber min={1} max={65535} />
              </Form.Item>
            </Space>
            <Form.Item
              name="username"
              label={t('mailbox.username')}
              rules={[{ required: true, message: t('mailbox.usernameNeeded') }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item name="auth" label={t('mailbox.auth')}>
              <Select
                style={{ minWidth: 200 }}
                options={(['password', 'oauth2'] as const).map((value) => ({
                  value,
                  label: t(`mailbox.auths.${value}`),
                }))}
              />
            </Form.Item>
            <Form.Item
              name="secret"
              label={t('mailbox.secret')}
              extra={t('mailbox.secretHelp')}
              rules={[{ required: true, message: t('mailbox.secretNeeded') }]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={connect.isPending}>
              {t('mailbox.connect')}
            </Button>
          </Form>
        )}
        <Typography.Paragraph type="secondary">{t('mailbox.privacy')}</Typography.Paragraph>
      </Space>
    </Card>
  );
}
