import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Pacing } from '../../../src/contract/planning.ts';

/** One warning for every stage behind its plan, each with its figures. */
export function BehindAlert({ alerts, language }: { alerts: Pacing['alerts']; language: 'en' | 'nl' }) {
  const { t } = useTranslation();
  if (alerts.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      title={t('plan.behind')}
      description={
        <ul className="baton-agreement-list">
          {alerts.map((a) => (
            <li key={a.stage}>{a.message[language]}</li>
          ))}
        </ul>
      }
    />
  );
}
