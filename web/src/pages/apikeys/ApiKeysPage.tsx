import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, formErrors, type Reference } from '../../api.ts';
import { formatTime } from '../../time';

type KeyRow = { id: number; name: string; channel_code: string; channel_name: string; prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null };

export function ApiKeysPage() {
  const { message } = App.useApp();
  const [rows, setRows] = useState<KeyRow[]>([]);
  const [channels, setChannels] = useState<Reference['channels']>([]);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(async () => setRows(await api<KeyRow[]>('/api-keys')), []);
  useEffect(() => {
    void load();
    void api<Reference>('/reference').then((r) => setChannels(r.channels));
  }, [load]);
  const create = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return; // the fields say what is missing
    try {
      const r = await api<{ key: string }>('/api-keys', { body: v });
      setCreating(false);
      form.resetFields();
      setShown(r.key);
      await load();
    } catch (e) {
      const f = formErrors(e);
      if (f.length) form.setFields(f);
      else message.error(e instanceof ApiError ? e.message : '创建失败');
    }
  };
  const revoke = async (id: number) => {
    await api(`/api-keys/${id}/revoke`, { body: {} });
    await load();
  };
  return (
    <Card title="接入密钥" extra={<Button type="primary" onClick={() => setCreating(true)}>新建密钥</Button>}>
      <Typography.Paragraph type="secondary">供 12345 热线、皖事通等系统推送数据使用。每个密钥只能用于一个渠道；平台只保存其哈希，明文仅在创建时显示一次。</Typography.Paragraph>
      <Table<KeyRow>
        rowKey="id"
        dataSource={rows}
        columns={[
          { title: '名称', dataIndex: 'name' },
          { title: '渠道', dataIndex: 'channel_name' },
          { title: '前缀', dataIndex: 'prefix', render: (p) => <code>{p}…</code> },
          { title: '创建时间', dataIndex: 'created_at', render: (t) => formatTime(t) },
          { title: '最近使用', dataIndex: 'last_used_at', render: (t) => formatTime(t) },
          { title: '状态', key: 's', render: (_, r) => (r.revoked_at ? <Tag>已吊销</Tag> : <Tag color="green">有效</Tag>) },
          { title: '', key: 'x', render: (_, r) => !r.revoked_at && <Popconfirm title="吊销后使用该密钥的系统将无法推送，确定？" onConfirm={() => void revoke(r.id)}><a>吊销</a></Popconfirm> },
        ]}
      />
      <Modal open={creating} title="新建接入密钥" onOk={create} onCancel={() => setCreating(false)} okText="创建">
        <Form form={form} layout="vertical">
          <Form.Item name="name" label="名称" rules={[{ required: true, message: '请填写名称' }]}><Input placeholder="如：12345 热线工单推送" /></Form.Item>
          <Form.Item name="channel" label="渠道" rules={[{ required: true, message: '请选择渠道' }]}><Select options={channels.map((c) => ({ value: c.code, label: c.name }))} /></Form.Item>
        </Form>
      </Modal>
      <Modal open={!!shown} title="请立即复制密钥" onOk={() => setShown(null)} onCancel={() => setShown(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon message="关闭后将无法再次查看此密钥。" style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable code>{shown}</Typography.Paragraph>
      </Modal>
    </Card>
  );
}
