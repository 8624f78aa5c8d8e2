import { Alert, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type Reference } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { LEVEL, LEVELS, RULE, STATE } from './labels.ts';
import { LevelTag, StateTag, useLoad } from './parts.tsx';
import type { WarningList, WarningRow, WarningState } from './types.ts';

const PAGE = 20;
/** The list API has no region filter: a region is picked out of (at most) this many rows on the client. */
const REGION_SCAN = 200;

const STATE_OPTIONS = [
  { value: 'open', label: '在办（新预警、已研判、已交办）' },
  ...(Object.keys(STATE) as WarningState[]).map((s) => ({ value: s, label: STATE[s].text })),
  { value: 'all', label: '全部状态' },
];

/** Where a warning is: district · domain, the unit, or the target's district. */
export function scopeText(w: Pick<WarningRow, 'scope_kind' | 'region_name' | 'domain_name' | 'unit_name'>): string {
  if (w.scope_kind === 'unit') return w.unit_name ?? '—';
  return [w.region_name, w.domain_name].filter(Boolean).join(' · ') || '—';
}

export function warningColumns(o: { showState?: boolean; showOrder?: boolean } = {}): ColumnsType<WarningRow> {
  const cols: ColumnsType<WarningRow> = [
    { title: '等级', dataIndex: 'level', width: 100, render: (_: unknown, w) => <LevelTag level={w.level} /> },
    {
      title: '预警', dataIndex: 'title',
      render: (t: string, w) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/risk/warnings/${w.id}`} data-testid="warning-title">{t}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{RULE[w.rule_code] ?? w.rule_code}</Typography.Text>
        </Space>
      ),
    },
    { title: '范围', key: 'scope', width: 180, render: (_: unknown, w) => scopeText(w) },
    { title: '评分', dataIndex: 'score', width: 70, render: (s: number) => s.toFixed(1) },
    ...(o.showState === false ? [] : [{ title: '状态', dataIndex: 'state', width: 90, render: (s: WarningState) => <StateTag state={s} /> }]),
    { title: '开始', dataIndex: 'started_on', width: 108 },
    { title: '最近出现', dataIndex: 'last_seen_on', width: 108 },
  ];
  if (o.showOrder !== false) {
    cols.push({ title: '工单', dataIndex: 'work_order_id', width: 80, render: (id: number | null) => (id ? <Link to={`/work-orders/${id}`}>工单 {id}</Link> : '—') });
  }
  return cols;
}

/** 预警列表: red first; filters (状态, 等级, 领域, 区域) live in the address so that the overview can link here. */
export function WarningsPage() {
  const [params, setParams] = useSearchParams();
  const can = useCan();
  const state = params.get('state') ?? 'open';
  const level = params.get('level') ?? undefined;
  const domain = params.get('domain') ?? undefined;
  const region = params.get('region') ?? undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [domains, setDomains] = useState<Reference['domains']>([]);
  useEffect(() => void api<Reference>('/reference').then((r) => setDomains(r.domains), () => {}), []);

  const query = region
    ? { state: state === 'all' ? undefined : state, level, domain, region, limit: REGION_SCAN, offset: 0 }
    : { state: state === 'all' ? undefined : state, level, domain, limit: PAGE, offset: (page - 1) * PAGE };
  const { data, error, loading, reload } = useLoad<WarningList>('/risk/warnings', query);
  // with a region, the rows of that region out of the first REGION_SCAN (the server may not filter by region)
  const shown = useMemo(() => {
    if (!data) return { rows: [] as WarningRow[], total: 0, clipped: false };
    if (!region) return { rows: data.rows, total: data.total, clipped: false };
    const rows = data.rows.filter((w) => w.region_code === region);
    return { rows, total: rows.length, clipped: data.total > data.rows.length && data.rows.some((w) => w.region_code !== region) };
  }, [data, region]);
  const [regionNames, setRegionNames] = useState<Map<string, string>>(new Map());
  useEffect(() => void api<{ code: string; name: string }[]>('/regions').then((rs) => setRegionNames(new Map(rs.map((r) => [r.code, r.name]))), () => {}), []);
  const regionName = region ? (regionNames.get(region) ?? data?.rows.find((w) => w.region_code === region)?.region_name ?? region) : null;

  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>预警列表</Typography.Title>
        <Space wrap>
          {can('report.read') && <Link to="/risk">风险总览 ›</Link>}
          <Button onClick={() => void reload()}>刷新</Button>
        </Space>
      </Space>
      <Card size="small">
        <Space wrap>
          <span>状态</span>
          <Select aria-label="状态" style={{ width: 280 }} value={state} options={STATE_OPTIONS} onChange={(v) => set({ state: v === 'open' ? undefined : v })} />
          <span>等级</span>
          <Select aria-label="等级" style={{ width: 140 }} allowClear placeholder="全部等级" value={level}
            options={LEVELS.map((l) => ({ value: l, label: <Tag color={LEVEL[l].color}>{LEVEL[l].text}</Tag> }))} onChange={(v) => set({ level: v })} />
          <span>领域</span>
          <Select aria-label="领域" style={{ width: 200 }} allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="全部领域" value={domain}
            options={domains.map((d) => ({ value: d.code, label: d.name }))} onChange={(v) => set({ domain: v })} />
          {region && <Tag closable color="purple" onClose={() => set({ region: undefined })} data-testid="region-filter">区域：{regionName}</Tag>}
        </Space>
      </Card>
      {error && <Alert type="error" showIcon title={error} />}
      {shown.clipped && <Alert type="info" showIcon title={`按区域筛选只在前 ${REGION_SCAN} 条预警中查找，请同时选择状态或等级缩小范围。`} />}
      <Card title={<span data-testid="warnings-total">共 {shown.total} 条</span>}>
        <Table<WarningRow>
          rowKey="id"
          size="middle"
          loading={loading}
          dataSource={shown.rows}
          columns={warningColumns()}
          locale={{ emptyText: state === 'open' ? '没有在办的预警' : '没有符合条件的预警' }}
          pagination={region
            ? { pageSize: PAGE, hideOnSinglePage: true, showSizeChanger: false }
            : { current: page, pageSize: PAGE, total: shown.total, hideOnSinglePage: true, showSizeChanger: false, onChange: (p) => set({ page: p > 1 ? String(p) : undefined }) }}
        />
      </Card>
    </Space>
  );
}
