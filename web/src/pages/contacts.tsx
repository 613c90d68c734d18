import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Checkbox,
  DatePicker,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Contact } from '../../../src/contract/contacts.ts';
import {
  contactColumns,
  type BulkContactsResponse,
  type ContactColumn,
  type ViewState,
} from '../../../src/contract/lists.ts';
import { api } from '../api.ts';
import { ChannelSelect } from '../components/channel-select.tsx';
import { useSettledSearch } from '../components/settled-search.ts';
import { leadQueries, useAction } from '../components/use-action.ts';
import { formatMoment, personName } from '../format.ts';
import { useUser } from '../session.ts';

const pageSize = 50;

/**
 * The table's select-all box, except in the hidden row antd measures column widths with: that row
 * repeats every column's title, and a checkbox in it is focusable inside `aria-hidden` (an
 * accessibility fault axe reports). There it is an empty box of the same width.
 */
function OutsideMeasureRow({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [measuring, setMeasuring] = useState(false);
  useLayoutEffect(() => setMeasuring(ref.current?.closest('[aria-hidden="true"]') != null), []);
  return (
    <span ref={ref} style={{ display: 'inline-block', minWidth: 16 }}>
      {measuring ? null : children}
    </span>
  );
}

/** The columns in the address (`cols`), in the list's own order; all when none or none known. */
function columnsOf(value: string | null): ContactColumn[] {
  const chosen = new Set(value?.split(',') ?? []);
  const known = contactColumns.filter((c) => chosen.has(c));
  return known.length > 0 ? known : [...contactColumns];
}

/**
 * Every contact the reader may see (a rep their own, a manager their team's), newest first: a
 * search over name, email, domain and company that forgives a typo, filters on the stage and the
 * owner, and the columns to show. All of it is in the address, so a view can be bookmarked, and
 * saved under a name. Managers and admins give many leads to a rep at once, workers send many
 * back to Marketing, and the list leaves as CSV with the rows it shows.
 */
export function ContactsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const { typed, setTyped, q, params, setParams } = useSettledSearch();
  const stage = params.get('stage') ?? undefined;
  const ownerId = params.get('owner') ?? undefined;
  const teamId = params.get('team') ?? undefined;
  const grade = params.get('grade') ?? undefined;
  const source = params.get('source') ?? undefined;
  const campaign = params.get('campaign') ?? undefined;
  const createdFrom = params.get('from') ?? undefined;
  const createdBefore = params.get('before') ?? undefined;
  const columns = columnsOf(params.get('cols'));
  const viewId = params.get('view') ?? undefined;
  const [selected, setSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState<'save' | 'assign' | 'recycle' | 'campaign' | null>(null);
  const [outcome, setOutcome] = useState<BulkContactsResponse | null>(null);
  const canAssign = user.role === 'admin' || user.role === 'sales_manager';
  const canRecycle = user.role !== 'director';
  const canExport = user.role !== 'sales_rep';

  /** Sets values in the address (or takes them out), keeping the others. */
  const setFilters = (values: Record<string, string | undefined>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [name, value] of Object.entries(values))
          if (value) next.set(name, value);
          else next.delete(name);
        return next;
      },
      { replace: true },
    );
  // A new search or filter is a new list: what was selected in the last one is not in view.
  useEffect(
    () => setSelected([]),
    [q, stage, ownerId, teamId, grade, source, campaign, createdFrom, createdBefore],
  );

  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  const ownerName = (id: string | null) =>
    id === null ? t('contacts.noOwner') : (users.data?.data.find((u) => u.id === id)?.name ?? '…');
  const stages = useQuery({ queryKey: ['stages'], queryFn: api.stages, staleTime: 300_000 });
  const stageName = (key: string) => stages.data?.data.find((s) => s.key === key)?.name[language] ?? key;
  const views = useQuery({ queryKey: ['views', 'contacts'], queryFn: () => api.views('contacts') });
  const currentView = views.data?.data.find((v) => v.id === viewId);
  const reasons = useQuery({
    queryKey: ['reasons'],
    queryFn: api.reasons,
    staleTime: 300_000,
    enabled: dialog === 'recycle',
  });

  const teams = useQuery({
    queryKey: ['teams'],
    queryFn: api.teams,
    staleTime: 300_000,
    enabled: user.role !== 'sales_rep',
  });
  const filters = {
    ...(q && { q }),
    ...(stage && { stage }),
    ...(ownerId && { ownerId }),
    ...(teamId && { teamId }),
    ...(grade && { grade }),
    ...(source && { source }),
    ...(campaign && { campaign }),
    ...(createdFrom && { createdFrom }),
    ...(createdBefore && { createdBefore }),
  };
  const filtered = Object.keys(filters).length > 0;
  const list = useInfiniteQuery({
    queryKey: ['contacts', filters],
    queryFn: ({ pageParam }) =>
      api.contacts({ limit: pageSize, ...filters, ...(pageParam && { cursor: pageParam }) }),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((page) => page.data) ?? [];
  const similar = list.data?.pages[0]?.match === 'similar';
  const nameOf = (c: Contact) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.id;

  const applyView = (id: string | undefined) => {
    const view = views.data?.data.find((v) => v.id === id);
    const state: ViewState = view?.state ?? {};
    setTyped(state.q ?? '');
    setFilters({
      view: view?.id,
      q: state.q,
      stage: state.stage,
      owner: state.ownerId,
      team: state.teamId,
      grade: state.grade,
      source: state.source,
      campaign: state.campaign,
      from: state.createdFrom,
      before: state.createdBefore,
      cols: state.columns?.join(','),
    });
  };
  const saveView = useAction({
    run: (input: { name: string; shared?: boolean }) =>
      api.createView({
        list: 'contacts',
        name: input.name,
        shared: input.shared ?? false,
        state: {
          ...filters,
          ...(columns.length < contactColumns.length && { columns }),
        },
      }),
    invalidate: [['views']],
    success: (view) => t('contacts.viewSaved', { name: view.name }),
    done: (view) => {
      setDialog(null);
      setFilters({ view: view.id });
    },
  });
  const deleteView = useAction({
    run: (id: string) => api.deleteView(id),
    invalidate: [['views']],
    success: t('contacts.viewDeleted'),
    done: () => setFilters({ view: undefined }),
  });
  const bulk = useAction({
    run: api.bulkContacts,
    invalidate: [['contacts'], ...leadQueries],
    done: (result) => {
      setDialog(null);
      setSelected([]);
      setOutcome(result);
      if (result.done > 0) void message.success(t('contacts.bulkDone', { count: result.done }));
    },
  });

  const all: Record<ContactColumn, TableColumnsType<Contact>[number]> = {
    name: {
      title: t('contacts.name'),
      key: 'name',
      render: (_, c) => <Link to={`/leads/${c.id}`}>{nameOf(c)}</Link>,
    },
    email: {
      title: t('contacts.email'),
      key: 'email',
      render: (_, c) => (c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : null),
    },
    phone: {
      title: t('contacts.phone'),
      key: 'phone',
      render: (_, c) => (c.phone ? <a href={`tel:${c.phone.replace(/[^+\d]/g, '')}`}>{c.phone}</a> : null),
    },
    stage: { title: t('contacts.stage'), key: 'stage', render: (_, c) => <Tag>{stageName(c.stage)}</Tag> },
    owner: { title: t('contacts.owner'), key: 'owner', render: (_, c) => ownerName(c.ownerId) },
    created: {
      title: t('contacts.created'),
      key: 'created',
      render: (_, c) => formatMoment(c.createdAt, user.timeZone, language),
    },
  };
  const nameOfId = (id: string) => {
    const contact = rows.find((c) => c.id === id);
    return contact ? nameOf(contact) : id;
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('contacts.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">
          {t(user.role === 'sales_rep' ? 'contacts.introOwn' : 'contacts.intro')}
        </Typography.Paragraph>
      </div>
      <Space wrap>
        <Select
          aria-label={t('contacts.views')}
          value={currentView?.id ?? ''}
          style={{ width: 220 }}
          options={[
            { value: '', label: t('contacts.noView') },
            ...(views.data?.data ?? []).map((v) => ({ value: v.id, label: v.name })),
          ]}
          onChange={(value: string) => applyView(value || undefined)}
        />
        <Button onClick={() => setDialog('save')}>{t('contacts.saveView')}</Button>
        {currentView?.mine && (
          <Button danger onClick={() => deleteView.mutate(currentView.id)} loading={deleteView.isPending}>
            {t('contacts.deleteView')}
          </Button>
        )}
      </Space>
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
          onChange={(value?: string) => setFilters({ stage: value })}
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
              .map((u) => ({ value: u.id, label: personName(t, u) }))}
            onChange={(value?: string) => setFilters({ owner: value })}
          />
        )}
        {user.role !== 'sales_rep' && (
          <Select
            allowClear
            aria-label={t('contacts.team')}
            placeholder={t('contacts.anyTeam')}
            value={teamId}
            style={{ width: 180 }}
            options={(teams.data?.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
            onChange={(value?: string) => setFilters({ team: value })}
          />
        )}
        <Select
          allowClear
          aria-label={t('contacts.grade')}
          placeholder={t('contacts.anyGrade')}
          value={grade}
          style={{ width: 140 }}
          options={['A', 'B', 'C'].flatMap((letter) => [
            { value: letter, label: t('contacts.gradeLetter', { letter }) },
            ...['1', '2', '3'].map((digit) => ({ value: letter + digit, label: letter + digit })),
          ])}
          onChange={(value?: string) => setFilters({ grade: value })}
        />
        <ChannelSelect
          label={t('contacts.source')}
          value={source}
          onChange={(value) => setFilters({ source: value })}
        />
        <Input
          allowClear
          aria-label={t('contacts.campaign')}
          placeholder={t('contacts.campaign')}
          defaultValue={campaign}
          key={`campaign-${campaign ?? ''}`}
          style={{ width: 180 }}
          onPressEnter={(event) => setFilters({ campaign: event.currentTarget.value.trim() || undefined })}
          onBlur={(event) => setFilters({ campaign: event.currentTarget.value.trim() || undefined })}
        />
        <DatePicker.RangePicker
          aria-label={t('contacts.added')}
          placeholder={[t('contacts.addedFrom'), t('contacts.addedTo')]}
          value={
            createdFrom && createdBefore
              ? [dayjs(createdFrom), dayjs(createdBefore).subtract(1, 'day')]
              : null
          }
          onChange={(range) =>
            setFilters({
              from: range?.[0] ? range[0].startOf('day').toISOString() : undefined,
              before: range?.[1] ? range[1].add(1, 'day').startOf('day').toISOString() : undefined,
            })
          }
        />
        <Select
          mode="multiple"
          aria-label={t('contacts.columns')}
          placeholder={t('contacts.columns')}
          value={columns}
          maxTagCount="responsive"
          style={{ width: 260 }}
          options={contactColumns.map((c) => ({ value: c, label: t(`contacts.${c}`) }))}
          onChange={(value: ContactColumn[]) =>
            setFilters({
              cols: value.length > 0 && value.length < contactColumns.length ? value.join(',') : undefined,
            })
          }
        />
        {canExport && (
          <Button href={api.contactsCsvUrl({ ...filters, columns: columns.join(',') })} download>
            {t('contacts.export')}
          </Button>
        )}
      </Space>
      {list.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      {similar && rows.length > 0 && (
        <Alert type="info" showIcon title={t('contacts.similar', { q })} data-testid="contacts-similar" />
      )}
      {outcome && outcome.failed > 0 && (
        <Alert
          type="warning"
          showIcon
          closable={{ onClose: () => setOutcome(null) }}
          data-testid="bulk-failures"
          title={t('contacts.bulkFailed', { count: outcome.failed })}
          description={
            <ul>
              {outcome.results
                .filter((r) => r.status === 'failed')
                .map((r) => (
                  <li key={r.contactId}>
                    {nameOfId(r.contactId)}: {r.detail}
                  </li>
                ))}
            </ul>
          }
        />
      )}
      {selected.length > 0 && (
        <Space wrap role="toolbar" aria-label={t('contacts.selected', { count: selected.length })}>
          <Typography.Text strong>{t('contacts.selected', { count: selected.length })}</Typography.Text>
          {canAssign && <Button onClick={() => setDialog('assign')}>{t('contacts.assign')}</Button>}
          {canRecycle && <Button onClick={() => setDialog('recycle')}>{t('contacts.recycle')}</Button>}
          {canRecycle && <Button onClick={() => setDialog('campaign')}>{t('contacts.addToCampaign')}</Button>}
          <Button type="link" onClick={() => setSelected([])}>
            {t('contacts.clearSelection')}
          </Button>
        </Space>
      )}
      <Table<Contact>
        rowKey="id"
        loading={list.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: filtered ? t('contacts.noneFound') : t('contacts.empty') }}
        scroll={{ x: 720 }}
        {...(canRecycle && {
          rowSelection: {
            selectedRowKeys: selected,
            onChange: (keys) => setSelected(keys.map(String)),
            getCheckboxProps: (c: Contact) => ({ 'aria-label': nameOf(c) }),
            getTitleCheckboxProps: () => ({ 'aria-label': t('common.selectAll') }),
            columnTitle: (checkbox: ReactNode) => <OutsideMeasureRow>{checkbox}</OutsideMeasureRow>,
          },
        })}
        columns={columns.map((c) => all[c])}
      />
      {list.hasNextPage && (
        <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t('contacts.more')}
        </Button>
      )}

      <Modal
        open={dialog === 'save'}
        title={t('contacts.saveViewTitle')}
        okText={t('contacts.saveView')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: saveView.isPending, htmlType: 'submit', form: 'save-view' }}
        onCancel={() => setDialog(null)}
        destroyOnHidden
      >
        <Form
          id="save-view"
          layout="vertical"
          onFinish={(input: { name: string; shared?: boolean }) => saveView.mutate(input)}
        >
          <Form.Item
            name="name"
            label={t('contacts.viewName')}
            rules={[{ required: true, whitespace: true, message: t('contacts.viewNameNeeded') }]}
          >
            <Input maxLength={80} />
          </Form.Item>
          <Form.Item name="shared" valuePropName="checked">
            <Checkbox>{t('contacts.viewShared')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={dialog === 'assign'}
        title={t('contacts.assignTitle', { count: selected.length })}
        okText={t('contacts.assign').replace('…', '')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: bulk.isPending, htmlType: 'submit', form: 'bulk-assign' }}
        onCancel={() => setDialog(null)}
        destroyOnHidden
      >
        <Form
          id="bulk-assign"
          layout="vertical"
          onFinish={(input: { userId: string; reason: string }) =>
            bulk.mutate({ action: 'assign', contactIds: selected, ...input })
          }
        >
          <Form.Item
            name="userId"
            label={t('contacts.rep')}
            rules={[{ required: true, message: t('contacts.repNeeded') }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={users.isPending}
              options={(users.data?.data ?? [])
                .filter((u) => u.isActive && u.role === 'sales_rep')
                .map((u) => ({ value: u.id, label: personName(t, u) }))}
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('contacts.reason')}
            rules={[{ required: true, min: 3, message: t('contacts.reasonNeeded') }]}
          >
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={dialog === 'recycle'}
        title={t('contacts.recycleTitle', { count: selected.length })}
        okText={t('contacts.recycle').replace('…', '')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: bulk.isPending, htmlType: 'submit', form: 'bulk-recycle' }}
        onCancel={() => setDialog(null)}
        destroyOnHidden
      >
        <Form
          id="bulk-recycle"
          layout="vertical"
          onFinish={(input: { reasonCode: string; note?: string }) =>
            bulk.mutate({
              action: 'recycle',
              contactIds: selected,
              reasonCode: input.reasonCode,
              ...(input.note?.trim() && { note: input.note.trim() }),
            })
          }
        >
          <Form.Item
            name="reasonCode"
            label={t('contacts.recycleReason')}
            rules={[{ required: true, message: t('contacts.recycleReasonNeeded') }]}
          >
            <Select
              loading={reasons.isPending}
              options={(reasons.data?.data ?? [])
                .filter((r) => r.active && r.outcome === 'recycle')
                .map((r) => ({ value: r.key, label: r.label[language] }))}
            />
          </Form.Item>
          <Form.Item name="note" label={t('contacts.note')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={dialog === 'campaign'}
        title={t('contacts.campaignTitle', { count: selected.length })}
        okText={t('contacts.addToCampaign').replace('…', '')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: bulk.isPending, htmlType: 'submit', form: 'bulk-campaign' }}
        onCancel={() => setDialog(null)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('contacts.campaignIntro')}</Typography.Paragraph>
        <Form
          id="bulk-campaign"
          layout="vertical"
          onFinish={(input: { campaign: string }) =>
            bulk.mutate({ action: 'add_to_campaign', contactIds: selected, campaign: input.campaign.trim() })
          }
        >
          <Form.Item
            name="campaign"
            label={t('contacts.campaign')}
            rules={[{ required: true, whitespace: true, message: t('contacts.campaignNeeded') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
