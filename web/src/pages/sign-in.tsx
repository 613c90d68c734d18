import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Divider, Form, Input, QRCode, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import type { LoginBody, Session, TotpEnrolment } from '../../../src/contract/auth.ts';
import { ApiError, api } from '../api.ts';
import { LanguageSwitch } from '../layout.tsx';
import { en } from '../locales/en.ts';

type Step =
  | { kind: 'password' }
  | { kind: 'second'; enrol: boolean }
  | { kind: 'codes'; session: Session; codes: string[] };

/** Why an SSO sign-in was refused, as the server names it (`ssoRefusals`): each has its text. */
type SsoReason = keyof typeof en.signIn.sso;
const ssoReasons = Object.keys(en.signIn.sso) as SsoReason[];

/** The recovery codes, shown once after the second factor was set up. */
export function RecoveryCodesList({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph style={{ margin: 0 }}>{t('secondFactor.codesIntro')}</Typography.Paragraph>
      <pre className="baton-recovery-codes" data-testid="recovery-codes">
        {codes.join('\n')}
      </pre>
    </Space>
  );
}

/** The secret of a new authenticator app: a QR code to scan, and the key to type. */
export function EnrolmentSecret({ enrolment }: { enrolment: TotpEnrolment }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} align="center">
      <Typography.Paragraph style={{ margin: 0 }}>{t('secondFactor.scan')}</Typography.Paragraph>
      <QRCode value={enrolment.uri} size={176} bordered={false} />
      <Typography.Text type="secondary">{t('secondFactor.orType')}</Typography.Text>
      <Typography.Text code copyable data-testid="totp-secret">
        {enrolment.secret}
      </Typography.Text>
    </Space>
  );
}

export function SignInPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const ssoError = params.get('sso_error');
  const returnTo = params.get('returnTo');
  const [error, setError] = useState<string | null>(
    ssoError
      ? t(
          `signIn.sso.${(ssoReasons as string[]).includes(ssoError) ? (ssoError as SsoReason) : 'token_rejected'}`,
        )
      : null,
  );
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState<Step>(
    params.get('second_factor')
      ? { kind: 'second', enrol: params.get('enrol') === '1' }
      : { kind: 'password' },
  );
  const [useRecovery, setUseRecovery] = useState(false);
  const [showPassword, setShowPassword] = useState(false);
  const options = useQuery({ queryKey: ['sign-in-options'], queryFn: api.signInOptions, retry: false });
  // An empty store has nobody to sign in: the browser opens the setup page instead.
  const setup = useQuery({ queryKey: ['setup-status'], queryFn: api.setupStatus, retry: false });
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);

  useEffect(() => {
    if (step.kind !== 'second' || !step.enrol || enrolment) return;
    api.enrolDuringSignIn().then(setEnrolment, () => {
      setError(t('secondFactor.expired'));
      setStep({ kind: 'password' });
    });
  }, [step, enrolment, t]);

  const finish = (session: Session) => {
    queryClient.setQueryData(['session'], session);
    if (returnTo?.startsWith('/') && !returnTo.startsWith('//')) void navigate(returnTo, { replace: true });
    else if (params.size > 0) void navigate('/', { replace: true });
  };

  const failure = (e: unknown) =>
    e instanceof ApiError && e.status === 429
      ? t('signIn.tooMany')
      : e instanceof ApiError && e.problem.code === 'auth.sso_required'
        ? t('signIn.ssoRequired', { name: options.data?.sso?.name ?? 'SSO' })
        : e instanceof ApiError && e.status === 401
          ? t('signIn.wrong')
          : t('common.failed');

  const submitPassword = async (values: LoginBody) => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.signIn(values);
      if ('challenge' in result) setStep({ kind: 'second', enrol: result.challenge.enrol });
      else finish(result);
    } catch (e) {
      setError(failure(e));
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (values: { code?: string; recoveryCode?: string }) => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.secondFactor(
        useRecovery ? { recoveryCode: values.recoveryCode ?? '' } : { code: (values.code ?? '').trim() },
      );
      const { recoveryCodes, ...session } = result;
      if (recoveryCodes) setStep({ kind: 'codes', session, codes: recoveryCodes });
      else finish(session);
    } catch (e) {
      if (e instanceof ApiError && e.problem.code === 'auth.challenge_missing') {
        setStep({ kind: 'password' });
        setError(t('secondFactor.expired'));
      } else setError(e instanceof ApiError && e.status === 401 ? t('secondFactor.wrong') : failure(e));
    } finally {
      setBusy(false);
    }
  };

  const sso = options.data?.sso;
  const passwordForm = (
    <Form<LoginBody> layout="vertical" onFinish={(v) => void submitPassword(v)} requiredMark={false}>
      <Form.Item
        name="email"
        label={t('signIn.email')}
        rules={[{ required: true, type: 'email', message: t('signIn.emailNeeded') }]}
      >
        <Input autoComplete="username" autoFocus={!sso} />
      </Form.Item>
      <Form.Item
        name="password"
        label={t('signIn.password')}
        rules={[{ required: true, message: t('signIn.passwordNeeded') }]}
      >
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Button type={sso ? 'default' : 'primary'} htmlType="submit" block loading={busy}>
        {t('signIn.submit')}
      </Button>
      <div style={{ marginTop: 12, textAlign: 'center' }}>
        <Link to="/forgot-password">{t('password.forgot')}</Link>
      </div>
    </Form>
  );

  if (setup.data?.needed) return <Navigate to="/setup" replace />;

  return (
    <main className="baton-sign-in">
      <Card>
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Space style={{ width: '100%', justifyContent: 'space-between' }}>
            <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
              Baton
            </Typography.Title>
            <LanguageSwitch signedIn={false} />
          </Space>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t('signIn.tagline')}
          </Typography.Paragraph>
          {error && <Alert type="error" title={error} showIcon role="alert" />}
          {step.kind === 'password' && (
            <>
              {sso && (
                <Button
                  type="primary"
                  block
                  href={`${sso.startUrl}${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`}
                >
                  {t('signIn.withSso', { name: sso.name })}
                </Button>
              )}
              {sso && <Divider plain>{t('signIn.or')}</Divider>}
              {options.data?.passwordAllowed === false && !showPassword ? (
                <Button type="link" block onClick={() => setShowPassword(true)}>
                  {t('signIn.breakGlass')}
                </Button>
              ) : (
                passwordForm
              )}
            </>
          )}
          {step.kind === 'second' && (
            <Form<{ code?: string; recoveryCode?: string }>
              layout="vertical"
              onFinish={(v) => void submitCode(v)}
              requiredMark={false}
            >
              <Typography.Title level={2} style={{ fontSize: 18, marginTop: 0 }}>
                {step.enrol ? t('secondFactor.enrolTitle') : t('secondFactor.title')}
              </Typography.Title>
              {step.enrol && (
                <Typography.Paragraph type="secondary">
                  {t('secondFactor.enrolRequired')}
                </Typography.Paragraph>
              )}
              {step.enrol && enrolment && <EnrolmentSecret enrolment={enrolment} />}
              {useRecovery ? (
                <Form.Item
                  name="recoveryCode"
                  label={t('secondFactor.recoveryCode')}
                  rules={[{ required: true, message: t('secondFactor.recoveryNeeded') }]}
                >
                  <Input autoComplete="off" autoFocus />
                </Form.Item>
              ) : (
                <Form.Item
                  name="code"
                  label={t('secondFactor.code')}
                  rules={[
                    { required: true, pattern: /^\s*\d{6}\s*$/, message: t('secondFactor.codeNeeded') },
                  ]}
                >
                  <Input inputMode="numeric" autoComplete="one-time-code" maxLength={8} autoFocus />
                </Form.Item>
              )}
              <Button type="primary" htmlType="submit" block loading={busy}>
                {t('secondFactor.verify')}
              </Button>
              {!step.enrol && (
                <Button type="link" block onClick={() => setUseRecovery(!useRecovery)}>
                  {useRecovery ? t('secondFactor.useApp') : t('secondFactor.useRecovery')}
                </Button>
              )}
            </Form>
          )}
          {step.kind === 'codes' && (
            <>
              <RecoveryCodesList codes={step.codes} />
              <Button type="primary" block onClick={() => finish(step.session)}>
                {t('secondFactor.saved')}
              </Button>
            </>
          )}
        </Space>
      </Card>
    </main>
  );
}
