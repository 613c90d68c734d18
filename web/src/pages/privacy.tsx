import { Alert, Button, Card, Form, Input, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SubjectLookup } from '../../../src/contract/privacy.ts';
import { api } from '../api.ts';
import { useAction } from '../components/use-action.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';

/**
 * Requests of a data subject (GDPR/AVG art. 15, 17, 20): find a person by any address of theirs,
 * download everything held about them as one archive, erase them (typing their address to confirm).
 */
export function PrivacyPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [found, setFound] = useState<SubjectLookup | null>(null);
  const [erasing, setErasing] = useState<{ id: string; email: string } | null>(null);
  const [typed, setTyped] = useState('');
  const find = useAction({ run: (email: string) => api.findSubject(email), invalidate: [], done: setFound });
  const erase = useAction({
    run: (id: string) => api.eraseContact(id),
    invalidate: [],
    success: t('privacy.erased'),
    done: () => {
      setErasing(null);
      setTyped('');
      if (found) find.mutate(found.email);
    },
  });

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 960 }}>
      <div>
        <Typography.Title level={1}>{t('privacy.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('privacy.intro')}</Typography.Paragraph>
      </div>
      <Card>
        <Form layout="inline" onFinish={(v: { email: string }) => find.mutate(v.email.trim())}>
          <Form.Item
            name="email"
            label={t('privacy.email')}
            rules={[{ required: true, type: 'email', message: t('signIn.emailNeeded') }]}
          >
            <Input style={{ width: 320 }} autoComplete="off" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={find.isPending}>
            {t('privacy.find')}
          </Button>
        </Form>
      </Card>
      {found && (
        <Card title={<h2 className="baton-card-title">{found.email}</h2>}>
          {found.erasedAt && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('privacy.wasErased', { at: formatMoment(found.erasedAt, user.timeZone, language) })}
            />
          )}
          <Table
            rowKey="id"
            pagination={false}
            dataSource={found.contacts}
            locale={{ emptyText: t('privacy.none') }}
            columns={[
              {
                title: t('privacy.person'),
                key: 'name',
                render: (_, c) => [c.firstName, c.lastName].filter(Boolean).join(' ') || '—',
              },
              { title: t('privacy.email'), dataIndex: 'email' },
              { title: t('queue.stage'), dataIndex: 'stage' },
              {
                title: t('privacy.actions'),
                key: 'actions',
                render: (_, c) => (
                  <Space>
                    <Button href={`/api/v1/privacy/subjects/${c.id}/archive`} download>
                      {t('privacy.download')}
                    </Button>
                    <Button danger onClick={() => setErasing({ id: c.id, email: c.email ?? found.email })}>
                      {t('privacy.erase')}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
      <Modal
        open={erasing !== null}
        title={t('privacy.eraseTitle')}
        okText={t('privacy.erase')}
        okButtonProps={{
          danger: true,
          disabled: typed.trim().toLowerCase() !== erasing?.email.toLowerCase(),
        }}
        confirmLoading={erase.isPending}
        onOk={() => erasing && erase.mutate(erasing.id)}
        onCancel={() => {
          setErasing(null);
          setTyped('');
        }}
      >
        <Typography.Paragraph>{t('privacy.eraseWarning')}</Typography.Paragraph>
        <Input
          aria-label={t('privacy.typeToConfirm', { email: erasing?.email ?? '' })}
          placeholder={erasing?.email}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <Typography.Text type="secondary">
          {t('privacy.typeToConfirm', { email: erasing?.email ?? '' })}
        </Typography.Text>
      </Modal>
    </Space>
  );
}
