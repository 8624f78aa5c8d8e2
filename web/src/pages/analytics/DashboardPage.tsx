import { Alert, Card, Col, Empty, Row, Space, Spin, Typography } from 'antd';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../../api.ts';
import { cityDayStart, dayRangeFilter, nextDay, searchLink, type SearchFilters } from '../problems/searchQuery.ts';
import { HotTopicsCard } from '../triage/HotTopicsCard.tsx';
import { Chart, type ChartClick } from './Chart.tsx';
import { barOption, bucketRange, domainOption, domainRows, pieOption, REGION_GRID, trendBuckets, trendOption } from './chartOptions.ts';
import { KpiCards } from './KpiCards.tsx';
import { choiceFromQuery, periodQuery, rangeText, type PeriodChoice } from './period.ts';
import { PeriodPicker } from './PeriodPicker.tsx';
import type { Dashboard, DayRange } from './types.ts';
import { UnitRankingTable } from './UnitRankingTable.tsx';

const TOP_UNITS = 10;

function useDashboard(choice: PeriodChoice) {
  const [data, setData] = useState<Dashboard | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const query = JSON.stringify(periodQuery(choice));
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    api<Dashboard>('/analytics/dashboard', { query: JSON.parse(query) })
      .then((r) => live && setData(r), (e) => live && setError(e instanceof ApiError ? e.message : '加载失败'))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [query]);
  return { data, loading, error };
}

/** A chart in a card; empty data shows a note instead of blank axes. */
function ChartCard({ title, hint, empty, children }: { title: string; hint?: string; empty: boolean; children: ReactNode }) {
  return (
    <Card size="small" title={title} extra={hint && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{hint}</Typography.Text>} style={{ height: '100%' }}>
      {empty ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="该期间没有数据" style={{ height: 240 }} /> : children}
    </Card>
  );
}

/** The charts of the period; a click on a bar, a slice or a point opens the search behind it. */
function DashboardCharts({ data, open }: { data: Dashboard; open: (f: SearchFilters, range?: DayRange) => void }) {
  const trend = useMemo(() => trendBuckets(data.trend, data.range), [data]);
  const domains = useMemo(() => domainRows(data.byDomain, data.previousByDomain), [data]);
  const options = useMemo(() => ({
    trend: trendOption(trend, data.trend.unit),
    channel: pieOption(data.byChannel, '渠道'),
    kind: pieOption(data.byKind, '类型'),
    domain: domainOption(domains),
    region: barOption(data.byRegion, '反映问题', REGION_GRID),
    misconduct: barOption(data.misconduct.map((m) => ({ name: m.category, n: m.n })), '执法作风问题'),
  }), [data, trend, domains]);
  // a null code (未分类, 未识别区域) has no search to open
  const byCode = (list: { code: string | null }[], key: 'channel' | 'kind' | 'region') => (e: ChartClick) => {
    const code = list[e.dataIndex]?.code;
    // the channel chart counts each problem once, by the channel that first brought it
    if (code) open(key === 'channel' ? { channel: code, firstChannel: true } : { [key]: code });
  };
  const barHeight = (n: number) => Math.max(200, n * 30 + 40);
  const hint = '点击图形查看对应问题';
  return (
    <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
      <Col xs={24} xl={16}>
        <ChartCard title={data.trend.unit === 'day' ? '每日反映趋势' : '每月反映趋势'} hint={hint} empty={!data.totals.problems}>
          <Chart label="反映趋势" testId="chart-trend" option={options.trend} onClick={(e) => {
            const point = trend[e.dataIndex];
            if (point) open({}, bucketRange(point.bucket, data.trend.unit, data.range));
          }} />
        </ChartCard>
      </Col>
      <Col xs={24} xl={8}>
        <ChartCard title="渠道分布" hint="每件问题按首次来源渠道计；点击查看对应问题" empty={!data.byChannel.length}>
          <Chart label="渠道分布" testId="chart-channel" option={options.channel} onClick={byCode(data.byChannel, 'channel')} />
        </ChartCard>
      </Col>
      <Col xs={24} xl={12}>
        <ChartCard title="执法领域（本期与上期）" hint={hint} empty={!domains.length}>
          <Chart label="执法领域分布" testId="chart-domain" height={barHeight(domains.length)} option={options.domain} onClick={(e) => {
            const code = domains[e.dataIndex]?.code;
            if (code) open({ domain: code }, e.seriesIndex === 1 ? data.previous : undefined);
          }} />
        </ChartCard>
      </Col>
      <Col xs={24} xl={12}>
        <ChartCard title="区域分布" hint={hint} empty={!data.byRegion.length}>
          <Chart label="区域分布" testId="chart-region" height={barHeight(data.byRegion.length)} option={options.region} onClick={byCode(data.byRegion, 'region')} />
        </ChartCard>
      </Col>
      <Col xs={24} xl={8}>
        <ChartCard title="诉求类型" empty={!data.byKind.length}>
          <Chart label="诉求类型分布" testId="chart-kind" option={options.kind} onClick={byCode(data.byKind, 'kind')} />
        </ChartCard>
      </Col>
      <Col xs={24} xl={16}>
        <ChartCard title="执法作风问题" hint={hint} empty={!data.misconduct.length}>
          <Chart label="执法作风问题分类" testId="chart-misconduct" height={barHeight(data.misconduct.length)} option={options.misconduct} onClick={(e) => {
            const m = data.misconduct[e.dataIndex];
            if (m) open({ misconduct: m.category });
          }} />
        </ChartCard>
      </Col>
    </Row>
  );
}

/** 全局态势: the city's figures for a period, each opening the search that produced it. */
export function DashboardPage() {
  const navigate = useNavigate();
  // the period lives in the address, so that Back from a figure's search returns to the same period
  const [params, setParams] = useSearchParams();
  const choice = useMemo(() => choiceFromQuery(params), [params]);
  const setChoice = (c: PeriodChoice) => setParams(periodQuery(c), { replace: true });
  const { data, loading, error } = useDashboard(choice);
  const range = data?.range;
  const topicRange = useMemo(() => (range ? { from: cityDayStart(range.from), to: cityDayStart(nextDay(range.to)), label: rangeText(range) } : undefined), [range]);
  /** Opens the search of these filters over the period (or another range, or all time). */
  const open = (filters: SearchFilters, over?: DayRange | 'all') => {
    const time = over === 'all' || !range ? {} : dayRangeFilter(over ?? range);
    navigate(searchLink({ ...time, ...filters }));
  };
  return (
    <div>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Space>
            <Typography.Title level={4} style={{ margin: 0 }}>全局态势</Typography.Title>
            {range && <Typography.Text type="secondary" data-testid="dashboard-range">{rangeText(range)}</Typography.Text>}
            {loading && <Spin size="small" />}
          </Space>
          <PeriodPicker value={choice} onChange={setChoice} />
        </Space>
      </Card>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {!data && loading && <Spin style={{ display: 'block', margin: 48 }} />}
      {data && (
        <>
          <KpiCards data={data} onOpen={(f, o) => open(f, o?.wholeTime ? 'all' : undefined)} />
          <DashboardCharts data={data} open={open} />
          <Row gutter={16}>
            <Col xs={24} xl={14}>
              <Card size="small" title={`承办单位（前 ${TOP_UNITS} 名）`} extra={<Typography.Link onClick={() => navigate('/kpi?tab=ranking')}>完整排名 ›</Typography.Link>} style={{ marginBottom: 16 }}>
                <UnitRankingTable compact units={data.units.slice(0, TOP_UNITS)} definitions={data.definitions} onOpenUnit={(unitId) => open({ unitId })} />
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <HotTopicsCard range={topicRange} />
            </Col>
          </Row>
        </>
      )}
    </div>
  );
}
