import { MailLogSettingsTab } from '../components/mail-log-settings.tsx';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Grid,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  DatePicker,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { ApiKey, CreatedApiKey } from '../../../src/contract/api-keys.ts';
import type { Role } from '../../../src/contract/common.ts';
import type { Pool, UpdateRoutingSettingsBody } from '../../../src/contract/routing.ts';
import type { SlaCalendar, SlaPolicy } from '../../../src/contract/sla.ts';
import type { ReportingSettings } from '../../../src/contract/metrics.ts';
import type { RetentionReport } from '../../../src/contract/privacy.ts';
import type { Stage } from '../../../src/contract/stages.ts';
import type { Team } from '../../../src/contract/teams.ts';
import type { User } from '../../../src/contract/users.ts';
import { api } from '../api.ts';
import {
  hoursToPicker,
  officeHours,
  pickerToHours,
  WorkingHoursFields,
  type HoursValues,
} from '../components/working-hours.tsx';
import { passwordRules } from '../../../src/domain/people/password-rules.ts';
import { useMetrics } from '../components/metric.tsx';
import { DeleteButton } from '../components/delete-button.tsx';
import { WebhooksSettings } from '../components/webhooks-settings.tsx';
import { ConnectionsSettings } from '../components/connections-settings.tsx';
import { HandoffSettingsTab } from '../components/handoff-settings.tsx';
import {
  ClosedDays,
  fieldsToHolidays,
  HolidayFields,
  holidaysToFields,
  type HolidayValues,
} from '../components/holiday-fields.tsx';
import { RulesBuilder } from '../components/routing-builder.tsx';
import { useAction } from '../components/use-action.ts';
import { en } from '../locales/en.ts';
import { formatMoment, formatStay, personName } from '../format.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';

const roles: Role[] = ['admin', 'marketing', 'sales_rep', 'sales_manager', 'director'];

/** A settings change: says it was saved, refreshes what it touched. */
function useSave<T>(run: (input: T) => Promise<unknown>, invalidate: string[][], done?: () => void) {
  const { t } = useTranslation();
  return useAction({ run, invalidate, success: t('profile.saved'), ...(done && { done }) });
}

type UserValues = {
  email: string;
  name: string;
  role: Role;
  managerId?: string | null;
  language: 'en' | 'nl';
  password?: string;
  isActive?: boolean;
  invite?: 'email' | 'typed';
};
type TeamValues = { name: string; managerId?: string | null; memberIds?: string[] };
type StageValues = { name: Stage['name']; definition: Stage['definition'] };
type PoolValues = {
  name: string;
  strategy: Pool['strategy'];
  performanceAware: boolean;
  members?: {
    userId: string;
    weight?: number | null;
    capPerDay?: number | null;
    capPerWeek?: number | null;
  }[];
};
type CalendarValues = HolidayValues & {
  name: string;
  timeZone: string;
  hours: HoursValues;
  closures?: [Dayjs, Dayjs][];
};
type PolicyValues = {
  minutes: number;
  reminder: number | null;
  escalations: number;
  reassign: boolean;
  active: boolean;
  calendarId: string | null;
};

function UsersTab() {
  const { t } = useTranslation();
  const users = useQuery({ queryKey: ['users'], queryFn: api.users });
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams });
  const company = useQuery({ queryKey: ['company'], queryFn: api.company });
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [form] = Form.useForm<UserValues>();
  const all = users.data?.data ?? [];
  const nameOf = (id: string | null) => all.find((u) => u.id === id)?.name ?? '—';
  const { message } = AntApp.useApp();
  const save = useAction({
    run: async (v: UserValues) => {
      if (editing !== 'new')
        return api.updateUser((editing as User).id, {
          name: v.name,
          role: v.role,
          language: v.language,
          managerId: v.managerId ?? null,
          ...(v.isActive !== undefined && { isActive: v.isActive }),
        });
      const typed = v.invite === 'typed' && v.password;
      const created = await api.createUser({
        email: v.email,
        name: v.name,
        role: v.role,
        language: v.language,
        managerId: v.managerId ?? null,
        ...(typed ? { password: v.password } : {}),
      });
      // Without a typed password, the new person chooses one through the invitation's link.
      if (!typed) {
        await api.invite(created.id);
        void message.success(t('invite.sent', { email: created.email }));
      }
      return created;
    },
    invalidate: [['users'], ['checklist']],
    success: t('profile.saved'),
    done: () => setEditing(null),
  });
  const invite = useAction({
    run: (u: User) => api.invite(u.id),
    invalidate: [],
    success: (r) => t('invite.sent', { email: r.email }),
  });
  const inviteChoice = Form.useWatch('invite', form);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Button
        type="primary"
        onClick={() => {
          form.resetFields();
          // New people start in the company's language.
          if (company.data) form.setFieldsValue({ language: company.data.language });
          setEditing('new');
        }}
      >
        {t('settings.addUser')}
      </Button>
      <Table<User>
        rowKey="id"
        size="small"
        loading={users.isPending}
        dataSource={all}
        scroll={{ x: 900 }}
        pagination={{ pageSize: 25, hideOnSinglePage: true }}
        columns={[
          { title: t('profile.name'), dataIndex: 'name', sorter: (a, b) => a.name.localeCompare(b.name) },
          { title: t('signIn.email'), dataIndex: 'email' },
          { title: t('settings.role'), dataIndex: 'role', render: (r: Role) => t(`roles.${r}`) },
          { title: t('settings.manager'), dataIndex: 'managerId', render: (v: string | null) => nameOf(v) },
          {
            title: t('settings.teams'),
            dataIndex: 'teamIds',
            render: (ids: string[]) =>
              ids.map((id) => teams.data?.data.find((x) => x.id === id)?.name ?? id).join(', ') || '—',
          },
          { title: t('profile.language'), dataIndex: 'language', render: (v: string) => v.toUpperCase() },
          {
            title: t('queue.status'),
            dataIndex: 'isActive',
            render: (v: boolean) => (
              <Tag style={v ? tones.green : tones.grey}>{v ? t('forms.active') : t('settings.inactive')}</Tag>
            ),
          },
          {
            title: t('queue.actions'),
            key: 'edit',
            render: (_, u) => (
              <Space size="small">
                <Button
                  size="small"
                  aria-label={t('settings.editNamed', { name: u.name })}
                  onClick={() => {
                    form.setFieldsValue(u);
                    setEditing(u);
                  }}
                >
                  {t('settings.edit')}
                </Button>
                {u.isActive && (
                  <Button
                    size="small"
                    aria-label={`${t('invite.again')}: ${u.name}`}
                    loading={invite.isPending && invite.variables?.id === u.id}
                    onClick={() => invite.mutate(u)}
                  >
                    {t('invite.again')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={
          editing === 'new' ? t('settings.addUser') : t('settings.editNamed', { name: editing?.name ?? '' })
        }
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: save.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ language: 'nl', role: 'sales_rep', invite: 'email' }}
          onFinish={(v) => save.mutate(v)}
        >
          <Form.Item name="email" label={t('signIn.email')} rules={[{ required: true, type: 'email' }]}>
            <Input disabled={editing !== 'new'} />
          </Form.Item>
          <Form.Item name="name" label={t('profile.name')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="role" label={t('settings.role')}>
            <Select options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
          </Form.Item>
          <Form.Item name="managerId" label={t('settings.manager')} extra={t('settings.managerHint')}>
            <Select
              allowClear
              options={all
                .filter((u) => u.role === 'sales_manager' || u.role === 'director')
                .map((u) => ({ value: u.id, label: `${u.name} (${t(`roles.${u.role}`)})` }))}
            />
          </Form.Item>
          <Form.Item name="language" label={t('profile.language')}>
            <Select
              options={[
                { value: 'en', label: 'English' },
                { value: 'nl', label: 'Nederlands' },
              ]}
            />
          </Form.Item>
          {editing === 'new' ? (
            <>
              <Form.Item name="invite" label={t('invite.how')}>
                <Radio.Group
                  options={[
                    { value: 'email', label: t('invite.byEmail') },
                    { value: 'typed', label: t('invite.typed') },
                  ]}
                />
              </Form.Item>
              {inviteChoice === 'typed' && (
                <Form.Item
                  name="password"
                  label={t('signIn.password')}
                  extra={t('settings.passwordHint')}
                  rules={[{ required: true, ...passwordRules, message: t('password.rule') }]}
                >
                  <Input.Password autoComplete="new-password" />
                </Form.Item>
              )}
            </>
          ) : (
            <Form.Item name="isActive" label={t('forms.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Space>
  );
}

function TeamsTab() {
  const { t } = useTranslation();
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users });
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [form] = Form.useForm<TeamValues>();
  const all = users.data?.data ?? [];
  const nameOf = (id: string | null) => all.find((u) => u.id === id)?.name ?? '—';
  const save = useSave(
    (v: TeamValues) =>
      editing === 'new'
        ? api.createTeam({ name: v.name, managerId: v.managerId ?? null, memberIds: v.memberIds ?? [] })
        : api.updateTeam((editing as Team).id, {
            name: v.name,
            managerId: v.managerId ?? null,
            memberIds: v.memberIds ?? [],
          }),
    [['teams'], ['users']],
    () => setEditing(null),
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Button
        type="primary"
        onClick={() => {
          form.resetFields();
          setEditing('new');
        }}
      >
        {t('settings.addTeam')}
      </Button>
      <Table<Team>
        rowKey="id"
        size="small"
        loading={teams.isPending}
        dataSource={teams.data?.data ?? []}
        pagination={false}
        columns={[
          { title: t('profile.name'), dataIndex: 'name' },
          { title: t('settings.manager'), dataIndex: 'managerId', render: (v: string | null) => nameOf(v) },
          {
            title: t('settings.members'),
            key: 'members',
            render: (_, team) => team.memberIds.map(nameOf).join(', ') || '—',
          },
          {
            title: t('queue.actions'),
            key: 'edit',
            render: (_, team) => (
              <Button
                size="small"
                aria-label={t('settings.editNamed', { name: team.name })}
                onClick={() => {
                  form.setFieldsValue(team);
                  setEditing(team);
                }}
              >
                {t('settings.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={
          editing === 'new' ? t('settings.addTeam') : t('settings.editNamed', { name: editing?.name ?? '' })
        }
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: save.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form<TeamValues> form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="name" label={t('profile.name')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="managerId" label={t('settings.manager')}>
            <Select
              allowClear
              options={all
                .filter((u) => u.role === 'sales_manager')
                .map((u) => ({ value: u.id, label: personName(t, u) }))}
            />
          </Form.Item>
          <Form.Item name="memberIds" label={t('settings.members')}>
            <Select
              mode="multiple"
              optionFilterProp="label"
              options={all.map((u) => ({ value: u.id, label: personName(t, u) }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

function StagesTab() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const stages = useQuery({ queryKey: ['stages'], queryFn: api.stages });
  const [editing, setEditing] = useState<Stage | null>(null);
  const [form] = Form.useForm<StageValues>();
  const save = useSave(
    (v: StageValues) => api.updateStage(editing!.key, v),
    [['stages']],
    () => setEditing(null),
  );
  return (
    <>
      <Table<Stage>
        rowKey="key"
        size="small"
        loading={stages.isPending}
        pagination={false}
        dataSource={stages.data?.data ?? []}
        scroll={{ x: 800 }}
        columns={[
          {
            title: t('glossary.stage'),
            key: 'name',
            width: 220,
            render: (_, s) => `${s.name[language]} (${s.key})`,
          },
          { title: t('glossary.definition'), key: 'definition', render: (_, s) => s.definition[language] },
          {
            title: t('queue.actions'),
            key: 'edit',
            width: 110,
            render: (_, s) => (
              <Button
                size="small"
                aria-label={t('settings.editNamed', { name: s.name[language] })}
                onClick={() => {
                  form.setFieldsValue(s);
                  setEditing(s);
                }}
              >
                {t('settings.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={t('settings.editNamed', { name: editing?.name[language] ?? '' })}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: save.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
        width={720}
      >
        <Form<StageValues> form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name={['name', 'en']} label={t('settings.nameEn')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name={['name', 'nl']} label={t('settings.nameNl')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item
            name={['definition', 'en']}
            label={t('settings.definitionEn')}
            rules={[{ required: true }]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item
            name={['definition', 'nl']}
            label={t('settings.definitionNl')}
            rules={[{ required: true }]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function RoutingTab() {
  const { t } = useTranslation();
  const pools = useQuery({ queryKey: ['pools'], queryFn: api.pools });
  const settings = useQuery({ queryKey: ['routing-settings'], queryFn: api.routingSettings });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users });
  const nameOf = (id: string) => users.data?.data.find((u) => u.id === id)?.name ?? id;
  const [pool, setPool] = useState<Pool | 'new' | null>(null);
  const [poolForm] = Form.useForm<PoolValues>();
  const savePool = useSave(
    (v: PoolValues) => {
      const body = {
        name: v.name,
        strategy: v.strategy,
        performanceAware: v.performanceAware,
        // An emptied number field holds '' or null: no cap (the server would read '' as 0).
        members: (v.members ?? []).map((m) => ({
          userId: m.userId,
          weight: typeof m.weight === 'number' ? m.weight : 1,
          capPerDay: typeof m.capPerDay === 'number' ? m.capPerDay : null,
          capPerWeek: typeof m.capPerWeek === 'number' ? m.capPerWeek : null,
        })),
      };
      return pool === 'new' ? api.createPool(body) : api.updatePool((pool as Pool).id, body);
    },
    [['pools'], ['checklist']],
    () => setPool(null),
  );
  const saveSettings = useSave(
    (change: UpdateRoutingSettingsBody) => api.updateRoutingSettings(change),
    [['routing-settings'], ['checklist']],
  );
  const openPool = (p: Pool | 'new') => {
    poolForm.resetFields();
    if (p !== 'new')
      poolForm.setFieldsValue({
        name: p.name,
        strategy: p.strategy,
        performanceAware: p.performanceAware,
        members: p.members,
      });
    setPool(p);
  };
  const people = (users.data?.data ?? []).filter(
    (u) => u.isActive && (u.role === 'sales_rep' || u.role === 'sales_manager'),
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        size="small"
        title={<h3 className="baton-card-title">{t('settings.pools')}</h3>}
        extra={
          <Button size="small" type="primary" onClick={() => openPool('new')}>
            {t('builder.addPool')}
          </Button>
        }
      >
        <Table<Pool>
          rowKey="id"
          size="small"
          loading={pools.isPending}
          pagination={false}
          dataSource={pools.data?.data ?? []}
          columns={[
            { title: t('profile.name'), dataIndex: 'name' },
            {
              title: t('settings.strategy'),
              dataIndex: 'strategy',
              render: (v: string) => t(`settings.strategies.${v as 'round_robin'}`),
            },
            {
              title: t('settings.performanceAware'),
              dataIndex: 'performanceAware',
              render: (v: boolean) => (v ? '✓' : '—'),
            },
            {
              title: t('settings.members'),
              key: 'members',
              render: (_, p) =>
                p.members
                  .map(
                    (m) =>
                      `${nameOf(m.userId)}${m.weight !== 1 ? ` ×${m.weight}` : ''}${m.capPerDay !== null ? ` ≤${m.capPerDay}/d` : ''}`,
                  )
                  .join(', ') || '—',
            },
            {
              title: t('queue.actions'),
              key: 'edit',
              render: (_, p) => (
                <Button
                  size="small"
                  aria-label={t('settings.editNamed', { name: p.name })}
                  onClick={() => openPool(p)}
                >
                  {t('settings.edit')}
                </Button>
              ),
            },
          ]}
        />
        <Space style={{ marginTop: 12 }} wrap>
          <label htmlFor="fallback-pool">{t('settings.fallbackPool')}</label>
          <Select
            id="fallback-pool"
            style={{ minWidth: 240 }}
            value={settings.data?.fallbackPoolId ?? null}
            allowClear
            onChange={(v: string | undefined) => saveSettings.mutate({ fallbackPoolId: v ?? null })}
            options={(pools.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          />
        </Space>
        <Space orientation="vertical" style={{ marginTop: 12 }}>
          <Space>
            <Switch
              id="ownership-first"
              checked={settings.data?.ownershipFirst ?? true}
              loading={settings.isPending || saveSettings.isPending}
              onChange={(ownershipFirst) => saveSettings.mutate({ ownershipFirst })}
            />
            <label htmlFor="ownership-first">{t('settings.ownershipFirst')}</label>
          </Space>
          <Space>
            <Switch
              id="skip-rejecting-rep"
              checked={settings.data?.skipRejectingRep ?? true}
              loading={settings.isPending || saveSettings.isPending}
              onChange={(skipRejectingRep) => saveSettings.mutate({ skipRejectingRep })}
            />
            <label htmlFor="skip-rejecting-rep">{t('settings.skipRejectingRep')}</label>
          </Space>
        </Space>
      </Card>
      <RulesBuilder />
      <Modal
        open={pool !== null}
        title={pool === 'new' ? t('builder.newPool') : t('settings.editNamed', { name: pool?.name ?? '' })}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: savePool.isPending }}
        onOk={() => poolForm.submit()}
        onCancel={() => setPool(null)}
        width={720}
        footer={(buttons) => (
          <Space>
            {pool !== null && pool !== 'new' && (
              <DeleteButton
                label={t('builder.deletePool')}
                confirm={t('builder.deletePoolConfirm', { name: pool.name })}
                run={() => api.deletePool(pool.id)}
                invalidate={[['pools'], ['checklist']]}
                onDeleted={() => setPool(null)}
              />
            )}
            {buttons}
          </Space>
        )}
        forceRender
      >
        <Form<PoolValues>
          form={poolForm}
          layout="vertical"
          initialValues={{ strategy: 'round_robin', performanceAware: false, members: [] }}
          onFinish={(v) => savePool.mutate(v)}
        >
          <Form.Item name="name" label={t('profile.name')} rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="strategy" label={t('settings.strategy')}>
            <Select
              options={(['round_robin', 'weighted', 'balanced'] as const).map((v) => ({
                value: v,
                label: t(`settings.strategies.${v}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="performanceAware"
            label={t('settings.performanceAware')}
            valuePropName="checked"
            extra={t('settings.performanceHint')}
          >
            <Switch />
          </Form.Item>
          <Typography.Text strong>{t('settings.members')}</Typography.Text>
          <Form.List name="members">
            {(fields, { add, remove }) => (
              <Space orientation="vertical" style={{ width: '100%', marginTop: 8 }}>
                {fields.map((field, i) => (
                  <Space key={field.key} wrap align="baseline">
                    <Form.Item
                      name={[field.name, 'userId']}
                      rules={[{ required: true, message: t('builder.member') }]}
                      style={{ marginBottom: 0 }}
                    >
                      <Select
                        aria-label={`${t('builder.member')} ${i + 1}`}
                        style={{ minWidth: 200 }}
                        showSearch
                        optionFilterProp="label"
                        options={people.map((u) => ({ value: u.id, label: personName(t, u) }))}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'weight']}
                      label={t('builder.weight')}
                      style={{ marginBottom: 0 }}
                    >
                      <InputNumber
                        aria-label={`${t('builder.weight')} ${i + 1}`}
                        min={0}
                        max={100}
                        step={0.5}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'capPerDay']}
                      label={t('builder.capPerDay')}
                      style={{ marginBottom: 0 }}
                    >
                      <InputNumber
                        aria-label={`${t('builder.capPerDay')} ${i + 1}`}
                        min={0}
                        max={10000}
                        placeholder={t('builder.noCap')}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'capPerWeek']}
                      label={t('builder.capPerWeek')}
                      style={{ marginBottom: 0 }}
                    >
                      <InputNumber
                        aria-label={`${t('builder.capPerWeek')} ${i + 1}`}
                        min={0}
                        max={50000}
                        placeholder={t('builder.noCap')}
                      />
                    </Form.Item>
                    <Button
                      aria-label={t('builder.removeMember', { name: String(i + 1) })}
                      onClick={() => remove(field.name)}
                    >
                      ×
                    </Button>
                  </Space>
                ))}
                <Button onClick={() => add({ weight: 1, capPerDay: null, capPerWeek: null })}>
                  {t('builder.addMember')}
                </Button>
              </Space>
            )}
          </Form.List>
        </Form>
      </Modal>
    </Space>
  );
}

function SlaTab() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const policies = useQuery({ queryKey: ['policies'], queryFn: api.policies });
  const calendars = useQuery({ queryKey: ['calendars'], queryFn: api.calendars });
  const countries = useQuery({
    queryKey: ['holiday-countries'],
    queryFn: api.holidayCountries,
    staleTime: Infinity,
  });
  const [editing, setEditing] = useState<SlaPolicy | null>(null);
  const [form] = Form.useForm<PolicyValues>();
  const save = useSave(
    (v: PolicyValues) =>
      api.updatePolicy(editing!.id, {
        windowSeconds: Math.round(v.minutes * 60),
        reminderAt: v.reminder ? v.reminder / 100 : null,
        escalations: v.escalations,
        reassign: v.reassign,
        active: v.active,
        calendarId: v.calendarId ?? null,
      }),
    [['policies']],
    () => setEditing(null),
  );
  const [calendar, setCalendar] = useState<SlaCalendar | 'new' | null>(null);
  const [calendarForm] = Form.useForm<CalendarValues>();
  const saveCalendar = useSave(
    (v: CalendarValues) => {
      const body = {
        name: v.name,
        timeZone: v.timeZone,
        workingHours: pickerToHours(v.hours),
        holidays: fieldsToHolidays(v),
        closures: (v.closures ?? []).map(([from, to]) => ({
          from: from.format('YYYY-MM-DD'),
          to: to.format('YYYY-MM-DD'),
        })),
      };
      return calendar === 'new'
        ? api.createCalendar(body)
        : api.saveCalendar((calendar as SlaCalendar).id, body);
    },
    [['calendars']],
    () => setCalendar(null),
  );
  const editCalendar = (c: SlaCalendar | 'new') => {
    const source = c === 'new' ? null : c;
    calendarForm.setFieldsValue({
      name: source?.name ?? '',
      timeZone: source?.timeZone ?? 'Europe/Amsterdam',
      hours: hoursToPicker(source?.workingHours ?? officeHours),
      ...holidaysToFields(source?.holidays, source?.timeZone ?? 'Europe/Amsterdam'),
      closures: (source?.closures ?? []).map((x) => [dayjs(x.from), dayjs(x.to)] as [Dayjs, Dayjs]),
    });
    setCalendar(c);
  };
  const hours = (c: SlaCalendar) =>
    Object.entries(c.workingHours)
      .map(
        ([d, ranges]) =>
          `${t(`days.${d as 'mon'}`).slice(0, 2)} ${(ranges ?? []).map((r) => r.join('–')).join(', ')}`,
      )
      .join(' · ');
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small" title={<h3 className="baton-card-title">{t('settings.policies')}</h3>}>
        <Table<SlaPolicy>
          rowKey="id"
          size="small"
          loading={policies.isPending}
          pagination={false}
          dataSource={policies.data?.data ?? []}
          scroll={{ x: 900 }}
          columns={[
            { title: t('profile.name'), key: 'name', render: (_, p) => p.name[language] },
            { title: t('glossary.stage'), dataIndex: 'stage', render: (v: string) => v.toUpperCase() },
            {
              title: t('settings.window'),
              dataIndex: 'windowSeconds',
              render: (v: number) => formatStay(v * 1000, t),
            },
            {
              title: t('settings.reminder'),
              dataIndex: 'reminderAt',
              render: (v: number | null) => (v ? `${Math.round(v * 100)}%` : '—'),
            },
            { title: t('settings.escalations'), dataIndex: 'escalations' },
            { title: t('settings.reassign'), dataIndex: 'reassign', render: (v: boolean) => (v ? '✓' : '—') },
            {
              title: t('queue.status'),
              dataIndex: 'active',
              render: (v: boolean) => (
                <Tag style={v ? tones.green : tones.grey}>{v ? t('forms.active') : t('forms.inactive')}</Tag>
              ),
            },
            {
              title: t('queue.actions'),
              key: 'edit',
              render: (_, p) => (
                <Button
                  size="small"
                  aria-label={t('settings.editNamed', { name: p.name[language] })}
                  onClick={() => {
                    form.setFieldsValue({
                      minutes: p.windowSeconds / 60,
                      reminder: p.reminderAt ? Math.round(p.reminderAt * 100) : null,
                      escalations: p.escalations,
                      reassign: p.reassign,
                      active: p.active,
                      calendarId: p.calendarId,
                    });
                    setEditing(p);
                  }}
                >
                  {t('settings.edit')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={<h3 className="baton-card-title">{t('settings.calendars')}</h3>}
        extra={
          <Button size="small" onClick={() => editCalendar('new')}>
            {t('settings.addCalendar')}
          </Button>
        }
      >
        <Table<SlaCalendar>
          rowKey="id"
          size="small"
          loading={calendars.isPending}
          pagination={false}
          dataSource={calendars.data?.data ?? []}
          scroll={{ x: 800 }}
          columns={[
            {
              title: t('profile.name'),
              key: 'name',
              render: (_, c) => (
                <>
                  {c.name}
                  {c.isDefault && <Tag style={{ marginLeft: 8 }}>{t('settings.default')}</Tag>}
                </>
              ),
            },
            { title: t('profile.timeZone'), dataIndex: 'timeZone' },
            { title: t('profile.workingHours'), key: 'hours', render: (_, c) => hours(c) },
            {
              title: t('settings.holidays'),
              key: 'holidays',
              render: (_, c) => {
                if (!c.holidays) return '—';
                const country = countries.data?.data.find((x) => x.code === c.holidays!.country);
                const region = country?.regions.find((r) => r.code === c.holidays!.region);
                return [country?.name[language] ?? c.holidays.country, region?.name]
                  .filter(Boolean)
                  .join(', ');
              },
            },
            {
              title: t('settings.closures'),
              key: 'closures',
              render: (_, c) => c.closures.map((x) => `${x.from} – ${x.to}`).join(', ') || '—',
            },
            {
              title: t('queue.actions'),
              key: 'edit',
              render: (_, c) => (
                <Button
                  size="small"
                  aria-label={t('settings.editNamed', { name: c.name })}
                  onClick={() => editCalendar(c)}
                >
                  {t('settings.edit')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={calendar !== null}
        title={
          calendar === 'new'
            ? t('settings.addCalendar')
            : t('settings.editNamed', { name: calendar?.name ?? '' })
        }
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: saveCalendar.isPending }}
        onOk={() => calendarForm.submit()}
        onCancel={() => setCalendar(null)}
        footer={(buttons) => (
          <Space>
            {calendar !== null && calendar !== 'new' && !calendar.isDefault && (
              <DeleteButton
                label={t('hours.deleteCalendar')}
                confirm={t('hours.deleteCalendarConfirm', { name: calendar.name })}
                run={() => api.deleteCalendar(calendar.id)}
                invalidate={[['calendars'], ['checklist']]}
                onDeleted={() => setCalendar(null)}
              />
            )}
            {buttons}
          </Space>
        )}
        forceRender
        width={640}
      >
        <Form<CalendarValues>
          form={calendarForm}
          layout="horizontal"
          labelCol={{ span: 8 }}
          onFinish={(v) => saveCalendar.mutate(v)}
        >
          <Form.Item name="name" label={t('profile.name')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="timeZone" label={t('profile.timeZone')}>
            <Select
              showSearch
              options={Intl.supportedValuesOf('timeZone').map((z) => ({ value: z, label: z }))}
            />
          </Form.Item>
          <WorkingHoursFields name="hours" />
          <HolidayFields />
          <Form.List name="closures">
            {(items, { add, remove: drop }) => (
              <Form.Item label={t('settings.closures')}>
                <Space orientation="vertical">
                  {items.map((item) => (
                    <Space key={item.key}>
                      <Form.Item name={item.name} noStyle rules={[{ required: true }]}>
                        <DatePicker.RangePicker aria-label={t('settings.closures')} />
                      </Form.Item>
                      <Button size="small" onClick={() => drop(item.name)}>
                        {t('settings.remove')}
                      </Button>
                    </Space>
                  ))}
                  <Button size="small" onClick={() => add()}>
                    {t('settings.addClosure')}
                  </Button>
                </Space>
              </Form.Item>
            )}
          </Form.List>
          {calendar !== null && calendar !== 'new' && <ClosedDays calendarId={calendar.id} />}
        </Form>
      </Modal>
      <Modal
        open={editing !== null}
        title={t('settings.editNamed', { name: editing?.name[language] ?? '' })}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: save.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form<PolicyValues> form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="minutes" label={t('settings.windowMinutes')} rules={[{ required: true }]}>
            <InputNumber min={0.05} step={15} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="reminder" label={t('settings.reminderPercent')}>
            <InputNumber min={1} max={99} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="escalations" label={t('settings.escalations')}>
            <InputNumber min={0} max={5} />
          </Form.Item>
          <Form.Item name="reassign" label={t('settings.reassign')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="active" label={t('forms.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="calendarId" label={t('settings.calendar')}>
            <Select
              allowClear
              options={(calendars.data?.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

function ApiKeysTab() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: api.apiKeys });
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [form] = Form.useForm<{ name: string; role: Role }>();
  const create = useAction({
    run: api.createApiKey,
    invalidate: [['api-keys']],
    done: (key) => {
      setCreated(key);
      form.resetFields();
    },
  });
  const revoke = useSave((id: string) => api.revokeApiKey(id), [['api-keys']]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Form<{ name: string; role: Role }>
        form={form}
        layout="inline"
        initialValues={{ role: 'marketing' }}
        onFinish={(v) => create.mutate(v)}
      >
        <Form.Item name="name" label={t('profile.name')} rules={[{ required: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="role" label={t('settings.role')}>
          <Select style={{ width: 180 }} options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        <Button htmlType="submit" type="primary" loading={create.isPending}>
          {t('settings.createKey')}
        </Button>
      </Form>
      {created && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setCreated(null) }}
          title={t('settings.keyOnce')}
          description={
            <Typography.Text copyable code>
              {created.key}
            </Typography.Text>
          }
        />
      )}
      <Table<ApiKey>
        rowKey="id"
        size="small"
        loading={keys.isPending}
        dataSource={keys.data?.data ?? []}
        pagination={false}
        locale={{ emptyText: t('settings.noKeys') }}
        columns={[
          { title: t('profile.name'), dataIndex: 'name' },
          { title: t('settings.role'), dataIndex: 'role', render: (r: Role) => t(`roles.${r}`) },
          { title: t('settings.prefix'), dataIndex: 'prefix', render: (v: string) => <code>{v}…</code> },
          {
            title: t('settings.lastUsed'),
            dataIndex: 'lastUsedAt',
            render: (v: string | null) => formatMoment(v, user.timeZone, language),
          },
          {
            title: t('queue.status'),
            dataIndex: 'revokedAt',
            render: (v: string | null) => (
              <Tag style={v ? tones.grey : tones.green}>{v ? t('settings.revoked') : t('forms.active')}</Tag>
            ),
          },
          {
            title: t('queue.actions'),
            key: 'revoke',
            render: (_, k) =>
              !k.revokedAt && (
                <Popconfirm
                  title={t('settings.revokeConfirm')}
                  okText={t('settings.revoke')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => revoke.mutate(k.id)}
                >
                  <Button size="small" danger aria-label={`${t('settings.revoke')}: ${k.name}`}>
                    {t('settings.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Space>
  );
}

type DefaultPeriod = ReportingSettings['defaultPeriod'];
const defaultPeriods = Object.keys(en.metrics.periods) as DefaultPeriod[];

/** The one default period of every report page, so the same number reads the same everywhere. */
function ReportingTab() {
  const { t } = useTranslation();
  const metrics = useMetrics();
  const save = useAction({
    run: api.updateReportingSettings,
    invalidate: [['metrics']],
    success: t('settings.reportingSaved'),
  });
  return (
    <Card size="small">
      <Form layout="vertical" style={{ maxWidth: 480 }}>
        <Form.Item label={t('metrics.defaultPeriod')} extra={t('metrics.defaultPeriodHelp')}>
          <Select<DefaultPeriod>
            aria-label={t('metrics.defaultPeriod')}
            loading={metrics.isPending || save.isPending}
            value={metrics.data?.defaultPeriod}
            onChange={(defaultPeriod) => save.mutate({ defaultPeriod })}
            options={defaultPeriods.map((p) => ({ value: p, label: t(`metrics.periods.${p}`) }))}
          />
        </Form.Item>
      </Form>
    </Card>
  );
}

/** How long each kind of data is kept, what the daily job did last, and a dry run. */
function RetentionTab() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const settings = useQuery({ queryKey: ['retention'], queryFn: api.retentionSettings });
  const [dry, setDry] = useState<RetentionReport | null>(null);
  const save = useAction({
    run: api.updateRetentionSettings,
    invalidate: [['retention']],
    success: t('settings.retentionSaved'),
  });
  const preview = useAction({ run: () => api.runRetention(true), invalidate: [], done: setDry });
  const data = settings.data;
  const kinds = [
    'anonymousTouchesDays',
    'unconvertedLeadsDays',
    'emailBodiesDays',
    'webhookMessagesDays',
  ] as const;
  const describe = (r: RetentionReport) =>
    t('settings.retentionReport', {
      touches: r.anonymousTouches,
      leads: r.unconvertedLeads,
      emails: r.emailBodies,
      webhooks: r.webhookMessages,
    });
  return (
    <Card size="small" loading={settings.isPending}>
      {data && (
        <Form
          layout="vertical"
          style={{ maxWidth: 560 }}
          initialValues={data}
          onFinish={(v: Record<(typeof kinds)[number], number | null | undefined>) =>
            save.mutate(Object.fromEntries(kinds.map((k) => [k, v[k] ?? null])))
          }
        >
          <Typography.Paragraph type="secondary">{t('settings.retentionIntro')}</Typography.Paragraph>
          {kinds.map((k) => (
            <Form.Item
              key={k}
              name={k}
              label={t(`settings.retentionKinds.${k}`)}
              extra={t('settings.retentionKeep')}
            >
              <InputNumber min={30} max={3650} addonAfter={t('settings.days')} style={{ width: 200 }} />
            </Form.Item>
          ))}
          <Space wrap>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('settings.saveRetentionPeriods')}
            </Button>
            <Button loading={preview.isPending} onClick={() => preview.mutate(undefined)}>
              {t('settings.retentionDryRun')}
            </Button>
          </Space>
          {dry && <Alert style={{ marginTop: 16 }} type="info" showIcon title={describe(dry)} />}
          <Typography.Paragraph style={{ marginTop: 16 }} type="secondary">
            {data.lastRun
              ? t('settings.retentionLastRun', {
                  at: formatMoment(data.lastRun.at, user.timeZone, language),
                  what: describe(data.lastRun),
                })
              : t('settings.retentionNeverRun')}
          </Typography.Paragraph>
        </Form>
      )}
    </Card>
  );
}

/** The sign-in policy: SSO for everyone but a break-glass admin, two-step sign-in for roles. */
function SecurityTab() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['security-settings'], queryFn: api.securitySettings });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users });
  const save = useAction({
    run: api.updateSecuritySettings,
    invalidate: [['security-settings']],
    success: t('settings.securitySaved'),
  });
  const data = settings.data;
  return (
    <Card size="small" loading={settings.isPending}>
      {data && (
        <Form layout="vertical" style={{ maxWidth: 560 }}>
          {!data.ssoConfigured && (
            <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('settings.ssoNotConfigured')} />
          )}
          <Form.Item label={t('settings.ssoRequired')}>
            <Switch
              aria-label={t('settings.ssoRequired')}
              checked={data.ssoRequired}
              disabled={!data.ssoConfigured}
              loading={save.isPending}
              onChange={(ssoRequired) => save.mutate({ ssoRequired })}
            />
          </Form.Item>
          <Form.Item label={t('settings.breakGlass')} extra={t('settings.breakGlassHelp')}>
            <Select
              aria-label={t('settings.breakGlass')}
              allowClear
              value={data.breakGlassUserId ?? undefined}
              onChange={(id?: string) => save.mutate({ breakGlassUserId: id ?? null })}
              options={(users.data?.data ?? [])
                .filter((u) => u.role === 'admin' && u.isActive)
                .map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
            />
          </Form.Item>
          <Form.Item label={t('settings.mfaRoles')}>
            <Select<Role[]>
              aria-label={t('settings.mfaRoles')}
              mode="multiple"
              value={data.mfaRequiredRoles}
              onChange={(mfaRequiredRoles) => save.mutate({ mfaRequiredRoles })}
              options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            />
          </Form.Item>
        </Form>
      )}
    </Card>
  );
}

/** The admin's settings: people and teams with the manager chain, stages, routing, SLA, API keys. */
export function SettingsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const screens = Grid.useBreakpoint();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('settings.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('settings.intro')}</Typography.Paragraph>
      </div>
      {/* Ten tabs: down the side where there is room (a row would overflow into antd's "more"
          menu, whose tab list axe rightly refuses), across the top on a phone. */}
      <Tabs
        tabPlacement={screens.lg ? 'start' : 'top'}
        activeKey={params.get('tab') ?? 'users'}
        onChange={(tab) => setParams({ tab }, { replace: true })}
        items={[
          { key: 'users', label: t('settings.users'), children: <UsersTab /> },
          { key: 'teams', label: t('settings.teamsTab'), children: <TeamsTab /> },
          { key: 'stages', label: t('settings.stages'), children: <StagesTab /> },
          { key: 'routing', label: t('settings.routing'), children: <RoutingTab /> },
          { key: 'sla', label: t('settings.sla'), children: <SlaTab /> },
          { key: 'handoff', label: t('settings.handoffTab'), children: <HandoffSettingsTab /> },
          { key: 'keys', label: t('settings.apiKeys'), children: <ApiKeysTab /> },
          { key: 'webhooks', label: t('webhooks.tab'), children: <WebhooksSettings /> },
          { key: 'connections', label: t('connections.tab'), children: <ConnectionsSettings /> },
          { key: 'reporting', label: t('settings.reporting'), children: <ReportingTab /> },
          { key: 'security', label: t('settings.security'), children: <SecurityTab /> },
          { key: 'retention', label: t('settings.retentionTab'), children: <RetentionTab /> },
          { key: 'mail', label: t('mailLog.tab'), children: <MailLogSettingsTab /> },
        ]}
      />
    </Space>
  );
}
