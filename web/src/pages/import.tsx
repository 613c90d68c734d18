import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Input, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportJob } from '../../../src/contract/imports.ts';
import {
  contactImportFields,
  eventImportFields,
  guessMapping,
  skipField,
} from '../../../src/domain/capture/guess-mapping.ts';
import { columnsFor, recordImportFields } from '../../../src/domain/capture/record-columns.ts';
import { api } from '../api.ts';
import { FieldProblem } from '../components/condition-builder.tsx';
import { problemText } from '../components/use-action.ts';
import { formatMoment } from '../format.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';

type Kind = ImportJob['kind'];

const fieldsOf = (kind: Kind): readonly string[] =>
  kind === 'contacts'
    ? contactImportFields
    : kind === 'events'
      ? eventImportFields
      : recordImportFields[kind];

/** The header line of a CSV file: its columns and separator (the one used most outside quotes). */
export function headersOf(text: string): { headers: string[]; delimiter: ',' | ';' | '\t' } {
  const line = (text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '').trim();
  const count = (d: string) => {
    let n = 0;
    let quoted = false;
    for (const c of line) {
      if (c === '"') quoted = !quoted;
      else if (c === d && !quoted) n++;
    }
    return n;
  };
  const delimiter = ([',', ';', '\t'] as const).reduce((best, d) => (count(d) > count(best) ? d : best), ',');
  const headers: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"' && quoted && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) {
      headers.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  headers.push(cell.trim());
  return { headers: headers.filter((h) => h !== ''), delimiter };
}

/** The guesses Baton's importers would make, column by column ('skip' where none fits). */
function guess(kind: Kind, headers: string[]): Record<string, string> {
  const mapped: Record<string, string> =
    kind === 'contacts' || kind === 'events'
      ? guessMapping(kind, headers, {}).mapping
      : Object.fromEntries(Object.entries(columnsFor(kind, headers, {}).columns).map(([f, c]) => [c, f]));
  return Object.fromEntries(headers.map((h) => [h, mapped[h] ?? skipField]));
}

const statusTone = { running: tones.blue, done: tones.green, failed: tones.red } as const;

/**
 * Importing from the browser: choose what the file holds, pick it, check how its columns map
 * (Baton's guesses, changeable), check every row in a dry run, then import. The run goes on in the
 * background, with its progress and report below; running a file again stores nothing twice.
 */
export function ImportPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const user = useUser();
  const queryClient = useQueryClient();
  const kinds: Kind[] =
    user.role === 'admin'
      ? ['contacts', 'events', 'users', 'accounts', 'opportunities']
      : ['contacts', 'events'];
  const [kind, setKind] = useState<Kind>('contacts');
  const [file, setFile] = useState<File | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [attributes, setAttributes] = useState(false);
  const [currency, setCurrency] = useState('EUR');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const jobs = useQuery({
    queryKey: ['import-jobs'],
    queryFn: api.importJobs,
    // While one runs, its progress is read every second.
    refetchInterval: (query) => (query.state.data?.data.some((j) => j.status === 'running') ? 1000 : false),
  });

  const choose = async (next: File | null, forKind = kind) => {
    setFile(next);
    setProblem(null);
    if (!next) return setHeaders([]);
    const { headers: found } = headersOf(await next.slice(0, 64 * 1024).text());
    setHeaders(found);
    setMapping(guess(forKind, found));
  };
  const start = async (dryRun: boolean) => {
    if (!file) return;
    const params = new URLSearchParams({ fileName: file.name });
    if (dryRun) params.set('dryRun', 'true');
    for (const [column, field] of Object.entries(mapping)) params.append('map', `${column}=${field}`);
    if (kind === 'contacts' && attributes) params.set('attributes', 'true');
    if (kind === 'opportunities' && /^[A-Z]{3}$/.test(currency)) params.set('currency', currency);
    setBusy(true);
    setProblem(null);
    try {
      await api.startImport(kind, file, params);
      await queryClient.invalidateQueries({ queryKey: ['import-jobs'] });
    } catch (error) {
      setProblem(problemText(error, t('common.failed')));
    } finally {
      setBusy(false);
    }
  };
  const fields = fieldsOf(kind);
  const taken = Object.values(mapping).filter((f) => f !== skipField);
  const twice = taken.find((f, i) => taken.indexOf(f) !== i);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('importPage.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('importPage.intro')}</Typography.Paragraph>
      </div>
      <Card title={<h2 className="baton-card-title">{t('importPage.file')}</h2>}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <label htmlFor="import-kind">{t('importPage.kind')}</label>
            <Select
              id="import-kind"
              style={{ minWidth: 220 }}
              value={kind}
              onChange={(next: Kind) => {
                setKind(next);
                void choose(file, next);
              }}
              options={kinds.map((k) => ({ value: k, label: t(`importPage.kinds.${k}`) }))}
            />
            <label htmlFor="import-file">{t('importPage.choose')}</label>
            <input
              id="import-file"
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => void choose(e.target.files?.[0] ?? null)}
            />
          </Space>
          <Typography.Text type="secondary">{t(`importPage.hint.${kind}`)}</Typography.Text>
          {headers.length > 0 && (
            <>
              <Table
                size="small"
                rowKey="column"
                pagination={false}
                dataSource={headers.map((column) => ({ column }))}
                columns={[
                  { title: t('importPage.column'), dataIndex: 'column' },
                  {
                    title: t('importPage.field'),
                    key: 'field',
                    render: (_, { column }) => (
                      <Select
                        aria-label={t('importPage.fieldOf', { column })}
                        style={{ minWidth: 200 }}
                        showSearch={{ optionFilterProp: 'label' }}
                        value={mapping[column] ?? skipField}
                        onChange={(field: string) => setMapping({ ...mapping, [column]: field })}
                        options={[
                          { value: skipField, label: t('importPage.skip') },
                          ...fields.map((f) => ({ value: f, label: f })),
                        ]}
                      />
                    ),
                  },
                ]}
              />
              {twice && <FieldProblem text={t('importPage.twice', { field: twice })} />}
              {kind === 'contacts' && (
                <Checkbox checked={attributes} onChange={(e) => setAttributes(e.target.checked)}>
                  {t('importPage.attributes')}
                </Checkbox>
              )}
              {kind === 'opportunities' && (
                <Space>
                  <label htmlFor="import-currency">{t('importPage.currency')}</label>
                  <Input
                    id="import-currency"
                    style={{ width: 90 }}
                    maxLength={3}
                    value={currency}
                    onChange={(e) => setCurrency(e.target.value.toUpperCase())}
                  />
                </Space>
              )}
              <Space wrap>
                <Button onClick={() => void start(true)} disabled={busy || Boolean(twice)}>
                  {t('importPage.dryRun')}
                </Button>
                <Button type="primary" onClick={() => void start(false)} disabled={busy || Boolean(twice)}>
                  {t('importPage.run')}
                </Button>
              </Space>
            </>
          )}
          {problem && <Alert type="error" showIcon title={problem} />}
        </Space>
      </Card>
      <Card title={<h2 className="baton-card-title">{t('importPage.jobs')}</h2>}>
        <Table<ImportJob>
          size="small"
          rowKey="id"
          loading={jobs.isPending}
          pagination={false}
          dataSource={jobs.data?.data ?? []}
          scroll={{ x: 900 }}
          locale={{ emptyText: t('importPage.none') }}
          expandable={{
            rowExpandable: (j) => (j.report?.errors.length ?? 0) > 0 || j.error !== null,
            expandedRowRender: (j) =>
              j.error ? (
                <Typography.Text type="danger">{j.error}</Typography.Text>
              ) : (
                <Table
                  size="small"
                  rowKey={(e) => `${e.row}-${e.column}-${e.reason}`}
                  pagination={false}
                  dataSource={j.report!.errors.slice(0, 20)}
                  columns={[
                    { title: t('importPage.row'), dataIndex: 'row' },
                    { title: t('importPage.column'), dataIndex: 'column' },
                    { title: t('importPage.reason'), dataIndex: 'reason' },
                  ]}
                />
              ),
          }}
          columns={[
            {
              title: t('importPage.fileName'),
              key: 'file',
              render: (_, j) => (
                <>
                  {j.fileName} {j.dryRun && <Tag>{t('importPage.dryRunTag')}</Tag>}
                  <Typography.Text type="secondary"> {t(`importPage.kinds.${j.kind}`)}</Typography.Text>
                </>
              ),
            },
            {
              title: t('importPage.started'),
              key: 'at',
              render: (_, j) => formatMoment(j.createdAt, user.timeZone, language),
            },
            {
              title: t('queue.status'),
              key: 'status',
              render: (_, j) =>
                j.status === 'running' ? (
                  <Progress
                    style={{ width: 160 }}
                    size="small"
                    aria-label={t('importPage.progress', { name: j.fileName })}
                    percent={j.fileBytes > 0 ? Math.floor((j.bytesRead / j.fileBytes) * 100) : 0}
                  />
                ) : (
                  <Tag style={statusTone[j.status]}>{t(`importPage.status.${j.status}`)}</Tag>
                ),
            },
            {
              title: t('importPage.result'),
              key: 'result',
              render: (_, j) =>
                j.report
                  ? t(j.dryRun ? 'importPage.checked' : 'importPage.summary', {
                      rows: j.report.rows,
                      valid: j.report.valid,
                      created: j.report.created + j.report.stored,
                      updated: j.report.updated + j.report.duplicates,
                      rejected: j.report.rejected,
                    })
                  : t('importPage.rowsSoFar', { rows: j.rowsRead }),
            },
            {
              title: t('importPage.errors'),
              key: 'errors',
              render: (_, j) =>
                j.report && j.report.errors.length + j.report.warnings.length > 0 ? (
                  <a href={`/api/v1/imports/jobs/${j.id}/errors.csv`} download>
                    {t('importPage.download')}
                  </a>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
