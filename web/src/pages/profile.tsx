import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Select, Space, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { UpdateMeBody } from '../../../src/contract/users.ts';
import { api } from '../api.ts';
import { AlertChannelsCard } from '../components/alert-channels-card.tsx';
import { NewPasswordFields } from '../components/new-password-fields.tsx';
import { SecondFactorCard } from '../components/second-factor-card.tsx';
import { LoggingAddressCard } from '../components/logging-address-card.tsx';
import { MailboxCard } from '../components/mailbox-card.tsx';
import { showFieldErrors, useAction } from '../components/use-action.ts';
import {
  hoursToPicker,
  pickerToHours,
  WorkingHoursFields,
  type HoursValues,
} from '../components/working-hours.tsx';
import { formatMoment } from '../format.ts';
import { applyLanguage } from '../i18n.ts';
import { useUser } from '../session.ts';

/** The user's own settings: name, language, time zone, working hours and absences. */
/** Changing one's own password: the current one first; every other sign-in ends. */
function PasswordCard() {
  const { t } = useTranslation();
  const user = useUser();
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string; repeat: string }>();
  const change = useAction({
    run: (v: { currentPassword: string; newPassword: string }) =>
      api.updateMe({ currentPassword: v.currentPassword, newPassword: v.newPassword }),
    invalidate: [],
    success: t('password.changed'),
    done: () => form.resetFields(),
  });
  return (
    <Card title={<h2 className="baton-card-title">{t('password.change')}</h2>}>
      <Form
        form={form}
        layout="vertical"
        style={{ maxWidth: 420 }}
        requiredMark={false}
        onFinish={(v) =>
          change.mutate(
            { currentPassword: v.currentPassword, newPassword: v.newPassword },
            { onError: (e) => void showFieldErrors(form, e, ['currentPassword', 'newPassword']) },
          )
        }
      >
        <input type="hidden" name="username" autoComplete="username" value={user.email} readOnly />
        <Form.Item
          name="currentPassword"
          label={t('password.current')}
          rules={[{ required: true, message: t('signIn.passwordNeeded') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <NewPasswordFields name="newPassword" label={t('password.newPassword')} />
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {t('password.change')}
        </Button>
      </Form>
    </Card>
  );
}

export function ProfilePage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const queryClient = useQueryClient();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const absences = useQuery({ queryKey: ['absences', user.id], queryFn: () => api.absences(user.id) });
  // A manager sets the alerts of the teams they manage; an admin, of every team.
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams });
  const managed = (teams.data?.data ?? []).filter(
    (team) => user.role === 'admin' || team.managerId === user.id,
  );
  const zones = Intl.supportedValuesOf('timeZone');

  const save = useAction({
    run: (body: UpdateMeBody) => api.updateMe(body),
    invalidate: [],
    success: t('profile.saved'),
    done: (updated) => {
      queryClient.setQueryData(['session'], (old: { user: unknown } | undefined) =>
        old ? { ...old, user: updated } : old,
      );
      applyLanguage(updated.language);
    },
  });
  const addAbsence = useAction({
    run: (v: { range: [Dayjs, Dayjs]; reason?: string }) =>
      api.addAbsence(user.id, {
        startsAt: v.range[0].toISOString(),
        endsAt: v.range[1].toISOString(),
        ...(v.reason && { reason: v.reason }),
      }),
    invalidate: [['absences', user.id]],
    success: t('profile.absenceAdded'),
  });

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 820 }}>
      <Typography.Title level={1}>{t('profile.title')}</Typography.Title>
      <Card title={<h2 className="baton-card-title">{t('profile.details')}</h2>}>
        <Form
          layout="vertical"
          initialValues={{ name: user.name, language: user.language, timeZone: user.timeZone }}
          onFinish={(v: { name: string; language: 'en' | 'nl'; timeZone: string }) => save.mutate(v)}
        >
          <Form.Item name="name" label={t('profile.name')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="language" label={t('profile.language')}>
            <Select
              options={[
                { value: 'en', label: 'English' },
                { value: 'nl', label: 'Nederlands' },
              ]}
            />
          </Form.Item>
          <Form.Item name="timeZone" label={t('profile.timeZone')}>
            <Select showSearch options={zones.map((z) => ({ value: z, label: z }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Form>
      </Card>
      <Card title={<h2 className="baton-card-title">{t('profile.workingHours')}</h2>}>
        <Typography.Paragraph type="secondary">{t('profile.workingHoursHint')}</Typography.Paragraph>
        <Form<HoursValues>
          layout="horizontal"
          labelCol={{ span: 6 }}
          initialValues={hoursToPicker(user.workingHours)}
          onFinish={(v) =>
            save.mutate({
              workingHours: pickerToHours(v),
            })
          }
        >
          <WorkingHoursFields />
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Form>
      </Card>
      <Card title={<h2 className="baton-card-title">{t('profile.absences')}</h2>}>
        <Form<{ range: [Dayjs, Dayjs]; reason?: string }>
          layout="inline"
          onFinish={(v) => addAbsence.mutate(v)}
        >
          <Form.Item
            name="range"
            label={t('profile.absencePeriod')}
            rules={[{ required: true, message: t('profile.periodNeeded') }]}
          >
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
          </Form.Item>
          <Form.Item name="reason" label={t('profile.absenceReason')}>
            <Input maxLength={200} />
          </Form.Item>
          <Button htmlType="submit" loading={addAbsence.isPending}>
            {t('profile.addAbsence')}
          </Button>
        </Form>
        <Table
          style={{ marginTop: 16 }}
          size="small"
          rowKey="id"
          loading={absences.isPending}
          pagination={false}
          dataSource={absences.data?.data ?? []}
          locale={{ emptyText: t('profile.noAbsences') }}
          columns={[
            {
              title: t('profile.from'),
              dataIndex: 'startsAt',
              render: (v: string) => formatMoment(v, user.timeZone, language),
            },
            {
              title: t('profile.to'),
              dataIndex: 'endsAt',
              render: (v: string) => formatMoment(v, user.timeZone, language),
            },
            {
              title: t('profile.absenceReason'),
              dataIndex: 'reason',
              render: (v: string | null) => v ?? '—',
            },
          ]}
        />
      </Card>
      <LoggingAddressCard />
      <MailboxCard />
      <AlertChannelsCard />
      {managed.map((team) => (
        <AlertChannelsCard key={team.id} team={team} />
      ))}
      <PasswordCard />
      <SecondFactorCard />
    </Space>
  );
}
