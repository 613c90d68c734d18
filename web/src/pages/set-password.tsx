import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, api } from '../api.ts';
import { NewPasswordFields } from '../components/new-password-fields.tsx';
import { problemText, showFieldErrors } from '../components/use-action.ts';
import { applyLanguage } from '../i18n.ts';
import { LanguageSwitch } from '../layout.tsx';

/** A page of its own before anyone is signed in: the title, the language switch, the content. */
export function AnonymousCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="baton-sign-in">
      <Card>
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Space style={{ width: '100%', justifyContent: 'space-between' }} align="start">
            <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
              {title}
            </Typography.Title>
            <LanguageSwitch signedIn={false} />
          </Space>
          {children}
        </Space>
      </Card>
    </main>
  );
}

/** "Forgot password": the same answer for any address, so nobody learns who has an account. */
function ResetRequest({ email }: { email?: string }) {
  const { t } = useTranslation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const request = async (address: string) => {
    setBusy(true);
    setError(null);
    try {
      await api.requestPasswordReset(address.trim());
      setSentTo(address.trim());
    } catch (e) {
      setError(problemText(e, t('common.failed')));
    } finally {
      setBusy(false);
    }
  };
  return sentTo ? (
    <Alert type="success" showIcon title={t('password.sent', { email: sentTo })} role="status" />
  ) : (
    <Form<{ email: string }>
      layout="vertical"
      requiredMark={false}
      initialValues={{ email }}
      onFinish={({ email: address }) => void request(address)}
    >
      {error && <Alert type="error" title={error} showIcon role="alert" style={{ marginBottom: 12 }} />}
      <Form.Item
        name="email"
        label={t('signIn.email')}
        rules={[{ required: true, type: 'email', message: t('signIn.emailNeeded') }]}
      >
        <Input autoComplete="username" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        {t('password.send')}
      </Button>
    </Form>
  );
}

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  return (
    <AnonymousCard title={t('password.forgotTitle')}>
      <Typography.Paragraph style={{ margin: 0 }}>{t('password.forgotIntro')}</Typography.Paragraph>
      <ResetRequest />
      <Link to="/sign-in">{t('password.back')}</Link>
    </AnonymousCard>
  );
}

/** The token of the link: in the fragment (never sent to a server), or a query parameter. */
function tokenOf(location: { hash: string; search: string }): string {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  return fromHash ?? new URLSearchParams(location.search).get('token') ?? '';
}

/**
 * The page of an invitation or "forgot password" link: checks the link, asks for the password
 * twice, saves it and signs in. A used or expired link says so, with a way to ask for a new one.
 */
export function SetPasswordPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const token = tokenOf(location);
  const link = useQuery({
    queryKey: ['password-link', token],
    queryFn: () => api.passwordLink(token),
    retry: false,
    enabled: token !== '',
    staleTime: Infinity,
  });
  const [form] = Form.useForm<{ password: string; repeat: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (link.data) applyLanguage(link.data.language);
  }, [link.data]);

  if (token !== '' && link.isPending)
    return (
      <AnonymousCard title="Baton">
        <Space>
          <Spin /> {t('password.checking')}
        </Space>
      </AnonymousCard>
    );

  if (!link.data) {
    const code = link.error instanceof ApiError ? link.error.problem.code : 'auth.link_invalid';
    const problem =
      code === 'auth.link_expired'
        ? t('password.expired')
        : code === 'auth.link_used'
          ? t('password.used')
          : t('password.invalid');
    return (
      <AnonymousCard title={problem}>
        <Alert type="warning" showIcon title={problem} description={t('password.askNew')} role="alert" />
        <ResetRequest />
        <Link to="/sign-in">{t('password.back')}</Link>
      </AnonymousCard>
    );
  }

  const info = link.data;
  const submit = async ({ password }: { password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.setPassword(token, password);
      if ('challenge' in result)
        void navigate(`/sign-in?second_factor=1${result.challenge.enrol ? '&enrol=1' : ''}`, {
          replace: true,
        });
      else {
        queryClient.setQueryData(['session'], result);
        void navigate('/', { replace: true });
      }
    } catch (e) {
      if (e instanceof ApiError && e.problem.code?.startsWith('auth.link_')) void link.refetch();
      else if (!showFieldErrors(form, e, ['password'])) setError(problemText(e, t('common.failed')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AnonymousCard
      title={
        info.purpose === 'invitation'
          ? t('password.inviteTitle', { name: info.name })
          : t('password.resetTitle', { email: info.email })
      }
    >
      <Typography.Paragraph style={{ margin: 0 }}>
        {info.purpose === 'invitation'
          ? t('password.inviteIntro', { email: info.email })
          : t('password.resetIntro')}
      </Typography.Paragraph>
      {error && <Alert type="error" title={error} showIcon role="alert" />}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
        {/* The address beside the new password lets a password manager save the pair. */}
        <input type="hidden" name="username" autoComplete="username" value={info.email} readOnly />
        <NewPasswordFields name="password" label={t('password.newPassword')} />
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('password.submit')}
        </Button>
      </Form>
    </AnonymousCard>
  );
}
