import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Form, Input, Popconfirm, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  alertKinds,
  type AlertChannel,
  type AlertKind,
  type AlertSettings,
  type AlertSettingsUpdate,
  type ChatProvider,
} from '../../../src/contract/alerts.ts';
import { api } from '../api.ts';
import { showFieldErrors, useAction } from './use-action.ts';

interface Values {
  slackUrl?: string;
  teamsUrl?: string;
  routes: Record<AlertKind, AlertChannel[]>;
}

/** A chat's address: typed once, then shown only as a hint; sent a test, or removed. */
function ChatAddressField({
  provider,
  settings,
  teamId,
}: {
  provider: ChatProvider;
  settings: AlertSettings;
  teamId: string | undefined;
}) {
  const { t } = useTranslation();
  const key = teamId ?? 'me';
  const current = settings[provider];
  const test = useAction({
    run: () => api.testAlert(teamId, provider),
    invalidate: [],
    success: (result) =>
      result.ok ? t('alerts.testSent') : t('alerts.testFailed', { error: result.error ?? '' }),
  });
  const remove = useAction({
    run: () =>
      api.updateAlertSettings(teamId, provider === 'slack' ? { slackUrl: null } : { teamsUrl: null }),
    invalidate: [['alert-settings', key]],
    success: t('alerts.removed'),
  });
  const name = provider === 'slack' ? 'slackUrl' : 'teamsUrl';
  return (
    <Form.Item
      label={provider === 'slack' ? t('alerts.slack') : t('alerts.teams')}
      extra={provider === 'slack' ? t('alerts.slackHint') : t('alerts.teamsHint')}
    >
      <Space.Compact style={{ width: '100%' }}>
        <Form.Item name={name} noStyle>
          <Input
            aria-label={provider === 'slack' ? t('alerts.slack') : t('alerts.teams')}
            placeholder={current.configured ? t('alerts.keep', { hint: current.hint ?? '' }) : 'https://…'}
            autoComplete="off"
          />
        </Form.Item>
        {current.configured && (
          <>
            <Button onClick={() => test.mutate(undefined)} loading={test.isPending}>
              {t('alerts.test')}
            </Button>
            <Popconfirm title={t('alerts.removeConfirm')} onConfirm={() => remove.mutate(undefined)}>
              <Button danger>{t('alerts.remove')}</Button>
            </Popconfirm>
          </>
        )}
      </Space.Compact>
    </Form.Item>
  );
}

/**
 * Where alerts go: for a person, email, Slack and Teams per kind of alert; for a team (set by its
 * manager), the Slack and Teams channel its members' alerts are posted to. The bell always has a
 * person's alerts.
 */
export function AlertChannelsCard({ team }: { team?: { id: string; name: string } }) {
  const { t } = useTranslation();
  const teamId = team?.id;
  const key = teamId ?? 'me';
  const [form] = Form.useForm<Values>();
  const settings = useQuery({ queryKey: ['alert-settings', key], queryFn: () => api.alertSettings(teamId) });
  const typedSlack = Form.useWatch('slackUrl', form);
  const typedTeams = Form.useWatch('teamsUrl', form);
  const save = useAction({
    run: (body: AlertSettingsUpdate) => api.updateAlertSettings(teamId, body),
    invalidate: [['alert-settings', key]],
    success: t('alerts.saved'),
    done: () => form.setFieldsValue({ slackUrl: '', teamsUrl: '' }),
  });
  if (!settings.data)
    return <Card loading title={<h2 className="baton-card-title">{t('alerts.title')}</h2>} />;
  const data = settings.data;
  const channels: AlertChannel[] = team ? ['slack', 'teams'] : ['email', 'slack', 'teams'];
  const usable = (channel: AlertChannel) =>
    channel === 'email' ||
    data[channel].configured ||
    Boolean(channel === 'slack' ? typedSlack?.trim() : typedTeams?.trim());
  const channelLabel = (channel: AlertChannel) =>
    channel === 'email' ? t('alerts.email') : channel === 'slack' ? t('alerts.slack') : t('alerts.teams');
  return (
    <Card
      title={
        <h2 className="baton-card-title">
          {team ? t('alerts.teamTitle', { name: team.name }) : t('alerts.title')}
        </h2>
      }
    >
      <Typography.Paragraph type="secondary">
        {team ? t('alerts.teamIntro') : t('alerts.intro')}
      </Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ routes: data.routes }}
        key={data.updatedAt ?? 'new'}
        onFinish={(v) => {
          const body: AlertSettingsUpdate = { routes: v.routes };
          if (v.slackUrl?.trim()) body.slackUrl = v.slackUrl.trim();
          if (v.teamsUrl?.trim()) body.teamsUrl = v.teamsUrl.trim();
          save.mutate(body, {
            onError: (e) => void showFieldErrors(form, e, ['slackUrl', 'teamsUrl']),
          });
        }}
      >
        <ChatAddressField provider="slack" settings={data} teamId={teamId} />
        <ChatAddressField provider="teams" settings={data} teamId={teamId} />
        {!team && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('alerts.bell')} />}
        <Table
          size="small"
          rowKey={(kind) => kind}
          pagination={false}
          // The kinds the server lists: a person's are those of their role (a rep is never sent an escalation).
          dataSource={alertKinds.filter((kind) => kind in data.routes)}
          columns={[
            { title: t('alerts.kind'), render: (_: unknown, kind: AlertKind) => t(`alerts.kinds.${kind}`) },
            ...channels.map((channel) => ({
              title: channelLabel(channel),
              width: 90,
              render: (_: unknown, kind: AlertKind) => (
                <Form.Item
                  noStyle
                  name={['routes', kind]}
                  getValueProps={(value: AlertChannel[] | undefined) => ({
                    checked: (value ?? []).includes(channel),
                  })}
                  getValueFromEvent={(event: { target: { checked: boolean } }) => {
                    const current =
                      (form.getFieldValue(['routes', kind]) as AlertChannel[] | undefined) ?? [];
                    return event.target.checked
                      ? [...current.filter((c) => c !== channel), channel]
                      : current.filter((c) => c !== channel);
                  }}
                >
                  <Checkbox
                    disabled={!usable(channel)}
                    aria-label={`${t(`alerts.kinds.${kind}`)}: ${channelLabel(channel)}`}
                  />
                </Form.Item>
              ),
            })),
          ]}
        />
        <Button type="primary" htmlType="submit" loading={save.isPending} style={{ marginTop: 16 }}>
          {t('alerts.save')}
        </Button>
      </Form>
    </Card>
  );
}
