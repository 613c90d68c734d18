import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoginBody } from '../../../src/contract/auth.ts';
import { ApiError, api } from '../api.ts';
import { LanguageSwitch } from '../layout.tsx';

export function SignInPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: LoginBody) => {
    setBusy(true);
    setError(null);
    try {
      const session = await api.signIn(values);
      queryClient.setQueryData(['session'], session);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 429
          ? t('signIn.tooMany')
          : e instanceof ApiError && e.status === 401
            ? t('signIn.wrong')
            : t('common.failed'),
      );
    } finally {
      setBusy(false);
    }
  };

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
          {error && <Alert type="error" title={error} showIcon />}
          <Form<LoginBody> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
            <Form.Item
              name="email"
              label={t('signIn.email')}
              rules={[{ required: true, type: 'email', message: t('signIn.emailNeeded') }]}
            >
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('signIn.password')}
              rules={[{ required: true, message: t('signIn.passwordNeeded') }]}
            >
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('signIn.submit')}
            </Button>
          </Form>
        </Space>
      </Card>
    </main>
  );
}
