import { Alert, Button, Card, Col, Empty, Row, Space, Spin, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Chart } from '../analytics/Chart.tsx';
import { LEVEL, LEVELS } from './labels.ts';
import { ContributionBar, ContributionLegend, Hint, notBuiltYet, Score, SCORE_BANDS, scoreFill, useLoad } from './parts.tsx';
import { regionTreemap } from './riskCharts.ts';
import type { DomainRisk, Overview, RegionRisk, UnitRisk } from './types.ts';

const byScore = <T extends { score: number }>(a: T, b: T) => b.score - a.score;

function LevelCounts({ levels }: { levels: RegionRisk['levels'] }) {
  const shown = LEVELS.filter((l) => (levels?.[l] ?? 0) > 0);
  if (!shown.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return <Space size={2} wrap>{shown.map((l) => <Tag key={l} color={LEVEL[l].color}>{LEVEL[l].short} {levels[l]}</Tag>)}</Space>;
}

/** One domain: its score, its open warnings and the parts of the score (each part's weight × value). */
function DomainCard({ d, onOpen }: { d: DomainRisk; onOpen: () => void }) {
  return (
    <Card size="small" hoverable onClick={onOpen} data-testid={`domain-card-${d.code}`} style={{ height: '100%' }}
      title={<span data-testid="domain-card-name">{d.name}</span>}
      extra={d.open > 0 ? <Tag color="red">预警 {d.open}</Tag> : <Tag>无预警</Tag>}>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 6, marginBottom: 8 }}>
        <Score score={d.score} size={26} />
        <Typography.Text type="secondary">分</Typography.Text>
      </div>
      <ContributionBar contributions={d.contributions} detail="nonzero" />
    </Card>
  );
}

/** 风险总览（全域感知）: the districts as a risk map, the ten domains with their scores, the units with theirs. */
export function RiskOverviewPage() {
  const navigate = useNavigate();
  const { data, error, status, loading, reload } = useLoad<Overview>('/risk/overview');
  const regions = useMemo(() => [...(data?.regions ?? [])].sort(byScore), [data]);
  const domains = useMemo(() => [...(data?.domains ?? [])].sort(byScore), [data]);
  const units = useMemo(() => [...(data?.units ?? [])].sort(byScore), [data]);
  const mapOption = useMemo(() => regionTreemap(regions), [regions]);
  const openRegion = (code: string) => navigate(`/risk/warnings?region=${encodeURIComponent(code)}`);

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small">
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Space wrap>
            <Typography.Title level={4} style={{ margin: 0 }}>风险总览</Typography.Title>
            <Typography.Text type="secondary">全域感知</Typography.Text>
            {data && <Typography.Text type="secondary" data-testid="risk-as-of">数据截至 {data.asOf}</Typography.Text>}
            {loading && <Spin size="small" />}
          </Space>
          <Space wrap>
            <Link to="/risk/warnings">在办预警 {data ? `${data.openTotal} 条` : ''} ›</Link>
            {!!data?.openWithoutRegion && <Typography.Text type="secondary">（其中 {data.openWithoutRegion} 条针对单位或全市，不在区域图中）</Typography.Text>}
            <Link to="/risk/rules">预警规则 ›</Link>
            <Button onClick={() => void reload()}>刷新</Button>
          </Space>
        </Space>
      </Card>
      {error && <Alert type="error" showIcon title={notBuiltYet(status) ? '风险总览的接口（/api/risk/overview）尚未提供，请稍后再试。' : error} />}
      {!data && loading && <Spin style={{ display: 'block', margin: 48 }} />}
      {data && (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={14}>
              <Card size="small" title="区域风险图" extra={<Hint>颜色：风险评分；面积：在办预警数；点击区域查看其预警</Hint>} style={{ height: '100%' }}>
                {regions.length ? (
                  <>
                    <Chart label="区域风险图" testId="risk-map" option={mapOption} height={360} onClick={(e) => {
                      const r = regions.find((x) => x.name === e.name);
                      if (r) openRegion(r.code);
                    }} />
                    <Space wrap size={12} style={{ marginTop: 8, fontSize: 12 }}>
                      {SCORE_BANDS.map((b) => (
                        <span key={b.from}><span style={{ display: 'inline-block', width: 12, height: 12, background: scoreFill(b.from), marginRight: 4, verticalAlign: -2 }} />{b.text}</span>
                      ))}
                    </Space>
                  </>
                ) : <Empty description="没有区域数据" />}
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card size="small" title="各区域" style={{ height: '100%' }}>
                <Table<RegionRisk>
                  rowKey="code" size="small" pagination={false} dataSource={regions} data-testid="region-table"
                  columns={[
                    { title: '区域', dataIndex: 'name', render: (n: string, r) => <Typography.Link onClick={() => openRegion(r.code)}>{n}</Typography.Link> },
                    { title: '评分', dataIndex: 'score', width: 70, render: (s: number) => <Score score={s} /> },
                    { title: '在办预警', dataIndex: 'open', width: 80 },
                    { title: '等级', key: 'levels', render: (_: unknown, r) => <LevelCounts levels={r.levels} /> },
                  ]}
                />
              </Card>
            </Col>
          </Row>

          <Card size="small" title="执法领域风险" extra={<ContributionLegend />}>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              评分 0–100，是各项信号的加权和：每项得分 = 权重 × 取值（取值 0–1，由该项信号的显著程度换算）。鼠标移到色条上或看卡片下方的算式可追溯每一分的来源。点击卡片进入该领域的风险页。
            </Typography.Paragraph>
            {domains.length ? (
              <Row gutter={[12, 12]} data-testid="domain-cards">
                {domains.map((d) => (
                  <Col key={d.code} xs={24} sm={12} lg={8} xxl={6}>
                    <DomainCard d={d} onOpen={() => navigate(`/risk/domains/${d.code}`)} />
                  </Col>
                ))}
              </Row>
            ) : <Empty description="没有领域数据" />}
          </Card>

          <Card size="small" title="承办单位风险（近 30 天有工单的单位）">
            <Table<UnitRisk>
              rowKey="unit_id" size="small" dataSource={units} data-testid="unit-risk-table"
              pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: '没有单位评分' }}
              columns={[
                { title: '单位', dataIndex: 'unit_name', width: 220 },
                { title: '评分', dataIndex: 'score', width: 80, sorter: (a, b) => a.score - b.score, render: (s: number) => <Score score={s} /> },
                { title: '近 30 天', key: 'f', width: 260, render: (_: unknown, u) => `派发 ${u.figures.dispatched}，逾期 ${u.figures.overdue}，不满意 ${u.figures.unsatisfied}/${u.figures.rated}，重办 ${u.figures.redone}` },
                { title: '构成（权重 × 取值）', key: 'c', render: (_: unknown, u) => <ContributionBar contributions={u.contributions ?? []} detail="nonzero" height={8} /> },
              ]}
            />
          </Card>
        </>
      )}
    </Space>
  );
}
