import { useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Form, Input, Progress, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { OnboardingStepKey, UpdateCompanyBody } from '../../../src/contract/setup.ts';
import { api } from '../api.ts';
import { useAction } from '../components/use-action.ts';
import { tones } from '../theme.ts';

/** The admins' checklist: each step of setting Baton up, whether it is done, and where it is done. */
export function OnboardingPage() {
  const { t } = useTranslation();
  const checklist = useQuery({ queryKey: ['checklist'], queryFn: api.checklist });
  const company = useQuery({ queryKey: ['company'], queryFn: api.company });
  const zones = Intl.supportedValuesOf('timeZone');
  const confirm = useAction({
    run: ({ key, confirmed }: { key: OnboardingStepKey; confirmed: boolean }) =>
      api.confirmStep(key, confirmed),
    invalidate: [['checklist']],
  });
  const saveCompany = useAction({
    run: (body: UpdateCompanyBody) => api.updateCompany(body),
    invalidate: [['company']],
    success: t('onboarding.companySaved'),
  });
  const list = checklist.data;
  const percent = list ? Math.round((list.done / list.total) * 100) : 0;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 900 }}>
      <Typography.Title level={1}>{t('onboarding.title')}</Typography.Title>
      <Typography.Paragraph>{t('onboarding.intro')}</Typography.Paragraph>
      <Card loading={checklist.isPending}>
        {list && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Progress
              percent={percent}
              aria-label={t('onboarding.progress', { done: list.done, total: list.total })}
              format={() => `${list.done}/${list.total}`}
            />
            <Typography.Text strong data-testid="onboarding-progress">
              {list.done === list.total
                ? t('onboarding.allDone')
                : t('onboarding.progress', { done: list.done, total: list.total })}
            </Typography.Text>
            <ol className="baton-checklist" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {list.steps.map((step) => (
                <li
                  key={step.key}
                  data-testid={`step-${step.key}`}
                  style={{ borderTop: '1px solid #f0f0f0', padding: '12px 0' }}
                >
                  <Flex justify="space-between" align="center" gap={12} wrap>
                    <div style={{ flex: '1 1 320px' }}>
                      <Space wrap>
                        <h2
                          className="baton-card-title"
                          style={{ display: 'inline', fontSize: 15, margin: 0 }}
                        >
                          {t(`onboarding.steps.${step.key}.title`)}
                        </h2>
                        {step.done && (
                          <Tag style={tones.green}>
                            {step.confirmed ? t('onboarding.confirmedTag') : t('onboarding.doneTag')}
                          </Tag>
                        )}
                      </Space>
                      <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
                        {t(`onboarding.steps.${step.key}.text`)}
                      </Typography.Paragraph>
                    </div>
                    <Space>
                      <Link to={step.path}>{t('onboarding.open')}</Link>
                      {step.confirmed ? (
                        <Button
                          size="small"
                          type="link"
                          onClick={() => confirm.mutate({ key: step.key, confirmed: false })}
                        >
                          {t('onboarding.undo')}
                        </Button>
                      ) : (
                        !step.done && (
                          <Button
                            size="small"
                            onClick={() => confirm.mutate({ key: step.key, confirmed: true })}
                          >
                            {t('onboarding.confirm')}
                          </Button>
                        )
                      )}
                    </Space>
                  </Flex>
                </li>
              ))}
            </ol>
          </Space>
        )}
      </Card>
      <Card
        title={<h2 className="baton-card-title">{t('onboarding.company')}</h2>}
        loading={company.isPending}
      >
        {company.data && (
          <Form<UpdateCompanyBody>
            layout="vertical"
            initialValues={{
              name: company.data.name ?? '',
              timeZone: company.data.timeZone,
              language: company.data.language,
            }}
            onFinish={(v) => saveCompany.mutate(v)}
          >
            <Form.Item
              name="name"
              label={t('setup.companyName')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="timeZone" label={t('setup.timeZone')}>
              <Select showSearch options={zones.map((z) => ({ value: z, label: z }))} />
            </Form.Item>
            <Form.Item name="language" label={t('setup.language')}>
              <Select
                options={[
                  { value: 'en', label: 'English' },
                  { value: 'nl', label: 'Nederlands' },
                ]}
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={saveCompany.isPending}>
              {t('common.save')}
            </Button>
          </Form>
        )}
      </Card>
    </Space>
  );
}
