import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { MarketingCommitment } from '../../../src/contract/sla.ts';
import { api } from '../api.ts';
import { DeleteButton } from '../components/delete-button.tsx';
import { showFieldErrors, useAction } from '../components/use-action.ts';
import { formatPercent, personName } from '../format.ts';
import { useUser } from '../session.ts';
import { tones, type Tone } from '../theme.ts';

const toneOf: Record<MarketingCommitment['pace']['status'], Tone> = {
  upcoming: 'grey',
  on_track: 'green',
  at_risk: 'orange',
  behind: 'red',
  met: 'green',
  missed: 'red',
};

interface Values {
  period: 'month' | 'quarter';
  start: Dayjs;
  mqlTarget: number;
  minAcceptance: number;
  tolerance: number;
  ownerId: string | null;
  calendarId: string | null;
  note: string;
}

// The server's names for the fields, and the form's.
const fieldNames = {
  startsOn: 'start',
  mqlTarget: 'mqlTarget',
  minAcceptanceRate: 'minAcceptance',
  tolerance: 'tolerance',
  ownerId: 'ownerId',
  calendarId: 'calendarId',
  note: 'note',
};

/**
 * Marketing's commitments to Sales, period by period: how many MQLs, the acceptance Sales should
 * reach, how far under an even pace is "behind". Marketing, the directors and admins make and
 * change them; everyone reads them and their pace.
 */
export function CommitmentsPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const user = useUser();
  const canEdit = user.role === 'marketing' || user.role === 'director' || user.role === 'admin';
  const commitments = useQuery({ queryKey: ['commitments'], queryFn: api.commitments });
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, enabled: canEdit });
  const calendars = useQuery({ queryKey: ['calendars'], queryFn: api.calendars, enabled: canEdit });
  const [editing, setEditing] = useState<MarketingCommitment | 'new' | null>(null);
  const [form] = Form.useForm<Values>();
  const period = Form.useWatch('period', form);

  const save = useAction({
    run: (v: Values) => {
      const terms = {
        mqlTarget: v.mqlTarget,
        minAcceptanceRate: v.minAcceptance / 100,
        tolerance: v.tolerance / 100,
        ownerId: v.ownerId ?? null,
        calendarId: v.calendarId ?? null,
        note: v.note?.trim() ? v.note.trim() : null,
      };
      if (editing === 'new')
        return api.createCommitment({
          period: v.period,
          // The first day of the month, or of the quarter the chosen month lies in.
          startsOn: v.start
            .startOf('month')
            .month(v.period === 'quarter' ? v.start.month() - (v.start.month() % 3) : v.start.month())
            .format('YYYY-MM-DD'),
          ...terms,
        });
      return api.updateCommitment((editing as MarketingCommitment).id, terms);
    },
    invalidate: [['commitments'], ['commitment'], ['checklist']],
    success: t('profile.saved'),
    done: () => setEditing(null),
  });

  const open = (c: MarketingCommitment | 'new') => {
    const source = c === 'new' ? null : c;
    const next = dayjs().add(1, 'month').startOf('month');
    form.resetFields();
    form.setFieldsValue({
      period: source?.period ?? 'month',
      start: source ? dayjs(source.startsOn) : next,
      mqlTarget: source?.mqlTarget ?? 100,
      minAcceptance: Math.round((source?.minAcceptanceRate ?? 0.7) * 100),
      tolerance: Math.round((source?.tolerance ?? 0.1) * 100),
      ownerId: source ? source.ownerId : user.role === 'marketing' ? user.id : null,
      calendarId: source?.calendarId ?? null,
      note: source?.note ?? '',
    });
    setEditing(c);
  };

  const owners = (users.data?.data ?? []).filter(
    (u) => u.isActive && (u.role === 'marketing' || u.role === 'admin'),
  );
  const list = [...(commitments.data?.data ?? [])].sort((a, b) => b.startsOn.localeCompare(a.startsOn));

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('commitments.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('commitments.intro')}</Typography.Paragraph>
      </div>
      {commitments.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      {canEdit && (
        <Space>
          <Button type="primary" onClick={() => open('new')}>
            {t('commitments.new')}
          </Button>
        </Space>
      )}
      <Table<MarketingCommitment>
        rowKey="id"
        size="small"
        loading={commitments.isPending}
        pagination={false}
        dataSource={list}
        scroll={{ x: 900 }}
        locale={{ emptyText: t('commitments.empty') }}
        columns={[
          {
            title: t('commitments.period'),
            key: 'period',
            render: (_, c) => (
              <Link to={`/commitments/${c.id}`}>
                {t(`commitment.period.${c.period}`)} {c.startsOn} – {c.endsOn}
              </Link>
            ),
          },
          { title: t('commitments.target'), dataIndex: 'mqlTarget', align: 'right' },
          {
            title: t('commitment.delivered'),
            key: 'delivered',
            align: 'right',
            render: (_, c) => c.pace.delivered,
          },
          {
            title: t('commitments.minAcceptance'),
            key: 'acceptance',
            align: 'right',
            render: (_, c) => formatPercent(c.minAcceptanceRate, language),
          },
          { title: t('commitments.owner'), key: 'owner', render: (_, c) => c.ownerName ?? '—' },
          {
            title: t('queue.status'),
            key: 'status',
            render: (_, c) => (
              <Tag style={tones[toneOf[c.pace.status]]}>{t(`commitment.status.${c.pace.status}`)}</Tag>
            ),
          },
          ...(canEdit
            ? [
                {
                  title: t('queue.actions'),
                  key: 'edit',
                  render: (_: unknown, c: MarketingCommitment) => (
                    <Button
                      size="small"
                      aria-label={t('settings.editNamed', {
                        name: `${t(`commitment.period.${c.period}`)} ${c.startsOn}`,
                      })}
                      onClick={() => open(c)}
                    >
                      {t('settings.edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={editing !== null}
        title={
          editing === 'new'
            ? t('commitments.new')
            : t('settings.editNamed', {
                name: editing ? `${t(`commitment.period.${editing.period}`)} ${editing.startsOn}` : '',
              })
        }
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: save.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        footer={(buttons) => (
          <Space>
            {editing !== null && editing !== 'new' && (
              <DeleteButton
                label={t('commitments.delete')}
                confirm={t('commitments.deleteConfirm')}
                run={() => api.deleteCommitment(editing.id)}
                invalidate={[['commitments']]}
                onDeleted={() => setEditing(null)}
              />
            )}
            {buttons}
          </Space>
        )}
        forceRender
        width={600}
      >
        <Form<Values>
          form={form}
          layout="horizontal"
          labelCol={{ span: 10 }}
          requiredMark={false}
          onFinish={(v) =>
            save.mutate(v, {
              onError: (e) => void showFieldErrors(form, e, fieldNames),
            })
          }
        >
          <Form.Item name="period" label={t('commitments.period')}>
            <Select
              disabled={editing !== 'new'}
              options={(['month', 'quarter'] as const).map((p) => ({
                value: p,
                label: t(`commitment.period.${p}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="start"
            label={t('commitments.start')}
            extra={period === 'quarter' ? t('commitments.quarterHelp') : undefined}
            rules={[{ required: true }]}
          >
            <DatePicker picker="month" disabled={editing !== 'new'} aria-label={t('commitments.start')} />
          </Form.Item>
          <Form.Item
            name="mqlTarget"
            label={t('commitments.target')}
            rules={[{ required: true, message: t('commitments.targetNeeded') }]}
          >
            <InputNumber min={1} max={10_000_000} precision={0} />
          </Form.Item>
          <Form.Item
            name="minAcceptance"
            label={t('commitments.minAcceptance')}
            extra={t('commitments.minAcceptanceHelp')}
            rules={[{ required: true }]}
          >
            <InputNumber min={0} max={100} precision={0} suffix="%" />
          </Form.Item>
          <Form.Item
            name="tolerance"
            label={t('commitments.tolerance')}
            extra={t('commitments.toleranceHelp')}
            rules={[{ required: true }]}
          >
            <InputNumber min={0} max={90} precision={0} suffix="%" />
          </Form.Item>
          <Form.Item name="ownerId" label={t('commitments.owner')}>
            <Select
              allowClear
              options={owners.map((u) => ({ value: u.id, label: personName(t, u) }))}
              placeholder={t('commitments.noOwner')}
            />
          </Form.Item>
          <Form.Item
            name="calendarId"
            label={t('commitments.calendar')}
            extra={t('commitments.calendarHelp')}
          >
            <Select
              allowClear
              placeholder={t('commitments.defaultCalendar')}
              options={(calendars.data?.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
          <Form.Item name="note" label={t('commitments.note')}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
