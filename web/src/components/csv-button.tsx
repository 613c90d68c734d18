import { DownloadOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * Downloads what a card shows as CSV, with the same filters (the server writes the file, through
 * the one export path that neutralises formulas). `what` names the card for a screen reader.
 */
export function CsvButton({ href, what }: { href: string; what: string }) {
  const { t } = useTranslation();
  return (
    <Button
      size="small"
      href={href}
      download
      aria-label={t('common.exportCsvOf', { what })}
      icon={<DownloadOutlined aria-hidden />}
    >
      {t('common.exportCsv')}
    </Button>
  );
}
