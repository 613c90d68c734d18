import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Radio, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import type { OneClickDone } from '../../../src/contract/one-click.ts';
import { ApiError, api } from '../api.ts';
import { problemText, showFieldErrors } from '../components/use-action.ts';
import { applyLanguage, type LanguageCode } from '../i18n.ts';
import { AnonymousCard } from './set-password.tsx';

/** The token of the link: in the fragment, which no server or proxy sees. */
const tokenOf = (hash: string) => new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';

/**
 * The page of a one-click link from an email (accept, reject with a reason, I called). Opening it
 * changes nothing, so a mail scanner that follows links does no harm: the rep confirms, and only
 * that POST acts, once, as the rep the link was made for.
 */
export function OneClickPage() {
  const location = useLocation();
  const token = tokenOf(location.hash);
  // Another link opened in the same tab starts afresh.
  return <OneClickFlow key={token} token={token} />;
}

function OneClickFlow({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const preview = useQuery({
    queryKey: ['one-click', token],
    queryFn: () => api.oneClickPreview(token),
    retry: false,
    enabled: token !== '',
    staleTime: Infinity,
  });
  const [form] = Form.useForm<{ reasonCode?: string; note?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<OneClickDone | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    if (preview.data) applyLanguage(preview.data.rep.language as LanguageCode);
  }, [preview.data]);

  if (token !== '' && preview.isPending)
    return (
      <AnonymousCard title="Baton">
        <Space>
          <Spin /> {t('oneClick.checking')}
        </Space>
      </AnonymousCard>
    );

  const code =
    refusal ??
    (preview.data
      ? null
      : preview.error instanceof ApiError
        ? preview.error.problem.code
        : 'auth.link_invalid');
  if (code !== null) {
    const title =
      code === 'auth.link_used'
        ? t('oneClick.used')
        : code === 'auth.link_expired'
          ? t('oneClick.expired')
          : t('oneClick.invalid');
    return (
      <AnonymousCard title={title}>
        <Alert type="warning" showIcon title={title} description={t('oneClick.problemIntro')} role="alert" />
        <Link to="/">{t('oneClick.signIn')}</Link>
      </AnonymousCard>
    );
  }

  const info = preview.data!;
  const lead = info.lead.name;
  if (done)
    return (
      <AnonymousCard title={t(`oneClick.done_${done.action}`, { lead })}>
        <Alert type="success" showIcon role="status" title={t(`oneClick.done_${done.action}`, { lead })} />
        <Link to={`/leads/${done.contactId}`}>{t('oneClick.openLead')}</Link>
      </AnonymousCard>
    );

  const submit = async (values: { reasonCode?: string; note?: string }) => {
    setBusy(true);
    setError(null);
    try {
      setDone(
        await api.oneClickAct({
          token,
          ...(values.reasonCode && { reasonCode: values.reasonCode }),
          ...(values.note?.trim() && { note: values.note.trim() }),
        }),
      );
    } catch (e) {
      if (e instanceof ApiError && e.problem.code?.startsWith('auth.link_')) setRefusal(e.problem.code);
      else if (!showFieldErrors(form, e, ['reasonCode', 'note']))
        setError(problemText(e, t('common.failed')));
    } finally {
      setBusy(false);
    }
  };
  const language: 'en' | 'nl' = i18n.language === 'nl' ? 'nl' : 'en';

  return (
    <AnonymousCard title={t(`oneClick.${info.action}`, { lead })}>
      <Typography.Paragraph style={{ margin: 0 }}>{t(`oneClick.${info.action}Intro`)}</Typography.Paragraph>
      <Typography.Text type="secondary">
        {[
          t('oneClick.as', { name: info.rep.name }),
          info.lead.company && t('oneClick.company', { company: info.lead.company }),
        ]
          .filter(Boolean)
          .join(' · ')}
      </Typography.Text>
      {error && <Alert type="error" title={error} showIcon role="alert" />}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
        {info.action === 'reject' && (
          <Form.Item
            name="reasonCode"
            label={t('oneClick.reason')}
            rules={[{ required: true, message: t('oneClick.reasonNeeded') }]}
          >
            <Radio.Group>
              <Space orientation="vertical">
                {info.reasons.map((r) => (
                  <Radio key={r.key} value={r.key}>
                    {r.label[language]}
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
        )}
        <Form.Item name="note" label={t('oneClick.note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block disabled={busy}>
          {t('oneClick.confirm')}
        </Button>
      </Form>
    </AnonymousCard>
  );
}
