import { Form, TimePicker } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { WorkingHours } from '../../../src/contract/users.ts';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** One time range per weekday in a form; an empty day is a day off. */
export type HoursValues = Partial<Record<(typeof weekdays)[number], [Dayjs, Dayjs] | null>>;

/** Office hours for a new calendar: weekdays 09:00–17:30. */
export const officeHours: WorkingHours = Object.fromEntries(
  weekdays.slice(0, 5).map((d) => [d, [['09:00', '17:30']]]),
);

// A time picker has no 24:00; midnight at the end of a day shows as 23:59 and is stored as 24:00.
const atTime = (hhmm: string) => dayjs(`2000-01-01T${hhmm === '24:00' ? '23:59' : hhmm}`);
const endOf = (time: Dayjs) => (time.format('HH:mm') === '23:59' ? '24:00' : time.format('HH:mm'));

/** The first range of each day, for the pickers (a day's further ranges are not edited here). */
export function hoursToPicker(hours: WorkingHours): HoursValues {
  return Object.fromEntries(
    weekdays.map((d) => {
      const first = hours[d]?.[0];
      return [d, first ? [atTime(first[0]), atTime(first[1])] : null];
    }),
  );
}

export function pickerToHours(values: HoursValues): WorkingHours {
  return Object.fromEntries(
    weekdays.flatMap((d) => {
      const range = values[d];
      return range ? [[d, [[range[0].format('HH:mm'), endOf(range[1])]]]] : [];
    }),
  );
}

/** A time range picker per weekday, under `name` in the surrounding form (or at its top level). */
export function WorkingHoursFields({ name }: { name?: string }) {
  const { t } = useTranslation();
  return weekdays.map((d) => (
    <Form.Item key={d} name={name ? [name, d] : d} label={t(`days.${d}`)}>
      <TimePicker.RangePicker
        format="HH:mm"
        minuteStep={15}
        placeholder={[t('profile.from'), t('profile.to')]}
      />
    </Form.Item>
  ));
}
