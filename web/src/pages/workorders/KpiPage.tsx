import { Alert, Card, Col, Descriptions, Row, Table, Tabs, Tooltip, Typography } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { periodOf, type Granularity } from '../analytics/period.ts';
import { GranularityPicker } from '../analytics/PeriodPicker.tsx';
import type { Ranking } from '../analytics/types.ts';
import { UnitRankingTable } from '../analytics/UnitRankingTable.tsx';
import { errorText } from './parts.tsx';

type KpiKey = 'sign_on_time_rate' | 'close_on_time_rate' | 'satisfaction_rate' | 'redo_rate' | 'overdue_count';
type UnitKpi = {
  unit_id: number; unit_name: string; dispatched: number; signed_on_time: number; sign_due: number; closed: number; closed_on_time: number; rated: number; satisfied: number; redone: number;
  overdue_count: number; sign_on_time_rate: number | null; close_on_time_rate: number | null; satisfaction_rate: number | null; redo_rate: number | null;
};
type KpiResponse = { period: string; from: string; to: string; definitions: Record<KpiKey, { name: string; formula: string }>; units: UnitKpi[] };

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
/** Sorts rates with the units that have no figure last. */
const byRate = (k: KpiKey) => (a: UnitKpi, b: UnitKpi) => ((a[k] as number | null) ?? -1) - ((b[k] as number | null) ?? -1);

/** Loads an answer for the period; the latest period wins. */
function usePeriodAnswer<T>(path: string, period: string, enabled = true) {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    setLoading(true);
    setError(null);
    api<T>(path, { query: { period } })
      .then((r) => live && setData(r), (e) => live && setError(errorText(e, '加载失败')))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, period, enabled]);
  return { data, loading, error };
}

/** The five KPIs of each unit, with numerator/denominator under each rate. */
function KpiTable({ data, loading }: { data: KpiResponse | null; loading: boolean }) {
  const defs = data?.definitions;
  const head = (k: KpiKey, fallback: string) => (
    <Tooltip title={defs?.[k].formula}>
      <span>{defs?.[k].name ?? fallback} <QuestionCircleOutlined style={{ color: '#999' }} /></span>
    </Tooltip>
  );
  const frac = (n: number, d: number) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{n}/{d}</Typography.Text>;
  return (
    <Table<UnitKpi>
      rowKey="unit_id"
      size="middle"
      loading={loading}
      dataSource={data?.units ?? []}
      locale={{ emptyText: '该期间没有派发、办结或回访的工单' }}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      scroll={{ x: 1000 }}
      columns={[
        { title: '单位', dataIndex: 'unit_name', width: 220, sorter: (a, b) => a.unit_name.localeCompare(b.unit_name, 'zh-CN') },
        { title: '派发', dataIndex: 'dispatched', width: 80, sorter: (a, b) => a.dispatched - b.dispatched },
        { title: head('sign_on_time_rate', '按时签收率'), key: 'sign', width: 130, sorter: byRate('sign_on_time_rate'), render: (_, r) => <>{pct(r.sign_on_time_rate)} {frac(r.signed_on_time, r.sign_due)}</> },
        { title: head('close_on_time_rate', '按时办结率'), key: 'close', width: 130, sorter: byRate('close_on_time_rate'), render: (_, r) => <>{pct(r.close_on_time_rate)} {frac(r.closed_on_time, r.closed)}</> },
        { title: head('satisfaction_rate', '满意率'), key: 'sat', width: 120, sorter: byRate('satisfaction_rate'), render: (_, r) => <>{pct(r.satisfaction_rate)} {frac(r.satisfied, r.rated)}</> },
        { title: head('redo_rate', '重办率'), key: 'redo', width: 120, sorter: byRate('redo_rate'), render: (_, r) => <>{pct(r.redo_rate)} {frac(r.redone, r.closed)}</> },
        {
          title: head('overdue_count', '超期数'), dataIndex: 'overdue_count', width: 100, sorter: (a, b) => a.overdue_count - b.overdue_count,
          render: (n: number) => <span style={{ color: n > 0 ? '#cf1322' : undefined }}>{n}</span>,
        },
      ]}
    />
  );
}

type Tab = 'kpi' | 'ranking';

/** 单位考核: the five KPIs of each unit for a month, a quarter or a year, and (for 查看分析报告) the ranking by composite score. */
export function KpiPage() {
  const can = useCan();
  const mayRank = can('report.read');
  const [params, setParams] = useSearchParams();
  const tab: Tab = mayRank && params.get('tab') === 'ranking' ? 'ranking' : 'kpi';
  const [g, setG] = useState<Granularity>('month');
  const [at, setAt] = useState<Dayjs>(dayjs());
  const period = periodOf(at, g);
  const kpi = usePeriodAnswer<KpiResponse>('/kpi/units', period, tab === 'kpi');
  const ranking = usePeriodAnswer<Ranking>('/analytics/units', period, tab === 'ranking');
  const error = tab === 'kpi' ? kpi.error : ranking.error;
  const defs: Record<string, { name: string; formula: string }> | undefined = tab === 'kpi' ? kpi.data?.definitions : ranking.data?.definitions;
  return (
    <Row gutter={16}>
      <Col xs={24} xl={17}>
        <Card title="单位考核" extra={<GranularityPicker g={g} at={at} onChange={(nextG, nextAt) => { setG(nextG); setAt(nextAt); }} />}>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
          <Typography.Paragraph type="secondary">期间：{period}。点击列名排序；鼠标移到列名上查看计算公式；无数据的显示“—”。</Typography.Paragraph>
          <Tabs
            activeKey={tab}
            onChange={(key) => setParams(key === 'ranking' ? { tab: key } : {}, { replace: true })}
            items={[
              { key: 'kpi', label: '考核指标', children: <KpiTable data={kpi.data} loading={kpi.loading} /> },
              ...(mayRank ? [{ key: 'ranking', label: '综合排名', children: <UnitRankingTable units={ranking.data?.units ?? []} definitions={ranking.data?.definitions} loading={ranking.loading} /> }] : []),
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={7}>
        <Card title="指标说明">
          {defs ? (
            <Descriptions column={1} size="small" items={Object.entries(defs).map(([k, d]) => ({ key: k, label: d.name, children: d.formula }))} />
          ) : <Typography.Text type="secondary">加载中…</Typography.Text>}
        </Card>
      </Col>
    </Row>
  );
}
