import { App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, TreeSelect } from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError, formErrors, type Reference } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { UNIT_KINDS, useUnits, type UnitNode } from './useUnits.ts';

type Editing = { mode: 'create'; parentId: number | null } | { mode: 'edit'; unit: UnitNode };

export function UnitsPage() {
  const { tree, treeSelect, loading, reload } = useUnits();
  const can = useCan();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [domains, setDomains] = useState<Reference['domains']>([]);
  const [form] = Form.useForm();
  useEffect(() => void api<Reference>('/reference').then((r) => setDomains(r.domains)), []);

  const open = (e: Editing) => {
    setEditing(e);
    form.resetFields();
    if (e.mode === 'edit') form.setFieldsValue({ name: e.unit.name, kind: e.unit.kind, domains: e.unit.domains, sort: e.unit.sort, parentId: e.unit.parent_id ?? undefined });
    else form.setFieldsValue({ parentId: e.parentId ?? undefined, kind: 'department', domains: [] });
  };
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return; // the fields say what is missing
    try {
      if (editing?.mode === 'edit') await api(`/units/${editing.unit.id}`, { method: 'PATCH', body: { name: v.name, kind: v.kind, domains: v.domains, sort: v.sort, parentId: v.parentId ?? undefined } });
      else await api('/units', { body: { name: v.name, kind: v.kind, domains: v.domains, sort: v.sort, parentId: v.parentId ?? null } });
      message.success('已保存');
      setEditing(null);
      await reload();
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      else message.error(e instanceof ApiError ? e.message : '保存失败');
    }
  };
  const deactivate = (u: UnitNode) =>
    Modal.confirm({
      title: `停用“${u.name}”？`,
      content: '停用后该单位不能再被授权或派单；其下仍有在用人员时不能停用。',
      onOk: async () => {
        try {
          await api(`/units/${u.id}`, { method: 'PATCH', body: { active: false } });
          await reload();
        } catch (e) {
          message.error(e instanceof ApiError ? e.message : '操作失败');
        }
      },
    });

  const domainName = (c: string) => domains.find((d) => d.code === c)?.name ?? c;
  return (
    <Card title="单位管理" extra={can('org.manage') && <Button type="primary" onClick={() => open({ mode: 'create', parentId: null })}>新建单位</Button>}>
      <Table<UnitNode>
        key={tree.length ? 'loaded' : 'empty'} // so that the roots open once the tree has arrived
        rowKey="id"
        loading={loading}
        dataSource={tree}
        pagination={false}
        expandable={{ defaultExpandedRowKeys: tree.map((t) => t.id) }}
        columns={[
          { title: '名称', dataIndex: 'name', render: (n, u) => (u.active ? n : <span style={{ color: '#999' }}>{n}（已停用）</span>) },
          { title: '类别', dataIndex: 'kind', width: 100, render: (k) => UNIT_KINDS[k] ?? k },
          { title: '区划', dataIndex: 'region_name', width: 120 },
          { title: '执法领域', dataIndex: 'domains', render: (ds: string[]) => ds.map((d) => <Tag key={d}>{domainName(d)}</Tag>) },
          ...(can('org.manage')
            ? [{
                title: '操作', key: 'ops', width: 220,
                render: (_: unknown, u: UnitNode) => (
                  <Space>
                    <a onClick={() => open({ mode: 'create', parentId: u.id })}>新建下级</a>
                    <a onClick={() => open({ mode: 'edit', unit: u })}>编辑</a>
                    {u.active && <a onClick={() => deactivate(u)}>停用</a>}
                  </Space>
                ),
              }]
            : []),
        ]}
      />
      <Modal open={!!editing} title={editing?.mode === 'edit' ? '编辑单位' : '新建单位'} onOk={save} onCancel={() => setEditing(null)} okText="保存" destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="name" label="单位名称" rules={[{ required: true, message: '请填写单位名称' }]}><Input maxLength={100} /></Form.Item>
          <Form.Item name="parentId" label="上级单位"><TreeSelect treeData={treeSelect} allowClear treeDefaultExpandAll placeholder="（顶级单位）" /></Form.Item>
          <Form.Item name="kind" label="类别" rules={[{ required: true }]}><Select options={Object.entries(UNIT_KINDS).map(([value, label]) => ({ value, label }))} /></Form.Item>
          <Form.Item name="domains" label="执法领域"><Select mode="multiple" options={domains.map((d) => ({ value: d.code, label: d.name }))} /></Form.Item>
          <Form.Item name="sort" label="排序"><InputNumber /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
