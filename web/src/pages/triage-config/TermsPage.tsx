import { Alert, App, AutoComplete, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { api, formErrors } from '../../api.ts';
import { errorText, PageHead, usePagedList } from './shared.tsx';

type Row = { category: string; term: string };
type Extra = { categories?: { category: string; n: number }[] };

const LISTS = {
  misconduct: {
    path: '/triage/misconduct-terms',
    title: '执法作风问题',
    hint: '反映中出现这些词时，分拣把它标为执法作风问题（乱罚款、暴力执法、不作为……）并列出命中的词，督办科优先看到。可以新增类别。',
    example: { category: '乱罚款', term: '罚款不给收据' },
  },
  exclusion: {
    path: '/triage/exclusion-terms',
    title: '不予派发事项',
    hint: '反映中出现这些词时，分拣建议引导而不派发（诉讼、仲裁、纪检监察、行政复议、信息公开、信访），由分拣人员确认并写明理由。',
    example: { category: '仲裁', term: '劳动仲裁' },
  },
} as const;
type ListKey = keyof typeof LISTS;

/** One lexicon of (category, term): filter by category and word, page through, add and delete. */
function TermList({ list }: { list: ListKey }) {
  const spec = LISTS[list];
  const { message } = App.useApp();
  const [category, setCategory] = useState<string | undefined>();
  const [q, setQ] = useState('');
  const { data, loading, error, reload, pagination } = usePagedList<Row, Record<string, unknown>>(spec.path, { category, q });
  const [adding, setAdding] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm();
  const categories = ((data as Extra | null)?.categories ?? []);

  const add = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    try {
      const saved = await api<Row>(spec.path, { body: { category: v.category.trim(), term: v.term.trim() } });
      message.success(`已把“${saved.term}”加入“${saved.category}”，下一次分拣起生效`);
      setAdding(false);
      await reload();
    } catch (e) {
      const fields = formErrors(e).filter((f) => f.name[0] === 'category' || f.name[0] === 'term');
      if (fields.length) form.setFields(fields);
      else message.error(errorText(e, '添加失败'));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (r: Row) => {
    try {
      await api(spec.path, { method: 'DELETE', query: { category: r.category, term: r.term } });
      message.success(`已删除“${r.term}”`);
      await reload();
    } catch (e) {
      message.error(errorText(e, '删除失败'));
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Alert type="info" showIcon title={spec.hint} />
      {error && <Alert type="error" showIcon title={error} />}
      <Space wrap>
        <Select aria-label="类别" allowClear placeholder="全部类别" style={{ width: 200 }} value={category} onChange={setCategory}
          options={categories.map((c) => ({ value: c.category, label: `${c.category}（${c.n}）` }))} />
        <Input.Search aria-label="搜索词语" placeholder="搜索词语" allowClear style={{ width: 220 }} onSearch={(v) => setQ(v.trim())} onChange={(e) => !e.target.value && setQ('')} />
        <Button type="primary" onClick={() => setAdding(true)}>新增词语</Button>
      </Space>
      <Table<Row>
        rowKey={(r) => `${r.category}|${r.term}`}
        size="middle"
        loading={loading}
        dataSource={data?.rows ?? []}
        pagination={pagination}
        locale={{ emptyText: '没有匹配的词语' }}
        columns={[
          { title: '类别', dataIndex: 'category', width: 180, render: (c: string) => <Tag color={list === 'misconduct' ? 'volcano' : 'blue'}>{c}</Tag> },
          { title: '词语', dataIndex: 'term' },
          {
            title: '操作', key: 'x', width: 100,
            render: (_, r) => <Popconfirm title={`从“${r.category}”中删除“${r.term}”？`} okText="删除" cancelText="取消" onConfirm={() => void remove(r)}><a>删除</a></Popconfirm>,
          },
        ]}
      />
      <Modal open={adding} title={`新增${spec.title}词语`} okText="添加" cancelText="取消" confirmLoading={saving} onOk={() => void add()} onCancel={() => setAdding(false)} destroyOnHidden>
        <Form form={form} layout="vertical" name={`${list}-add`} initialValues={{ category }}>
          <Form.Item name="category" label="类别" extra="可从已有类别中选择，也可输入新的类别。"
            rules={[{ required: true, whitespace: true, message: '请填写类别' }, { max: 20, message: '类别不超过 20 个字' }]}>
            <AutoComplete options={categories.map((c) => ({ value: c.category }))} placeholder={`如：${spec.example.category}`}
              showSearch={{ filterOption: (input, option) => String(option?.value ?? '').includes(input) }} />
          </Form.Item>
          <Form.Item name="term" label="词语" extra="2–30 个字，不含空格；反映正文中出现即命中。"
            rules={[{ required: true, whitespace: true, message: '请填写词语' }, { min: 2, message: '词语至少 2 个字' }, { max: 30, message: '词语不超过 30 个字' }, { pattern: /^\S+$/, message: '词语中不能有空格' }]}>
            <Input placeholder={`如：${spec.example.term}`} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

/** 作风与引导词典: the misconduct lexicon and the matters not dispatched, one tab each. */
export function TermsPage() {
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <PageHead title="作风与引导词典">分拣按这两部词典标记执法作风问题、识别不予派发的事项。修改从下一次分拣起生效，已分拣的问题不变。</PageHead>
      <Card>
        <Tabs items={(Object.keys(LISTS) as ListKey[]).map((k) => ({ key: k, label: LISTS[k].title, children: <TermList list={k} /> }))} destroyOnHidden />
      </Card>
    </Space>
  );
}
