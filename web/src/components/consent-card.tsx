import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecordConsentBody } from '../../../src/contract/contacts.ts';
import { api } from '../api.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';
import { useAction } from './use-action.ts';

/** Dark text on a light ground (the theme's tones), readable at any size (WCAG AA). */
const tone = { granted: tones.green, withdrawn: tones.red, unknown: tones.grey } as const;

/** A person's consent per purpose on the lead page: what stands now, from where, and the text's version. */
export function ConsentCard({ contactId, canRecord }: { contactId: string; canRecord: boolean }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const consents = useQuery({ queryKey: ['consents', contactId], queryFn: () => api.consents(contactId) });
  const [open, setOpen] = useState(false);
  const record = useAction({
    run: (body: RecordConsentBody) => api.recordConsent(contactId, body),
    invalidate: [['consents', contactId], ['lead']],
    success: t('consent.recorded'),
    done: () => setOpen(false),
  });
  return (
    <Card
      title={<h2 className="baton-card-title">{t('consent.title')}</h2>}
      extra={
        canRecord && (
          <Button size="small" onClick={() => setOpen(true)}>
            {t('consent.record')}
          </Button>
        )
      }
    >
      <Table
        size="small"
        rowKey="purpose"
        pagination={false}
        loading={consents.isPending}
        dataSource={consents.data?.purposes ?? []}
        columns={[
          {
            title: t('consent.purpose'),
            dataIndex: 'purpose',
            render: (p: 'newsletter') => t(`consent.purposes.${p}`),
          },
          {
            title: t('consent.status'),
            dataIndex: 'status',
            render: (s: keyof typeof tone) => <Tag style={tone[s]}>{t(`consent.statuses.${s}`)}</Tag>,
          },
          {
            title: t('consent.where'),
            key: 'where',
            render: (_, c) =>
              c.at ? (
                <Space orientation="vertical" size={0}>
                  <span>
                    {c.source} · {formatMoment(c.at, user.timeZone, language)}
                  </span>
                  {c.version && (
                    <Typography.Text type="secondary" title={c.text ?? undefined}>
                      {t('consent.version', { version: c.version })}
                    </Typography.Text>
                  )}
                </Space>
              ) : (
                '—'
              ),
          },
        ]}
      />
      <Modal
        open={open}
        title={t('consent.record')}
        okText={t('consent.save')}
        confirmLoading={record.isPending}
        okButtonProps={{ htmlType: 'submit', form: 'consent-form' }}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<RecordConsentBody>
          id="consent-form"
          layout="vertical"
          initialValues={{ purpose: 'sales_contact', status: 'withdrawn' }}
          onFinish={(v) => record.mutate({ ...v, ...(v.text ? {} : { text: undefined }) })}
        >
          <Form.Item name="purpose" label={t('consent.purpose')}>
            <Select
              options={(['newsletter', 'sales_contact'] as const).map((p) => ({
                value: p,
                label: t(`consent.purposes.${p}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="status" label={t('consent.status')}>
            <Select
              options={(['granted', 'withdrawn'] as const).map((s) => ({
                value: s,
                label: t(`consent.statuses.${s}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="source" label={t('consent.where')} rules={[{ required: true, max: 200 }]}>
            <Input placeholder={t('consent.wherePlaceholder')} />
          </Form.Item>
          <Form.Item name="text" label={t('consent.text')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
