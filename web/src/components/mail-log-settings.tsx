import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Form, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { MailLogStatus } from '../../../src/contract/mailbox.ts';
import { api } from '../api.ts';
import { useAction } from './use-action.ts';

const countKeys = [
  'received',
  'logged',
  'duplicates',
  'meetingsBooked',
  'meetingsHeld',
  'unknownSender',
  'notALead',
  'refusedRecipients',
  'tooLarge',
  'malformed',
  'brokenInvitations',
  'mailboxMessagesRead',
  'mailboxSyncFailures',
] as const satisfies readonly (keyof MailLogStatus['counts'])[];

/**
 * Settings → Mail: the domains never logged from mail (the company's own never are), and what the
 * logging address took, logged, dropped and refused since the server started.
 */
export function MailLogSettingsTab() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['mail-log-settings'], queryFn: api.mailLogSettings });
  const status = useQuery({ queryKey: ['mail-log-status'], queryFn: api.mailLogStatus });
  const save = useAction({
    run: api.updateMailLogSettings,
    invalidate: [['mail-log-settings']],
    success: t('mailLog.saved'),
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small" loading={settings.isPending} title={t('mailLog.ignoredTitle')}>
        {settings.data && (
          <Form
            layout="vertical"
            style={{ maxWidth: 560 }}
            initialValues={settings.data}
            onFinish={(v: { ignoredDomains: string[]; storeExcerpt: boolean }) =>
              save.mutate({ ignoredDomains: v.ignoredDomains, storeExcerpt: v.storeExcerpt })
            }
          >
            <Typography.Paragraph type="secondary">{t('mailLog.ignoredIntro')}</Typography.Paragraph>
            <Form.Item name="ignoredDomains" label={t('mailLog.ignoredDomains')}>
              <Select mode="tags" tokenSeparators={[',', ' ']} placeholder="gmail.com" open={false} />
            </Form.Item>
            <Form.Item
              name="storeExcerpt"
              label={t('mailLog.storeExcerpt')}
              extra={t('mailLog.storeExcerptHelp')}
              valuePropName="checked"
            >
              <Switch />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('mailLog.save')}
            </Button>
          </Form>
        )}
      </Card>
      <Card size="small" loading={status.isPending} title={t('mailLog.statusTitle')}>
        {status.data && (
          <>
            <Typography.Paragraph type="secondary">
              {t('mailLog.statusIntro', { domain: status.data.domain ?? '—' })}
            </Typography.Paragraph>
            <Descriptions
              size="small"
              column={{ xs: 1, sm: 2 }}
              items={countKeys.map((key) => ({
                key,
                label: t(`mailLog.counts.${key}`),
                children: status.data.counts[key],
              }))}
            />
          </>
        )}
      </Card>
    </Space>
  );
}
