import { Card, Descriptions, Progress, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { MarketingCommitment } from '../../../src/contract/sla.ts';
import { formatPercent } from '../format.ts';
import { MetricTitle } from './metric.tsx';
import { tones, type Tone } from '../theme.ts';

const toneOf: Record<MarketingCommitment['pace']['status'], Tone> = {
  upcoming: 'grey',
  on_track: 'green',
  at_risk: 'orange',
  behind: 'red',
  met: 'green',
  missed: 'red',
};

/** Marketing's commitment for a period and its pace: delivered against target, acceptance against the minimum. */
export function PaceCard({ commitment, link = true }: { commitment: MarketingCommitment; link?: boolean }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const { pace } = commitment;
  const dayAfter = new Date(Date.parse(`${commitment.endsOn}T00:00:00.000Z`) + 86_400_000);
  const range = { from: `${commitment.startsOn}T00:00:00.000Z`, to: dayAfter.toISOString() };
  const title = `${t(`commitment.period.${commitment.period}`)} ${commitment.startsOn} – ${commitment.endsOn}`;
  return (
    <Card
      size="small"
      title={
        <h3 className="baton-card-title">
          {link ? <Link to={`/commitments/${commitment.id}`}>{title}</Link> : title}
        </h3>
      }
      extra={<Tag style={tones[toneOf[pace.status]]}>{t(`commitment.status.${pace.status}`)}</Tag>}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Progress
          percent={Math.min(100, Math.round((pace.delivered / commitment.mqlTarget) * 100))}
          success={{ percent: Math.min(100, Math.round((pace.expectedToDate / commitment.mqlTarget) * 100)) }}
          strokeColor="#0b5cd5"
          aria-label={t('commitment.progress')}
          format={() => `${pace.delivered} / ${commitment.mqlTarget}`}
        />
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2 }}
          items={[
            {
              key: 'expected',
              label: t('commitment.expectedToDate'),
              children: Math.round(pace.expectedToDate),
            },
            { key: 'projected', label: t('commitment.projected'), children: pace.projected ?? '—' },
            {
              key: 'acceptance',
              label: <MetricTitle id="acceptance_rate" range={range} />,
              children: `${formatPercent(pace.acceptanceRate, language)} (${t('commitment.minimum')} ${formatPercent(commitment.minAcceptanceRate, language)})`,
            },
            {
              key: 'decided',
              label: t('commitment.decided'),
              children: `${pace.accepted} / ${pace.rejected}`,
            },
          ]}
        />
        {pace.reasons.length > 0 && (
          <Typography.Text type="danger">
            {pace.reasons.map((r) => t(`commitment.reason.${r}`)).join(' · ')}
          </Typography.Text>
        )}
      </Space>
    </Card>
  );
}
