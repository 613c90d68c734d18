import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Collapse,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Agreement, AgreementSummary } from '../../../src/contract/agreements.ts';
import { ApiError, api } from '../api.ts';
import { tones, type Tone } from '../theme.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';

const sections = ['stages', 'mqlRule', 'sla', 'recycle', 'attribution', 'targets', 'bonus'] as const;
const statusTone: Record<AgreementSummary['status'], Tone> = {
  draft: 'grey',
  proposed: 'orange',
  scheduled: 'blue',
  in_force: 'green',
  superseded: 'grey',
  withdrawn: 'grey',
};

/** A value of the document as text: texts in the reader's language, objects as key: value. */
function show(value: unknown, language: 'en' | 'nl'): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => show(v, language)).join(', ');
  const record = value as Record<string, unknown>;
  if (typeof record.en === 'string' && typeof record.nl === 'string') return record[language] as string;
  return Object.entries(record)
    .map(([k, v]) => `${k}: ${show(v, language)}`)
    .join('; ');
}

/**
 * The alignment agreement (step 1): the versions, the document of each, the two heads' signatures,
 * what changed between versions, and the audit log of configuration changed outside it.
 */
export function AgreementPage() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['agreements'], queryFn: api.agreements });
  const [selected, setSelected] = useState<number | null>(null);
  const version = selected ?? list.data?.[0]?.version ?? null;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1}>{t('agreement.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('agreement.intro')}</Typography.Paragraph>
      <Tabs
        items={[
          {
            key: 'versions',
            label: t('agreement.versions'),
            children: (
              <Space orientation="vertical" size="large" style={{ width: '100%' }}>
                <Space wrap>
                  <Select
                    aria-label={t('agreement.version')}
                    style={{ minWidth: 280 }}
                    value={version}
                    placeholder={t('agreement.none')}
                    onChange={setSelected}
                    options={(list.data ?? []).map((a) => ({
                      value: a.version,
                      label: `${t('agreement.versionN', { version: a.version })} · ${a.title} · ${t(`agreement.statuses.${a.status}`)}`,
                    }))}
                  />
                  <NewDraft onCreated={setSelected} />
                </Space>
                {version === null ? (
                  <Empty description={t('agreement.none')} />
                ) : (
                  <Version version={version} />
                )}
              </Space>
            ),
          },
          { key: 'compare', label: t('agreement.compare'), children: <Compare versions={list.data ?? []} /> },
          { key: 'audit', label: t('agreement.audit'), children: <AuditLog /> },
        ]}
      />
    </Space>
  );
}

function NewDraft({ onCreated }: { onCreated: (version: number) => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState(() => dayjs().add(1, 'month').startOf('month'));
  const create = useMutation({
    mutationFn: () => api.createAgreement({ effectiveFrom: from.startOf('day').toISOString() }),
    onSuccess: (a) => {
      void queryClient.invalidateQueries({ queryKey: ['agreements'] });
      onCreated(a.version);
    },
    onError: (e) => void message.error(e instanceof ApiError ? e.problem.title : String(e)),
  });
  return (
    <Space wrap>
      <DatePicker
        aria-label={t('agreement.effectiveFrom')}
        value={from}
        allowClear={false}
        onChange={(d) => d && setFrom(d)}
      />
      <Button onClick={() => create.mutate()} loading={create.isPending}>
        {t('agreement.newDraft')}
      </Button>
    </Space>
  );
}

function Version({ version }: { version: number }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const user = useUser();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const agreement = useQuery({ queryKey: ['agreement', version], queryFn: () => api.agreement(version) });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users });
  const done = (a: Agreement) => {
    queryClient.setQueryData(['agreement', version], a);
    void queryClient.invalidateQueries({ queryKey: ['agreements'] });
  };
  const fail = (e: unknown) => void message.error(e instanceof ApiError ? e.problem.title : String(e));
  const sign = useMutation({ mutationFn: () => api.signAgreement(version), onSuccess: done, onError: fail });
  const withdraw = useMutation({
    mutationFn: () => api.withdrawAgreement(version),
    onSuccess: done,
    onError: fail,
  });
  const refresh = useMutation({
    mutationFn: () => api.updateAgreement(version, { refresh: true }),
    onSuccess: done,
    onError: fail,
  });
  const propose = useMutation({
    mutationFn: (v: { marketingSignerId: string; salesSignerId: string }) => api.proposeAgreement(version, v),
    onSuccess: done,
    onError: fail,
  });
  const a = agreement.data;
  if (!a) return <Card loading />;
  const people = users.data?.data ?? [];
  const mayWrite = ['admin', 'marketing', 'director'].includes(user.role);
  const mySide =
    a.status === 'proposed'
      ? a.marketingSigner?.id === user.id && !a.marketingSignedAt
        ? 'marketing'
        : a.salesSigner?.id === user.id && !a.salesSignedAt
          ? 'sales'
          : null
      : null;
  const signature = (person: Agreement['marketingSigner'], at: string | null) =>
    person
      ? `${person.name} — ${at ? t('agreement.signedOn', { date: formatMoment(at, user.timeZone, language) }) : t('agreement.notSigned')}`
      : '—';

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          {
            key: 'status',
            label: t('agreement.status'),
            children: <Tag style={tones[statusTone[a.status]]}>{t(`agreement.statuses.${a.status}`)}</Tag>,
          },
          {
            key: 'from',
            label: t('agreement.effectiveFrom'),
            children: formatMoment(a.effectiveFrom, user.timeZone, language),
          },
          {
            key: 'marketing',
            label: t('agreement.headOfMarketing'),
            children: signature(a.marketingSigner, a.marketingSignedAt),
          },
          {
            key: 'sales',
            label: t('agreement.headOfSales'),
            children: signature(a.salesSigner, a.salesSignedAt),
          },
        ]}
      />
      {/* Only those who can act on it (change or re-sign the agreement) are warned, in words. */}
      {mayWrite && a.drift.length > 0 && (a.status === 'in_force' || a.status === 'draft') && (
        <Alert
          type={a.status === 'in_force' ? 'warning' : 'info'}
          showIcon
          title={t(a.status === 'in_force' ? 'agreement.driftInForce' : 'agreement.driftDraft', {
            count: a.drift.length,
          })}
          description={t('agreement.driftSections', {
            list: [...new Set(a.drift.map((d) => d.section))]
              .map((section) => t(`agreement.sections.${section}`, { defaultValue: section }))
              .join(', '),
          })}
        />
      )}
      <Space wrap>
        {mySide && (
          <Button type="primary" onClick={() => sign.mutate()} loading={sign.isPending}>
            {t(mySide === 'marketing' ? 'agreement.signMarketing' : 'agreement.signSales')}
          </Button>
        )}
        {mayWrite && a.status === 'draft' && (
          <Button onClick={() => refresh.mutate()} loading={refresh.isPending}>
            {t('agreement.refresh')}
          </Button>
        )}
        {mayWrite && (a.status === 'draft' || a.status === 'proposed') && (
          <Button danger onClick={() => withdraw.mutate()} loading={withdraw.isPending}>
            {t('agreement.withdraw')}
          </Button>
        )}
        <Button href={`/api/v1/agreements/${version}/pdf?lang=${language}`} target="_blank">
          {t('agreement.pdf')}
        </Button>
      </Space>
      {mayWrite && a.status === 'draft' && (
        <Card size="small" title={t('agreement.propose')}>
          <Form
            layout="inline"
            onFinish={(v: { marketingSignerId: string; salesSignerId: string }) => propose.mutate(v)}
          >
            <Form.Item
              name="marketingSignerId"
              label={t('agreement.headOfMarketing')}
              rules={[{ required: true }]}
            >
              <Select
                style={{ minWidth: 200 }}
                options={people
                  .filter((p) => p.role === 'marketing' && p.isActive)
                  .map((p) => ({ value: p.id, label: p.name }))}
              />
            </Form.Item>
            <Form.Item name="salesSignerId" label={t('agreement.headOfSales')} rules={[{ required: true }]}>
              <Select
                style={{ minWidth: 200 }}
                options={people
                  .filter((p) => p.role === 'director' && p.isActive)
                  .map((p) => ({ value: p.id, label: p.name }))}
              />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={propose.isPending}>
                {t('agreement.proposeButton')}
              </Button>
            </Form.Item>
          </Form>
        </Card>
      )}
      <Collapse
        defaultActiveKey={a.document.map((section) => section.key)}
        items={a.document.map((section) => ({
          key: section.key,
          label: section.title[language],
          children:
            section.items.length === 0 ? (
              <Typography.Text type="secondary">{t('agreement.empty')}</Typography.Text>
            ) : (
              <ul className="baton-agreement-list">
                {section.items.map((item, i) => (
                  <li key={i}>
                    <Typography.Text strong>{item.title[language]}</Typography.Text>
                    {item.lines.map((line, k) => (
                      <div key={k}>{line[language]}</div>
                    ))}
                  </li>
                ))}
              </ul>
            ),
        }))}
      />
    </Space>
  );
}

function Compare({ versions }: { versions: AgreementSummary[] }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [pair, setPair] = useState<[number | null, number | null]>([null, null]);
  const diff = useQuery({
    queryKey: ['agreement-diff', pair],
    queryFn: () => api.agreementDiff(pair[0]!, pair[1]!),
    enabled: pair[0] !== null && pair[1] !== null,
  });
  const options = versions.map((v) => ({
    value: v.version,
    label: t('agreement.versionN', { version: v.version }),
  }));
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          aria-label={t('agreement.from')}
          style={{ width: 160 }}
          options={options}
          value={pair[0]}
          onChange={(v) => setPair([v, pair[1]])}
        />
        <Select
          aria-label={t('agreement.to')}
          style={{ width: 160 }}
          options={options}
          value={pair[1]}
          onChange={(v) => setPair([pair[0], v])}
        />
      </Space>
      {diff.data && (
        <Table
          rowKey="path"
          size="small"
          pagination={false}
          locale={{ emptyText: t('agreement.noChanges') }}
          dataSource={diff.data.changes}
          columns={[
            {
              title: t('agreement.section'),
              dataIndex: 'section',
              render: (s: string) =>
                (sections as readonly string[]).includes(s)
                  ? t(`agreement.sections.${s as (typeof sections)[number]}`)
                  : s,
            },
            { title: t('agreement.field'), dataIndex: 'path' },
            { title: t('agreement.before'), dataIndex: 'before', render: (v: unknown) => show(v, language) },
            { title: t('agreement.after'), dataIndex: 'after', render: (v: unknown) => show(v, language) },
          ]}
        />
      )}
    </Space>
  );
}

function AuditLog() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const user = useUser();
  const [outsideOnly, setOutsideOnly] = useState(false);
  const audit = useQuery({
    queryKey: ['audit', outsideOnly],
    queryFn: () => api.audit({ outsideAgreementOnly: outsideOnly }),
    enabled: ['admin', 'marketing', 'director'].includes(user.role),
  });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Select
        aria-label={t('agreement.auditFilter')}
        style={{ width: 280 }}
        value={outsideOnly}
        onChange={setOutsideOnly}
        options={[
          { value: false, label: t('agreement.auditAll') },
          { value: true, label: t('agreement.auditOutside') },
        ]}
      />
      <Table
        rowKey="id"
        size="small"
        loading={audit.isPending && audit.fetchStatus !== 'idle'}
        dataSource={audit.data ?? []}
        columns={[
          {
            title: t('agreement.when'),
            dataIndex: 'at',
            render: (at: string) => formatMoment(at, user.timeZone, language),
          },
          {
            title: t('agreement.what'),
            dataIndex: 'type',
            // The same words as the audit log's, in the reader's language, never the event's code.
            render: (type: string) => t(`auditLog.actions.${type}`, { defaultValue: type }),
          },
          {
            title: t('agreement.section'),
            dataIndex: 'section',
            render: (s: (typeof sections)[number] | null) => (s ? t(`agreement.sections.${s}`) : '—'),
          },
          {
            title: t('agreement.who'),
            key: 'who',
            render: (_: unknown, e) =>
              e.actor.name ?? t(`actorKind.${e.actor.kind}`, { defaultValue: e.actor.kind }),
          },
          {
            title: t('agreement.inForce'),
            dataIndex: 'agreementVersion',
            render: (v: number | null) => (v === null ? '—' : t('agreement.versionN', { version: v })),
          },
          {
            title: t('agreement.flag'),
            dataIndex: 'outsideAgreement',
            render: (outside: boolean) =>
              outside ? <Tag style={tones.red}>{t('agreement.outside')}</Tag> : null,
          },
        ]}
      />
    </Space>
  );
}
