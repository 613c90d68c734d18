import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Popconfirm, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Contact } from '../../../src/contract/contacts.ts';
import { api } from '../api.ts';
import { leadQueries, useAction } from './use-action.ts';

const nameOf = (c: Contact) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.id;

/**
 * The contacts that look like this lead's person (same name at one company or from private mail,
 * same phone), each with why, to merge into this lead. Nothing when there are none.
 */
export function DuplicatesAlert({
  contactId,
  name,
  canMerge,
}: {
  contactId: string;
  name: string;
  canMerge: boolean;
}) {
  const { t } = useTranslation();
  const duplicates = useQuery({
    queryKey: ['lead', contactId, 'duplicates'],
    queryFn: () => api.contactDuplicates(contactId),
  });
  const merge = useAction({
    invalidate: [...leadQueries, ['tasks'], ['contacts']],
    success: t('duplicates.merged'),
    run: (duplicateId: string) => api.mergeContact(contactId, { duplicateId }),
  });
  const found = duplicates.data?.data ?? [];
  if (found.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      title={t('duplicates.title')}
      description={
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text>{t('duplicates.intro')}</Typography.Text>
          {found.map(({ contact, because }) => (
            <Space key={contact.id} wrap>
              <Link to={`/leads/${contact.id}`}>{nameOf(contact)}</Link>
              {contact.email && <Typography.Text type="secondary">{contact.email}</Typography.Text>}
              <Typography.Text type="secondary">{t(`duplicates.because.${because}`)}</Typography.Text>
              {canMerge && (
                <Popconfirm
                  title={t('duplicates.mergeConfirm', { duplicate: nameOf(contact), name })}
                  okText={t('accounts.merge')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => merge.mutate(contact.id)}
                >
                  <Button size="small" loading={merge.isPending}>
                    {t('duplicates.merge')}
                  </Button>
                </Popconfirm>
              )}
            </Space>
          ))}
        </Space>
      }
    />
  );
}
