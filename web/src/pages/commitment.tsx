import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Skeleton, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api.ts';
import { PaceCard } from '../components/pace-card.tsx';

/** One of Marketing's commitments, day by day: delivered MQLs against an even pace. */
export function CommitmentPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const commitment = useQuery({ queryKey: ['commitment', id], queryFn: () => api.commitment(id) });
  if (commitment.isPending) return <Skeleton active />;
  if (commitment.isError) return <Alert type="error" title={t('common.loadFailed')} showIcon />;
  const days = commitment.data.days.map((d) => ({
    date: d.date.slice(5),
    delivered: d.cumulative,
    expected: Math.round(d.expected * 10) / 10,
  }));
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1}>{t('commitment.title')}</Typography.Title>
      <PaceCard commitment={commitment.data} link={false} />
      <Card title={<h2 className="baton-card-title">{t('commitment.days')}</h2>}>
        {days.length === 0 ? (
          <Typography.Text type="secondary">{t('commitment.noDays')}</Typography.Text>
        ) : (
          <div role="img" aria-label={t('commitment.chartLabel')}>
            <ResponsiveContainer width="100%" height={300}>
              <LineChart data={days}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="date" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Line
                  isAnimationActive={false}
                  dataKey="delivered"
                  name={t('commitment.delivered')}
                  stroke="#0b5cd5"
                  dot={false}
                />
                <Line
                  isAnimationActive={false}
                  dataKey="expected"
                  name={t('commitment.expected')}
                  stroke="#7c3500"
                  strokeDasharray="5 5"
                  dot={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </Card>
    </Space>
  );
}
