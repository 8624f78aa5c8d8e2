import { Alert, App, Button, Card, InputNumber, Space, Switch, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { contributionName } from '../risk/labels.ts';
import { formatTime } from '../../time';

type Setting = { key: string; name: string; description: string; value: unknown; updated_at: string | null };
type AutoDispatch = { enabled: boolean; minConfidence: number };

const isNumberRecord = (v: unknown): v is Record<string, number> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number');

/** One setting's editor: a number, the auto-dispatch switch with its threshold, or named numbers (the risk weights). */
function Editor({ s, onSaved }: { s: Setting; onSaved: () => void }) {
  const { message } = App.useApp();
  const [value, setValue] = useState<unknown>(s.value);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setValue(s.value), [s.value]);
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await api(`/settings/${encodeURIComponent(s.key)}`, { method: 'PUT', body: { value } });
      message.success(`已保存“${s.name}”，各服务实例一分钟内生效`);
      onSaved();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '保存失败');
    } finally {
      setSaving(false);
    }
  };
  const changed = JSON.stringify(value) !== JSON.stringify(s.value);
  const auto = s.key === 'triage.auto_dispatch' ? ((value ?? { enabled: false, minConfidence: 0.95 }) as AutoDispatch) : null;
  return (
    <Space orientation="vertical" size={4}>
      <Space wrap>
        {auto ? (
          <>
            <Switch checked={auto.enabled} checkedChildren="开启" unCheckedChildren="关闭" onChange={(enabled) => setValue({ ...auto, enabled })} aria-label={`${s.name}开关`} />
            <span>置信度门槛</span>
            <InputNumber min={0.5} max={1} step={0.01} value={auto.minConfidence} onChange={(v) => setValue({ ...auto, minConfidence: v ?? auto.minConfidence })} aria-label="置信度门槛" />
          </>
        ) : isNumberRecord(value) ? (
          Object.entries(value).map(([k, v]) => (
            <Space key={k} size={4}>
              <span>{contributionName(k)}</span>
              <InputNumber min={0} max={100} value={v} style={{ width: 72 }} onChange={(n) => setValue({ ...value, [k]: n ?? 0 })} aria-label={`${s.name}：${contributionName(k)}`} />
            </Space>
          ))
        ) : (
          <InputNumber value={typeof value === 'number' ? value : Number(value)} step={s.key === 'workorder.remind_share' ? 0.05 : 1} onChange={(v) => setValue(v)} aria-label={s.name} />
        )}
        <Button type="primary" size="small" disabled={!changed} loading={saving} onClick={save}>保存</Button>
      </Space>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
    </Space>
  );
}

/** 运行设置: the supervision thresholds and automatic dispatch, each checked by its own rule and audited. */
export function SettingsPage() {
  const [rows, setRows] = useState<Setting[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => api<{ settings: Setting[] }>('/settings').then((r) => setRows(r.settings), (e) => setError(e instanceof ApiError ? e.message : '加载失败')), []);
  useEffect(() => void load(), [load]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={4} style={{ margin: 0 }}>运行设置</Typography.Title>
      {error && <Alert type="error" showIcon title={error} />}
      <Card>
        <Table<Setting>
          rowKey="key"
          loading={!rows && !error}
          dataSource={rows ?? []}
          pagination={false}
          columns={[
            { title: '设置', dataIndex: 'name', width: 200, render: (n: string, s) => <><Typography.Text strong>{n}</Typography.Text><div><Typography.Text type="secondary">{s.description}</Typography.Text></div></> },
            { title: '当前值', dataIndex: 'value', render: (_: unknown, s) => <Editor s={s} onSaved={load} /> },
            { title: '修改时间', dataIndex: 'updated_at', width: 170, render: (t: string | null) => (t ? formatTime(t, 'YYYY-MM-DD HH:mm:ss') : '默认') },
          ]}
        />
      </Card>
    </Space>
  );
}
