import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TotpEnrolment } from '../../../src/contract/auth.ts';
import { api } from '../api.ts';
import { EnrolmentSecret, RecoveryCodesList } from '../pages/sign-in.tsx';
import { tones } from '../theme.ts';
import { useAction } from './use-action.ts';

const codeRule = { required: true, pattern: /^\s*\d{6}\s*$/ };

/** Two-step sign-in on the profile: set up, new recovery codes, turn off (unless the role requires it). */
export function SecondFactorCard() {
  const { t } = useTranslation();
  const status = useQuery({ queryKey: ['second-factor'], queryFn: api.mySecondFactor });
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const begin = useAction({ run: () => api.beginSecondFactor(), invalidate: [], done: setEnrolment });
  const confirm = useAction({
    run: (code: string) => api.confirmSecondFactor(code),
    invalidate: [['second-factor']],
    success: t('secondFactor.turnedOn'),
    done: (result) => {
      setEnrolment(null);
      setCodes(result.recoveryCodes);
    },
  });
  const renew = useAction({
    run: (code: string) => api.renewRecoveryCodes(code),
    invalidate: [['second-factor']],
    done: (result) => setCodes(result.recoveryCodes),
  });
  const turnOff = useAction({
    run: (code: string) => api.disableSecondFactor(code),
    invalidate: [['second-factor']],
    success: t('secondFactor.turnedOff'),
  });
  const data = status.data;

  return (
    <Card
      title={<h2 className="baton-card-title">{t('secondFactor.title')}</h2>}
      extra={
        data && (
          <Space>
            {data.required && <Tag>{t('secondFactor.required')}</Tag>}
            <Tag style={data.enabled ? tones.green : tones.grey}>
              {data.enabled ? t('secondFactor.enabled') : t('secondFactor.disabled')}
            </Tag>
          </Space>
        )
      }
    >
      {codes && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <RecoveryCodesList codes={codes} />
          <Button onClick={() => setCodes(null)}>{t('secondFactor.saved')}</Button>
        </Space>
      )}
      {!codes && data && !data.enabled && !enrolment && (
        <Button type="primary" loading={begin.isPending} onClick={() => begin.mutate(undefined)}>
          {t('secondFactor.setUp')}
        </Button>
      )}
      {!codes && enrolment && (
        <Form layout="vertical" onFinish={(v: { code: string }) => confirm.mutate(v.code.trim())}>
          <EnrolmentSecret enrolment={enrolment} />
          <Form.Item name="code" label={t('secondFactor.code')} rules={[codeRule]}>
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={8} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={confirm.isPending}>
            {t('secondFactor.confirm')}
          </Button>
        </Form>
      )}
      {!codes && data?.enabled && (
        <Form layout="inline" onFinish={(v: { code: string }) => renew.mutate(v.code.trim())}>
          <Typography.Paragraph style={{ width: '100%' }}>
            {t('secondFactor.codesLeft', { count: data.recoveryCodesLeft })}
          </Typography.Paragraph>
          <Form.Item name="code" label={t('secondFactor.codeToConfirm')} rules={[codeRule]}>
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={8} style={{ width: 120 }} />
          </Form.Item>
          <Button htmlType="submit" loading={renew.isPending}>
            {t('secondFactor.renew')}
          </Button>
          {!data.required && (
            <Form.Item noStyle shouldUpdate>
              {(form) => (
                <Button
                  danger
                  loading={turnOff.isPending}
                  onClick={() =>
                    void form.validateFields().then(
                      (v: { code: string }) => turnOff.mutate(v.code.trim()),
                      () => undefined,
                    )
                  }
                >
                  {t('secondFactor.turnOff')}
                </Button>
              )}
            </Form.Item>
          )}
        </Form>
      )}
    </Card>
  );
}
