import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, InputNumber, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditLogEntry, AuditLogQuery } from '../../../src/contract/audit-log.ts';
import { api } from '../api.ts';
import { PeriodPicker, lastDays, periodQuery, type Period } from '../components/period-picker.tsx';
import { useAction } from '../components/use-action.ts';
import { formatMoment } from '../format.ts';
import { en } from '../locales/en.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';

/** The kinds of action the filter offers, in the order of the locale's list. */
const kinds = Object.keys(en.auditLog.kinds) as (keyof typeof en.auditLog.kinds)[];
const pageSize = 50;

/**
 * The audit log for admins: who did what, when and from where, newest first, filtered by kind,
 * person and period, with the same entries as CSV, and how long entries are kept.
 */
export function AuditLogPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [period, setPeriod] = useState<Period>(() => lastDays(30));
  const [kind, setKind] = useState<string>('');
  const [actorId, setActorId] = useState<string>('');
  const filters: AuditLogQuery = {
    ...periodQuery(period),
    ...(kind && { action: `${kind}.` }),
    ...(actorId && { actorId }),
  };
  const log = useInfiniteQuery({
    queryKey: ['audit-log', filters],
    queryFn: ({ pageParam }) =>
      api.auditLog({ ...filters, limit: pageSize, ...(pageParam && { cursor: pageParam }) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: api.apiKeys, staleTime: 300_000 });
  const keyName = (id: string | null) => (id && keys.data?.data.find((k) => k.id === id)?.name) ?? id;
  const entries = log.data?.pages.flatMap((p) => p.data) ?? [];

  const who = (entry: AuditLogEntry) => {
    const { actor } = entry;
    if (actor.kind === 'api_key') return t('auditLog.apiKey', { name: keyName(actor.id) ?? '' });
    if (actor.kind === 'system') return t('auditLog.system');
    if (actor.kind === 'anonymous')
      return (
        <Space orientation="vertical" size={0}>
          {actor.name ?? '—'}
          <Typography.Text type="secondary">{t('auditLog.anonymous')}</Typography.Text>
        </Space>
      );
    return actor.name ?? actor.id ?? '—';
  };
  /** A person or key by name; another record by its kind and the end of its id (the start is a time). */
  const about = (subject: { type: string; id: string }) => {
    if (subject.type === 'user') {
      const name = users.data?.data.find((u) => u.id === subject.id)?.name;
      if (name) return name;
    }
    if (subject.type === 'api_key') return t('auditLog.apiKey', { name: keyName(subject.id) });
    return `${subject.type} …${subject.id.slice(-8)}`;
  };
  /** The action in words; a change of a user that set a password says so. */
  const what = ({ action, details }: AuditLogEntry) => {
    const failed = action === 'user.sign_in_failed';
    const label =
      action === 'user.updated' && details.passwordChanged === true
        ? t('auditLog.passwordChanged')
        : action === 'user.updated' && details.passwordReset === true
          ? t('auditLog.passwordReset')
          : t(`auditLog.actions.${action}`, { defaultValue: action });
    return <Tag style={failed ? tones.red : tones.grey}>{label}</Tag>;
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('auditLog.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('auditLog.intro')}</Typography.Paragraph>
      </div>
      <Card title={t('auditLog.filters')} size="small">
        <Space wrap>
          <PeriodPicker value={period} onChange={setPeriod} />
          <Select
            aria-label={t('auditLog.kind')}
            style={{ minWidth: 240 }}
            virtual={false}
            value={kind}
            onChange={setKind}
            options={[
              { value: '', label: t('auditLog.allKinds') },
              ...kinds.map((k) => ({ value: k, label: t(`auditLog.kinds.${k}`) })),
            ]}
          />
          <Select
            aria-label={t('auditLog.actor')}
            style={{ minWidth: 220 }}
            value={actorId}
            onChange={setActorId}
            showSearch={{ optionFilterProp: 'label' }}
            options={[
              { value: '', label: t('auditLog.anyone') },
              ...(users.data?.data ?? []).map((u) => ({ value: u.id, label: u.name })),
              ...(keys.data?.data ?? []).map((k) => ({
                value: k.id,
                label: t('auditLog.apiKey', { name: k.name }),
              })),
            ]}
          />
          <Button href={api.auditLogCsvUrl(filters)}>{t('auditLog.download')}</Button>
        </Space>
      </Card>
      {log.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Table<AuditLogEntry>
        rowKey="id"
        loading={log.isPending}
        dataSource={entries}
        pagination={false}
        locale={{ emptyText: t('auditLog.empty') }}
        scroll={{ x: 900 }}
        expandable={{
          rowExpandable: (entry) => Object.keys(entry.details).length > 0,
          expandedRowRender: (entry) => (
            <pre className="baton-snippet">{JSON.stringify(entry.details, null, 2)}</pre>
          ),
        }}
        columns={[
          {
            title: t('auditLog.when'),
            dataIndex: 'at',
            render: (at: string) => formatMoment(at, user.timeZone, language),
          },
          { title: t('auditLog.actor'), key: 'actor', render: (_, entry) => who(entry) },
          { title: t('auditLog.what'), key: 'what', render: (_, entry) => what(entry) },
          {
            title: t('auditLog.subject'),
            key: 'subject',
            render: (_, entry) =>
              entry.subject ? (
                <Typography.Text copyable={{ text: entry.subject.id }}>
                  {about(entry.subject)}
                </Typography.Text>
              ) : (
                '—'
              ),
          },
          {
            title: t('auditLog.from'),
            key: 'from',
            render: (_, entry) =>
              entry.ip || entry.userAgent || entry.apiKeyId ? (
                <Space orientation="vertical" size={0}>
                  {entry.ip ?? '—'}
                  {entry.apiKeyId && entry.actor.kind !== 'api_key' && (
                    <Typography.Text type="secondary">
                      {t('auditLog.apiKey', { name: keyName(entry.apiKeyId) })}
                    </Typography.Text>
                  )}
                  {entry.userAgent && (
                    <Tooltip title={entry.userAgent}>
                      <Typography.Text type="secondary" ellipsis style={{ maxWidth: 220 }}>
                        {entry.userAgent}
                      </Typography.Text>
                    </Tooltip>
                  )}
                </Space>
              ) : (
                '—'
              ),
          },
        ]}
      />
      <Space>
        <Typography.Text type="secondary">{t('auditLog.count', { count: entries.length })}</Typography.Text>
        {log.hasNextPage && (
          <Button onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
            {t('auditLog.more')}
          </Button>
        )}
      </Space>
      <RetentionCard />
    </Space>
  );
}

/** How long the log keeps its entries. */
function RetentionCard() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['audit-log-settings'], queryFn: api.auditLogSettings });
  const [form] = Form.useForm<{ retentionDays: number }>();
  useEffect(() => {
    if (settings.data) form.setFieldsValue(settings.data);
  }, [settings.data, form]);
  const save = useAction({
    run: api.updateAuditLogSettings,
    invalidate: [['audit-log-settings'], ['audit-log']],
    success: t('auditLog.retentionSaved'),
  });
  return (
    <Card title={t('auditLog.retention')} size="small">
      <Form form={form} layout="inline" onFinish={(values) => save.mutate(values)}>
        <Form.Item
          name="retentionDays"
          label={t('auditLog.retentionDays')}
          extra={t('auditLog.retentionHint')}
          rules={[{ required: true, type: 'integer', min: 30, max: 3650 }]}
        >
          <InputNumber min={30} max={3650} precision={0} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('auditLog.saveRetention')}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
