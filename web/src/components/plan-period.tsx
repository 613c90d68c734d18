import { DatePicker, Segmented, Space } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { PeriodKind } from '../../../src/contract/planning.ts';

export interface PlanPeriod {
  periodKind: PeriodKind;
  periodStart: string;
}

/** The current quarter (calendar quarters). */
export function thisQuarter(): PlanPeriod {
  const now = dayjs();
  const month = Math.floor(now.month() / 3) * 3;
  return { periodKind: 'quarter', periodStart: now.month(month).format('YYYY-MM') };
}

/** A period of targets and plans: a month, a quarter or a year, and its first month. */
export function PlanPeriodPicker({
  value,
  onChange,
}: {
  value: PlanPeriod;
  onChange: (p: PlanPeriod) => void;
}) {
  const { t } = useTranslation();
  const start = dayjs(`${value.periodStart}-01`);
  const firstMonth = (d: dayjs.Dayjs, kind: PeriodKind) =>
    (kind === 'year' ? d.month(0) : kind === 'quarter' ? d.month(Math.floor(d.month() / 3) * 3) : d).format(
      'YYYY-MM',
    );
  return (
    <Space wrap>
      <Segmented<PeriodKind>
        aria-label={t('plan.periodKind')}
        value={value.periodKind}
        options={(['month', 'quarter', 'year'] as const).map((k) => ({
          value: k,
          label: t(`plan.kinds.${k}`),
        }))}
        onChange={(periodKind) => onChange({ periodKind, periodStart: firstMonth(start, periodKind) })}
      />
      <DatePicker
        aria-label={t('plan.periodStart')}
        picker={value.periodKind}
        value={start}
        allowClear={false}
        onChange={(d) => {
          if (d) onChange({ ...value, periodStart: firstMonth(d, value.periodKind) });
        }}
      />
    </Space>
  );
}
