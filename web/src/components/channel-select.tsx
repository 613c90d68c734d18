import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { en } from '../locales/en.ts';
import { channelName } from '../format.ts';

/**
 * A channel to filter on: Baton's own channels in the reader's language, or a company's own
 * medium typed as it is stored (one value).
 */
export function ChannelSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  const { t } = useTranslation();
  return (
    <Select<string[]>
      mode="tags"
      maxCount={1}
      allowClear
      aria-label={label}
      placeholder={label}
      style={{ width: 200 }}
      value={value ? [value] : []}
      onChange={(values) => onChange(values.at(-1)?.trim() || undefined)}
      showSearch={{ optionFilterProp: 'label' }}
      options={Object.keys(en.channels).map((code) => ({ value: code, label: channelName(t, code) }))}
    />
  );
}
