import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Button, Card, Form, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Opportunity } from '../../../src/contract/opportunities.ts';
import { api } from '../api.ts';
import { formatMoney } from '../format.ts';
import { tones } from '../theme.ts';
import { leadQueries, useAction } from './use-action.ts';

/** Common answers to "why was it won / lost", offered while typing; any text will do. */
const suggestions = {
  won: ['price', 'product', 'relationship', 'timing', 'references'],
  lost: ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'product_gap'],
} as const;

/**
 * The lead's deals: stage, amount and expected close, moved along the pipeline or closed as won or
 * lost with the reason, by whoever works the lead.
 */
export function DealsCard({ contactId, canWork }: { contactId: string; canWork: boolean }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const deals = useQuery({
    queryKey: ['lead', contactId, 'deals'],
    queryFn: () => api.opportunities({ contactId, limit: 50 }),
  });
  const stages = useQuery({
    queryKey: ['opportunity-stages'],
    queryFn: api.opportunityStages,
    staleTime: 300_000,
  });
  const [closing, setClosing] = useState<{ deal: Opportunity; outcome: 'won' | 'lost' } | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const move = useAction({
    invalidate: [...leadQueries, ['lead', contactId, 'deals']],
    success: t('deals.moved'),
    done: () => setClosing(null),
    run: ({ id, stage, reason }: { id: string; stage: string; reason?: string }) =>
      api.moveOpportunity(id, { stage, ...(reason && { reason }) }),
  });
  const active = (stages.data?.data ?? []).filter((s) => s.active).sort((a, b) => a.position - b.position);
  const stageName = (key: string) => active.find((s) => s.key === key)?.name[language] ?? key;
  const closingStage = closing && active.find((s) => s.outcome === closing.outcome);
  const rows = deals.data?.data ?? [];
  // Shown once there are deals: a lead with none shows no card, and none flashes empty while
  // loading (an empty table that scrolls sideways on a phone is a region no keyboard can reach).
  if (rows.length === 0) return null;

  return (
    <Card title={<h2 className="baton-card-title">{t('deals.title')}</h2>}>
      <Table<Opportunity>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 700 }}
        columns={[
          { title: t('opportunity.name'), dataIndex: 'name' },
          {
            title: t('deals.stage'),
            key: 'stage',
            render: (_, d) =>
              canWork && d.status === 'open' ? (
                <Select
                  aria-label={t('deals.moveTo', { name: d.name })}
                  size="small"
                  style={{ minWidth: 160 }}
                  value={d.stage}
                  disabled={move.isPending}
                  onChange={(stage) => move.mutate({ id: d.id, stage })}
                  options={active
                    .filter((s) => s.outcome === 'open')
                    .map((s) => ({
                      value: s.key,
                      label: `${s.name[language]} (${Math.round(s.probability * 100)}%)`,
                    }))}
                />
              ) : (
                <Tag>{stageName(d.stage)}</Tag>
              ),
          },
          {
            title: t('opportunity.amount'),
            key: 'amount',
            align: 'right',
            render: (_, d) =>
              d.amountMinor === null ? '—' : formatMoney(d.amountMinor, d.currency, language),
          },
          {
            title: t('opportunity.expectedClose'),
            key: 'close',
            render: (_, d) => d.closedOn ?? d.expectedCloseOn ?? '—',
          },
          {
            title: t('deals.outcome'),
            key: 'outcome',
            render: (_, d) =>
              d.status === 'open' ? (
                canWork && (
                  <Space wrap>
                    <Button
                      size="small"
                      type="primary"
                      onClick={() => setClosing({ deal: d, outcome: 'won' })}
                    >
                      {t('deals.markWon')}
                    </Button>
                    <Button size="small" danger onClick={() => setClosing({ deal: d, outcome: 'lost' })}>
                      {t('deals.markLost')}
                    </Button>
                  </Space>
                )
              ) : (
                <Space orientation="vertical" size={0}>
                  <Tag style={tones[d.status === 'won' ? 'green' : 'red']}>
                    {t(`opportunityStatus.${d.status}`)}
                  </Tag>
                  {(d.wonReason ?? d.lostReason) && (
                    <Typography.Text type="secondary">{d.wonReason ?? d.lostReason}</Typography.Text>
                  )}
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={closing !== null}
        title={
          closing &&
          t(closing.outcome === 'won' ? 'deals.wonTitle' : 'deals.lostTitle', { name: closing.deal.name })
        }
        okText={closing && t(closing.outcome === 'won' ? 'deals.markWon' : 'deals.markLost')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: move.isPending, disabled: !closingStage }}
        onOk={() => form.submit()}
        onCancel={() => setClosing(null)}
        destroyOnHidden
      >
        {closing && (
          <Form
            form={form}
            layout="vertical"
            onFinish={(v) =>
              closingStage &&
              move.mutate({ id: closing.deal.id, stage: closingStage.key, reason: v.reason.trim() })
            }
          >
            <Form.Item
              name="reason"
              label={t(closing.outcome === 'won' ? 'deals.whyWon' : 'deals.whyLost')}
              rules={[{ required: true, whitespace: true, message: t('deals.reasonRequired') }]}
            >
              <AutoComplete
                options={suggestions[closing.outcome].map((key) => ({ value: t(`deals.reasons.${key}`) }))}
                filterOption={(input, option) =>
                  String(option?.value ?? '')
                    .toLowerCase()
                    .includes(input.toLowerCase())
                }
                maxLength={200}
              />
            </Form.Item>
          </Form>
        )}
      </Modal>
    </Card>
  );
}
