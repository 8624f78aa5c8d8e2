import { Alert, Card, Col, DatePicker, Descriptions, Row, Segmented, Space, Table, Tooltip, Typography } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { errorText } from './parts.tsx';

type Granularity = 'month' | 'quarter' | 'year';
type KpiKey = 'sign_on_time_rate' | 'close_on_time_rate' | 'satisfaction_rate' | 'redo_rate' | 'overdue_count';
type UnitKpi = {
  unit_id: number; unit_name: string; dispatched: number; signed_on_time: number; closed: number; closed_on_time: number; rated: number; satisfied: number; redone: number;
  overdue_count: number; sign_on_time_rate: number | null; close_on_time_rate: number | null; satisfaction_rate: number | null; redo_rate: number | null;
};
type KpiResponse = { period: string; from: string; to: string; definitions: Record<KpiKey, { name: string; formula: string }>; units: UnitKpi[] };

/** The period as the API writes it: 2026-10, 2026-Q3, 2026. */
export function periodOf(d: Dayjs, g: Granularity): string {
  if (g === 'year') return d.format('YYYY');
  if (g === 'quarter') return `${d.format('YYYY')}-Q${Math.floor(d.month() / 3) + 1}`;
  return d.format('YYYY-MM');
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
/** Sorts rates with the units that have no figure last. */
const byRate = (k: KpiKey) => (a: UnitKpi, b: UnitKpi) => ((a[k] as number | null) ?? -1) - ((b[k] as number | null) ?? -1);

/** 单位考核: the five KPIs of each unit for a month, a quarter or a year, with their formulas. */
export function KpiPage() {
  const [g, setG] = useState<Granularity>('month');
  const [at, setAt] = useState<Dayjs>(dayjs());
  const [data, setData] = useState<KpiResponse | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const period = periodOf(at, g);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    api<KpiResponse>('/kpi/units', { query: { period } })
      .then((r) => live && setData(r), (e) => live && setError(errorText(e, '加载失败')))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [period]);
  const defs = data?.definitions;
  const head = (k: KpiKey, fallback: string) => (
    <Tooltip title={defs?.[k].formula}>
      <span>{defs?.[k].name ?? fallback} <QuestionCircleOutlined style={{ color: '#999' }} /></span>
    </Tooltip>
  );
  const frac = (n: number, d: number) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{n}/{d}</Typography.Text>;
  return (
    <Row gutter={16}>
      <Col xs={24} xl={17}>
        <Card
          title="单位考核"
          extra={
            <Space>
              <Segmented<Granularity> value={g} onChange={setG} options={[{ value: 'month', label: '月' }, { value: 'quarter', label: '季' }, { value: 'year', label: '年' }]} />
              <DatePicker picker={g} value={at} allowClear={false} onChange={(d) => d && setAt(d)} disabledDate={(d) => d.year() > dayjs().year() || (g !== 'year' && d.isAfter(dayjs().endOf('month')))} />
            </Space>
          }
        >
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
          <Typography.Paragraph type="secondary">期间：{period}。点击列名排序；比率下方为分子/分母，无数据的显示“—”。</Typography.Paragraph>
          <Table<UnitKpi>
            rowKey="unit_id"
            size="middle"
            loading={loading}
            dataSource={data?.units ?? []}
            locale={{ emptyText: '该期间没有派发、办结或回访的工单' }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: '单位', dataIndex: 'unit_name', sorter: (a, b) => a.unit_name.localeCompare(b.unit_name, 'zh-CN') },
              { title: '派发', dataIndex: 'dispatched', width: 80, sorter: (a, b) => a.dispatched - b.dispatched },
              { title: head('sign_on_time_rate', '按时签收率'), key: 'sign', width: 130, sorter: byRate('sign_on_time_rate'), render: (_, r) => <>{pct(r.sign_on_time_rate)} {frac(r.signed_on_time, r.dispatched)}</> },
              { title: head('close_on_time_rate', '按时办结率'), key: 'close', width: 130, sorter: byRate('close_on_time_rate'), render: (_, r) => <>{pct(r.close_on_time_rate)} {frac(r.closed_on_time, r.closed)}</> },
              { title: head('satisfaction_rate', '满意率'), key: 'sat', width: 120, sorter: byRate('satisfaction_rate'), render: (_, r) => <>{pct(r.satisfaction_rate)} {frac(r.satisfied, r.rated)}</> },
              { title: head('redo_rate', '重办率'), key: 'redo', width: 120, sorter: byRate('redo_rate'), render: (_, r) => <>{pct(r.redo_rate)} {frac(r.redone, r.closed)}</> },
              {
                title: head('overdue_count', '超期数'), dataIndex: 'overdue_count', width: 100, sorter: (a, b) => a.overdue_count - b.overdue_count,
                render: (n: number) => <span style={{ color: n > 0 ? '#cf1322' : undefined }}>{n}</span>,
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={7}>
        <Card title="指标说明">
          {defs ? (
            <Descriptions column={1} size="small" items={(Object.keys(defs) as KpiKey[]).map((k) => ({ key: k, label: defs[k].name, children: defs[k].formula }))} />
          ) : <Typography.Text type="secondary">加载中…</Typography.Text>}
        </Card>
      </Col>
    </Row>
  );
}
