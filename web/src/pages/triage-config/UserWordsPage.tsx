import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { errorText, PageHead, usePagedList } from './shared.tsx';
import { formatTime } from '../../time';

type Category = 'place' | 'unit' | 'term' | 'other';
type Row = { word: string; category: Category; created_at: string; created_by_name: string | null };

const CATEGORY: Record<Category, { text: string; color: string }> = {
  place: { text: '地名', color: 'green' },
  unit: { text: '单位名称', color: 'blue' },
  term: { text: '执法用语', color: 'volcano' },
  other: { text: '其他', color: 'default' },
};
const CATEGORY_OPTIONS = (Object.keys(CATEGORY) as Category[]).map((c) => ({ value: c, label: CATEGORY[c].text }));

/** Words typed one a line (or separated by spaces, commas or 、), each once. */
const splitWords = (text: string) => [...new Set(text.split(/[\s,，、;；]+/).map((w) => w.trim()).filter(Boolean))];

/** 分词用户词典: the city's place names, unit names and enforcement terms, kept whole when text is segmented. */
export function UserWordsPage() {
  const { message, modal } = App.useApp();
  const [category, setCategory] = useState<Category | undefined>();
  const [q, setQ] = useState('');
  const { data, loading, error, reload, pagination } = usePagedList<Row, Record<string, unknown>>('/triage/user-words', { category, q });
  const [adding, setAdding] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm();

  const add = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const words = splitWords(v.text);
    setSaving(true);
    try {
      const r = await api<{ added: string[]; existing: string[] }>('/triage/user-words', { body: { words, category: v.category } });
      setAdding(false);
      await reload();
      if (r.added.length) {
        modal.success({
          title: `已添加 ${r.added.length} 个词语${r.existing.length ? `，${r.existing.length} 个已在词典中` : ''}`,
          content: '新词对今后的分词立即生效（其他服务实例在下一次分拣前载入）。已有问题的检索索引要“重建检索索引”后才按新词切分。',
        });
      } else message.info('这些词语都已在词典中');
    } catch (e) {
      // a word's error names it by its place in the list (words.3): show the word itself
      const d = e instanceof ApiError ? e.details[0] : undefined;
      const at = d?.field?.match(/^words\.(\d+)$/);
      if (at) form.setFields([{ name: 'text', errors: [`“${words[Number(at[1])]}”：${d!.message}`] }]);
      else if (d?.field === 'category') form.setFields([{ name: 'category', errors: [d.message] }]);
      else if (d?.field === 'words') form.setFields([{ name: 'text', errors: [d.message] }]);
      else message.error(errorText(e, '添加失败'));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (r: Row) => {
    try {
      await api('/triage/user-words', { method: 'DELETE', query: { word: r.word } });
      message.success(`已删除“${r.word}”`);
      await reload();
    } catch (e) {
      message.error(errorText(e, '删除失败'));
    }
  };
  const reindex = async () => {
    try {
      await api('/triage/user-words/reindex', { method: 'POST' });
      message.success('已开始重建检索索引（后台进行，问题多时需要几分钟）');
    } catch (e) {
      message.error(errorText(e, '操作失败'));
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <PageHead
        title="分词用户词典"
        extra={
          <Space>
            <Popconfirm title="按当前词典重建全部问题的检索索引？" description="在后台进行；完成前检索仍按旧的切分。" okText="重建" cancelText="取消" onConfirm={() => void reindex()}>
              <Button>重建检索索引</Button>
            </Popconfirm>
            <Button type="primary" onClick={() => setAdding(true)}>添加词语</Button>
          </Space>
        }
      >
        本市的地名、单位名称和执法用语加入词典后，分词时作为一个整词（如“澛港街道”不会被切成“澛港”“街道”），用于热点话题、答复质量检查、分析报告和全文检索。
        修改对今后的分词立即生效，其他服务实例在下一次分拣前载入；已有问题的检索索引需点“重建检索索引”。
      </PageHead>
      {error && <Alert type="error" showIcon title={error} />}
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Select aria-label="类别" allowClear placeholder="全部类别" style={{ width: 160 }} value={category} onChange={setCategory} options={CATEGORY_OPTIONS} />
          <Input.Search aria-label="搜索词语" placeholder="搜索词语" allowClear style={{ width: 220 }} onSearch={(v) => setQ(v.trim())} onChange={(e) => !e.target.value && setQ('')} />
        </Space>
        <Table<Row>
          rowKey="word"
          size="middle"
          loading={loading}
          dataSource={data?.rows ?? []}
          pagination={pagination}
          locale={{ emptyText: q || category ? '没有匹配的词语' : '词典中还没有词语' }}
          columns={[
            { title: '词语', dataIndex: 'word' },
            { title: '类别', dataIndex: 'category', width: 120, render: (c: Category) => <Tag color={CATEGORY[c]?.color}>{CATEGORY[c]?.text ?? c}</Tag> },
            { title: '添加人', dataIndex: 'created_by_name', width: 120, render: (n: string | null) => n ?? '—' },
            { title: '添加时间', dataIndex: 'created_at', width: 170, render: (t: string) => formatTime(t) },
            {
              title: '操作', key: 'x', width: 90,
              render: (_, r) => <Popconfirm title={`从词典中删除“${r.word}”？`} okText="删除" cancelText="取消" onConfirm={() => void remove(r)}><a>删除</a></Popconfirm>,
            },
          ]}
        />
      </Card>
      <Modal open={adding} title="添加词语" okText="添加" cancelText="取消" confirmLoading={saving} onOk={() => void add()} onCancel={() => setAdding(false)} destroyOnHidden>
        <Form form={form} layout="vertical" name="user-words-add" initialValues={{ category: category ?? 'place' }}>
          <Form.Item name="category" label="类别" rules={[{ required: true, message: '请选择类别' }]}>
            <Select options={CATEGORY_OPTIONS} />
          </Form.Item>
          <Form.Item name="text" label="词语" extra="每行一个（也可用空格、逗号或顿号分隔），每个 2–20 个汉字、字母或数字；已在词典中的会跳过。"
            rules={[
              { required: true, whitespace: true, message: '请填写词语' },
              {
                validator: async (_, text: string) => {
                  const bad = splitWords(text ?? '').find((w) => !/^[\p{Script=Han}A-Za-z0-9·]{2,20}$/u.test(w));
                  if (bad) throw new Error(`“${bad}”：词语须为 2–20 个汉字、字母或数字，不含标点`);
                },
              },
            ]}>
            <Input.TextArea rows={6} placeholder={'澛港街道\n鸠江区城市管理局\n综合行政执法'} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
