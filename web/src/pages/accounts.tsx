import type { TFunction } from 'i18next';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Empty,
  Input,
  Popconfirm,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { Account, AccountDuplicate } from '../../../src/contract/accounts.ts';
import type { Contact } from '../../../src/contract/contacts.ts';
import type { Opportunity } from '../../../src/contract/opportunities.ts';
import { api } from '../api.ts';
import { useSettledSearch } from '../components/settled-search.ts';
import { useAction } from '../components/use-action.ts';
import { formatMoney, personName } from '../format.ts';
import { useUser } from '../session.ts';

const pageSize = 50;

/** The people around an account: who owns it, by name, marked when away. */
function useOwnerName() {
  const { t } = useTranslation();
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  return (id: string | null) => {
    if (id === null) return t('contacts.noOwner');
    const person = users.data?.data.find((u) => u.id === id);
    return person ? personName(t, person) : '…';
  };
}

/** Country, industry and size, as far as known. */
function facts(account: Account, t: TFunction): string {
  return [
    account.industry,
    account.country,
    account.employeeCount === null ? null : t('accounts.employees', { count: account.employeeCount }),
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * Every company the reader may see (a rep's own and those of their leads), newest first, found by
 * a part of its name or domain, and narrowed to one owner.
 */
export function AccountsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { typed, setTyped, q, params, setParams } = useSettledSearch();
  const ownerId = params.get('owner') ?? undefined;
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  const ownerName = useOwnerName();
  const filters = { ...(q && { q }), ...(ownerId && { ownerId }) };
  const list = useInfiniteQuery({
    queryKey: ['accounts', filters],
    queryFn: ({ pageParam }) =>
      api.accounts({ limit: pageSize, ...filters, ...(pageParam && { cursor: pageParam }) }),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('accounts.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">
          {t(user.role === 'sales_rep' ? 'accounts.introOwn' : 'accounts.intro')}
        </Typography.Paragraph>
      </div>
      <Space wrap>
        <Input.Search
          allowClear
          aria-label={t('accounts.search')}
          placeholder={t('accounts.searchPlaceholder')}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          style={{ width: 280, maxWidth: '100%' }}
        />
        {user.role !== 'sales_rep' && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            aria-label={t('accounts.owner')}
            placeholder={t('contacts.anyOwner')}
            value={ownerId}
            style={{ width: 220 }}
            options={(users.data?.data ?? [])
              .filter((u) => u.isActive)
              .map((u) => ({ value: u.id, label: personName(t, u) }))}
            onChange={(value?: string) =>
              setParams(
                (current) => {
                  const next = new URLSearchParams(current);
                  if (value) next.set('owner', value);
                  else next.delete('owner');
                  return next;
                },
                { replace: true },
              )
            }
          />
        )}
      </Space>
      {list.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Table<Account>
        rowKey="id"
        size="small"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 640 }}
        locale={{ emptyText: q || ownerId ? t('accounts.noneFound') : t('accounts.empty') }}
        columns={[
          {
            title: t('accounts.name'),
            key: 'name',
            render: (_, a) => <Link to={`/accounts/${a.id}`}>{a.name}</Link>,
          },
          { title: t('accounts.domains'), key: 'domains', render: (_, a) => a.domains.join(', ') || '—' },
          { title: t('accounts.about'), key: 'about', render: (_, a) => facts(a, t) || '—' },
          { title: t('accounts.owner'), key: 'owner', render: (_, a) => ownerName(a.ownerId) },
        ]}
      />
      {list.hasNextPage && (
        <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t('contacts.more')}
        </Button>
      )}
    </Space>
  );
}

/**
 * One company: its people, its score (its own fit and its people's engagement), its deals and its
 * owner; and the accounts that look like the same company, to merge into this one.
 */
export function AccountPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const ownerName = useOwnerName();
  const account = useQuery({ queryKey: ['account', id], queryFn: () => api.account(id) });
  const score = useQuery({
    queryKey: ['account', id, 'score'],
    queryFn: () => api.accountScore(id),
    retry: false,
  });
  const people = useQuery({
    queryKey: ['account', id, 'people'],
    queryFn: () => api.contacts({ accountId: id, limit: 200 }),
  });
  const deals = useQuery({
    queryKey: ['account', id, 'deals'],
    queryFn: () => api.opportunities({ accountId: id, limit: 200 }),
  });
  const duplicates = useQuery({
    queryKey: ['account', id, 'duplicates'],
    queryFn: () => api.accountDuplicates(id),
  });
  const stages = useQuery({ queryKey: ['stages'], queryFn: api.stages, staleTime: 300_000 });
  const stageName = (key: string) => stages.data?.data.find((s) => s.key === key)?.name[language] ?? key;
  const canMerge = user.role !== 'director';
  const merge = useAction({
    invalidate: [['account'], ['accounts']],
    success: t('accounts.merged'),
    run: (duplicateId: string) => api.mergeAccount(id, { duplicateId }),
  });

  if (account.isPending) return <Skeleton active />;
  if (account.isError || !account.data) return <Alert type="error" title={t('accounts.notFound')} showIcon />;
  const a = account.data;
  const nameOf = (c: Contact) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.id;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1} style={{ marginBottom: 0 }}>
          {a.name}
        </Typography.Title>
        <Typography.Text type="secondary">
          {[a.domains.join(', '), facts(a, t)].filter(Boolean).join(' · ')}
        </Typography.Text>
        <div>
          <Typography.Text>{t('accounts.ownedBy', { name: ownerName(a.ownerId) })}</Typography.Text>
        </div>
      </div>

      {(duplicates.data?.data.length ?? 0) > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('accounts.duplicatesTitle')}
          description={
            <Space orientation="vertical" style={{ width: '100%' }}>
              {duplicates.data!.data.map((d: AccountDuplicate) => (
                <Space key={d.account.id} wrap>
                  <Link to={`/accounts/${d.account.id}`}>{d.account.name}</Link>
                  <Typography.Text type="secondary">{t(`accounts.because.${d.because}`)}</Typography.Text>
                  {canMerge && (
                    <Popconfirm
                      title={t('accounts.mergeConfirm', { duplicate: d.account.name, name: a.name })}
                      okText={t('accounts.merge')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => merge.mutate(d.account.id)}
                    >
                      <Button size="small" loading={merge.isPending}>
                        {t('accounts.mergeInto', { name: d.account.name })}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ))}
            </Space>
          }
        />
      )}

      <Card title={<h2 className="baton-card-title">{t('accounts.score')}</h2>}>
        {score.data ? (
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2, md: 4 }}
            items={[
              {
                key: 'grade',
                label: t('accounts.grade'),
                children: <Tag color="blue">{score.data.grade}</Tag>,
              },
              { key: 'fit', label: t('accounts.fit'), children: Math.round(score.data.fit) },
              {
                key: 'engagement',
                label: t('accounts.engagement'),
                children: t('accounts.engagementOf', {
                  value: Math.round(score.data.engagement),
                  cap: Math.round(score.data.engagementCap),
                }),
              },
              { key: 'contacts', label: t('accounts.scoredPeople'), children: score.data.contacts },
            ]}
          />
        ) : (
          <Typography.Text type="secondary">
            {score.isPending ? '…' : t('accounts.notScored')}
          </Typography.Text>
        )}
      </Card>

      <Card title={<h2 className="baton-card-title">{t('accounts.people')}</h2>}>
        <Table<Contact>
          rowKey="id"
          size="small"
          pagination={false}
          loading={people.isPending}
          dataSource={people.data?.data ?? []}
          scroll={{ x: 600 }}
          locale={{ emptyText: <Empty description={t('accounts.noPeople')} /> }}
          columns={[
            {
              title: t('contacts.name'),
              key: 'name',
              render: (_, c) => <Link to={`/leads/${c.id}`}>{nameOf(c)}</Link>,
            },
            { title: t('accounts.jobTitle'), key: 'title', render: (_, c) => c.title ?? '—' },
            { title: t('contacts.stage'), key: 'stage', render: (_, c) => <Tag>{stageName(c.stage)}</Tag> },
            { title: t('contacts.owner'), key: 'owner', render: (_, c) => ownerName(c.ownerId) },
          ]}
        />
      </Card>

      <Card title={<h2 className="baton-card-title">{t('deals.title')}</h2>}>
        <Table<Opportunity>
          rowKey="id"
          size="small"
          pagination={false}
          loading={deals.isPending}
          dataSource={deals.data?.data ?? []}
          scroll={{ x: 600 }}
          locale={{ emptyText: <Empty description={t('accounts.noDeals')} /> }}
          columns={[
            { title: t('opportunity.name'), dataIndex: 'name' },
            {
              title: t('deals.outcome'),
              key: 'status',
              render: (_, d) => t(`opportunityStatus.${d.status}`),
            },
            {
              title: t('accounts.amount'),
              key: 'amount',
              align: 'right',
              render: (_, d) =>
                d.amountMinor === null ? '—' : formatMoney(d.amountMinor, d.currency, language),
            },
            {
              title: t('accounts.closeOn'),
              key: 'close',
              render: (_, d) => d.closedOn ?? d.expectedCloseOn ?? '—',
            },
          ]}
        />
      </Card>
    </Space>
  );
}
