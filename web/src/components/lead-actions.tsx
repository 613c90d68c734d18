import { useQuery } from '@tanstack/react-query';
import { Button, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LogActivityBody, RejectBody } from '../../../src/contract/handoff.ts';
import { api } from '../api.ts';
import { leadQueries, useAction } from './use-action.ts';

export { problemText } from './use-action.ts';

/** Accept (MQL → SAL) and reject with an agreed reason: the rep's two answers to a handover. */
export function DecisionButtons({ contactId, name }: { contactId: string; name: string }) {
  const { t, i18n } = useTranslation();
  const [rejecting, setRejecting] = useState(false);
  const [form] = Form.useForm<RejectBody>();
  const reasons = useQuery({ queryKey: ['reasons'], queryFn: api.reasons, enabled: rejecting });
  const accept = useAction({
    run: () => api.accept(contactId, {}),
    invalidate: leadQueries,
    success: t('lead.accepted', { name }),
  });
  const reject = useAction({
    run: (body: RejectBody) => api.reject(contactId, body),
    invalidate: leadQueries,
    success: t('lead.rejected', { name }),
    done: () => {
      setRejecting(false);
      form.resetFields();
    },
  });
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  return (
    <Space wrap>
      <Button
        type="primary"
        size="small"
        loading={accept.isPending}
        onClick={() => accept.mutate(undefined)}
        aria-label={t('lead.acceptNamed', { name })}
      >
        {t('lead.accept')}
      </Button>
      <Button
        size="small"
        danger
        onClick={() => setRejecting(true)}
        aria-label={t('lead.rejectNamed', { name })}
      >
        {t('lead.reject')}
      </Button>
      <Modal
        open={rejecting}
        title={t('lead.rejectTitle', { name })}
        okText={t('lead.reject')}
        cancelText={t('common.cancel')}
        okButtonProps={{ danger: true, loading: reject.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setRejecting(false)}
        destroyOnHidden
      >
        <Form<RejectBody> form={form} layout="vertical" onFinish={(body) => reject.mutate(body)}>
          <Form.Item
            name="reasonCode"
            label={t('lead.reason')}
            rules={[{ required: true, message: t('lead.reasonNeeded') }]}
          >
            <Select
              loading={reasons.isPending}
              options={(reasons.data?.data ?? [])
                .filter((r) => r.active)
                .map((r) => ({
                  value: r.key,
                  label: `${r.label[language]} (${t(`reasonOutcome.${r.outcome}`)})`,
                }))}
            />
          </Form.Item>
          <Form.Item name="note" label={t('lead.note')}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

/** Log a call, email or meeting: the genuine response the follow-up clock waits for. */
export function LogActivityButton({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ type: LogActivityBody['type']; note?: string; at?: Dayjs }>();
  const log = useAction({
    invalidate: leadQueries,
    success: t('lead.activityLogged'),
    done: () => {
      setOpen(false);
      form.resetFields();
    },
    run: (values: { type: LogActivityBody['type']; note?: string; at?: Dayjs }) =>
      api.logActivity(contactId, {
        type: values.type,
        ...(values.note && { note: values.note }),
        ...(values.at && { occurredAt: values.at.toISOString() }),
      }),
  });
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        {t('lead.logActivity')}
      </Button>
      <Modal
        open={open}
        title={t('lead.logActivity')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: log.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ type: 'call_logged' }}
          onFinish={(v) => log.mutate(v)}
        >
          <Form.Item name="type" label={t('lead.activityType')}>
            <Radio.Group
              options={(['call_logged', 'email_sent', 'meeting_held'] as const).map((value) => ({
                value,
                label: t(`touch.${value}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="at" label={t('lead.activityAt')}>
            <DatePicker
              showTime={{ format: 'HH:mm' }}
              format="YYYY-MM-DD HH:mm"
              disabledDate={(d) => d.isAfter(dayjs().endOf('day'))}
              placeholder={t('lead.now')}
            />
          </Form.Item>
          <Form.Item name="note" label={t('lead.note')}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** Qualify an accepted lead to SQL: every item of the agreed checklist confirmed. */
export function QualifyButton({ contactId }: { contactId: string }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const settings = useQuery({ queryKey: ['handoff-settings'], queryFn: api.handoffSettings, enabled: open });
  const [checked, setChecked] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const items = settings.data?.qualificationChecklist ?? [];
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const qualify = useAction({
    run: () =>
      api.qualify(contactId, {
        answers: Object.fromEntries(items.map((i) => [i.key, checked.includes(i.key)])),
        ...(note && { note }),
      }),
    invalidate: leadQueries,
    success: t('lead.qualified'),
    done: () => setOpen(false),
  });
  return (
    <>
      <Button size="small" type="primary" onClick={() => setOpen(true)}>
        {t('lead.qualify')}
      </Button>
      <Modal
        open={open}
        title={t('lead.qualifyTitle')}
        okText={t('lead.qualify')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: qualify.isPending, disabled: checked.length < items.length }}
        onOk={() => qualify.mutate(undefined)}
        onCancel={() => setOpen(false)}
      >
        <Checkbox.Group
          style={{ display: 'grid', gap: 8, marginBottom: 16 }}
          value={checked}
          onChange={(values) => setChecked(values)}
          options={items.map((i) => ({ value: i.key, label: i.label[language] }))}
        />
        <label htmlFor="qualify-note">{t('lead.note')}</label>
        <Input.TextArea id="qualify-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </Modal>
    </>
  );
}

/** Open an opportunity from an SQL: amount in the currency's minor units, expected close date. */
export function CreateOpportunityButton({ contactId, name }: { contactId: string; name: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  type Values = { name: string; amount?: number; currency: string; closeOn?: Dayjs; product?: string };
  const [form] = Form.useForm<Values>();
  const create = useAction({
    invalidate: leadQueries,
    success: t('lead.opportunityCreated'),
    done: () => setOpen(false),
    run: (v: Values) =>
      api.createOpportunity({
        name: v.name,
        contactId,
        currency: v.currency,
        ...(v.amount !== undefined && v.amount !== null && { amountMinor: Math.round(v.amount * 100) }),
        ...(v.closeOn && { expectedCloseOn: v.closeOn.format('YYYY-MM-DD') }),
        ...(v.product && { product: v.product }),
      }),
  });
  return (
    <>
      <Button size="small" type="primary" onClick={() => setOpen(true)}>
        {t('lead.createOpportunity')}
      </Button>
      <Modal
        open={open}
        title={t('lead.createOpportunity')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: create.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<Values>
          form={form}
          layout="vertical"
          initialValues={{ name, currency: 'EUR' }}
          onFinish={(v) => create.mutate(v)}
        >
          <Form.Item name="name" label={t('opportunity.name')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="amount" label={t('opportunity.amount')}>
              <InputNumber min={0} step={1000} style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="currency" label={t('opportunity.currency')}>
              <Select
                style={{ width: 100 }}
                options={['EUR', 'USD', 'GBP'].map((c) => ({ value: c, label: c }))}
              />
            </Form.Item>
          </Space>
          <Form.Item name="closeOn" label={t('opportunity.expectedClose')}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="product" label={t('opportunity.product')}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
