import { useQuery } from '@tanstack/react-query';
import { Button, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReassignBody } from '../../../src/contract/routing.ts';
import type { WaiveBody } from '../../../src/contract/sla.ts';
import { api } from '../api.ts';
import { personName } from '../format.ts';
import { leadQueries, useAction } from './use-action.ts';

/** Waive a breach, only with a written reason: it then does not count against the rep. */
export function WaiveButton({ clockId, name }: { clockId: string; name: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<WaiveBody>();
  const waive = useAction({
    run: (body: WaiveBody) => api.waive(clockId, body),
    invalidate: leadQueries,
    success: t('board.waived', { name }),
    done: () => setOpen(false),
  });
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} aria-label={t('board.waiveNamed', { name })}>
        {t('board.waive')}
      </Button>
      <Modal
        open={open}
        title={t('board.waiveTitle', { name })}
        okText={t('board.waive')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: waive.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<WaiveBody> form={form} layout="vertical" onFinish={(body) => waive.mutate(body)}>
          <Form.Item
            name="reason"
            label={t('board.waiveReason')}
            extra={t('board.waiveHint')}
            rules={[{ required: true, min: 5, message: t('board.waiveReasonNeeded') }]}
          >
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** Give a lead to another rep (a manager within their team), with a reason for the record. */
export function ReassignButton({
  contactId,
  name,
  currentUserId,
  label,
}: {
  contactId: string;
  name: string;
  currentUserId: string | null;
  label?: string;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<ReassignBody>();
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000, enabled: open });
  const reassign = useAction({
    run: (body: ReassignBody) => api.reassign(contactId, body),
    invalidate: leadQueries,
    success: t('board.reassigned', { name }),
    done: () => setOpen(false),
  });
  return (
    <>
      <Button
        size="small"
        onClick={() => setOpen(true)}
        aria-label={`${label ?? t('board.reassign')}: ${name}`}
      >
        {label ?? t('board.reassign')}
      </Button>
      <Modal
        open={open}
        // A lead no one has goes to a rep, not to 'another' one.
        title={t(currentUserId ? 'board.reassignTitle' : 'board.assignTitle', { name })}
        okText={label ?? t('board.reassign')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: reassign.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<ReassignBody> form={form} layout="vertical" onFinish={(body) => reassign.mutate(body)}>
          <Form.Item
            name="userId"
            label={t('board.newRep')}
            rules={[{ required: true, message: t('board.repNeeded') }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={users.isPending}
              options={(users.data?.data ?? [])
                .filter((u) => u.isActive && u.role === 'sales_rep' && u.id !== currentUserId)
                .map((u) => ({ value: u.id, label: personName(t, u) }))}
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('board.reassignReason')}
            rules={[{ required: true, min: 3, message: t('board.reassignReasonNeeded') }]}
          >
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
