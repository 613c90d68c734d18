import { Table, Tag } from 'antd';
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

/** Each stage against its plan, from the inquiries down to the wins, with its status. */
export function PaceTable({ stages }: { stages: PaceRow[] }) {
  const { t } = useTranslation();
  return (
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
        { title: t('plan.plannedToDate'), dataIndex: 'plannedToDate', render: (n: number) => Math.round(n) },
        {
          title: t('plan.actualToDate'),
          dataIndex: 'actualToDate',
          render: (n: number, row: PaceRow) => {
            const metric = stageMetric[row.stage];
            return metric ? (
              <MetricValue id={metric} value={n}>
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
          render: (s: PaceRow['status']) => <Tag style={tones[statusTone[s]]}>{t(`plan.statuses.${s}`)}</Tag>,
        },
      ]}
    />
  );
}
