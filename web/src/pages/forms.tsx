import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Form as AntForm,
  Input,
  Modal,
  Segmented,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Form } from '../../../src/contract/forms.ts';
import { marketingEventTypes } from '../../../src/domain/capture/event-types.ts';
import { api } from '../api.ts';
import { useAction } from '../components/use-action.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';

type FormValues = {
  name: string;
  eventType: (typeof marketingEventTypes)[number];
  consentEn?: string;
  consentNl?: string;
  redirectUrl?: string;
  allowedOrigins?: string[];
  isActive?: boolean;
};

/** Make or change a form: what a submission records, its consent text, where it may be posted from. */
function FormEditor({ form, onClose }: { form: Form | 'new'; onClose: () => void }) {
  const { t } = useTranslation();
  const [fields] = AntForm.useForm<FormValues>();
  const save = useAction({
    invalidate: [['forms']],
    success: t('profile.saved'),
    done: onClose,
    run: (v: FormValues) => {
      const body = {
        name: v.name,
        eventType: v.eventType,
        consentText: v.consentEn && v.consentNl ? { en: v.consentEn, nl: v.consentNl } : null,
        redirectUrl: v.redirectUrl || null,
        allowedOrigins: v.allowedOrigins ?? [],
      };
      return form === 'new'
        ? api.createForm(body)
        : api.updateForm(form.id, { ...body, ...(v.isActive !== undefined && { isActive: v.isActive }) });
    },
  });
  const initial: Partial<FormValues> =
    form === 'new'
      ? { eventType: 'form_submitted', allowedOrigins: [] }
      : {
          name: form.name,
          eventType: form.eventType as FormValues['eventType'],
          consentEn: form.consentText?.en,
          consentNl: form.consentText?.nl,
          redirectUrl: form.redirectUrl ?? undefined,
          allowedOrigins: form.allowedOrigins,
          isActive: form.isActive,
        };
  return (
    <Modal
      open
      title={form === 'new' ? t('forms.new') : t('settings.editNamed', { name: form.name })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: save.isPending }}
      onOk={() => fields.submit()}
      onCancel={onClose}
      width={680}
    >
      <AntForm<FormValues>
        form={fields}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => save.mutate(v)}
      >
        <AntForm.Item name="name" label={t('forms.name')} rules={[{ required: true }]}>
          <Input maxLength={200} />
        </AntForm.Item>
        <AntForm.Item name="eventType" label={t('forms.records')}>
          <Select options={marketingEventTypes.map((type) => ({ value: type, label: t(`touch.${type}`) }))} />
        </AntForm.Item>
        <AntForm.Item name="consentEn" label={t('forms.consentEn')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </AntForm.Item>
        <AntForm.Item name="consentNl" label={t('forms.consentNl')} extra={t('forms.consentHint')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </AntForm.Item>
        <AntForm.Item name="redirectUrl" label={t('forms.redirect')} rules={[{ type: 'url' }]}>
          <Input placeholder="https://www.example.nl/bedankt" />
        </AntForm.Item>
        <AntForm.Item name="allowedOrigins" label={t('forms.origins')} extra={t('forms.originsHint')}>
          <Select mode="tags" tokenSeparators={[',', ' ']} />
        </AntForm.Item>
        {form !== 'new' && (
          <AntForm.Item name="isActive" label={t('forms.active')} valuePropName="checked">
            <Switch />
          </AntForm.Item>
        )}
      </AntForm>
    </Modal>
  );
}

/** Marketing's forms, each with the HTML snippet to paste into a website. */
export function FormsPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const canEdit = user.role === 'marketing' || user.role === 'admin';
  const [editing, setEditing] = useState<Form | 'new' | null>(null);
  const forms = useQuery({ queryKey: ['forms'], queryFn: api.forms });
  const [open, setOpen] = useState<Form | null>(null);
  const [language, setLanguage] = useState<'en' | 'nl'>(i18n.language === 'nl' ? 'nl' : 'en');
  const snippet = useQuery({
    queryKey: ['snippet', open?.id, language],
    enabled: open !== null,
    queryFn: () => api.formSnippet(open!.id, language),
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('forms.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('forms.intro')}</Typography.Paragraph>
      </div>
      {canEdit && (
        <Button type="primary" style={{ alignSelf: 'flex-start' }} onClick={() => setEditing('new')}>
          {t('forms.new')}
        </Button>
      )}
      {editing && <FormEditor form={editing} onClose={() => setEditing(null)} />}
      {forms.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Table<Form>
        rowKey="id"
        loading={forms.isPending}
        dataSource={forms.data?.data ?? []}
        locale={{ emptyText: t('forms.empty') }}
        scroll={{ x: 700 }}
        columns={[
          { title: t('forms.name'), dataIndex: 'name' },
          {
            title: t('forms.records'),
            dataIndex: 'eventType',
            render: (v: string) => t(`touch.${v as 'form_submitted'}`),
          },
          {
            title: t('forms.origins'),
            dataIndex: 'allowedOrigins',
            render: (v: string[]) => (v.length === 0 ? t('forms.anyOrigin') : v.join(', ')),
          },
          {
            title: t('queue.status'),
            dataIndex: 'isActive',
            render: (v: boolean) => (
              <Tag style={v ? tones.green : tones.grey}>{v ? t('forms.active') : t('forms.inactive')}</Tag>
            ),
          },
          {
            title: t('queue.actions'),
            key: 'actions',
            render: (_, form) => (
              <Button
                size="small"
                onClick={() => setOpen(form)}
                aria-label={t('forms.embedNamed', { name: form.name })}
              >
                {t('forms.embed')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={open !== null}
        title={t('forms.embedTitle', { name: open?.name ?? '' })}
        onCancel={() => setOpen(null)}
        footer={null}
        width={760}
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>{t('forms.embedHint')}</Typography.Paragraph>
          <Segmented<'en' | 'nl'>
            aria-label={t('forms.snippetLanguage')}
            value={language}
            onChange={setLanguage}
            options={[
              { value: 'en', label: 'English' },
              { value: 'nl', label: 'Nederlands' },
            ]}
          />
          {snippet.data && (
            <Typography.Paragraph copyable={{ text: snippet.data.html }}>
              <pre className="baton-snippet" tabIndex={0} aria-label={t('forms.snippet')}>
                {snippet.data.html}
              </pre>
            </Typography.Paragraph>
          )}
        </Space>
      </Modal>
    </Space>
  );
}
