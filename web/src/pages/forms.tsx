import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Form } from '../../../src/contract/forms.ts';
import { api } from '../api.ts';
import { tones } from '../theme.ts';

/** Marketing's forms, each with the HTML snippet to paste into a website. */
export function FormsPage() {
  const { t, i18n } = useTranslation();
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
