import { Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Pacing } from '../../../src/contract/planning.ts';
import { tones } from '../theme.ts';
import { MetricValue, type MetricId } from './metric.tsx';

type PaceRow = Pacing['stages'][number];
/** The catalogue's metric of a plan stage's actual count. */
const stageMetric: Partial<Record<PaceRow['stage'], MetricId>> = {
  inquiry: 'leads',
  mql: 'mqls',
  sal: 'sals',
  sql: 'sqls',
  won: 'won_deals',
};

const statusTone = { ahead: 'green', on_track: 'blue', behind: 'red', not_started: 'grey' } as const;

/**
 * Each stage against its plan, from the inquiries down to the wins, with its status. The plan's
 * months run from its first inquiries (before the period: a win needs its MQLs months earlier) to
 * the period's end; each person counts once, in the month of their first entry in that window.
 */
export function PaceTable({ stages }: { stages: PaceRow[] }) {
  const { t } = useTranslation();
  const months = stages[0]?.byMonth.map((m) => m.month) ?? [];
  return (
    <>
      {months.length > 0 && (
        <Typography.Paragraph type="secondary" data-plan-window={`${months[0]}/${months.at(-1)}`}>
          {t('plan.window', { from: months[0], to: months.at(-1) })}
        </Typography.Paragraph>
      )}
      <Table<PaceRow>
        rowKey="stage"
        size="small"
        pagination={false}
        dataSource={[...stages].reverse()}
        columns={[
          {
            title: t('plan.stage'),
            dataIndex: 'stage',
            render: (s: PaceRow['stage']) => t(`plan.stages.${s}`),
          },
          {
            title: t('plan.plannedToDate'),
            dataIndex: 'plannedToDate',
            render: (n: number) => Math.round(n),
          },
          {
            title: t('plan.actualToDate'),
            dataIndex: 'actualToDate',
            render: (n: number, row: PaceRow) => {
              const metric = stageMetric[row.stage];
              return metric ? (
                <MetricValue id={metric} scope="plan" value={n}>
                  {n}
                </MetricValue>
              ) : (
                n
              );
            },
          },
          { title: t('plan.planTotal'), dataIndex: 'planTotal' },
          { title: t('plan.projection'), dataIndex: 'projection' },
          {
            title: t('plan.status'),
            dataIndex: 'status',
            render: (s: PaceRow['status']) => (
              <Tag style={tones[statusTone[s]]}>{t(`plan.statuses.${s}`)}</Tag>
            ),
          },
        ]}
      />
    </>
  );
}
