import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Checkbox,
  DatePicker,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { taskKinds, type Task, type TaskKind } from '../../../src/contract/tasks.ts';
import type { User } from '../../../src/contract/users.ts';
import { api } from '../api.ts';
import { formatMoment, personName } from '../format.ts';
import { useUser } from '../session.ts';
import { showFieldErrors, useAction } from './use-action.ts';

/** What a change to tasks refreshes: every list of them, the lead's and the queue's. */
const taskQueries = [['tasks']];

/**
 * Tasks as a list: what to do, its kind, when it is due (overdue in red) and for whom; ticked off
 * in place, and opened again by unticking. With `showLead`, each names its lead, linked.
 */
export function TaskList({
  tasks,
  showLead,
  loading,
}: {
  tasks: Task[];
  showLead: boolean;
  loading: boolean;
}) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const users = useQuery({ queryKey: ['users'], queryFn: api.users, staleTime: 300_000 });
  const nameOf = (id: string) => {
    const person = users.data?.data.find((u) => u.id === id);
    return person ? personName(t, person) : '—';
  };
  const tick = useAction({
    invalidate: taskQueries,
    success: (task: Task) => (task.done ? t('tasks.doneMessage') : t('tasks.reopened')),
    run: ({ id, done }: { id: string; done: boolean }) => api.updateTask(id, { done }),
  });
  return (
    <List<Task>
      loading={loading}
      dataSource={tasks}
      locale={{ emptyText: <Typography.Text type="secondary">{t('tasks.none')}</Typography.Text> }}
      renderItem={(task) => (
        <List.Item>
          <Space align="start">
            <Checkbox
              checked={task.done}
              disabled={tick.isPending}
              aria-label={t(task.done ? 'tasks.reopen' : 'tasks.markDone', { title: task.title })}
              onChange={(e) => tick.mutate({ id: task.id, done: e.target.checked })}
            />
            <div>
              <Typography.Text delete={task.done} strong={!task.done}>
                {task.title}
              </Typography.Text>{' '}
              <Tag>{t(`tasks.kinds.${task.kind}`)}</Tag>
              {task.overdue && <Tag color="red">{t('tasks.overdue')}</Tag>}
              <div>
                <Typography.Text type="secondary">
                  {task.done
                    ? t('tasks.doneAt', { at: formatMoment(task.doneAt, user.timeZone, language) })
                    : t('tasks.dueAt', { at: formatMoment(task.dueAt, user.timeZone, language) })}
                  {task.assigneeId !== user.id && ` · ${t('tasks.for', { name: nameOf(task.assigneeId) })}`}
                </Typography.Text>
              </div>
              {showLead && (
                <div>
                  {/* Underlined: beside the company's name, colour alone would not tell it is a link. */}
                  <Link to={`/leads/${task.contactId}`} style={{ textDecoration: 'underline' }}>
                    {task.contact.name ?? task.contact.email ?? task.contactId}
                  </Link>
                  {task.contact.company && (
                    <Typography.Text type="secondary"> · {task.contact.company}</Typography.Text>
                  )}
                </div>
              )}
            </div>
          </Space>
        </List.Item>
      )}
    />
  );
}

/** Who the reader may give a task to besides themselves: their team as a manager, any seller else. */
function takesTasks(person: User, reader: User): boolean {
  if (reader.role === 'sales_manager') return person.managerId === reader.id;
  return person.role === 'sales_rep' || person.role === 'sales_manager';
}

interface TaskForm {
  title: string;
  kind: TaskKind;
  dueAt: Dayjs;
  assigneeId: string;
}

/** A lead's next steps: the open ones first, then what was done, and a button to add one. */
export function TasksCard({ contactId, canWork }: { contactId: string; canWork: boolean }) {
  const { t } = useTranslation();
  const user = useUser();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<TaskForm>();
  const tasks = useQuery({
    queryKey: ['tasks', 'lead', contactId],
    queryFn: () => api.tasks({ contactId, status: 'all' }),
  });
  // A rep's tasks are their own; a manager may give one to someone of their team.
  const canDelegate = user.role !== 'sales_rep';
  const users = useQuery({
    queryKey: ['users'],
    queryFn: api.users,
    staleTime: 300_000,
    enabled: canDelegate,
  });
  const add = useAction({
    invalidate: taskQueries,
    success: t('tasks.added'),
    done: () => {
      setOpen(false);
      form.resetFields();
    },
    run: (values: TaskForm) =>
      api.createTask(contactId, {
        title: values.title,
        kind: values.kind,
        dueAt: values.dueAt.toISOString(),
        ...(canDelegate && values.assigneeId && { assigneeId: values.assigneeId }),
      }),
  });
  const rows = tasks.data?.data ?? [];
  return (
    <Card
      title={<h2 className="baton-card-title">{t('tasks.title')}</h2>}
      extra={
        canWork && (
          <Button size="small" onClick={() => setOpen(true)}>
            {t('tasks.add')}
          </Button>
        )
      }
    >
      <TaskList tasks={rows} showLead={false} loading={tasks.isPending} />
      <Modal
        open={open}
        title={t('tasks.add')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ loading: add.isPending }}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<TaskForm>
          form={form}
          layout="vertical"
          initialValues={{
            kind: 'call',
            // Tomorrow at nine: the usual next step.
            dueAt: dayjs().add(1, 'day').hour(9).minute(0).second(0).millisecond(0),
            assigneeId: user.id,
          }}
          onFinish={(values) =>
            add.mutate(values, {
              onError: (error) => showFieldErrors(form, error, ['title', 'kind', 'dueAt', 'assigneeId']),
            })
          }
        >
          <Form.Item
            name="title"
            label={t('tasks.what')}
            rules={[{ required: true, whitespace: true, message: t('tasks.whatRequired') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="kind" label={t('tasks.kind')}>
            <Radio.Group options={taskKinds.map((value) => ({ value, label: t(`tasks.kinds.${value}`) }))} />
          </Form.Item>
          <Form.Item
            name="dueAt"
            label={t('tasks.due')}
            rules={[{ required: true, message: t('tasks.dueRequired') }]}
          >
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
          </Form.Item>
          {canDelegate && (
            <Form.Item name="assigneeId" label={t('tasks.assignee')}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={(users.data?.data ?? [])
                  .filter((u) => u.id === user.id || (u.isActive && takesTasks(u, user)))
                  .map((u) => ({ value: u.id, label: personName(t, u) }))}
              />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}

/** The reader's own open next steps across their leads, overdue first: the top of their queue. */
export function MyTasks() {
  const { t } = useTranslation();
  const user = useUser();
  const tasks = useQuery({
    queryKey: ['tasks', 'mine', user.id],
    queryFn: () => api.tasks({ assigneeId: user.id, status: 'open' }),
    refetchInterval: 60_000,
  });
  const rows = tasks.data?.data ?? [];
  if (!tasks.isPending && rows.length === 0) return null;
  return (
    <Card title={<h2 className="baton-card-title">{t('tasks.mine')}</h2>}>
      <TaskList tasks={rows} showLead loading={tasks.isPending} />
    </Card>
  );
}

/**
 * The next steps the reader's team let slip: open and past their due time, whoever has them,
 * longest overdue first. Nothing when none is.
 */
export function OverdueTasks() {
  const { t } = useTranslation();
  const tasks = useQuery({
    queryKey: ['tasks', 'team'],
    queryFn: () => api.tasks({ status: 'open', limit: 500 }),
    refetchInterval: 60_000,
  });
  const rows = (tasks.data?.data ?? []).filter((task) => task.overdue);
  if (rows.length === 0) return null;
  return (
    <Card title={<h2 className="baton-card-title">{t('tasks.teamOverdue', { count: rows.length })}</h2>}>
      <TaskList tasks={rows} showLead loading={false} />
    </Card>
  );
}
