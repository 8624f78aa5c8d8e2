import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { errorText, PageHead } from './shared.tsx';

type Region = { code: string; name: string; level: string; parent_code: string | null; sort: number; former_names: string[] };

const LEVEL: Record<string, string> = { province: '省', city: '市', county: '区县', township: '镇街' };
const LEVEL_ORDER = ['province', 'city', 'county', 'township'];

/** 区划旧名: the names districts and townships went by before a merger or a renaming, which intake still matches. */
export function RegionNamesPage() {
  const { message } = App.useApp();
  const [regions, setRegions] = useState<Region[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [level, setLevel] = useState<string | undefined>('county');
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Region | null>(null);
  const [saving, setSaving] = useState(false);
  const [rematching, setRematching] = useState(false);
  const [form] = Form.useForm<{ formerNames: string[] }>();

  const load = useCallback(async () => {
    try {
      setRegions(await api<Region[]>('/regions'));
      setError(null);
    } catch (e) {
      setError(errorText(e, '加载失败'));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const nameOf = useMemo(() => new Map((regions ?? []).map((r) => [r.code, r.name])), [regions]);
  const shown = useMemo(() => (regions ?? [])
    .filter((r) => (!level || r.level === level) && (!q || r.name.includes(q) || r.code.startsWith(q) || r.former_names.some((n) => n.includes(q))))
    .sort((a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) || a.code.localeCompare(b.code)), [regions, level, q]);

  const open = (r: Region) => {
    setEditing(r);
    form.setFieldsValue({ formerNames: r.former_names });
  };
  const save = async () => {
    if (!editing) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    try {
      await api(`/regions/${editing.code}/former-names`, { method: 'PUT', body: { formerNames: v.formerNames ?? [] } });
      message.success(`已保存“${editing.name}”的旧名，下一次导入起生效；已导入的可点“重新匹配”`);
      setEditing(null);
      await load();
    } catch (e) {
      const d = e instanceof ApiError ? e.details[0] : undefined;
      if (d?.field?.startsWith('formerNames')) form.setFields([{ name: 'formerNames', errors: [d.message] }]);
      else message.error(errorText(e, '保存失败'));
    } finally {
      setSaving(false);
    }
  };

  const rematch = async () => {
    setRematching(true);
    try {
      const r = await api<{ checked: number; matched: number; rerouted: number }>('/regions/rematch', { method: 'POST' });
      const rerouted = r.rerouted ? `，${r.rerouted} 条待派发的问题已按新区域更新承办单位建议` : '';
      message.success(r.checked ? `检查了 ${r.checked} 条没对上区域的问题，其中 ${r.matched} 条已对上${rerouted}` : '没有未对上区域的问题');
    } catch (e) {
      message.error(errorText(e, '重新匹配失败'));
    } finally {
      setRematching(false);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <PageHead
        title="区划旧名"
        extra={
          <Popconfirm title="按现在的区划和旧名，重新匹配来件时没对上区域的问题？" description="与导入时相同：先看区县和地址，只到市级时再看标题和正文。对上的写入区域，已分拣未派发的按新区域更新承办单位建议；没对上的保持原样。" okText="重新匹配" cancelText="取消" onConfirm={() => void rematch()}>
            <Button loading={rematching}>重新匹配未对上区域的问题</Button>
          </Popconfirm>
        }
      >
        区县、镇街撤并或更名后，来件里常还写着原来的名称（如“芜湖县”“三山区”）。在这里登记旧名，导入时区县字段和地址里出现旧名，
        也能对上现在的区划。一个名称只能属于一个区划。修改从下一次导入起生效；已导入而没有对上区域的问题，可点“重新匹配”按新的名称再对一次。
      </PageHead>
      {error && <Alert type="error" showIcon title={error} />}
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Select aria-label="级别" allowClear placeholder="全部级别" style={{ width: 140 }} value={level} onChange={setLevel}
            options={LEVEL_ORDER.map((l) => ({ value: l, label: LEVEL[l] }))} />
          <Input.Search aria-label="搜索区划" placeholder="名称、旧名或代码" allowClear style={{ width: 220 }} onSearch={(v) => setQ(v.trim())} onChange={(e) => !e.target.value && setQ('')} />
        </Space>
        <Table<Region>
          rowKey="code"
          size="middle"
          loading={!regions && !error}
          dataSource={shown}
          pagination={{ pageSize: 20, showSizeChanger: false, showTotal: (n) => `共 ${n} 个` }}
          locale={{ emptyText: '没有匹配的区划' }}
          columns={[
            { title: '名称', dataIndex: 'name', width: 180 },
            { title: '代码', dataIndex: 'code', width: 120 },
            { title: '级别', dataIndex: 'level', width: 80, render: (l: string) => LEVEL[l] ?? l },
            { title: '上级', dataIndex: 'parent_code', width: 140, render: (c: string | null) => (c ? nameOf.get(c) ?? c : '—') },
            { title: '旧名', dataIndex: 'former_names', render: (names: string[]) => (names.length ? names.map((n) => <Tag key={n}>{n}</Tag>) : '—') },
            { title: '操作', key: 'x', width: 90, render: (_, r) => <a onClick={() => open(r)}>编辑旧名</a> },
          ]}
        />
      </Card>
      <Modal open={!!editing} title={`“${editing?.name ?? ''}”的旧名`} okText="保存" cancelText="取消" confirmLoading={saving} onOk={() => void save()} onCancel={() => setEditing(null)} destroyOnHidden>
        <Form form={form} layout="vertical" name="region-former-names">
          <Form.Item name="formerNames" label="旧名" extra="输入后按回车（也可用逗号、顿号分隔），每个不超过 30 字，最多 20 个；清空即不再按旧名匹配。"
            rules={[{ validator: async (_, v: string[] | undefined) => {
              const bad = (v ?? []).find((n) => n.trim().length > 30);
              if (bad) throw new Error(`“${bad}”超过 30 字`);
              if ((v ?? []).length > 20) throw new Error('旧名最多 20 个');
            } }]}>
            <Select mode="tags" aria-label="旧名" tokenSeparators={[",", "，", "、"]} placeholder="如：芜湖县" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
