import { Card, DatePicker, Input, Select, Space, Table, Tag, TreeSelect } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, type Reference } from '../../api.ts';
import { FLAGS, KINDS, STATUS } from './labels.ts';

type Row = {
  id: number; tracking_code: string; channel_name: string; title: string; kind_code: string | null; kind_text: string | null; reported_at: string;
  region_name: string | null; region_text: string | null; status: string; flags: string[]; source_count: number; reporter_name_mask: string | null; reporter_phone_mask: string | null;
};
type Region = { code: string; name: string; parent_code: string | null };
type Filter = { channel?: string; kind?: string; region?: string; status?: string; from?: string; to?: string; q?: string; offset: number };

export function ProblemsPage() {
  const navigate = useNavigate();
  const [ref, setRef] = useState<Reference | null>(null);
  const [regions, setRegions] = useState<Region[]>([]);
  const [filter, setFilter] = useState<Filter>({ offset: 0 });
  const [data, setData] = useState<{ rows: Row[]; total: number }>({ rows: [], total: 0 });
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    void api<Reference>('/reference').then(setRef);
    void api<Region[]>('/regions').then(setRegions).catch(() => setRegions([]));
  }, []);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api('/problems', { query: { ...filter, limit: 20 } }));
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => void load(), [load]);
  const regionTree = useMemo(() => {
    const node = (r: Region): any => ({ value: r.code, title: r.name, children: regions.filter((c) => c.parent_code === r.code).map(node) });
    return regions.filter((r) => !r.parent_code || !regions.some((p) => p.code === r.parent_code)).map(node);
  }, [regions]);
  const set = (patch: Partial<Filter>) => setFilter((f) => ({ ...f, ...patch, offset: 0 }));
  return (
    <Card title="问题库">
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search placeholder="标题、内容或查询码" allowClear style={{ width: 240 }} onSearch={(q) => set({ q: q || undefined })} />
        <Select placeholder="渠道" allowClear style={{ width: 170 }} options={ref?.channels.map((c) => ({ value: c.code, label: c.name }))} onChange={(channel) => set({ channel })} />
        <Select placeholder="类型" allowClear style={{ width: 100 }} options={Object.entries(KINDS).map(([value, label]) => ({ value, label }))} onChange={(kind) => set({ kind })} />
        <TreeSelect placeholder="区域" allowClear style={{ width: 180 }} treeData={regionTree} onChange={(region) => set({ region })} />
        <Select placeholder="状态" allowClear style={{ width: 100 }} options={Object.entries(STATUS).map(([value, s]) => ({ value, label: s.text }))} onChange={(status) => set({ status })} />
        <DatePicker.RangePicker onChange={(v) => {
          const r = v as [Dayjs | null, Dayjs | null] | null;
          set({ from: r?.[0]?.startOf('day').toISOString(), to: r?.[1]?.endOf('day').toISOString() });
        }} />
      </Space>
      <Table<Row>
        rowKey="id"
        loading={loading}
        dataSource={data.rows}
        onRow={(r) => ({ onClick: () => navigate(`/problems/${r.id}`), style: { cursor: 'pointer' } })}
        pagination={{ total: data.total, pageSize: 20, current: filter.offset / 20 + 1, showSizeChanger: false, onChange: (p) => setFilter((f) => ({ ...f, offset: (p - 1) * 20 })), showTotal: (t) => `共 ${t} 条` }}
        columns={[
          { title: '反映时间', dataIndex: 'reported_at', width: 150, render: (t) => dayjs(t).format('YYYY-MM-DD HH:mm') },
          { title: '标题', dataIndex: 'title', ellipsis: true, render: (t, r) => <>{t}{r.flags.map((f) => <Tag key={f} color="orange" style={{ marginLeft: 4 }}>{FLAGS[f] ?? f}</Tag>)}</> },
          { title: '渠道', dataIndex: 'channel_name', width: 150 },
          { title: '类型', dataIndex: 'kind_code', width: 70, render: (k, r) => (k ? KINDS[k] : r.kind_text ?? '—') },
          { title: '区域', key: 'region', width: 120, render: (_, r) => r.region_name ?? r.region_text ?? '—' },
          { title: '状态', dataIndex: 'status', width: 80, render: (s) => <Tag color={STATUS[s]?.color}>{STATUS[s]?.text ?? s}</Tag> },
          { title: '来源', dataIndex: 'source_count', width: 60 },
          { title: '反映人', key: 'who', width: 140, render: (_, r) => [r.reporter_name_mask, r.reporter_phone_mask].filter(Boolean).join(' ') || '—' },
        ]}
      />
    </Card>
  );
}
