import { useQuery } from '@tanstack/react-query';
import { Button, Form, Input, InputNumber, Modal, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { BonusPlan, PutBonusPlanBody } from '../../../src/contract/bonus.ts';
import { api } from '../api.ts';
import { personName } from '../format.ts';
import { PlanPeriodPicker, thisQuarter, type PlanPeriod } from './plan-period.tsx';
import { useAction } from './use-action.ts';

type Participant = PutBonusPlanBody['participants'][number];

/** The form's values: money in whole units (euros), percentages as percentages. */
interface BonusFields {
  name: string;
  period: PlanPeriod;
  metric: PutBonusPlanBody['metric'];
  plan: number;
  currency: string;
  poolAtPlan: number;
  marketingSharePct: number;
  thresholdPct: number;
  thresholdPayoutPct: number;
  acceleratorRate: number;
  capPct?: number | null;
  participants: {
    userId: string;
    side?: Participant['side'];
    /** Relative to the others on the same side; 1 when left empty. */
    weight?: number | null;
    /** Kept as they are: own components are set through the API. */
    components?: Participant['components'];
  }[];
}

const toMinor = (units: number) => Math.round(units * 100);

function initialOf(plan: BonusPlan | null): BonusFields {
  if (!plan)
    return {
      name: '',
      period: thisQuarter(),
      metric: 'bookings',
      plan: 0,
      currency: 'EUR',
      poolAtPlan: 0,
      marketingSharePct: 30,
      thresholdPct: 70,
      thresholdPayoutPct: 50,
      acceleratorRate: 2,
      capPct: 200,
      participants: [],
    };
  return {
    name: plan.name,
    period: { periodKind: plan.periodKind, periodStart: plan.periodStart },
    metric: plan.metric,
    plan: plan.plan / 100,
    currency: plan.currency,
    poolAtPlan: plan.poolAtPlan / 100,
    marketingSharePct: plan.marketingSharePct,
    thresholdPct: plan.curve.thresholdPct,
    thresholdPayoutPct: plan.curve.thresholdPayoutPct,
    acceleratorRate: plan.curve.acceleratorRate,
    capPct: plan.curve.capPct,
    participants: plan.participants.map((p) => ({
      userId: p.userId,
      side: p.side,
      weight: p.weight,
      components: p.components,
    })),
  };
}

/**
 * Creates or changes the joint bonus plan of a period (one per period: saving a period that has
 * one replaces it). Directors and admins only; the server checks every field again.
 */
export function BonusPlanForm({
  plan,
  open,
  onClose,
  onSaved,
}: {
  plan: BonusPlan | null;
  open: boolean;
  onClose: () => void;
  onSaved: (saved: BonusPlan) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<BonusFields>();
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, enabled: open });
  const people = (users.data?.data ?? []).filter((u) => u.isActive);
  const sideOf = (userId: string): Participant['side'] =>
    people.find((u) => u.id === userId)?.role === 'marketing' ? 'marketing' : 'sales';
  const save = useAction({
    run: (v: BonusFields) =>
      api.putBonusPlan({
        name: v.name.trim(),
        ...v.period,
        metric: v.metric,
        plan: toMinor(v.plan),
        currency: v.currency.toUpperCase(),
        poolAtPlan: toMinor(v.poolAtPlan),
        marketingSharePct: v.marketingSharePct,
        curve: {
          thresholdPct: v.thresholdPct,
          thresholdPayoutPct: v.thresholdPayoutPct,
          acceleratorRate: v.acceleratorRate,
          capPct: v.capPct ?? null,
        },
        participants: (v.participants ?? []).map((p) => ({
          userId: p.userId,
          side: p.side ?? sideOf(p.userId),
          weight: p.weight ?? 1,
          ...(p.components && p.components.length > 0 && { components: p.components }),
        })),
      }),
    invalidate: [['bonus-plans'], ['bonus-statements']],
    success: t('bonus.form.saved'),
    done: onSaved,
  });
  return (
    <Modal
      title={plan ? t('bonus.form.editTitle') : t('bonus.form.newTitle')}
      open={open}
      onCancel={onClose}
      width={760}
      destroyOnHidden
      okText={t('bonus.form.save')}
      cancelText={t('bonus.form.cancel')}
      okButtonProps={{ loading: save.isPending }}
      onOk={() => form.submit()}
    >
      <Form<BonusFields>
        form={form}
        layout="vertical"
        initialValues={initialOf(plan)}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="name" label={t('bonus.form.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="period" label={t('bonus.form.period')}>
          <PlanPeriodPickerField />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item name="metric" label={t('bonus.metric')}>
            <Select
              style={{ width: 160 }}
              options={(['bookings', 'pipeline'] as const).map((m) => ({
                value: m,
                label: t(`bonus.metrics.${m}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="plan"
            label={t('bonus.form.plan')}
            rules={[{ required: true, type: 'number', min: 0.01, message: t('bonus.form.positive') }]}
          >
            <InputNumber min={0} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item
            name="currency"
            label={t('bonus.form.currency')}
            rules={[{ required: true, pattern: /^[A-Za-z]{3}$/, message: t('bonus.form.currencyRule') }]}
          >
            <Input style={{ width: 80 }} maxLength={3} />
          </Form.Item>
          <Form.Item name="poolAtPlan" label={t('bonus.form.pool')} rules={[{ required: true }]}>
            <InputNumber min={0} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item
            name="marketingSharePct"
            label={t('bonus.form.marketingShare')}
            rules={[{ required: true }]}
          >
            <InputNumber min={0} max={100} suffix="%" style={{ width: 110 }} />
          </Form.Item>
        </Space>
        <Typography.Title level={5}>{t('bonus.form.curve')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('bonus.form.curveHelp')}</Typography.Paragraph>
        <Space wrap align="start">
          <Form.Item name="thresholdPct" label={t('bonus.form.threshold')} rules={[{ required: true }]}>
            <InputNumber min={0} max={100} suffix="%" style={{ width: 110 }} />
          </Form.Item>
          <Form.Item
            name="thresholdPayoutPct"
            label={t('bonus.form.thresholdPayout')}
            rules={[{ required: true }]}
          >
            <InputNumber min={0} max={100} suffix="%" style={{ width: 110 }} />
          </Form.Item>
          <Form.Item name="acceleratorRate" label={t('bonus.form.accelerator')} rules={[{ required: true }]}>
            <InputNumber min={0} max={10} step={0.5} style={{ width: 110 }} />
          </Form.Item>
          <Form.Item name="capPct" label={t('bonus.form.cap')}>
            <InputNumber
              min={100}
              max={1000}
              suffix="%"
              style={{ width: 110 }}
              placeholder={t('bonus.form.noCap')}
            />
          </Form.Item>
        </Space>
        <Typography.Title level={5}>{t('bonus.form.participants')}</Typography.Title>
        <Form.List name="participants">
          {(fields, { add, remove }) => (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {fields.map((field) => (
                <Space key={field.key} wrap align="start">
                  <Form.Item
                    name={[field.name, 'userId']}
                    label={t('bonus.person')}
                    rules={[{ required: true, message: t('bonus.form.pickPerson') }]}
                  >
                    <Select
                      style={{ width: 220 }}
                      showSearch={{ optionFilterProp: 'label' }}
                      options={people.map((u) => ({ value: u.id, label: personName(t, u) }))}
                      onChange={(userId: string) =>
                        form.setFieldValue(['participants', field.name, 'side'], sideOf(userId))
                      }
                    />
                  </Form.Item>
                  <Form.Item name={[field.name, 'side']} label={t('bonus.side')}>
                    <Select
                      style={{ width: 130 }}
                      options={(['marketing', 'sales'] as const).map((s) => ({
                        value: s,
                        label: t(`bonus.sides.${s}`),
                      }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'weight']}
                    label={t('bonus.form.weight')}
                    rules={[{ type: 'number', min: 0.01, message: t('bonus.form.positive') }]}
                  >
                    <InputNumber min={0} max={100} style={{ width: 90 }} placeholder="1" />
                  </Form.Item>
                  <Form.Item label=" ">
                    <Button onClick={() => remove(field.name)}>{t('bonus.form.removePerson')}</Button>
                  </Form.Item>
                </Space>
              ))}
              <Button onClick={() => add()}>{t('bonus.form.addPerson')}</Button>
            </Space>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

/** The period picker as a form field (the Form passes value and onChange). */
function PlanPeriodPickerField({
  value,
  onChange,
}: {
  value?: PlanPeriod;
  onChange?: (p: PlanPeriod) => void;
}) {
  return <PlanPeriodPicker value={value ?? thisQuarter()} onChange={(p) => onChange?.(p)} />;
}
