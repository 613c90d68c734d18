import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type {
  AttributionModel,
  AttributionSettings,
  CampaignCost,
  UpdateAttributionSettingsBody,
} from '../../../src/contract/attribution.ts';
import { attributionModels } from '../../../src/domain/attribution/rule-models.ts';
import { api } from '../api.ts';
import { channelName, formatMoney } from '../format.ts';
import { useUser } from '../session.ts';
import { useAction } from './use-action.ts';

interface CostFields {
  campaign: string;
  channel?: string;
  period: [Dayjs, Dayjs];
  amount: number;
  currency: string;
  note?: string;
}

/**
 * What campaigns cost, entered by Marketing (or an admin): each amount is spread over its days in
 * the reports, giving cost per MQL, SQL and won deal, ROI and CAC. Everyone else reads the list.
 */
export function CampaignCosts() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const user = useUser();
  const mayWrite = user.role === 'admin' || user.role === 'marketing';
  const [form] = Form.useForm<CostFields>();
  const costs = useQuery({ queryKey: ['attribution-costs'], queryFn: api.attributionCosts });
  // A cost changes every campaign return and cost per stage in the reports.
  const invalidate = [['attribution-costs'], ['attribution'], ['attribution-comparison']];
  const create = useAction({
    run: (v: CostFields) =>
      api.createCampaignCost({
        campaign: v.campaign.trim(),
        channel: v.channel?.trim() ? v.channel.trim() : null,
        startsOn: v.period[0].format('YYYY-MM-DD'),
        endsOn: v.period[1].format('YYYY-MM-DD'),
        amountMinor: Math.round(v.amount * 100),
        currency: v.currency.toUpperCase(),
        note: v.note?.trim() ? v.note.trim() : null,
      }),
    invalidate,
    success: t('attribution.costs.saved'),
    done: () => form.resetFields(['campaign', 'channel', 'amount', 'note']),
  });
  const remove = useAction({ run: (id: string) => api.removeCampaignCost(id), invalidate });
  return (
    <Card title={<h2 className="baton-card-title">{t('attribution.costs.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('attribution.costs.intro')}</Typography.Paragraph>
      <Table<CampaignCost>
        rowKey="id"
        size="small"
        loading={costs.isPending}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: t('attribution.costs.none') }}
        dataSource={costs.data?.data ?? []}
        columns={[
          { title: t('attribution.campaign'), dataIndex: 'campaign' },
          {
            title: t('attribution.costs.channel'),
            dataIndex: 'channel',
            render: (c: string | null) => (c ? channelName(t, c) : '—'),
          },
          {
            title: t('attribution.costs.period'),
            key: 'period',
            render: (_: unknown, c) => `${c.startsOn} – ${c.endsOn}`,
          },
          {
            title: t('attribution.costs.amount'),
            key: 'amount',
            align: 'right',
            render: (_: unknown, c) => formatMoney(c.amountMinor, c.currency, language),
          },
          { title: t('attribution.costs.note'), dataIndex: 'note', render: (n: string | null) => n ?? '' },
          ...(mayWrite
            ? [
                {
                  title: '',
                  key: 'remove',
                  render: (_: unknown, c: CampaignCost) => (
                    <Popconfirm
                      title={t('attribution.costs.removeConfirm', { campaign: c.campaign })}
                      okText={t('attribution.costs.remove')}
                      cancelText={t('attribution.costs.cancel')}
                      onConfirm={() => remove.mutate(c.id)}
                    >
                      <Button size="small" danger>
                        {t('attribution.costs.remove')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      {mayWrite && (
        <Form<CostFields>
          form={form}
          layout="vertical"
          style={{ marginTop: 16 }}
          initialValues={{ currency: 'EUR' }}
          onFinish={(v) => create.mutate(v)}
        >
          <Space wrap align="start">
            <Form.Item
              name="campaign"
              label={t('attribution.campaign')}
              rules={[{ required: true, whitespace: true, message: t('attribution.costs.required') }]}
            >
              <Input maxLength={200} style={{ width: 200 }} />
            </Form.Item>
            <Form.Item name="channel" label={t('attribution.costs.channelOptional')}>
              <Input maxLength={100} style={{ width: 150 }} />
            </Form.Item>
            <Form.Item
              name="period"
              label={t('attribution.costs.period')}
              rules={[{ required: true, message: t('attribution.costs.required') }]}
            >
              <DatePicker.RangePicker
                aria-label={t('attribution.costs.period')}
                allowClear={false}
                id={{ start: 'cost-starts-on', end: 'cost-ends-on' }}
              />
            </Form.Item>
            <Form.Item
              name="amount"
              label={t('attribution.costs.amount')}
              rules={[{ required: true, message: t('attribution.costs.required') }]}
            >
              <InputNumber min={0} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item
              name="currency"
              label={t('attribution.costs.currency')}
              rules={[
                { required: true, pattern: /^[A-Za-z]{3}$/, message: t('attribution.costs.currencyRule') },
              ]}
            >
              <Input maxLength={3} style={{ width: 80 }} />
            </Form.Item>
            <Form.Item name="note" label={t('attribution.costs.note')}>
              <Input maxLength={2000} style={{ width: 220 }} />
            </Form.Item>
            <Form.Item label=" ">
              <Button type="primary" htmlType="submit" loading={create.isPending}>
                {t('attribution.costs.add')}
              </Button>
            </Form.Item>
          </Space>
        </Form>
      )}
    </Card>
  );
}

type SettingsFields = Omit<AttributionSettings, 'updatedAt'>;
const milestones = ['firstTouch', 'leadCreation', 'opportunityCreation', 'closedWon', 'rest'] as const;

/**
 * The agreed attribution model and its settings (admins). A change outside a signed agreement is
 * flagged on the agreement page, as every other agreed setting is.
 */
export function AttributionSettingsCard() {
  const { t } = useTranslation();
  const user = useUser();
  const [form] = Form.useForm<SettingsFields>();
  const settings = useQuery({ queryKey: ['attribution-settings'], queryFn: api.attributionSettings });
  const save = useAction({
    run: (v: UpdateAttributionSettingsBody) => api.updateAttributionSettings(v),
    invalidate: [['attribution-settings'], ['attribution'], ['attribution-comparison']],
    success: t('attribution.settings.saved'),
  });
  const model = Form.useWatch('model', form);
  if (user.role !== 'admin' || !settings.data) return null;
  return (
    <Card title={<h2 className="baton-card-title">{t('attribution.settings.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('attribution.settings.intro')}</Typography.Paragraph>
      <Form<SettingsFields>
        form={form}
        layout="vertical"
        initialValues={settings.data}
        onFinish={(v) => save.mutate(v)}
      >
        <Space wrap align="start">
          <Form.Item name="model" label={t('attribution.settings.model')}>
            <Select<AttributionModel>
              style={{ width: 240 }}
              options={attributionModels.map((m) => ({ value: m, label: t(`attribution.models.${m}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="lookbackDays"
            label={t('attribution.settings.lookbackDays')}
            rules={[{ required: true }]}
          >
            <InputNumber min={1} max={3650} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item
            name="dedupeMinutes"
            label={t('attribution.settings.dedupeMinutes')}
            rules={[{ required: true }]}
          >
            <InputNumber min={0} max={10080} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item
            name="halfLifeDays"
            label={t('attribution.settings.halfLifeDays')}
            rules={[{ required: true }]}
          >
            <InputNumber min={0.1} max={3650} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item
            name="includeSalesTouches"
            label={t('attribution.settings.includeSalesTouches')}
            valuePropName="checked"
          >
            <Switch />
          </Form.Item>
        </Space>
        {model === 'custom' && (
          <>
            <Typography.Paragraph>{t('attribution.settings.customHelp')}</Typography.Paragraph>
            <Space wrap align="start">
              {milestones.map((m) => (
                <Form.Item
                  key={m}
                  name={['customWeights', m]}
                  label={t(`attribution.settings.weights.${m}`)}
                  rules={[{ required: true }]}
                >
                  <InputNumber min={0} max={100} suffix="%" style={{ width: 110 }} />
                </Form.Item>
              ))}
            </Space>
          </>
        )}
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('attribution.settings.save')}
        </Button>
      </Form>
    </Card>
  );
}
