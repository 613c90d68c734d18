import { Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SlaQueueItem } from '../../../src/contract/sla.ts';
import { formatSpan } from '../format.ts';
import { tones } from '../theme.ts';

/**
 * The business time left on a follow-up clock, live: it runs down while the calendar is open and
 * stands still outside business hours (the queue is fetched again each minute to pick up the change).
 */
export function Countdown({ item, receivedAt }: { item: SlaQueueItem; receivedAt: number }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!item.ticking) return;
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, [item.ticking]);
  const left = item.businessMsLeft - (item.ticking ? Math.max(0, now - receivedAt) : 0);
  // A breach past the deadline may show no business time yet (it fell due as the office closed).
  const overdue = left < 0 || item.clock.status === 'breached';
  const tone = overdue ? tones.red : item.clock.status === 'at_risk' ? tones.orange : tones.green;
  const text = overdue
    ? t('queue.overdue', { span: formatSpan(left, t) })
    : t('queue.left', { span: formatSpan(left, t) });
  return (
    <Tooltip title={item.ticking ? t('queue.tickingHint') : t('queue.pausedHint')}>
      <Tag style={tone} data-testid="countdown" role="timer" aria-live="off">
        {text}
        {!item.ticking && ` · ${t('queue.paused')}`}
      </Tag>
    </Tooltip>
  );
}

export function StatusTag({ status, level }: { status: string; level?: number }) {
  const { t } = useTranslation();
  const tone =
    status === 'breached'
      ? tones.red
      : status === 'at_risk'
        ? tones.orange
        : status === 'met'
          ? tones.green
          : status === 'running'
            ? tones.blue
            : tones.grey;
  return (
    <Tag style={tone}>
      {t(`clockStatus.${status as 'running'}`)}
      {status === 'breached' && level ? ` · ${t('queue.level', { level })}` : ''}
    </Tag>
  );
}
