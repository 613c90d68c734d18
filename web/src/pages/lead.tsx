import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Row,
  Skeleton,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { HandoffContext } from '../../../src/contract/handoff.ts';
import { api } from '../api.ts';
import { StatusTag } from '../components/countdown.tsx';
import {
  CreateOpportunityButton,
  DecisionButtons,
  LogActivityButton,
  QualifyButton,
} from '../components/lead-actions.tsx';
import {
  actorLabelText,
  assignmentReason,
  channelName,
  formatMoment,
  routeText,
  stageNoteText,
} from '../format.ts';
import { ruleLabel } from '../../../src/domain/scoring/default-model.ts';
import { useUser } from '../session.ts';
import { ConsentCard } from '../components/consent-card.tsx';
import { DealsCard } from '../components/deals-card.tsx';
import { TasksCard } from '../components/tasks-card.tsx';
import { DuplicatesAlert } from '../components/duplicates-alert.tsx';

type TimelineEntry = HandoffContext['timeline'][number];

/** The newest entries shown before the reader asks for the whole history. */
const shownAtFirst = 100;

/** A lead as the rep sees it at handoff: who, why an MQL, why routed to them, every touch and move. */
export function LeadPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const at = (iso: string | null | undefined) => formatMoment(iso, user.timeZone, language);
  const lead = useQuery({ queryKey: ['lead', id], queryFn: () => api.handoffContext(id) });
  const [showAll, setShowAll] = useState(false);
  const clocks = useQuery({ queryKey: ['clocks', id], queryFn: () => api.clocksOf(id) });
  // Every reason's label, retired ones too: a stage change names its reason by key.
  const reasons = useQuery({ queryKey: ['reasons'], queryFn: api.reasons, staleTime: 300_000 });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  const nameOf = (userId: string | null | undefined) =>
    (userId && users.data?.data.find((u) => u.id === userId)?.name) ?? '—';

  if (lead.isPending) return <Skeleton active />;
  if (lead.isError || !lead.data) return <Alert type="error" title={t('lead.notFound')} showIcon />;
  const { contact, score, account, routing, timeline, recycles, qualifications } = lead.data;
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || contact.id;
  const canWork = user.role !== 'marketing';

  const describe = (entry: TimelineEntry) => {
    if (entry.kind === 'stage') {
      const c = entry.change;
      return (
        <>
          <strong>
            {t('lead.stageMoved', { from: (c.from ?? '—').toUpperCase(), to: c.to.toUpperCase() })}
          </strong>
          {c.reasonCode && !reasons.isPending && (
            <Tag style={{ marginLeft: 8 }}>
              {recycles.find((r) => r.reasonCode === c.reasonCode)?.reason?.[language] ??
                reasons.data?.data.find((r) => r.key === c.reasonCode)?.label[language] ??
                c.reasonCode}
            </Tag>
          )}
          <div>
            <Typography.Text type="secondary">
              {at(entry.at)} ·{' '}
              {c.actor.kind === 'user'
                ? nameOf(c.actor.id)
                : c.actor.label
                  ? actorLabelText(t, c.actor.label)
                  : t(`actorKind.${c.actor.kind}`)}
            </Typography.Text>
          </div>
          {(c.note || c.noteMessage) && <div>{stageNoteText(t, c, language)}</div>}
        </>
      );
    }
    const touch = entry.touch;
    const note = typeof touch.properties.note === 'string' ? touch.properties.note : null;
    const subject = typeof touch.properties.subject === 'string' ? touch.properties.subject : null;
    const excerpt = typeof touch.properties.excerpt === 'string' ? touch.properties.excerpt : null;
    const startsAt = typeof touch.properties.startsAt === 'string' ? touch.properties.startsAt : null;
    return (
      <>
        <strong>{t(`touch.${touch.type}` as 'touch.call_logged', { defaultValue: touch.type })}</strong>
        {touch.isLeadCreating && <Tag style={{ marginLeft: 8 }}>{t('lead.leadCreating')}</Tag>}
        {/* Logged from the rep's mail: where it came from, so no one wonders who typed it. */}
        {touch.properties.via === 'logging_address' && (
          <Tag style={{ marginLeft: 8 }}>{t('lead.viaLoggingAddress')}</Tag>
        )}
        {touch.properties.via === 'mailbox' && <Tag style={{ marginLeft: 8 }}>{t('lead.viaMailbox')}</Tag>}
        {subject && <div>{subject}</div>}
        {excerpt && <Typography.Paragraph type="secondary">{excerpt}</Typography.Paragraph>}
        {startsAt && <div>{t('lead.meetingAt', { at: at(startsAt) })}</div>}
        <div>
          <Typography.Text type="secondary">
            {at(entry.at)}
            {touch.channel && ` · ${channelName(t, touch.channel)}`}
            {touch.campaign && ` · ${touch.campaign}`}
            {touch.userId && ` · ${nameOf(touch.userId)}`}
          </Typography.Text>
        </div>
        {note && <div>{note}</div>}
      </>
    );
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <div>
          <Typography.Title level={1} style={{ marginBottom: 0 }}>
            {name}
          </Typography.Title>
          <Typography.Text type="secondary">
            {contact.title}
            {contact.title && account && ' · '}
            {account && (
              <Link to={`/accounts/${account.id}`} style={{ textDecoration: 'underline' }}>
                {account.name}
              </Link>
            )}
          </Typography.Text>
          {/* One tap to mail or call, from a laptop's mail and phone apps or a phone's own. */}
          <Space wrap size="middle">
            {contact.email && <a href={`mailto:${contact.email}`}>{contact.email}</a>}
            {contact.phone && (
              <a
                href={`tel:${contact.phone.replace(/[^\d+]/g, '')}`}
                aria-label={t('lead.call', { phone: contact.phone })}
              >
                {contact.phone}
              </a>
            )}
          </Space>
        </div>
        <Space wrap>
          <Tag style={{ fontSize: 14 }}>{contact.stage.toUpperCase()}</Tag>
          {canWork && contact.stage === 'mql' && <DecisionButtons contactId={contact.id} name={name} />}
          {canWork && contact.stage === 'sal' && <QualifyButton contactId={contact.id} />}
          {canWork && contact.stage === 'sql' && (
            <CreateOpportunityButton contactId={contact.id} name={name} />
          )}
          {canWork && <LogActivityButton contactId={contact.id} />}
        </Space>
      </Space>

      <DuplicatesAlert contactId={contact.id} name={name} canMerge={user.role !== 'director'} />

      <TasksCard contactId={contact.id} canWork={canWork && user.role !== 'director'} />

      <DealsCard contactId={contact.id} canWork={canWork} />

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="baton-card-title">{t('lead.whyMql')}</h2>}>
            {score ? (
              <Space orientation="vertical" style={{ width: '100%' }}>
                <Descriptions
                  size="small"
                  column={3}
                  items={[
                    { key: 'grade', label: t('lead.grade'), children: score.grade },
                    { key: 'fit', label: t('lead.fit'), children: Math.round(score.fit) },
                    { key: 'eng', label: t('lead.engagement'), children: Math.round(score.engagement) },
                  ]}
                />
                <Typography.Paragraph>
                  {score.explanation.mql.by === 'high_intent'
                    ? t('lead.byHighIntent')
                    : score.explanation.mql.qualifies
                      ? t('lead.byThresholds', {
                          fit: score.explanation.mql.fitAtLeast,
                          engagement: score.explanation.mql.engagementAtLeast,
                        })
                      : t('lead.notQualifyingNow')}
                </Typography.Paragraph>
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(r) => `${r.kind}-${r.ruleId}`}
                  dataSource={[
                    ...score.explanation.fit.map((r) => ({ ...r, kind: 'fit' as const })),
                    ...score.explanation.engagement.map((r) => ({ ...r, kind: 'engagement' as const })),
                  ]
                    .filter((r) => r.points !== 0)
                    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
                    .slice(0, 8)}
                  columns={[
                    {
                      title: t('lead.rule'),
                      key: 'label',
                      render: (_, r) => ruleLabel(r, language),
                    },
                    {
                      title: t('lead.kind'),
                      dataIndex: 'kind',
                      render: (k: 'fit' | 'engagement') => t(`lead.${k}`),
                    },
                    {
                      title: t('lead.points'),
                      dataIndex: 'points',
                      align: 'right',
                      render: (p: number) => p.toFixed(1),
                    },
                  ]}
                />
              </Space>
            ) : (
              <Empty description={t('lead.noScore')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="baton-card-title">{t('lead.whyRouted')}</h2>}>
            {routing ? (
              <Descriptions
                size="small"
                column={1}
                items={[
                  { key: 'rep', label: t('lead.owner'), children: nameOf(routing.userId) },
                  { key: 'how', label: t('lead.routedHow'), children: t(`routeKind.${routing.kind}`) },
                  { key: 'route', label: t('lead.routedWhy'), children: routeText(t, routing) },
                  ...(routing.reason
                    ? [{ key: 'reason', label: t('lead.note'), children: assignmentReason(t, routing) }]
                    : []),
                  { key: 'at', label: t('lead.routedAt'), children: at(routing.assignedAt) },
                ]}
              />
            ) : (
              <Empty description={t('lead.notRouted')} />
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={<h2 className="baton-card-title">{t('lead.followUp')}</h2>}>
            <Table
              size="small"
              rowKey="id"
              loading={clocks.isPending}
              pagination={false}
              dataSource={clocks.data?.data ?? []}
              locale={{ emptyText: t('lead.noClocks') }}
              columns={[
                {
                  title: t('queue.due'),
                  dataIndex: 'target',
                  render: (v: string) => t(`target.${v as 'first_response'}`),
                },
                { title: t('queue.rep'), dataIndex: 'userId', render: (v: string | null) => nameOf(v) },
                { title: t('lead.dueAt'), dataIndex: 'dueAt', render: (v: string) => at(v) },
                {
                  title: t('queue.status'),
                  key: 'status',
                  render: (_, c) => <StatusTag status={c.status} level={c.level} />,
                },
                {
                  title: t('lead.outcome'),
                  key: 'outcome',
                  render: (_, c) =>
                    c.waiver
                      ? t('lead.waivedBy', { name: nameOf(c.waiver.by), reason: c.waiver.reason })
                      : c.respondedAt
                        ? t('lead.respondedAt', { at: at(c.respondedAt) })
                        : c.closedReason
                          ? t(`clockClosed.${c.closedReason}`, { defaultValue: c.closedReason })
                          : '—',
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={<h2 className="baton-card-title">{t('lead.timeline')}</h2>}>
            <Timeline
              items={(showAll ? timeline : timeline.slice(0, shownAtFirst)).map((entry, i) => ({
                key: `${entry.kind}-${i}`,
                color: entry.kind === 'stage' ? 'blue' : entry.touch.category === 'sales' ? 'green' : 'gray',
                content: describe(entry),
              }))}
            />
            {/* A long history is cut at first, and says so: nothing is left out unseen. */}
            {!showAll && timeline.length > shownAtFirst && (
              <Button onClick={() => setShowAll(true)}>
                {t('lead.showAllTimeline', { shown: shownAtFirst, count: timeline.length })}
              </Button>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={<h2 className="baton-card-title">{t('lead.recycles')}</h2>}>
            {recycles.length === 0 ? (
              <Empty description={t('lead.noRecycles')} />
            ) : (
              <Timeline
                items={recycles.map((r, i) => ({
                  key: i,
                  content: (
                    <>
                      <strong>{r.reason?.[language] ?? r.reasonCode}</strong> → {r.to}
                      <div>
                        <Typography.Text type="secondary">
                          {at(r.at)} · {nameOf(r.by)}
                        </Typography.Text>
                      </div>
                      {r.note && <div>{r.note}</div>}
                    </>
                  ),
                }))}
              />
            )}
            {qualifications.length > 0 && (
              <Typography.Paragraph style={{ marginTop: 16 }}>
                {t('lead.qualifiedOn', { at: at(qualifications.at(-1)!.occurredAt) })}
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <ConsentCard contactId={contact.id} canRecord={user.role !== 'director'} />
        </Col>
      </Row>
    </Space>
  );
}
