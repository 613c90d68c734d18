import { Button, Form, Space, TimePicker, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { WorkingHours } from '../../../src/contract/users.ts';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Weekday = (typeof weekdays)[number];
/** The time ranges of each weekday in a form (a lunch break makes two); an empty day is a day off. */
export type HoursValues = Partial<Record<Weekday, { from?: Dayjs | null; to?: Dayjs | null }[]>>;

/** Office hours for a new calendar: weekdays 09:00–17:30. */
export const officeHours: WorkingHours = Object.fromEntries(
  weekdays.slice(0, 5).map((d) => [d, [['09:00', '17:30']]]),
);

// A time picker has no 24:00; midnight at the end of a day shows as 23:59 and is stored as 24:00.
const atTime = (hhmm: string) => dayjs(`2000-01-01T${hhmm === '24:00' ? '23:59' : hhmm}`);
const endOf = (time: Dayjs) => (time.format('HH:mm') === '23:59' ? '24:00' : time.format('HH:mm'));

/** Every range of each day, for the pickers. */
export function hoursToPicker(hours: WorkingHours): HoursValues {
  return Object.fromEntries(
    weekdays.map((d) => [d, (hours[d] ?? []).map(([from, to]) => ({ from: atTime(from), to: atTime(to) }))]),
  );
}

/** The ranges filled in, in order of their start; a day without one is off. */
export function pickerToHours(values: HoursValues): WorkingHours {
  return Object.fromEntries(
    weekdays.flatMap((d) => {
      const ranges = (values[d] ?? [])
        .filter((r): r is { from: Dayjs; to: Dayjs } => !!r.from && !!r.to)
        .map((r) => [r.from.format('HH:mm'), endOf(r.to)] as [string, string])
        .sort((a, b) => a[0].localeCompare(b[0]));
      return ranges.length > 0 ? [[d, ranges]] : [];
    }),
  );
}

/**
 * Per weekday its time ranges, each with a start and an end picker, under `name` in the
 * surrounding form (or at its top level): add a range for a split day, remove one for a day off.
 */
export function WorkingHoursFields({ name }: { name?: string }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {weekdays.map((d) => {
        const day = t(`days.${d}`);
        return (
          <Space key={d} align="start" wrap>
            <Typography.Text strong style={{ display: 'inline-block', width: 96, paddingTop: 5 }}>
              {day}
            </Typography.Text>
            <Form.List name={name ? [name, d] : d}>
              {(ranges, { add, remove }) => (
                <Space orientation="vertical" size={4}>
                  {ranges.length === 0 && (
                    <Typography.Text type="secondary">{t('hours.off')}</Typography.Text>
                  )}
                  {ranges.map((range, i) => (
                    <Space key={range.key} size={4} align="baseline">
                      <Form.Item name={[range.name, 'from']} noStyle rules={[{ required: true }]}>
                        <TimePicker
                          format="HH:mm"
                          minuteStep={5}
                          aria-label={t('hours.fromOf', { day, n: i + 1 })}
                          placeholder={t('profile.from')}
                        />
                      </Form.Item>
                      <span aria-hidden="true">–</span>
                      <Form.Item name={[range.name, 'to']} noStyle rules={[{ required: true }]}>
                        <TimePicker
                          format="HH:mm"
                          minuteStep={5}
                          aria-label={t('hours.toOf', { day, n: i + 1 })}
                          placeholder={t('profile.to')}
                        />
                      </Form.Item>
                      <Button
                        size="small"
                        aria-label={t('hours.remove', { day, n: i + 1 })}
                        onClick={() => remove(range.name)}
                      >
                        ×
                      </Button>
                    </Space>
                  ))}
                  <Button
                    size="small"
                    type="link"
                    style={{ paddingInline: 0 }}
                    aria-label={t('hours.addTo', { day })}
                    onClick={() => add({ from: null, to: null })}
                  >
                    {t('hours.add')}
                  </Button>
                </Space>
              )}
            </Form.List>
          </Space>
        );
      })}
    </Space>
  );
}
