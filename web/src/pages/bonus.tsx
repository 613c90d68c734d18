import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Empty, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BonusStatements } from '../../../src/contract/bonus.ts';
import { api } from '../api.ts';
import { BonusPlanForm } from '../components/bonus-plan-form.tsx';
import { useAction } from '../components/use-action.ts';
import { formatMoney } from '../format.ts';
import { useUser } from '../session.ts';

type Statement = BonusStatements['statements'][number];

/** The joint bonus of a period: the shared metric against plan, the curve's payout, and each statement. */
export function BonusPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const plans = useQuery({ queryKey: ['bonus-plans'], queryFn: api.bonusPlans });
  const [selected, setSelected] = useState<string | null>(null);
  const id = selected ?? plans.data?.[0]?.id ?? null;
  const statements = useQuery({
    queryKey: ['bonus-statements', id],
    queryFn: () => api.bonusStatements(id!),
    enabled: id !== null,
  });
  const s = statements.data;
  const user = useUser();
  const mayWrite = user.role === 'admin' || user.role === 'director';
  const [editing, setEditing] = useState<'new' | 'current' | null>(null);
  const remove = useAction({
    run: (planId: string) => api.removeBonusPlan(planId),
    invalidate: [['bonus-plans']],
    done: () => setSelected(null),
  });
  const current = plans.data?.find((p) => p.id === id) ?? null;
  const money = (minor: number) => formatMoney(minor, s?.currency ?? 'EUR', language);
  // A percentage with one decimal in the reader's way: 15,7% in Dutch, 15.7% in English.
  const pct = (n: number) =>
    new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }).format(n / 100);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1}>{t('bonus.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('bonus.intro')}</Typography.Paragraph>
      {plans.data?.length === 0 ? (
        <Empty description={t('bonus.none')} />
      ) : (
        <Space wrap>
          <Select
            aria-label={t('bonus.plan')}
            style={{ minWidth: 260 }}
            value={id}
            onChange={setSelected}
            options={(plans.data ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.periodStart})` }))}
          />
          {id && <Button href={`/api/v1/bonus-plans/${id}/statements.csv`}>{t('bonus.csv')}</Button>}
          {mayWrite && current && (
            <Button onClick={() => setEditing('current')}>{t('bonus.form.edit')}</Button>
          )}
          {mayWrite && current && (
            <Popconfirm
              title={t('bonus.form.removeConfirm', { name: current.name })}
              okText={t('bonus.form.remove')}
              cancelText={t('bonus.form.cancel')}
              onConfirm={() => remove.mutate(current.id)}
            >
              <Button danger>{t('bonus.form.remove')}</Button>
            </Popconfirm>
          )}
        </Space>
      )}
      {mayWrite && (
        <div>
          <Button type="primary" onClick={() => setEditing('new')}>
            {t('bonus.form.new')}
          </Button>
        </div>
      )}
      {editing && (
        <BonusPlanForm
          open
          plan={editing === 'current' ? current : null}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setSelected(saved.id);
          }}
        />
      )}
      {s && (
        <>
          <Descriptions
            bordered
            size="small"
            column={{ xs: 1, md: 3 }}
            items={[
              { key: 'metric', label: t('bonus.metric'), children: t(`bonus.metrics.${s.metric}`) },
              { key: 'plan', label: t('bonus.planAmount'), children: money(s.plan) },
              { key: 'actual', label: t('bonus.actual'), children: money(s.actual) },
              { key: 'attainment', label: t('bonus.attainment'), children: pct(s.attainmentPct) },
              {
                key: 'payout',
                label: t('bonus.payout'),
                children: (
                  <>
                    {pct(s.payoutPct)} <Tag>{t(`bonus.bands.${s.band}`)}</Tag>
                  </>
                ),
              },
              { key: 'shared', label: t('bonus.shared'), children: money(s.sharedPayout) },
              { key: 'marketing', label: t('bonus.marketingPart'), children: money(s.marketingAmount) },
              { key: 'sales', label: t('bonus.salesPart'), children: money(s.salesAmount) },
              { key: 'total', label: t('bonus.total'), children: <strong>{money(s.total)}</strong> },
            ]}
          />
          <Card title={t('bonus.statements')}>
            <Table<Statement>
              rowKey="userId"
              size="small"
              pagination={false}
              dataSource={s.statements}
              expandable={{
                rowExpandable: (st) => st.components.length > 0,
                expandedRowRender: (st) => (
                  <ul>
                    {st.components.map((c) => (
                      <li key={c.key}>
                        {t('bonus.componentLine', {
                          label: c.label,
                          actual: c.actual,
                          target: c.target,
                          attainment: pct(c.attainmentPct),
                          payout: pct(c.payoutPct),
                          amount: money(c.payout),
                        })}
                      </li>
                    ))}
                  </ul>
                ),
              }}
              columns={[
                { title: t('bonus.person'), dataIndex: 'name' },
                {
                  title: t('bonus.side'),
                  dataIndex: 'side',
                  render: (side: Statement['side']) => t(`bonus.sides.${side}`),
                },
                {
                  title: t('bonus.sharedPart'),
                  key: 'shared',
                  render: (_: unknown, st) =>
                    t('bonus.sharedLine', {
                      weight: st.shared.weight,
                      of: st.shared.sideWeight,
                      side: money(st.shared.sideAmount),
                      amount: money(st.shared.payout),
                    }),
                },
                {
                  title: t('bonus.components'),
                  key: 'components',
                  render: (_: unknown, st) => money(st.components.reduce((a, c) => a + c.payout, 0)),
                },
                {
                  title: t('bonus.total'),
                  dataIndex: 'total',
                  render: (n: number) => <strong>{money(n)}</strong>,
                },
              ]}
            />
          </Card>
        </>
      )}
    </Space>
  );
}
