import { App, Button, Card, DatePicker, Input, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../../api.ts';

type Row = { id: number; at: string; actor_label: string; action: string; target_type: string; target_id: string | null; unit_name: string | null; ip: string | null; summary: Record<string, unknown> };
type Filter = { action?: string; actor?: string; from?: string; to?: string; offset: number };

const ACTIONS: Record<string, string> = {
  'auth.login': '登录', 'auth.logout': '退出', 'auth.login_failed': '登录失败', 'auth.lockout': '账号锁定', 'auth.password_changed': '修改密码',
  'unit.create': '新建单位', 'unit.update': '修改单位', 'user.create': '新建人员', 'user.update': '修改人员', 'user.reset_password': '重置密码',
  'grant.add': '授予角色', 'grant.remove': '撤销授权', 'apikey.create': '新建密钥', 'apikey.revoke': '吊销密钥', 'seed.demo': '导入演示数据', 'db.restore': '恢复数据库',
};

export function AuditPage() {
  const { message, modal } = App.useApp();
  const [filter, setFilter] = useState<Filter>({ offset: 0 });
  const [data, setData] = useState<{ rows: Row[]; total: number }>({ rows: [], total: 0 });
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api('/audit', { query: { ...filter, limit: 50 } }));
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => void load(), [load]);
  const verify = async () => {
    try {
      const r = await api<{ ok: boolean; rows: number; brokenId?: number; reason?: string }>('/audit/verify', { body: {} });
      if (r.ok) modal.success({ title: '哈希链完整', content: `共校验 ${r.rows} 行。` });
      else modal.error({ title: '哈希链断裂', content: `第 ${r.brokenId} 行：${r.reason}` });
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '校验失败');
    }
  };
  const range = (v: [Dayjs | null, Dayjs | null] | null) => setFilter((f) => ({ ...f, from: v?.[0]?.startOf('day').toISOString(), to: v?.[1]?.endOf('day').toISOString(), offset: 0 }));
  return (
    <Card title="审计日志" extra={<Button onClick={verify}>校验哈希链</Button>}>
      <Space style={{ marginBottom: 16 }} wrap>
        <DatePicker.RangePicker onChange={(v) => range(v as [Dayjs | null, Dayjs | null] | null)} />
        <Input.Search placeholder="操作（如 user.）" allowClear onSearch={(action) => setFilter((f) => ({ ...f, action, offset: 0 }))} style={{ width: 200 }} />
        <Input.Search placeholder="操作人" allowClear onSearch={(actor) => setFilter((f) => ({ ...f, actor, offset: 0 }))} style={{ width: 200 }} />
      </Space>
      <Table<Row>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data.rows}
        pagination={{ total: data.total, pageSize: 50, current: filter.offset / 50 + 1, onChange: (p) => setFilter((f) => ({ ...f, offset: (p - 1) * 50 })), showTotal: (t) => `共 ${t} 条` }}
        expandable={{ expandedRowRender: (r) => <Typography.Text code>{JSON.stringify(r.summary)}</Typography.Text> }}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          { title: '时间', dataIndex: 'at', width: 170, render: (t) => dayjs(t).format('YYYY-MM-DD HH:mm:ss') },
          { title: '操作人', dataIndex: 'actor_label' },
          { title: '操作', dataIndex: 'action', render: (a) => ACTIONS[a] ?? a },
          { title: '对象', key: 't', render: (_, r) => `${r.target_type}${r.target_id ? ` #${r.target_id}` : ''}` },
          { title: '单位', dataIndex: 'unit_name' },
          { title: '来源地址', dataIndex: 'ip', width: 130 },
        ]}
      />
    </Card>
  );
}
