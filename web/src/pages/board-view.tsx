import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Row, Space, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { BehindAlert } from '../components/behind-alert.tsx';
import { PaceTable } from '../components/pace-table.tsx';
import { MetricTitle, MetricValue, useReportPlanPeriod } from '../components/metric.tsx';
import { PlanPeriodPicker } from '../components/plan-period.tsx';
import { formatMoney, formatPercent, formatStay } from '../format.ts';

/**
 * The board view (steps 5 and 7), printable: plan against actual by stage and velocity, both sides'
 * SLAs, Marketing-sourced and influenced revenue with CAC, and the forecast.
 */
export function BoardViewPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const [period, setPeriod] = useReportPlanPeriod();
  const board = useQuery({
    queryKey: ['board', period],
    queryFn: () => api.board(period!),
    enabled: period !== undefined,
  });
  const b = board.data;
  const range = b && { from: b.from, to: b.to };
  const money = (minor: number | null) =>
    minor === null ? '—' : formatMoney(minor, b?.currency ?? 'EUR', language);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} className="baton-board">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1}>{t('boardView.title')}</Typography.Title>
        <Space className="baton-no-print">
          {period && <PlanPeriodPicker value={period} onChange={setPeriod} />}
          <Button onClick={() => window.print()}>{t('boardView.print')}</Button>
        </Space>
      </Space>
      {!b ? (
        <Card loading />
      ) : (
        <>
          <Typography.Text type="secondary">
            {t('boardView.period', { from: b.from.slice(0, 10), to: b.to.slice(0, 10) })}{' '}
            {b.agreements.map((a) => (
              <Tag key={a.from}>
                {a.version === null
                  ? t('boardView.noAgreement')
                  : t('plan.agreementVersion', { version: a.version })}{' '}
                {t('boardView.spanFrom', { date: a.from.slice(0, 10) })}
              </Tag>
            ))}
          </Typography.Text>
          <BehindAlert alerts={b.pacing.alerts} language={language} />
          <Row gutter={[16, 16]}>
            <Col xs={24} md={6}>
              <Card>
                <Statistic title={t('boardView.forecast')} value={money(b.forecast.forecastMinor)} />
                <Typography.Text type="secondary">
                  {t('boardView.forecastParts', {
                    won: money(b.forecast.wonMinor),
                    open: money(b.forecast.weightedOpenMinor),
                  })}
                </Typography.Text>
                <div>
                  <MetricTitle id="won_deals" range={range} />:{' '}
                  <MetricValue id="won_deals" value={b.forecast.wonDeals}>
                    {b.forecast.wonDeals}
                  </MetricValue>
                  {' · '}
                  <MetricTitle id="won_revenue" range={range} />:{' '}
                  <MetricValue id="won_revenue" value={b.forecast.wonMinor}>
                    {money(b.forecast.wonMinor)}
                  </MetricValue>
                </div>
              </Card>
            </Col>
            <Col xs={24} md={6}>
              <Card>
                <Statistic title={t('boardView.plan')} value={money(b.forecast.planMinor)} />
                <Typography.Text
                  type={b.forecast.gapMinor !== null && b.forecast.gapMinor < 0 ? 'danger' : 'secondary'}
                >
                  {t('boardView.gap', { gap: money(b.forecast.gapMinor) })}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={24} md={6}>
              <Card>
                <Statistic title={t('boardView.sourced')} value={money(b.marketing.sourcedRevenueMinor)} />
                <Typography.Text type="secondary">
                  {t('boardView.influenced', { amount: money(b.marketing.influencedRevenueMinor) })}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={24} md={6}>
              <Card>
                <Statistic
                  title={<MetricTitle id="cac" range={range} />}
                  valueRender={() => (
                    <MetricValue id="cac" value={b.marketing.cacMinor}>
                      {money(b.marketing.cacMinor)}
                    </MetricValue>
                  )}
                />
                <Typography.Text type="secondary">
                  {t('boardView.cacCost', { cost: money(b.marketing.campaignCostMinor) })}{' '}
                  <MetricTitle id="new_customers" range={range} />:{' '}
                  <MetricValue id="new_customers" value={b.marketing.newCustomers}>
                    {b.marketing.newCustomers}
                  </MetricValue>
                </Typography.Text>
              </Card>
            </Col>
          </Row>
          <Card title={t('boardView.planVsActual')}>
            {b.pacing.plan ? (
              <PaceTable stages={b.pacing.stages} />
            ) : (
              <Typography.Text type="secondary">{t('plan.noPlan')}</Typography.Text>
            )}
          </Card>
          <Row gutter={[16, 16]}>
            <Col xs={24} md={12}>
              <Card title={t('boardView.velocity')}>
                <Statistic title={t('boardView.perDay')} value={money(b.velocity.perDayMinor)} />
                <Typography.Text type="secondary">
                  {t('boardView.velocityBasis', {
                    open: b.velocity.openOpportunities,
                    rate: formatPercent(b.velocity.winRate, language),
                    deal: money(b.velocity.averageDealMinor),
                    days: b.velocity.cycleDays === null ? '—' : Math.round(b.velocity.cycleDays),
                  })}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card title={t('boardView.sla')}>
                <Statistic
                  title={
                    <MetricTitle id="sla_compliance" range={range}>
                      {t('boardView.salesSla')}
                    </MetricTitle>
                  }
                  valueRender={() => (
                    <MetricValue id="sla_compliance" value={b.sla.sales.compliance}>
                      {formatPercent(b.sla.sales.compliance, language)}
                    </MetricValue>
                  )}
                />
                <Typography.Text type="secondary">
                  {t('boardView.salesSlaBasis', {
                    met: b.sla.sales.met,
                    measured: b.sla.sales.measured,
                    waived: b.sla.sales.waived,
                  })}
                </Typography.Text>
                <div>
                  <MetricTitle id="speed_to_lead" range={range} />:{' '}
                  <MetricValue id="speed_to_lead" value={b.sla.sales.speedToLeadMedianMs}>
                    {b.sla.sales.speedToLeadMedianMs === null
                      ? '—'
                      : t('boardView.median', { span: formatStay(b.sla.sales.speedToLeadMedianMs, t) })}
                  </MetricValue>
                </div>
                {b.sla.marketing.map((c) => (
                  <div key={c.commitmentId}>
                    {t('boardView.marketingSla', {
                      delivered: c.pace.delivered,
                      target: c.mqlTarget,
                      rate: formatPercent(c.pace.acceptanceRate, language),
                    })}{' '}
                    <Tag>
                      {t('boardView.commitmentTag', {
                        status: t(`boardView.commitmentStatus.${c.pace.status}`),
                      })}
                    </Tag>
                  </div>
                ))}
              </Card>
            </Col>
          </Row>
        </>
      )}
    </Space>
  );
}
