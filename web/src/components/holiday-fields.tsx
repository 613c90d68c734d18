import { useQuery } from '@tanstack/react-query';
import { Form, Select, Switch, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { HolidaysInput, SlaCalendar } from '../../../src/contract/sla.ts';
import { api } from '../api.ts';

/** The holiday part of a calendar form: a country (or none), its region, and the Dutch choices. */
export type HolidayValues = {
  holidayCountry: string | null;
  holidayRegion: string | null;
  goodFriday: boolean;
  liberationDay: 'every_year' | 'every_five_years' | 'never';
};

/** A guess of the country from a time zone, for a new calendar: Europe/Brussels → BE. */
const countryOfZone: Record<string, string> = {
  'Europe/Amsterdam': 'NL',
  'Europe/Brussels': 'BE',
  'Europe/Luxembourg': 'LU',
  'Europe/Berlin': 'DE',
  'Europe/Paris': 'FR',
  'Europe/London': 'GB',
  'Europe/Dublin': 'IE',
  'Europe/Madrid': 'ES',
  'Europe/Rome': 'IT',
  'Europe/Vienna': 'AT',
  'Europe/Zurich': 'CH',
  'Europe/Copenhagen': 'DK',
  'Europe/Stockholm': 'SE',
  'Europe/Oslo': 'NO',
  'Europe/Helsinki': 'FI',
  'Europe/Warsaw': 'PL',
  'Europe/Lisbon': 'PT',
  'America/New_York': 'US',
  'America/Chicago': 'US',
  'America/Los_Angeles': 'US',
};
export const guessCountry = (timeZone: string): string | null => countryOfZone[timeZone] ?? null;

/** A calendar's holidays as form values; a new calendar takes the country of its time zone. */
export function holidaysToFields(
  holidays: SlaCalendar['holidays'] | undefined,
  timeZone: string,
): HolidayValues {
  if (holidays === undefined)
    return {
      holidayCountry: guessCountry(timeZone),
      holidayRegion: null,
      goodFriday: false,
      liberationDay: 'every_five_years',
    };
  return {
    holidayCountry: holidays?.country ?? null,
    holidayRegion: holidays?.region ?? null,
    goodFriday: holidays?.goodFriday ?? false,
    liberationDay: holidays?.liberationDay ?? 'every_five_years',
  };
}

/** The form values as the API takes them; the Dutch choices are sent for the Netherlands only. */
export function fieldsToHolidays(v: HolidayValues): HolidaysInput {
  if (!v.holidayCountry) return null;
  return {
    country: v.holidayCountry,
    region: v.holidayRegion ?? null,
    ...(v.holidayCountry === 'NL' && { goodFriday: v.goodFriday, liberationDay: v.liberationDay }),
  };
}

/**
 * Country, region and (in the Netherlands) Good Friday and Liberation Day, as fields of the
 * surrounding form, under `prefix` when the form nests them.
 */
export function HolidayFields({ prefix = [] }: { prefix?: string[] }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const form = Form.useFormInstance();
  const countries = useQuery({
    queryKey: ['holiday-countries'],
    queryFn: api.holidayCountries,
    staleTime: Infinity,
  });
  const country = Form.useWatch([...prefix, 'holidayCountry'], form) as string | null | undefined;
  const regions = countries.data?.data.find((c) => c.code === country)?.regions ?? [];
  const none = { value: '', label: t('holidays.none') };
  return (
    <>
      <Form.Item
        name={[...prefix, 'holidayCountry']}
        label={t('holidays.country')}
        extra={t('holidays.countryHelp')}
        getValueFromEvent={(v: string) => v || null}
        getValueProps={(v: string | null) => ({ value: v ?? '' })}
      >
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          loading={countries.isPending}
          onChange={() => form.setFieldValue([...prefix, 'holidayRegion'], null)}
          options={[
            none,
            ...(countries.data?.data ?? [])
              .map((c) => ({ value: c.code, label: c.name[language] }))
              .sort((a, b) => a.label.localeCompare(b.label, language)),
          ]}
        />
      </Form.Item>
      {regions.length > 0 && (
        <Form.Item
          name={[...prefix, 'holidayRegion']}
          label={t('holidays.region')}
          extra={t('holidays.regionHelp')}
          getValueFromEvent={(v: string) => v || null}
          getValueProps={(v: string | null) => ({ value: v ?? '' })}
        >
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={[
              { value: '', label: t('holidays.wholeCountry') },
              ...regions.map((r) => ({ value: r.code, label: r.name })),
            ]}
          />
        </Form.Item>
      )}
      {country === 'NL' && (
        <>
          <Form.Item
            name={[...prefix, 'goodFriday']}
            label={t('settings.goodFriday')}
            valuePropName="checked"
          >
            <Switch />
          </Form.Item>
          <Form.Item name={[...prefix, 'liberationDay']} label={t('settings.liberationDay')}>
            <Select
              options={(['every_year', 'every_five_years', 'never'] as const).map((v) => ({
                value: v,
                label: t(`settings.liberation.${v}`),
              }))}
            />
          </Form.Item>
        </>
      )}
    </>
  );
}

/** The days a saved calendar is closed this year besides its weekly hours, for the editor. */
export function ClosedDays({ calendarId }: { calendarId: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const year = dayjs().year();
  const days = useQuery({
    queryKey: ['calendar-holidays', calendarId, year],
    queryFn: () => api.calendarHolidays(calendarId, year),
  });
  const format = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  const list = days.data?.data ?? [];
  return (
    <section aria-label={t('holidays.closedIn', { year })}>
      <Typography.Text strong>{t('holidays.closedIn', { year })}</Typography.Text>
      {list.length === 0 ? (
        <Typography.Paragraph type="secondary">{t('holidays.noneClosed')}</Typography.Paragraph>
      ) : (
        <ul className="baton-closed-days">
          {list.map((d) => (
            <li key={d.date}>
              {format.format(new Date(`${d.date}T12:00:00Z`))}:{' '}
              {d.name ? d.name[language] : t('holidays.closure')}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
