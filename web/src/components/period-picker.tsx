import { DatePicker } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

export type Period = [Dayjs, Dayjs];

/** The last 30 days up to the end of today. */
export function lastDays(days: number): Period {
  return [
    dayjs()
      .startOf('day')
      .subtract(days - 1, 'day'),
    dayjs().endOf('day'),
  ];
}

/**
 * The API period of the picked days: whole calendar days in UTC, as the board's months are, so a
 * metric reads the same on every page for the same days.
 */
export function periodQuery(period: Period): { from: string; to: string } {
  return {
    from: `${period[0].format('YYYY-MM-DD')}T00:00:00.000Z`,
    to: `${period[1].add(1, 'day').format('YYYY-MM-DD')}T00:00:00.000Z`,
  };
}

export function PeriodPicker({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  const { t } = useTranslation();
  return (
    <DatePicker.RangePicker
      aria-label={t('common.period')}
      value={value}
      allowClear={false}
      presets={[
        { label: t('common.last7'), value: lastDays(7) },
        { label: t('common.last30'), value: lastDays(30) },
        { label: t('common.last90'), value: lastDays(90) },
        { label: t('common.last365'), value: lastDays(365) },
      ]}
      onChange={(range) => {
        if (range?.[0] && range[1]) onChange([range[0], range[1]]);
      }}
    />
  );
}
