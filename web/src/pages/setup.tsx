import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Divider, Form, Input, Select, Space, TimePicker, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api.ts';
import {
  fieldsToHolidays,
  guessCountry,
  HolidayFields,
  holidaysToFields,
  type HolidayValues,
} from '../components/holiday-fields.tsx';
import { NewPasswordFields } from '../components/new-password-fields.tsx';
import { problemText, showFieldErrors } from '../components/use-action.ts';
import { applyLanguage } from '../i18n.ts';
import { LanguageSwitch } from '../layout.tsx';

interface SetupValues {
  token: string;
  company: { name: string; timeZone: string; language: 'en' | 'nl' };
  from: Dayjs;
  to: Dayjs;
  calendar: HolidayValues;
  admin: { name: string; email: string; password: string };
  repeat: string;
}

const fieldNames: Record<string, string> = {
  ...Object.fromEntries(
    [
      'token',
      'company.name',
      'company.timeZone',
      'company.language',
      'admin.name',
      'admin.email',
      'admin.password',
    ].map((f): [string, string] => [f, f]),
  ),
  'calendar.holidays.country': 'calendar.holidayCountry',
  'calendar.holidays.region': 'calendar.holidayRegion',
};

/**
 * First run: on an empty store, the company and its first admin, with the setup token of the
 * server's log. The admin is signed in at once and lands on the checklist.
 */
export function SetupPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const status = useQuery({ queryKey: ['setup-status'], queryFn: api.setupStatus, retry: false });
  const [form] = Form.useForm<SetupValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const zones = Intl.supportedValuesOf('timeZone');
  const guessedZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const submit = async (v: SetupValues) => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.completeSetup({
        token: v.token.trim(),
        company: v.company,
        calendar: {
          from: v.from.format('HH:mm'),
          to: v.to.format('HH:mm'),
          holidays: fieldsToHolidays(v.calendar),
        },
        admin: v.admin,
      });
      applyLanguage(v.company.language);
      if ('challenge' in result) void navigate('/sign-in?second_factor=1', { replace: true });
      else {
        queryClient.setQueryData(['session'], result);
        void navigate('/getting-started', { replace: true });
      }
    } catch (e) {
      if (!showFieldErrors(form, e, fieldNames)) setError(problemText(e, t('common.failed')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="baton-sign-in baton-setup">
      <Card>
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Space style={{ width: '100%', justifyContent: 'space-between' }}>
            <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
              {t('setup.title')}
            </Typography.Title>
            <LanguageSwitch signedIn={false} />
          </Space>
          {status.data && !status.data.needed ? (
            <>
              <Alert type="info" showIcon title={t('setup.notNeeded')} />
              <Link to="/sign-in">{t('setup.toSignIn')}</Link>
            </>
          ) : (
            <>
              <Typography.Paragraph style={{ margin: 0 }}>{t('setup.intro')}</Typography.Paragraph>
              {error && <Alert type="error" title={error} showIcon role="alert" />}
              <Form<SetupValues>
                form={form}
                layout="vertical"
                requiredMark={false}
                onFinish={(v) => void submit(v)}
                initialValues={{
                  company: {
                    timeZone: zones.includes(guessedZone) ? guessedZone : 'Europe/Amsterdam',
                    language: i18n.language === 'nl' ? 'nl' : 'en',
                  },
                  from: dayjs('2026-01-05T09:00'),
                  to: dayjs('2026-01-05T17:30'),
                  calendar: holidaysToFields(
                    undefined,
                    zones.includes(guessedZone) ? guessedZone : 'Europe/Amsterdam',
                  ),
                }}
              >
                <Form.Item
                  name="token"
                  label={t('setup.token')}
                  extra={t('setup.tokenHint')}
                  rules={[{ required: true, whitespace: true, message: t('setup.tokenNeeded') }]}
                >
                  <Input autoComplete="off" autoFocus spellCheck={false} />
                </Form.Item>
                <Divider titlePlacement="start" plain>
                  <h2 className="baton-card-title">{t('setup.company')}</h2>
                </Divider>
                <Form.Item
                  name={['company', 'name']}
                  label={t('setup.companyName')}
                  rules={[{ required: true, whitespace: true, message: t('setup.companyNameNeeded') }]}
                >
                  <Input maxLength={200} autoComplete="organization" />
                </Form.Item>
                <Form.Item name={['company', 'timeZone']} label={t('setup.timeZone')}>
                  <Select
                    showSearch
                    options={zones.map((z) => ({ value: z, label: z }))}
                    onChange={(zone: string) => {
                      // The holidays follow the time zone's country until someone picks one.
                      const country = guessCountry(zone);
                      if (country && !form.isFieldTouched(['calendar', 'holidayCountry'])) {
                        form.setFieldValue(['calendar', 'holidayCountry'], country);
                        form.setFieldValue(['calendar', 'holidayRegion'], null);
                      }
                    }}
                  />
                </Form.Item>
                <Form.Item name={['company', 'language']} label={t('setup.language')}>
                  <Select
                    options={[
                      { value: 'en', label: 'English' },
                      { value: 'nl', label: 'Nederlands' },
                    ]}
                  />
                </Form.Item>
                <Typography.Text strong>{t('setup.hours')}</Typography.Text>
                <Typography.Paragraph type="secondary">{t('setup.hoursHint')}</Typography.Paragraph>
                <Space wrap>
                  <Form.Item name="from" label={t('setup.from')} rules={[{ required: true }]}>
                    <TimePicker format="HH:mm" minuteStep={15} />
                  </Form.Item>
                  <Form.Item
                    name="to"
                    label={t('setup.to')}
                    dependencies={['from']}
                    rules={[
                      { required: true },
                      ({ getFieldValue }) => ({
                        validator: (_, value: Dayjs | undefined) =>
                          !value || !getFieldValue('from') || value.isAfter(getFieldValue('from') as Dayjs)
                            ? Promise.resolve()
                            : Promise.reject(new Error(t('setup.hours'))),
                      }),
                    ]}
                  >
                    <TimePicker format="HH:mm" minuteStep={15} />
                  </Form.Item>
                </Space>
                <HolidayFields prefix={['calendar']} />
                <Divider titlePlacement="start" plain>
                  <h2 className="baton-card-title">{t('setup.admin')}</h2>
                </Divider>
                <Form.Item
                  name={['admin', 'name']}
                  label={t('setup.name')}
                  rules={[{ required: true, whitespace: true, message: t('setup.nameNeeded') }]}
                >
                  <Input maxLength={200} autoComplete="name" />
                </Form.Item>
                <Form.Item
                  name={['admin', 'email']}
                  label={t('setup.email')}
                  rules={[{ required: true, type: 'email', message: t('signIn.emailNeeded') }]}
                >
                  <Input autoComplete="username" />
                </Form.Item>
                <NewPasswordFields name={['admin', 'password']} label={t('setup.password')} />
                <Button type="primary" htmlType="submit" block loading={busy}>
                  {t('setup.submit')}
                </Button>
              </Form>
            </>
          )}
        </Space>
      </Card>
    </main>
  );
}
