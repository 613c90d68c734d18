import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Progress,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type {
  Connection,
  CreateConnectionBody,
  FieldMapping,
  SyncLogEntry,
} from '../../../src/contract/connectors.ts';
import { api } from '../api.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';
import { showFieldErrors, useAction } from './use-action.ts';

const vendorNames = { hubspot: 'HubSpot', pipedrive: 'Pipedrive' } as const;

/** Leaves Baton for the CRM's page where the admin grants access; the CRM sends them back. */
const goToCrm = ({ authorizeUrl }: { authorizeUrl: string }) => window.location.assign(authorizeUrl);

/** The form: a token, or an OAuth 2 app's client id and secret. */
type ConnectForm = Omit<CreateConnectionBody, 'token'> & {
  auth: 'token' | 'oauth';
  token?: string;
  clientId?: string;
  clientSecret?: string;
};

/** One connection's sync log: each record's problem, and reading (or writing) it again. */
function SyncLogModal({ connection, onClose }: { connection: Connection; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const [outcome, setOutcome] = useState<SyncLogEntry['outcome'] | 'all'>('error');
  const log = useQuery({
    queryKey: ['connection-log', connection.id, outcome],
    queryFn: () => api.connectionLog(connection.id, outcome === 'all' ? undefined : outcome),
    refetchInterval: 5_000,
  });
  const replay = useAction({
    run: api.replayLogEntry,
    invalidate: [['connection-log', connection.id]],
    success: t('connections.replayed'),
  });
  const tone = { ok: tones.green, skipped: tones.grey, error: tones.red } as const;
  return (
    <Modal
      open
      title={t('connections.logOf', { name: connection.name })}
      onCancel={onClose}
      footer={null}
      width={980}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Radio.Group
          value={outcome}
          onChange={(e) => setOutcome(e.target.value as typeof outcome)}
          optionType="button"
          options={(['error', 'all'] as const).map((value) => ({
            value,
            label: t(`connections.show.${value}`),
          }))}
        />
        <Table<SyncLogEntry>
          rowKey="id"
          size="small"
          scroll={{ x: true }}
          loading={log.isPending}
          dataSource={log.data?.data ?? []}
          pagination={false}
          locale={{ emptyText: t('connections.logEmpty') }}
          columns={[
            {
              title: t('connections.when'),
              dataIndex: 'at',
              render: (v: string) => formatMoment(v, user.timeZone, i18n.language),
            },
            {
              title: t('connections.direction'),
              dataIndex: 'direction',
              render: (v: 'in' | 'out') => t(`connections.directions.${v}`),
            },
            {
              title: t('connections.record'),
              key: 'record',
              render: (_, e) => (
                <Typography.Text translate="no">
                  {e.objectType}
                  {e.remoteId ? ` ${e.remoteId}` : ''}
                </Typography.Text>
              ),
            },
            {
              title: t('connections.outcome'),
              dataIndex: 'outcome',
              render: (v: SyncLogEntry['outcome']) => (
                <Tag style={tone[v]}>{t(`connections.outcomes.${v}`)}</Tag>
              ),
            },
            {
              title: t('connections.message'),
              key: 'message',
              render: (_, e) => (
                <span>
                  <Typography.Text code translate="no">
                    {e.code}
                  </Typography.Text>{' '}
                  {e.message}
                </span>
              ),
            },
            {
              title: t('queue.actions'),
              key: 'replay',
              render: (_, e) =>
                e.replayable && !e.replayedAt ? (
                  <Button
                    size="small"
                    onClick={() => replay.mutate({ id: connection.id, entryId: e.id })}
                    aria-label={`${t('connections.replay')}: ${e.objectType} ${e.remoteId ?? e.localId ?? ''}`}
                  >
                    {t('connections.replay')}
                  </Button>
                ) : e.replayedAt ? (
                  t('connections.replayedAt', {
                    at: formatMoment(e.replayedAt, user.timeZone, i18n.language),
                  })
                ) : null,
            },
          ]}
        />
      </Space>
    </Modal>
  );
}

/** A connection's field mapping: per Baton field, the CRM's property, the direction and who wins. */
function MappingModal({ connection, onClose }: { connection: Connection; onClose: () => void }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<FieldMapping[]>(connection.mapping);
  const save = useAction({
    run: api.updateConnection,
    invalidate: [['connections']],
    success: t('profile.saved'),
    done: onClose,
  });
  const change = (i: number, patch: Partial<FieldMapping>) =>
    setRows((current) => current.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <Modal
      open
      title={t('connections.mappingOf', { name: connection.name })}
      onCancel={onClose}
      onOk={() => save.mutate({ id: connection.id, mapping: rows })}
      okText={t('connections.saveMapping')}
      cancelText={t('connections.cancel')}
      width={820}
    >
      <Typography.Paragraph type="secondary">{t('connections.mappingIntro')}</Typography.Paragraph>
      <Table<FieldMapping & { index: number }>
        rowKey="field"
        size="small"
        pagination={false}
        dataSource={rows.map((row, index) => ({ ...row, index }))}
        columns={[
          {
            title: t('connections.field'),
            dataIndex: 'field',
            render: (v: FieldMapping['field']) => t(`connections.fields.${v}`),
          },
          {
            title: t('connections.property'),
            dataIndex: 'property',
            render: (v: string, row) => (
              <Input
                value={v}
                aria-label={`${t('connections.property')}: ${t(`connections.fields.${row.field}`)}`}
                onChange={(e) => change(row.index, { property: e.target.value.trim() })}
                translate="no"
              />
            ),
          },
          {
            title: t('connections.direction'),
            dataIndex: 'direction',
            render: (v: FieldMapping['direction'], row) => (
              <Select
                value={v}
                style={{ width: 170 }}
                aria-label={`${t('connections.direction')}: ${t(`connections.fields.${row.field}`)}`}
                // The owner and the stage are Baton's decisions: they only go out.
                disabled={row.field === 'owner' || row.field === 'stage'}
                onChange={(direction) => change(row.index, { direction })}
                options={(['in', 'out', 'both'] as const).map((d) => ({
                  value: d,
                  label: t(`connections.directions.${d}`),
                }))}
              />
            ),
          },
          {
            title: t('connections.systemOfRecord'),
            dataIndex: 'systemOfRecord',
            render: (v: FieldMapping['systemOfRecord'], row) => (
              <Select
                value={v}
                style={{ width: 130 }}
                aria-label={`${t('connections.systemOfRecord')}: ${t(`connections.fields.${row.field}`)}`}
                disabled={row.field === 'owner' || row.field === 'stage'}
                onChange={(systemOfRecord) => change(row.index, { systemOfRecord })}
                options={[
                  { value: 'baton', label: 'Baton' },
                  { value: 'crm', label: t('connections.theCrm') },
                ]}
              />
            ),
          },
        ]}
      />
    </Modal>
  );
}

/** One connection: its state, its backfill, what is linked, and what an admin can do with it. */
function ConnectionCard({ connection }: { connection: Connection }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const [dialog, setDialog] = useState<'log' | 'mapping' | null>(null);
  const [tested, setTested] = useState<{ owners: number; matchedOwners: number } | null>(null);
  const test = useAction({ run: api.testConnection, invalidate: [], done: setTested });
  const sync = useAction({
    run: api.syncConnection,
    invalidate: [['connections']],
    success: t('connections.synced'),
  });
  const pause = useAction({
    run: api.updateConnection,
    invalidate: [['connections']],
    success: t('profile.saved'),
  });
  const remove = useAction({
    run: api.deleteConnection,
    invalidate: [['connections']],
    success: t('connections.disconnected'),
  });
  // To the CRM, to grant access again (through the app the connection has); back here after.
  const grant = useAction({ run: api.startOAuth, invalidate: [], done: goToCrm });
  const { backfill } = connection;
  const stateTone = { active: tones.green, paused: tones.grey, failing: tones.red } as const;
  const linked = Object.entries(connection.linked)
    .map(([type, n]) => `${n} ${t(`connections.linkedTypes.${type}`, { defaultValue: type })}`)
    .join(' · ');
  return (
    <Card
      size="small"
      title={
        <Space>
          <span>{connection.name}</span>
          <Tag translate="no">{vendorNames[connection.kind]}</Tag>
          <Tag style={stateTone[connection.state]}>{t(`connections.states.${connection.state}`)}</Tag>
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {connection.lastError && <Alert type="error" showIcon title={connection.lastError} />}
        {backfill.state !== 'done' ? (
          <div>
            <Typography.Text>
              {t(`connections.backfill.${backfill.state}`, { done: backfill.done, total: backfill.total })}
            </Typography.Text>
            <Progress
              percent={
                backfill.total > 0 ? Math.min(100, Math.floor((backfill.done / backfill.total) * 100)) : 0
              }
              status={connection.state === 'failing' ? 'exception' : 'active'}
              aria-label={t('connections.backfillProgress')}
            />
          </div>
        ) : (
          <Typography.Text type="secondary">
            {t('connections.backfill.done', { done: backfill.done })}
          </Typography.Text>
        )}
        <Descriptions
          size="small"
          column={1}
          items={[
            {
              key: 'last',
              label: t('connections.lastSynced'),
              children: connection.lastSyncedAt
                ? formatMoment(connection.lastSyncedAt, user.timeZone, i18n.language)
                : t('connections.never'),
            },
            {
              key: 'every',
              label: t('connections.every'),
              children: t('connections.seconds', { count: connection.pollIntervalSeconds }),
            },
            { key: 'linked', label: t('connections.linked'), children: linked || '—' },
            {
              key: 'breachTasks',
              label: t('connections.breachTasks'),
              children: (
                <Switch
                  size="small"
                  checked={connection.breachTasks}
                  aria-label={t('connections.breachTasks')}
                  onChange={(breachTasks) => pause.mutate({ id: connection.id, breachTasks })}
                />
              ),
            },
            {
              key: 'webhook',
              label: t('connections.webhookUrl'),
              children: (
                <Typography.Text copyable code translate="no">
                  {connection.webhookUrl}
                </Typography.Text>
              ),
            },
            connection.auth === 'oauth'
              ? {
                  key: 'token',
                  label: t('connections.oauthApp'),
                  children: connection.tokenExpiresAt
                    ? t('connections.oauthHeld', {
                        hint: connection.tokenHint,
                        until: formatMoment(connection.tokenExpiresAt, user.timeZone, i18n.language),
                      })
                    : connection.tokenHint,
                }
              : { key: 'token', label: t('connections.token'), children: connection.tokenHint },
          ]}
        />
        {tested && (
          <Alert
            type="success"
            showIcon
            closable={{ onClose: () => setTested(null) }}
            title={t('connections.testOk', tested)}
          />
        )}
        <Space wrap>
          <Button onClick={() => test.mutate(connection.id)} disabled={test.isPending}>
            {t('connections.test')}
          </Button>
          <Button
            onClick={() => sync.mutate(connection.id)}
            disabled={sync.isPending || connection.state === 'paused'}
          >
            {t('connections.syncNow')}
          </Button>
          {connection.auth === 'oauth' && (
            <Button
              onClick={() => grant.mutate({ kind: connection.kind, connectionId: connection.id })}
              disabled={grant.isPending}
            >
              {t('connections.grantAgain')}
            </Button>
          )}
          <Button onClick={() => setDialog('mapping')}>{t('connections.mapping')}</Button>
          <Button onClick={() => setDialog('log')}>{t('connections.log')}</Button>
          <Button onClick={() => pause.mutate({ id: connection.id, paused: connection.state !== 'paused' })}>
            {connection.state === 'paused' ? t('connections.resume') : t('connections.pause')}
          </Button>
          <Popconfirm
            title={t('connections.disconnectConfirm', { name: connection.name })}
            okText={t('connections.disconnect')}
            cancelText={t('connections.cancel')}
            onConfirm={() => remove.mutate(connection.id)}
          >
            <Button danger>{t('connections.disconnect')}</Button>
          </Popconfirm>
        </Space>
      </Space>
      {dialog === 'log' && <SyncLogModal connection={connection} onClose={() => setDialog(null)} />}
      {dialog === 'mapping' && <MappingModal connection={connection} onClose={() => setDialog(null)} />}
    </Card>
  );
}

/**
 * Settings → Connections: the company's CRM beside Baton. Connect with a token (tried before it is
 * kept) or through an OAuth 2 app (the admin grants access in the CRM and comes back here), follow the backfill, test, sync now, map fields, read the sync log and replay a failed
 * record, pause, disconnect.
 */
export function ConnectionsSettings() {
  const { t } = useTranslation();
  const [form] = Form.useForm<ConnectForm>();
  const [params, setParams] = useSearchParams();
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: api.connections,
    // The backfill's bar moves while it runs.
    refetchInterval: (query) =>
      query.state.data?.data.some((c) => c.backfill.state !== 'done') ? 2_000 : 30_000,
  });
  const create = useAction({
    run: api.createConnection,
    invalidate: [['connections']],
    success: t('connections.connected'),
    done: () => form.resetFields(),
  });
  const startOAuth = useAction({ run: api.startOAuth, invalidate: [], done: goToCrm });
  const kind = Form.useWatch('kind', form) ?? 'hubspot';
  const auth = Form.useWatch('auth', form) ?? 'token';
  // Back from the CRM's OAuth page: connected, or why not.
  const connectedId = params.get('connected');
  const oauthError = params.get('oauthError');
  const forget = () => setParams({ tab: 'connections' }, { replace: true });
  const fields = [
    'kind',
    'name',
    'token',
    'clientId',
    'clientSecret',
    'webhookSecret',
    'pollIntervalSeconds',
  ];
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Paragraph style={{ margin: 0 }}>{t('connections.intro')}</Typography.Paragraph>
      {connectedId && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: forget }}
          title={t('connections.oauthConnected')}
        />
      )}
      {oauthError && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: forget }}
          title={t('connections.oauthFailed')}
          description={params.get('reason') ?? oauthError}
        />
      )}
      {(connections.data?.data ?? []).map((connection) => (
        <ConnectionCard key={connection.id} connection={connection} />
      ))}
      {connections.data?.data.length === 0 && (
        <Typography.Text type="secondary">{t('connections.none')}</Typography.Text>
      )}
      <Card size="small" title={t('connections.add')}>
        <Form<ConnectForm>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ kind: 'hubspot', auth: 'token', pollIntervalSeconds: 300 }}
          onFinish={({ auth: how, token, clientId, clientSecret, ...values }) => {
            const common = {
              ...values,
              webhookSecret: values.webhookSecret || undefined,
              baseUrl: values.baseUrl || undefined,
              name: values.name || undefined,
            };
            const onError = (error: unknown) => void showFieldErrors(form, error, fields);
            if (how === 'oauth') startOAuth.mutate({ ...common, clientId, clientSecret }, { onError });
            else create.mutate({ ...common, token: token ?? '' }, { onError });
          }}
        >
          <Form.Item name="kind" label={t('connections.crm')}>
            <Radio.Group
              optionType="button"
              options={(['hubspot', 'pipedrive'] as const).map((value) => ({
                value,
                label: vendorNames[value],
              }))}
            />
          </Form.Item>
          <Form.Item name="name" label={t('connections.name')}>
            <Input maxLength={100} placeholder={vendorNames[kind]} />
          </Form.Item>
          <Form.Item name="auth" label={t('connections.authBy')}>
            <Radio.Group
              options={[
                { value: 'token', label: t('connections.authToken') },
                { value: 'oauth', label: t('connections.oauthApp') },
              ]}
            />
          </Form.Item>
          {auth === 'token' ? (
            <Form.Item
              name="token"
              label={t(`connections.tokenOf.${kind}`)}
              extra={t(`connections.tokenHelp.${kind}`)}
              rules={[{ required: true, message: t('connections.tokenNeeded') }]}
            >
              <Input.Password maxLength={500} autoComplete="off" />
            </Form.Item>
          ) : (
            <>
              <Form.Item
                name="clientId"
                label={t('connections.clientId')}
                extra={t(`connections.oauthHelp.${kind}`, {
                  redirect: `${window.location.origin}/api/v1/connectors/oauth/callback`,
                })}
                rules={[{ required: true, message: t('connections.clientNeeded') }]}
              >
                <Input maxLength={200} autoComplete="off" translate="no" />
              </Form.Item>
              <Form.Item
                name="clientSecret"
                label={t('connections.clientSecret')}
                rules={[{ required: true, message: t('connections.clientNeeded') }]}
              >
                <Input.Password maxLength={500} autoComplete="off" />
              </Form.Item>
            </>
          )}
          <Form.Item
            name="webhookSecret"
            label={t(`connections.webhookSecretOf.${kind}`)}
            extra={t(`connections.webhookSecretHelp.${kind}`)}
          >
            <Input.Password maxLength={500} autoComplete="off" />
          </Form.Item>
          <Form.Item name="baseUrl" label={t('connections.baseUrl')} extra={t('connections.baseUrlHelp')}>
            <Input maxLength={300} placeholder="https://" translate="no" />
          </Form.Item>
          <Form.Item name="pollIntervalSeconds" label={t('connections.pollEvery')}>
            <InputNumber min={30} max={86_400} step={30} />
          </Form.Item>
          <Button type="primary" htmlType="submit" disabled={create.isPending || startOAuth.isPending}>
            {auth === 'oauth'
              ? t('connections.connectOAuth', { crm: vendorNames[kind] })
              : t('connections.connect')}
          </Button>
        </Form>
      </Card>
    </Space>
  );
}
