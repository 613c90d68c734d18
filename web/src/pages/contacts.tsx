import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { Contact } from '../../../src/contract/contacts.ts';
import { api } from '../api.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';

const pageSize = 50;

/** Waits until `value` has stood still for `ms`, so a search is asked once typing pauses. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * Every contact the reader may see (a rep their own, a manager their team's), newest first: a
 * search over name, email, domain and company that forgives a typo, and filters on the stage and
 * the owner. The search and the filters are in the address, so a view can be bookmarked and shared.
 */
export function ContactsPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [params, setParams] = useSearchParams();
  const [typed, setTyped] = useState(params.get('q') ?? '');
  const q = useSettled(typed.trim(), 300);
  const stage = params.get('stage') ?? undefined;
  const ownerId = params.get('owner') ?? undefined;
  /** Sets one filter in the address (or takes it out), keeping the others. */
  const setFilter = (name: string, value: string | undefined) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  useEffect(() => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (q) next.set('q', q);
        else next.delete('q');
        return next;
      },
      { replace: true },
    );
  }, [q, setParams]);
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  const ownerName = (id: string | null) =>
    id === null ? t('contacts.noOwner') : (users.data?.data.find((u) => u.id === id)?.name ?? '…');

  const stages = useQuery({ queryKey: ['stages'], queryFn: api.stages, staleTime: 300_000 });
  const stageName = (key: string) => stages.data?.data.find((s) => s.key === key)?.name[language] ?? key;
  const list = useInfiniteQuery({
    queryKey: ['contacts', { q, stage, ownerId }],
    queryFn: ({ pageParam }) =>
      api.contacts({
        limit: pageSize,
        ...(q && { q }),
        ...(stage && { stage }),
        ...(ownerId && { ownerId }),
        ...(pageParam && { cursor: pageParam }),
      }),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((page) => page.data) ?? [];
  const similar = list.data?.pages[0]?.match === 'similar';
  const nameOf = (c: Contact) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.id;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('contacts.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">
          {t(user.role === 'sales_rep' ? 'contacts.introOwn' : 'contacts.intro')}
        </Typography.Paragraph>
      </div>
      <Space wrap>
        <Input.Search
          allowClear
          aria-label={t('contacts.search')}
          placeholder={t('contacts.searchPlaceholder')}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          style={{ width: 'min(360px, 100%)' }}
        />
        <Select
          allowClear
          aria-label={t('contacts.stage')}
          placeholder={t('contacts.anyStage')}
          value={stage}
          style={{ width: 200 }}
          options={(stages.data?.data ?? []).map((s) => ({ value: s.key, label: s.name[language] }))}
          onChange={(value?: string) => setFilter('stage', value)}
        />
        {/* A rep sees only their own contacts: an owner to choose would choose nothing. */}
        {user.role !== 'sales_rep' && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            aria-label={t('contacts.owner')}
            placeholder={t('contacts.anyOwner')}
            value={ownerId}
            style={{ width: 220 }}
            options={(users.data?.data ?? [])
              .filter((u) => u.isActive)
              .map((u) => ({ value: u.id, label: u.name }))}
            onChange={(value?: string) => setFilter('owner', value)}
          />
        )}
      </Space>
      {list.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      {similar && rows.length > 0 && (
        <Alert type="info" showIcon title={t('contacts.similar', { q })} data-testid="contacts-similar" />
      )}
      <Table<Contact>
        rowKey="id"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: q || stage || ownerId ? t('contacts.noneFound') : t('contacts.empty') }}
        scroll={{ x: 880 }}
        columns={[
          {
            title: t('contacts.name'),
            key: 'name',
            render: (_, c) => <Link to={`/leads/${c.id}`}>{nameOf(c)}</Link>,
          },
          {
            title: t('contacts.email'),
            key: 'email',
            render: (_, c) => (c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : null),
          },
          {
            title: t('contacts.phone'),
            key: 'phone',
            render: (_, c) =>
              c.phone ? <a href={`tel:${c.phone.replace(/[^+\d]/g, '')}`}>{c.phone}</a> : null,
          },
          { title: t('contacts.stage'), key: 'stage', render: (_, c) => <Tag>{stageName(c.stage)}</Tag> },
          { title: t('contacts.owner'), key: 'owner', render: (_, c) => ownerName(c.ownerId) },
          {
            title: t('contacts.created'),
            key: 'created',
            render: (_, c) => formatMoment(c.createdAt, user.timeZone, language),
          },
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
