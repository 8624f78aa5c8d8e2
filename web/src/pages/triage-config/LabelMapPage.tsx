import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, formErrors } from '../../api.ts';
import { errorText, PageHead, TARGETS, type Code, type Target } from './shared.tsx';

type Row = { target: Target; label: string; code: string; code_name: string | null };
type Unmapped = { target: Target; label: string; in_model: boolean; examples: number };
type LabelMap = { rows: Row[]; unmapped: Unmapped[]; models: { target: Target; version: number }[]; codes: Record<Target, Code[]> };

/** 标签映射: the city's own category names (in its history and in the trained model) → our domains and kinds. */
export function LabelMapPage() {
  const { message } = App.useApp();
  const [data, setData] = useState<LabelMap | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [target, setTarget] = useState<Target>('domain');
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<{ label?: string; code?: string; existing: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm();
  const load = useCallback(() => api<LabelMap>('/triage/label-map').then((d) => { setData(d); setError(null); }, (e) => setError(errorText(e, '加载失败'))), []);
  useEffect(() => void load(), [load]);

  const name = TARGETS.find((t) => t.value === target)!.label;
  const codes = data?.codes[target] ?? [];
  const rows = useMemo(() => (data?.rows ?? []).filter((r) => r.target === target && (!q || r.label.includes(q) || (r.code_name ?? r.code).includes(q))), [data, target, q]);
  const unmapped = (data?.unmapped ?? []).filter((u) => u.target === target);
  const model = data?.models.find((m) => m.target === target);

  const open = (e: { label?: string; code?: string; existing: boolean }) => setEditing(e);
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    try {
      await api('/triage/label-map', { method: editing!.existing ? 'PUT' : 'POST', body: { target, label: v.label, code: v.code } });
      message.success(`已保存“${v.label}”的映射，下一次分拣起生效`);
      setEditing(null);
      await load();
    } catch (e) {
      const fields = formErrors(e).filter((f) => f.name[0] === 'label' || f.name[0] === 'code');
      if (fields.length) form.setFields(fields);
      else message.error(errorText(e, '保存失败'));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (r: Row) => {
    try {
      await api('/triage/label-map', { method: 'DELETE', query: { target: r.target, label: r.label } });
      message.success(`已删除“${r.label}”的映射`);
      await load();
    } catch (e) {
      message.error(errorText(e, '删除失败'));
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <PageHead title="标签映射" extra={<Button type="primary" onClick={() => open({ existing: false })}>新增映射</Button>}>
        城市历史数据中的分类名称（如“城乡建设”“劳动保障”）各自对应系统的一个领域或类型。训练时按映射换算标签，分拣时把模型给出的标签换成代码；
        没有映射的标签不对应任何领域，要由分拣人员手工选择。修改从下一次分拣起生效。
      </PageHead>
      {error && <Alert type="error" showIcon title={error} />}
      <Segmented<Target> options={TARGETS} value={target} onChange={setTarget} aria-label="映射目标" />
      {unmapped.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="unmapped-labels"
          title={`有 ${unmapped.length} 个${name}标签尚未映射${model ? `（当前${name}模型第 ${model.version} 版）` : ''}`}
          description={
            <Space orientation="vertical" size={6}>
              <span>点击标签为它选择对应的{name}：</span>
              <Space wrap size={[6, 6]}>
                {unmapped.map((u) => (
                  <Tooltip key={u.label} title={[u.in_model ? '出现在当前模型中' : '仅出现在导入的训练样本中', u.examples ? `训练样本 ${u.examples} 条` : ''].filter(Boolean).join('，')}>
                    <Tag color={u.in_model ? 'orange' : 'default'} style={{ cursor: 'pointer' }} onClick={() => open({ label: u.label, existing: false })}>
                      {u.label}{u.examples ? ` · ${u.examples}` : ''}
                    </Tag>
                  </Tooltip>
                ))}
              </Space>
            </Space>
          }
        />
      )}
      <Card>
        <Space style={{ marginBottom: 12 }}>
          <Input.Search placeholder="按标签或代码名称筛选" allowClear onSearch={setQ} onChange={(e) => !e.target.value && setQ('')} style={{ width: 260 }} aria-label="筛选标签" />
        </Space>
        <Table<Row>
          rowKey={(r) => `${r.target}|${r.label}`}
          size="middle"
          loading={!data && !error}
          dataSource={rows}
          pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true, showTotal: (n) => `共 ${n} 条` }}
          locale={{ emptyText: `还没有${name}标签的映射` }}
          columns={[
            { title: '历史数据中的标签', dataIndex: 'label' },
            { title: `对应${name}`, dataIndex: 'code', render: (c: string, r) => <Space>{r.code_name ?? c}<Typography.Text type="secondary" style={{ fontSize: 12 }}>{c}</Typography.Text></Space> },
            {
              title: '操作', key: 'x', width: 140,
              render: (_, r) => (
                <Space>
                  <a onClick={() => open({ label: r.label, code: r.code, existing: true })}>修改</a>
                  <Popconfirm title={`删除“${r.label}”的映射？`} description="删除后该标签不再对应任何领域。" okText="删除" cancelText="取消" onConfirm={() => void remove(r)}>
                    <a>删除</a>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Modal open={!!editing} title={editing?.existing ? `修改“${editing.label}”的映射` : `新增${name}标签映射`} okText="保存" cancelText="取消" confirmLoading={saving} onOk={() => void save()} onCancel={() => setEditing(null)} destroyOnHidden>
        <Form form={form} layout="vertical" name="label-map" initialValues={{ label: editing?.label, code: editing?.code }}>
          <Form.Item name="label" label="历史数据中的标签" rules={[{ required: true, whitespace: true, message: '请填写标签' }, { max: 100, message: '标签不超过 100 个字' }]}>
            <Input disabled={editing?.existing} placeholder="如：城乡建设" />
          </Form.Item>
          <Form.Item name="code" label={`对应${name}`} rules={[{ required: true, message: `请选择${name}` }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} placeholder={`选择${name}`} options={codes.filter((c) => c.active !== false).map((c) => ({ value: c.code, label: c.name }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
