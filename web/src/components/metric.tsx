import { InfoCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Popover, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MetricCatalogue, MetricDefinition } from '../../../src/contract/metrics.ts';
import { api } from '../api.ts';
import type { Period } from './period-picker.tsx';
import type { PlanPeriod } from './plan-period.tsx';

export type MetricId = MetricDefinition['id'];
type DefaultPeriod = MetricCatalogue['defaultPeriod'];

/** The metric catalogue and the company's default period (read once, shared by every page). */
export function useMetrics() {
  return useQuery({ queryKey: ['metrics'], queryFn: api.metrics, staleTime: 5 * 60_000 });
}

/** The days a default period covers, up to today. */
export function periodOf(setting: DefaultPeriod): Period {
  const today = dayjs().endOf('day');
  const days = { last_7_days: 7, last_30_days: 30, last_90_days: 90, last_365_days: 365 } as const;
  if (setting in days)
    return [
      dayjs()
        .startOf('day')
        .subtract(days[setting as keyof typeof days] - 1, 'day'),
      today,
    ];
  const unit = setting === 'this_month' ? 'month' : setting === 'this_year' ? 'year' : 'quarter';
  const start =
    unit === 'quarter'
      ? dayjs()
          .month(Math.floor(dayjs().month() / 3) * 3)
          .startOf('month')
      : dayjs().startOf(unit);
  return [start, today];
}

/** The plan period (month, quarter or year) of a default period; a span of days maps to its quarter. */
export function planPeriodOf(setting: DefaultPeriod): PlanPeriod {
  const now = dayjs();
  if (setting === 'this_month') return { periodKind: 'month', periodStart: now.format('YYYY-MM') };
  if (setting === 'this_year') return { periodKind: 'year', periodStart: now.format('YYYY-01') };
  return { periodKind: 'quarter', periodStart: now.month(Math.floor(now.month() / 3) * 3).format('YYYY-MM') };
}

/**
 * A report page's period: the company's default until the user picks another. Undefined while the
 * default loads, so no page first asks for a period it then drops.
 */
export function useReportPeriod(): [Period | undefined, (p: Period) => void] {
  const metrics = useMetrics();
  const [picked, setPicked] = useState<Period>();
  const fallback = metrics.isError ? periodOf('last_30_days') : undefined;
  return [picked ?? (metrics.data ? periodOf(metrics.data.defaultPeriod) : fallback), setPicked];
}

/** The plan period a board or plan page opens with: the company's default period's month, quarter or year. */
export function useReportPlanPeriod(): [PlanPeriod | undefined, (p: PlanPeriod) => void] {
  const metrics = useMetrics();
  const [picked, setPicked] = useState<PlanPeriod>();
  const fallback = metrics.isError ? planPeriodOf('this_quarter') : undefined;
  return [picked ?? (metrics.data ? planPeriodOf(metrics.data.defaultPeriod) : fallback), setPicked];
}

/** "1 Oct 2026 – 31 Dec 2026": the days an API period [from, to) covers. */
export function periodLabel(range: { from: string; to: string }, language: string): string {
  const format = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'medium',
    timeZone: 'UTC',
  });
  const last = new Date(Date.parse(range.to) - 1);
  return `${format.format(new Date(range.from))} – ${format.format(last)}`;
}

/**
 * A metric's name with an info mark: its definition from the catalogue, what is counted, against
 * what, what is left out, and the period this figure covers.
 */
export function MetricTitle({
  id,
  range,
  children,
}: {
  id: MetricId;
  range: { from: string; to: string } | undefined;
  children?: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const metric = useMetrics().data?.data.find((m) => m.id === id);
  const name = children ?? metric?.name[language] ?? id;
  return (
    <span className="baton-metric-title">
      {name}
      <Popover
        title={metric?.name[language]}
        content={
          metric && (
            <div style={{ maxWidth: 360 }} data-metric-definition={id}>
              <Typography.Paragraph style={{ marginBottom: 8 }}>
                {metric.definition[language]}
              </Typography.Paragraph>
              <dl className="baton-metric-rules">
                <dt>{t('metrics.numerator')}</dt>
                <dd>{metric.numerator[language]}</dd>
                {metric.denominator && (
                  <>
                    <dt>{t('metrics.denominator')}</dt>
                    <dd>{metric.denominator[language]}</dd>
                  </>
                )}
                <dt>{t('metrics.exclusions')}</dt>
                <dd>{metric.exclusions[language]}</dd>
                <dt>{t('metrics.periodRule')}</dt>
                <dd>{metric.period[language]}</dd>
                {range && (
                  <>
                    <dt>{t('metrics.covers')}</dt>
                    <dd>{periodLabel(range, language)}</dd>
                  </>
                )}
              </dl>
            </div>
          )
        }
      >
        <Button
          type="text"
          size="small"
          icon={<InfoCircleOutlined />}
          aria-label={t('metrics.about', { name: metric?.name[language] ?? id })}
        />
      </Popover>
    </span>
  );
}

/** A shown number marked with its metric and raw value, so one test can compare pages. */
export function MetricValue({
  id,
  value,
  scope = 'total',
  children,
}: {
  id: MetricId;
  value: number | null | undefined;
  /** Whose figure it is: the whole period's (total), or a part's such as rep:{id}. */
  scope?: string;
  children: ReactNode;
}) {
  return (
    <span data-metric={id} data-scope={scope} data-value={value ?? ''}>
      {children}
    </span>
  );
}

/** The period a card's figures cover, always in view. */
export function PeriodNote({ range }: { range: { from: string; to: string } | undefined }) {
  const { t, i18n } = useTranslation();
  if (!range) return null;
  return (
    <Typography.Text type="secondary" data-period={`${range.from}/${range.to}`}>
      {t('metrics.periodShown', { period: periodLabel(range, i18n.language) })}
    </Typography.Text>
  );
}
