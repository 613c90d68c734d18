import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Popconfirm, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { useAction } from './use-action.ts';

/**
 * The person's logging address on their profile: BCC it (or forward a thread to it) and the email
 * counts as follow-up on the lead. It is a secret: a new one can be made, and the old one stops.
 */
export function LoggingAddressCard() {
  const { t } = useTranslation();
  const address = useQuery({ queryKey: ['logging-address'], queryFn: api.myLoggingAddress });
  const renew = useAction({
    run: () => api.renewLoggingAddress(),
    invalidate: [['logging-address']],
    success: t('loggingAddress.renewed'),
  });
  return (
    <Card title={<h2 className="baton-card-title">{t('loggingAddress.title')}</h2>}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph>{t('loggingAddress.intro')}</Typography.Paragraph>
        {address.isError && <Alert type="error" showIcon title={t('common.loadFailed')} />}
        {address.data && (
          <Typography.Text code copyable data-testid="logging-address" style={{ wordBreak: 'break-all' }}>
            {address.data.address}
          </Typography.Text>
        )}
        <Typography.Paragraph type="secondary">{t('loggingAddress.secret')}</Typography.Paragraph>
        <Popconfirm
          title={t('loggingAddress.renewConfirm')}
          okText={t('loggingAddress.renew')}
          cancelText={t('common.cancel')}
          onConfirm={() => renew.mutate(undefined)}
        >
          <Button loading={renew.isPending}>{t('loggingAddress.renew')}</Button>
        </Popconfirm>
      </Space>
    </Card>
  );
}
