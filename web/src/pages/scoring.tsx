import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Input,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScoringModel, ScoringModelDefinition } from '../../../src/contract/scoring.ts';
import { ApiError, api } from '../api.ts';
import { ScoringBuilder } from '../components/scoring-builder.tsx';
import { useAction } from '../components/use-action.ts';
import { formatPercent } from '../format.ts';
import { useUser } from '../session.ts';
import { tones } from '../theme.ts';

const statusTone = { active: tones.green, draft: tones.blue, retired: tones.grey } as const;

/**
 * The scoring model: Marketing edits a draft (the MQL rule, fit and engagement rules in the
 * builder, or the whole definition as JSON), previews what it would change, checks its calibration, and activates it.
 */
export function ScoringPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const language = i18n.language === 'nl' ? 'nl' : 'en';
  const { message } = App.useApp();
  const models = useQuery({ queryKey: ['models'], queryFn: api.models });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const all = models.data?.data ?? [];
  const model = all.find((m) => m.id === selectedId) ?? all.find((m) => m.status === 'active') ?? all[0];
  const [json, setJson] = useState<string | null>(null);
  useEffect(() => setJson(null), [model]);
  const canEdit = (user.role === 'marketing' || user.role === 'admin') && model?.status === 'draft';
  const calibration = useQuery({
    queryKey: ['calibration', model?.id],
    enabled: Boolean(model),
    queryFn: () => api.calibration(model!.id),
    retry: false,
  });
  const preview = useMutation({ mutationFn: (id: string) => api.previewModel(id) });
  const save = useAction({
    run: (definition: ScoringModelDefinition) => api.updateModel(model!.id, { definition }),
    invalidate: [['models']],
    success: t('profile.saved'),
    done: () => setJson(null),
  });
  const copy = useAction({
    run: (from: ScoringModel) =>
      api.createModel({ name: t('scoring.copyName', { name: from.name }), basedOnId: from.id }),
    invalidate: [['models']],
    done: (created) => setSelectedId(created.id),
  });
  const activate = useAction({
    run: (id: string) => api.activateModel(id),
    invalidate: [['models']],
    success: t('scoring.activated'),
  });

  const saveJson = () => {
    try {
      save.mutate(JSON.parse(json ?? '') as ScoringModelDefinition);
    } catch {
      void message.error(t('scoring.badJson'));
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t('scoring.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('scoring.intro')}</Typography.Paragraph>
      </div>
      {models.isError && <Alert type="error" title={t('common.loadFailed')} showIcon />}
      <Space wrap>
        <label htmlFor="model-select">{t('scoring.model')}</label>
        <Select
          id="model-select"
          style={{ minWidth: 320 }}
          loading={models.isPending}
          value={model?.id}
          onChange={(id: string) => setSelectedId(id)}
          options={all.map((m) => ({
            value: m.id,
            label: `v${m.version} · ${m.name} · ${t(`scoring.status.${m.status}`)}`,
          }))}
        />
        {model && (user.role === 'marketing' || user.role === 'admin') && (
          <Button onClick={() => copy.mutate(model)} loading={copy.isPending}>
            {t('scoring.newDraft')}
          </Button>
        )}
        {model?.status === 'draft' && (user.role === 'marketing' || user.role === 'admin') && (
          <>
            <Button onClick={() => preview.mutate(model.id)} loading={preview.isPending}>
              {t('scoring.preview')}
            </Button>
            <Popconfirm
              title={t('scoring.activateConfirm')}
              okText={t('scoring.activate')}
              cancelText={t('common.cancel')}
              onConfirm={() => activate.mutate(model.id)}
            >
              <Button type="primary" loading={activate.isPending}>
                {t('scoring.activate')}
              </Button>
            </Popconfirm>
          </>
        )}
      </Space>
      {model && (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <Card
              title={<h2 className="baton-card-title">{t('scoring.rules')}</h2>}
              extra={<Tag style={statusTone[model.status]}>{t(`scoring.status.${model.status}`)}</Tag>}
            >
              <ScoringBuilder
                definition={model.definition}
                editable={canEdit}
                saving={save.isPending}
                onSave={(definition) => save.mutateAsync(definition)}
              />
              {canEdit && (
                <Button
                  style={{ marginTop: 16 }}
                  onClick={() => setJson(JSON.stringify(model.definition, null, 2))}
                >
                  {t('scoring.editJson')}
                </Button>
              )}
              {json !== null && (
                <div style={{ marginTop: 16 }}>
                  <label htmlFor="model-json">{t('scoring.json')}</label>
                  <Input.TextArea
                    id="model-json"
                    rows={18}
                    value={json}
                    onChange={(e) => setJson(e.target.value)}
                    style={{ fontFamily: 'monospace' }}
                  />
                  <Button style={{ marginTop: 8 }} type="primary" onClick={saveJson} loading={save.isPending}>
                    {t('common.save')}
                  </Button>
                </div>
              )}
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
              {preview.data && preview.data.modelId === model.id && (
                <Card title={<h2 className="baton-card-title">{t('scoring.previewTitle')}</h2>}>
                  <Row gutter={16}>
                    <Col span={8}>
                      <Statistic title={t('scoring.qualifying')} value={preview.data.qualifying} />
                    </Col>
                    <Col span={8}>
                      <Statistic
                        title={t('scoring.activeQualifying')}
                        value={preview.data.active?.qualifying ?? '—'}
                      />
                    </Col>
                    <Col span={8}>
                      <Statistic title={t('scoring.newMqls')} value={preview.data.newMqls} />
                    </Col>
                  </Row>
                  <Table
                    style={{ marginTop: 12 }}
                    size="small"
                    pagination={false}
                    rowKey="grade"
                    dataSource={Object.entries(preview.data.grades).map(([grade, n]) => ({
                      grade,
                      n,
                      active: preview.data.active?.grades[grade] ?? 0,
                    }))}
                    columns={[
                      { title: t('lead.grade'), dataIndex: 'grade' },
                      { title: t('scoring.thisModel'), dataIndex: 'n', align: 'right' },
                      { title: t('scoring.activeModel'), dataIndex: 'active', align: 'right' },
                    ]}
                  />
                </Card>
              )}
              <Card title={<h2 className="baton-card-title">{t('scoring.calibration')}</h2>}>
                {calibration.isPending ? null : calibration.isError ? (
                  <Typography.Text type="secondary">
                    {calibration.error instanceof ApiError
                      ? calibration.error.message
                      : t('common.loadFailed')}
                  </Typography.Text>
                ) : (
                  <Space orientation="vertical" style={{ width: '100%' }}>
                    <Row gutter={16}>
                      <Col span={8}>
                        <Statistic
                          title={t('scoring.auc')}
                          value={calibration.data.auc.score?.toFixed(2) ?? '—'}
                        />
                      </Col>
                      <Col span={8}>
                        <Statistic title={t('scoring.labelled')} value={calibration.data.contacts} />
                      </Col>
                      <Col span={8}>
                        <Statistic title={t('scoring.converted')} value={calibration.data.converted} />
                      </Col>
                    </Row>
                    <Table
                      size="small"
                      pagination={false}
                      rowKey={(b) => `${b.from}-${b.to}`}
                      dataSource={calibration.data.bands}
                      columns={[
                        {
                          title: t('scoring.band'),
                          key: 'band',
                          render: (_, b) => `${b.from?.toFixed(0) ?? '…'} – ${b.to?.toFixed(0) ?? '…'}`,
                        },
                        { title: t('scoring.contacts'), dataIndex: 'contacts', align: 'right' },
                        {
                          title: t('scoring.rate'),
                          dataIndex: 'rate',
                          align: 'right',
                          render: (v: number | null) => formatPercent(v, language),
                        },
                      ]}
                    />
                    {calibration.data.suggestedThreshold && (
                      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
                        {t('scoring.suggested', {
                          threshold: calibration.data.suggestedThreshold.threshold.toFixed(0),
                          precision: formatPercent(calibration.data.suggestedThreshold.precision, language),
                        })}
                      </Typography.Paragraph>
                    )}
                  </Space>
                )}
              </Card>
            </Space>
          </Col>
        </Row>
      )}
    </Space>
  );
}
