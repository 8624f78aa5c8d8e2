import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Segmented, Select, Space, Table, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, formErrors, type Reference } from '../../api.ts';
import { errorText, PageHead, TARGETS, usePagedList, type Target } from './shared.tsx';

type Row = { target: Target; code: string; term: string; weight: number };

/** 关键词词典: the built-in keywords that give the first answer (domain, kind and the words behind it) before any model is trained. */
export function LexiconPage() {
  const { message } = App.useApp();
  const [ref, setRef] = useState<Reference | null>(null);
  const [target, setTarget] = useState<Target>('domain');
  const [code, setCode] = useState<string | undefined>();
  const [q, setQ] = useState('');
  const { data, loading, error, reload, pagination } = usePagedList<Row, Record<string, unknown>>('/triage/lexicon', { target, code, q });
  const [adding, setAdding] = useState(false);
  const [weighing, setWeighing] = useState<Row | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm();
  const [weightForm] = Form.useForm();
  useEffect(() => void api<Reference>('/reference').then(setRef), []);
  useEffect(() => setCode(undefined), [target]);

  const name = TARGETS.find((t) => t.value === target)!.label;
  const codes = useMemo(() => (target === 'domain' ? ref?.domains ?? [] : ref?.kinds ?? []).filter((c) => (c as { active?: boolean }).active !== false), [ref, target]);
  const codeName = (c: string) => codes.find((x) => x.code === c)?.name ?? c;

  const add = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    try {
      const saved = await api<Row>('/triage/lexicon', { body: { target, ...v } });
      message.success(`已添加“${saved.term}”，下一次分拣起生效`);
      setAdding(false);
      await reload();
    } catch (e) {
      const fields = formErrors(e).filter((f) => ['code', 'term', 'weight'].includes(String(f.name[0])));
      if (fields.length) form.setFields(fields);
      else message.error(errorText(e, '添加失败'));
    } finally {
      setSaving(false);
    }
  };
  const changeWeight = async () => {
    const v = await weightForm.validateFields().catch(() => null);
    if (!v || !weighing) return;
    setSaving(true);
    try {
      await api('/triage/lexicon', { method: 'PUT', body: { target: weighing.target, code: weighing.code, term: weighing.term, weight: v.weight } });
      message.success(`已修改“${weighing.term}”的权重`);
      setWeighing(null);
      await reload();
    } catch (e) {
      const fields = formErrors(e).filter((f) => f.name[0] === 'weight');
      if (fields.length) weightForm.setFields(fields);
      else message.error(errorText(e, '保存失败'));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (r: Row) => {
    try {
      await api('/triage/lexicon', { method: 'DELETE', query: { target: r.target, code: r.code, term: r.term } });
      message.success(`已删除“${r.term}”`);
      await reload();
    } catch (e) {
      message.error(errorText(e, '删除失败'));
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <PageHead title="关键词词典" extra={<Button type="primary" onClick={() => setAdding(true)}>新增关键词</Button>}>
        还没有训练分类模型时，分拣按这些关键词判断领域和类型：正文中出现的词按权重累加，得分最高的{name}即为建议，命中的词作为依据显示给分拣人员。
        训练模型后以模型为准。修改从下一次分拣起生效。
      </PageHead>
      {error && <Alert type="error" showIcon title={error} />}
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented<Target> options={TARGETS} value={target} onChange={setTarget} aria-label="词典目标" />
          <Select aria-label={name} allowClear placeholder={`全部${name}`} style={{ width: 180 }} value={code} onChange={setCode} showSearch={{ optionFilterProp: 'label' }}
            options={codes.map((c) => ({ value: c.code, label: c.name }))} />
          <Input.Search aria-label="搜索关键词" placeholder="搜索词语" allowClear style={{ width: 220 }} onSearch={(v) => setQ(v.trim())} onChange={(e) => !e.target.value && setQ('')} />
        </Space>
        <Table<Row>
          rowKey={(r) => `${r.target}|${r.code}|${r.term}`}
          size="middle"
          loading={loading}
          dataSource={data?.rows ?? []}
          pagination={pagination}
          locale={{ emptyText: '没有匹配的关键词' }}
          columns={[
            { title: name, dataIndex: 'code', width: 180, render: (c: string) => codeName(c) },
            { title: '关键词', dataIndex: 'term' },
            { title: '权重', dataIndex: 'weight', width: 100 },
            {
              title: '操作', key: 'x', width: 160,
              render: (_, r) => (
                <Space>
                  <a onClick={() => setWeighing(r)}>修改权重</a>
                  <Popconfirm title={`删除关键词“${r.term}”？`} okText="删除" cancelText="取消" onConfirm={() => void remove(r)}><a>删除</a></Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Modal open={adding} title={`新增${name}关键词`} okText="添加" cancelText="取消" confirmLoading={saving} onOk={() => void add()} onCancel={() => setAdding(false)} destroyOnHidden>
        <Form form={form} layout="vertical" name="lexicon-add" initialValues={{ code, weight: 1 }}>
          <Form.Item name="code" label={name} rules={[{ required: true, message: `请选择${name}` }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} placeholder={`选择${name}`} options={codes.map((c) => ({ value: c.code, label: c.name }))} />
          </Form.Item>
          <Form.Item name="term" label="关键词" extra="2–30 个字，不含空格；正文中出现即命中。"
            rules={[{ required: true, whitespace: true, message: '请填写关键词' }, { min: 2, message: '词语至少 2 个字' }, { max: 30, message: '词语不超过 30 个字' }, { pattern: /^\S+$/, message: '词语中不能有空格' }]}>
            <Input placeholder="如：共享单车" />
          </Form.Item>
          <Form.Item name="weight" label="权重" extra="一般为 1；更能说明问题的词可以更高（0.1–10）。" rules={[{ required: true, message: '请填写权重' }]}>
            <InputNumber min={0.1} max={10} step={0.5} style={{ width: 140 }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={!!weighing} title={`修改“${weighing?.term ?? ''}”的权重`} okText="保存" cancelText="取消" confirmLoading={saving} onOk={() => void changeWeight()} onCancel={() => setWeighing(null)} destroyOnHidden>
        <Typography.Paragraph type="secondary">{weighing ? `${codeName(weighing.code)}：当前权重 ${weighing.weight}` : ''}</Typography.Paragraph>
        <Form form={weightForm} layout="vertical" name="lexicon-weight" initialValues={{ weight: weighing?.weight }}>
          <Form.Item name="weight" label="权重" rules={[{ required: true, message: '请填写权重' }]}>
            <InputNumber min={0.1} max={10} step={0.5} style={{ width: 140 }} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
