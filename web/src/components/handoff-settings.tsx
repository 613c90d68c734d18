import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HandoffSettings, RejectionReason } from '../../../src/contract/handoff.ts';
import { api } from '../api.ts';
import { codeOf } from '../format.ts';
import { tones } from '../theme.ts';
import { FieldProblem } from './condition-builder.tsx';
import { problemText, showFieldErrors, useAction } from './use-action.ts';

type Item = HandoffSettings['qualificationChecklist'][number];

interface ReasonValues {
  en: string;
  nl: string;
  outcome: RejectionReason['outcome'];
  active: boolean;
}

function ReasonsCard() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const reasons = useQuery({ queryKey: ['reasons'], queryFn: api.reasons });
  const list = reasons.data?.data ?? [];
  const [editing, setEditing] = useState<RejectionReason | 'new' | null>(null);
  const [form] = Form.useForm<ReasonValues>();
  const save = useAction({
    run: (v: ReasonValues) => {
      const label = { en: v.en.trim(), nl: v.nl.trim() };
      return editing === 'new'
        ? api.createReason({
            key: codeOf(label.en, new Set(list.map((r) => r.key)), '_', 64),
            label,
            outcome: v.outcome,
          })
        : api.updateReason((editing as RejectionReason).key, { label, outcome: v.outcome, active: v.active });
    },
    invalidate: [['reasons']],
    success: t('profile.saved'),
    done: () => setEditing(null),
  });
  const order = useAction({
    run: (keys: string[]) => api.orderReasons({ keys }),
    invalidate: [['reasons']],
  });
  const move = (from: number, to: number) => {
    const keys = list.map((r) => r.key);
    const [key] = keys.splice(from, 1);
    keys.splice(to, 0, key!);
    order.mutate(keys);
  };
  const open = (r: RejectionReason | 'new') => {
    const source = r === 'new' ? null : r;
    form.setFieldsValue({
      en: source?.label.en ?? '',
      nl: source?.label.nl ?? '',
      outcome: source?.outcome ?? 'recycle',
      active: source?.active ?? true,
    });
    setEditing(r);
  };
  return (
    <Card
      size="small"
      title={<h3 className="baton-card-title">{t('handoffSettings.reasons')}</h3>}
      extra={
        <Button size="small" onClick={() => open('new')}>
          {t('handoffSettings.addReason')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('handoffSettings.reasonsIntro')}</Typography.Paragraph>
      <Table<RejectionReason>
        rowKey="key"
        size="small"
        loading={reasons.isPending}
        pagination={false}
        dataSource={list}
        scroll={{ x: 700 }}
        columns={[
          { title: t('handoffSettings.reason'), key: 'label', render: (_, r) => r.label[language] },
          {
            title: t('handoffSettings.outcome'),
            key: 'outcome',
            render: (_, r) => t(`reasonOutcome.${r.outcome}`),
          },
          {
            title: t('queue.status'),
            key: 'active',
            render: (_, r) => (
              <Tag style={r.active ? tones.green : tones.grey}>
                {r.active ? t('forms.active') : t('handoffSettings.retired')}
              </Tag>
            ),
          },
          {
            title: t('queue.actions'),
            key: 'actions',
            render: (_, r, i) => (
              <Space size={4}>
                <Button
                  size="small"
                  aria-label={`${t('builder.moveUp')}: ${r.label[language]}`}
                  disabled={i === 0 || order.isPending}
                  onClick={() => move(i, i - 1)}
                >
                  ↑
                </Button>
                <Button
                  size="small"
                  aria-label={`${t('builder.moveDown')}: ${r.label[language]}`}
                  disabled={i === list.length - 1 || order.isPending}
                  onClick={() => move(i, i + 1)}
                >
                  ↓
                </Button>
                <Button
                  size="small"
                  aria-label={t('settings.editNamed', { name: r.label[language] })}
                  onClick={() => open(r)}
                >
                  {t('settings.edit')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={
          editing === 'new'
            ? t('handoffSettings.addReason')
            : t('settings.editNamed', { name: editing?.label[language] ?? '' })
        }
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: save.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form<ReasonValues>
          form={form}
          layout="vertical"
          requiredMark={false}
          onFinish={(v) =>
            save.mutate(v, {
              onError: (e) => void showFieldErrors(form, e, { 'label.en': 'en', 'label.nl': 'nl' }),
            })
          }
        >
          <Form.Item
            name="en"
            label={t('handoffSettings.labelEn')}
            rules={[{ required: true, whitespace: true, message: t('handoffSettings.labelNeeded') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="nl"
            label={t('handoffSettings.labelNl')}
            rules={[{ required: true, whitespace: true, message: t('handoffSettings.labelNeeded') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="outcome"
            label={t('handoffSettings.outcome')}
            extra={t('handoffSettings.outcomeHelp')}
          >
            <Select
              options={(['recycle', 'disqualify'] as const).map((o) => ({
                value: o,
                label: t(`reasonOutcome.${o}`),
              }))}
            />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item
              name="active"
              label={t('handoffSettings.inUse')}
              extra={t('handoffSettings.inUseHelp')}
              valuePropName="checked"
            >
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}

interface DraftItem extends Item {
  /** A new item gets its code from its label when saved. */
  isNew: boolean;
}

function SettingsCard() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['handoff-settings'], queryFn: api.handoffSettings });
  const [items, setItems] = useState<DraftItem[] | null>(null);
  const [reset, setReset] = useState(false);
  const [limit, setLimit] = useState<number | null>(3);
  const [problems, setProblems] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!settings.data) return;
    setItems(settings.data.qualificationChecklist.map((item) => ({ ...item, isNew: false })));
    setReset(settings.data.engagementReset);
    setLimit(settings.data.pingPongLimit);
  }, [settings.data]);
  const save = useAction({
    run: api.updateHandoffSettings,
    invalidate: [['handoff-settings']],
    success: t('profile.saved'),
  });
  const list = items ?? [];
  const setItem = (i: number, item: DraftItem) => setItems(list.map((x, at) => (at === i ? item : x)));
  const submit = () => {
    const found: Record<string, string> = {};
    list.forEach((item, i) => {
      if (!item.label.en.trim()) found[`${i}.en`] = t('handoffSettings.labelNeeded');
      if (!item.label.nl.trim()) found[`${i}.nl`] = t('handoffSettings.labelNeeded');
    });
    if (list.length === 0) found.list = t('handoffSettings.itemNeeded');
    if (limit === null) found.limit = t('scoringBuilder.numberNeeded');
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const taken = new Set(list.filter((item) => !item.isNew).map((item) => item.key));
    const checklist = list.map((item) => ({
      key: item.isNew ? codeOf(item.label.en, taken, '_', 40) : item.key,
      label: { en: item.label.en.trim(), nl: item.label.nl.trim() },
    }));
    save.mutate(
      { engagementReset: reset, pingPongLimit: limit!, qualificationChecklist: checklist },
      { onError: (e) => setProblems({ list: problemText(e, t('common.failed')) }) },
    );
  };
  return (
    <Card
      size="small"
      title={<h3 className="baton-card-title">{t('handoffSettings.settings')}</h3>}
      loading={settings.isPending}
    >
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Space wrap align="start" size="large">
          <Space orientation="vertical" size={2}>
            <Typography.Text strong>{t('handoffSettings.engagementReset')}</Typography.Text>
            <Switch aria-label={t('handoffSettings.engagementReset')} checked={reset} onChange={setReset} />
            <Typography.Text type="secondary">{t('handoffSettings.engagementResetHelp')}</Typography.Text>
          </Space>
          <Space orientation="vertical" size={2}>
            <Typography.Text strong>{t('handoffSettings.pingPong')}</Typography.Text>
            <InputNumber
              aria-label={t('handoffSettings.pingPong')}
              min={1}
              max={20}
              precision={0}
              status={problems.limit ? 'error' : ''}
              value={limit}
              onChange={(v) => setLimit(typeof v === 'number' ? v : null)}
            />
            <Typography.Text type="secondary">{t('handoffSettings.pingPongHelp')}</Typography.Text>
            <FieldProblem text={problems.limit} />
          </Space>
        </Space>
        <div>
          <Typography.Text strong>{t('handoffSettings.checklist')}</Typography.Text>
          <Typography.Paragraph type="secondary">{t('handoffSettings.checklistIntro')}</Typography.Paragraph>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {list.map((item, i) => (
              <div key={`${item.key}-${i}`}>
                <Space wrap align="start">
                  <span style={{ display: 'inline-block', width: 24, paddingTop: 5 }}>{i + 1}.</span>
                  <Input
                    aria-label={`${t('handoffSettings.labelEn')} ${i + 1}`}
                    placeholder={t('handoffSettings.labelEn')}
                    style={{ width: 240 }}
                    maxLength={200}
                    status={problems[`${i}.en`] ? 'error' : ''}
                    value={item.label.en}
                    onChange={(e) => setItem(i, { ...item, label: { ...item.label, en: e.target.value } })}
                  />
                  <Input
                    aria-label={`${t('handoffSettings.labelNl')} ${i + 1}`}
                    placeholder={t('handoffSettings.labelNl')}
                    style={{ width: 240 }}
                    maxLength={200}
                    status={problems[`${i}.nl`] ? 'error' : ''}
                    value={item.label.nl}
                    onChange={(e) => setItem(i, { ...item, label: { ...item.label, nl: e.target.value } })}
                  />
                  <Button
                    size="small"
                    aria-label={`${t('builder.moveUp')} ${i + 1}`}
                    disabled={i === 0}
                    onClick={() =>
                      setItems([...list.slice(0, i - 1), item, list[i - 1]!, ...list.slice(i + 1)])
                    }
                  >
                    ↑
                  </Button>
                  <Button
                    size="small"
                    aria-label={`${t('builder.moveDown')} ${i + 1}`}
                    disabled={i === list.length - 1}
                    onClick={() => setItems([...list.slice(0, i), list[i + 1]!, item, ...list.slice(i + 2)])}
                  >
                    ↓
                  </Button>
                  <Button
                    size="small"
                    danger
                    aria-label={`${t('handoffSettings.removeItem')} ${i + 1}`}
                    onClick={() => setItems(list.filter((_, at) => at !== i))}
                  >
                    ×
                  </Button>
                </Space>
                <FieldProblem text={problems[`${i}.en`] ?? problems[`${i}.nl`]} />
              </div>
            ))}
            <FieldProblem text={problems.list} />
            <Button
              size="small"
              disabled={list.length >= 12}
              onClick={() => setItems([...list, { key: '', label: { en: '', nl: '' }, isNew: true }])}
            >
              {t('handoffSettings.addItem')}
            </Button>
          </Space>
        </div>
        <Button type="primary" onClick={submit} loading={save.isPending}>
          {t('common.save')}
        </Button>
      </Space>
    </Card>
  );
}

/** Settings → Handoff: the rejection reasons reps choose from, recycling, and the qualification checklist. */
export function HandoffSettingsTab() {
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <ReasonsCard />
      <SettingsCard />
    </Space>
  );
}
