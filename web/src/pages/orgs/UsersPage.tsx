import { App, Button, Card, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, formErrors, type Role } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { useUnits } from './useUnits.ts';
import { formatTime } from '../../time';

type UserRow = { id: number; username: string; display_name: string; unit_id: number; unit_name: string; phone_mask: string | null; active: boolean; locked_until: string | null; last_login_at: string | null };
type UserDetail = UserRow & { must_change_password: boolean; grants: { id: number; role: string; role_name: string; unit_id: number; unit_name: string }[] };

export function UsersPage() {
  const can = useCan();
  const { message } = App.useApp();
  const { treeSelect } = useUnits();
  const [roles, setRoles] = useState<Role[]>([]);
  const [filter, setFilter] = useState<{ q?: string; unitId?: number; offset: number }>({ offset: 0 });
  const [data, setData] = useState<{ rows: UserRow[]; total: number }>({ rows: [], total: 0 });
  const [loading, setLoading] = useState(false);
  const [creating, setCreating] = useState(false);
  const [detail, setDetail] = useState<UserDetail | null>(null);
  const [createForm] = Form.useForm();
  const [grantForm] = Form.useForm();
  const [editForm] = Form.useForm();

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api('/users', { query: { ...filter, limit: 20 } }));
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => void load(), [load]);
  useEffect(() => void api<Role[]>('/roles').then(setRoles), []);

  const fail = (e: unknown, form?: ReturnType<typeof Form.useForm>[0]) => {
    const fields = formErrors(e);
    if (form && fields.length) form.setFields(fields);
    else message.error(e instanceof ApiError ? e.message : '操作失败');
  };
  const openDetail = async (id: number) => {
    const d = await api<UserDetail>(`/users/${id}`);
    setDetail(d);
    editForm.setFieldsValue({ displayName: d.display_name, unitId: d.unit_id, phone: '' });
  };
  const create = async () => {
    const v = await createForm.validateFields().catch(() => null);
    if (!v) return; // the fields say what is missing
    try {
      await api('/users', { body: { ...v, phone: v.phone || null } });
      message.success('已新建，首次登录须修改密码');
      setCreating(false);
      createForm.resetFields();
      await load();
    } catch (e) {
      fail(e, createForm);
    }
  };
  const saveEdit = async () => {
    const v = await editForm.validateFields().catch(() => null);
    if (!v) return; // the fields say what is missing
    try {
      const body: Record<string, unknown> = { displayName: v.displayName, unitId: v.unitId };
      if (v.phone) body.phone = v.phone;
      setDetail(await api(`/users/${detail!.id}`, { method: 'PATCH', body }));
      message.success('已保存');
      await load();
    } catch (e) {
      fail(e, editForm);
    }
  };
  const patch = async (body: Record<string, unknown>) => {
    try {
      setDetail(await api(`/users/${detail!.id}`, { method: 'PATCH', body }));
      await load();
    } catch (e) {
      fail(e);
    }
  };
  const addGrant = async () => {
    const v = await grantForm.validateFields().catch(() => null);
    if (!v) return; // the fields say what is missing
    try {
      await api(`/users/${detail!.id}/grants`, { body: v });
      grantForm.resetFields();
      await openDetail(detail!.id);
    } catch (e) {
      fail(e, grantForm);
    }
  };
  const removeGrant = async (grantId: number) => {
    try {
      await api(`/users/${detail!.id}/grants/${grantId}`, { method: 'DELETE' });
      await openDetail(detail!.id);
    } catch (e) {
      fail(e);
    }
  };
  const resetPassword = async (password: string) => {
    try {
      await api(`/users/${detail!.id}/password`, { body: { password } });
      message.success('已重置，该人员下次登录须修改密码');
    } catch (e) {
      fail(e);
    }
  };

  const manage = can('org.manage');
  return (
    <Card title="人员与授权" extra={manage && <Button type="primary" onClick={() => setCreating(true)}>新建人员</Button>}>
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search placeholder="用户名或姓名" allowClear onSearch={(q) => setFilter((f) => ({ ...f, q, offset: 0 }))} style={{ width: 220 }} />
        <TreeSelect treeData={treeSelect} allowClear placeholder="按单位筛选" style={{ width: 280 }} onChange={(unitId) => setFilter((f) => ({ ...f, unitId, offset: 0 }))} />
      </Space>
      <Table<UserRow>
        rowKey="id"
        loading={loading}
        dataSource={data.rows}
        pagination={{ total: data.total, pageSize: 20, current: filter.offset / 20 + 1, onChange: (p) => setFilter((f) => ({ ...f, offset: (p - 1) * 20 })), showTotal: (t) => `共 ${t} 人` }}
        onRow={(r) => ({ onClick: () => void openDetail(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: '姓名', dataIndex: 'display_name' },
          { title: '用户名', dataIndex: 'username' },
          { title: '单位', dataIndex: 'unit_name' },
          { title: '电话', dataIndex: 'phone_mask' },
          { title: '状态', key: 's', render: (_, r) => (!r.active ? <Tag>已停用</Tag> : r.locked_until && dayjs(r.locked_until).isAfter(dayjs()) ? <Tag color="orange">已锁定</Tag> : <Tag color="green">正常</Tag>) },
          { title: '最近登录', dataIndex: 'last_login_at', render: (t) => formatTime(t) },
        ]}
      />
      <Drawer open={creating} title="新建人员" size="large" onClose={() => setCreating(false)} extra={<Button type="primary" onClick={create}>保存</Button>}>
        <Form form={createForm} layout="vertical">
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请填写用户名' }]} extra="字母开头，3–32 位字母、数字或 _ . -"><Input /></Form.Item>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true, message: '请填写姓名' }]}><Input /></Form.Item>
          <Form.Item name="unitId" label="所属单位" rules={[{ required: true, message: '请选择单位' }]}><TreeSelect treeData={treeSelect} treeDefaultExpandAll /></Form.Item>
          <Form.Item name="phone" label="电话（加密保存）"><Input /></Form.Item>
          <Form.Item name="password" label="初始密码" rules={[{ required: true, message: '请设置初始密码' }]} extra="首次登录须修改"><Input.Password autoComplete="new-password" /></Form.Item>
        </Form>
      </Drawer>
      <Drawer open={!!detail} title={detail ? `${detail.display_name}（${detail.username}）` : ''} size="large" onClose={() => setDetail(null)}>
        {detail && (
          <>
            <Typography.Title level={5}>基本信息</Typography.Title>
            <Form form={editForm} layout="vertical" disabled={!manage}>
              <Form.Item name="displayName" label="姓名" rules={[{ required: true }]}><Input /></Form.Item>
              <Form.Item name="unitId" label="所属单位"><TreeSelect treeData={treeSelect} /></Form.Item>
              <Form.Item name="phone" label={`电话（当前 ${detail.phone_mask ?? '未填'}；留空不修改）`}><Input /></Form.Item>
              {manage && (
                <Space wrap>
                  <Button type="primary" onClick={saveEdit}>保存</Button>
                  {detail.active ? <Button danger onClick={() => void patch({ active: false })}>停用</Button> : <Button onClick={() => void patch({ active: true })}>启用</Button>}
                  {detail.locked_until && <Button onClick={() => void patch({ unlock: true })}>解除锁定</Button>}
                  <ResetPassword onReset={resetPassword} />
                </Space>
              )}
            </Form>
            <Typography.Title level={5} style={{ marginTop: 24 }}>授权（角色 × 单位范围，含下级单位）</Typography.Title>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={detail.grants}
              columns={[
                { title: '角色', dataIndex: 'role_name' },
                { title: '范围', dataIndex: 'unit_name' },
                ...(manage ? [{ title: '', key: 'x', render: (_: unknown, g: { id: number }) => <Popconfirm title="撤销此授权？" onConfirm={() => void removeGrant(g.id)}><a>撤销</a></Popconfirm> }] : []),
              ]}
            />
            {manage && (
              <Form form={grantForm} layout="inline" style={{ marginTop: 12 }}>
                <Form.Item name="role" rules={[{ required: true, message: '请选择角色' }]}><Select placeholder="角色" style={{ width: 140 }} options={roles.map((r) => ({ value: r.code, label: r.name }))} /></Form.Item>
                <Form.Item name="unitId" rules={[{ required: true, message: '请选择范围' }]}><TreeSelect placeholder="范围单位" treeData={treeSelect} style={{ width: 260 }} /></Form.Item>
                <Button onClick={addGrant}>授予</Button>
              </Form>
            )}
          </>
        )}
      </Drawer>
    </Card>
  );
}

function ResetPassword({ onReset }: { onReset: (pw: string) => Promise<void> }) {
  const [value, setValue] = useState('');
  return (
    <Space.Compact>
      <Input.Password placeholder="临时密码" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="new-password" style={{ width: 160 }} />
      <Button disabled={!value} onClick={() => void onReset(value).then(() => setValue(''))}>重置密码</Button>
    </Space.Compact>
  );
}
