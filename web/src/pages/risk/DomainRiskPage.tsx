import { Alert, Button, Card, Col, Empty, List, Row, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Chart } from '../analytics/Chart.tsx';
import { SUGGESTION } from './labels.ts';
import { ContributionBar, Hint, notBuiltYet, percent, Score, useLoad } from './parts.tsx';
import { dailyTrendOption } from './riskCharts.ts';
import type { DomainDetail } from './types.ts';
import { warningColumns } from './WarningsPage.tsx';

/** 领导决策参考: what is rising, the likely causes, and the suggested actions with their reasons. */
function DecisionSupport({ s }: { s: DomainDetail['summary'] }) {
  const section = (title: string, items: string[], empty: string, testId: string) => (
    <div style={{ marginBottom: 12 }} data-testid={testId}>
      <Typography.Text strong>{title}</Typography.Text>
      {items.length ? (
        <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>{items.map((x, i) => <li key={i}>{x}</li>)}</ul>
      ) : <div><Typography.Text type="secondary">{empty}</Typography.Text></div>}
    </div>
  );
  return (
    <Card title="领导决策参考" size="small" style={{ height: '100%' }} data-testid="decision-support">
      {section('正在上升', s?.rising ?? [], '没有明显上升的事项', 'summary-rising')}
      {section('可能原因', s?.causes ?? [], '暂无可归纳的原因', 'summary-causes')}
      <Typography.Text strong>建议措施</Typography.Text>
      <List size="small" dataSource={s?.suggestions ?? []} locale={{ emptyText: '暂无建议' }} data-testid="summary-suggestions"
        renderItem={(x) => (
          <List.Item>
            <Space align="start">
              <Tag color={SUGGESTION[x.action] ?? 'default'} style={{ whiteSpace: 'nowrap' }}>{x.action}</Tag>
              <span>{x.reason}</span>
            </Space>
          </List.Item>
        )} />
    </Card>
  );
}

/** 领域风险页: one domain's score and its parts, trend, where and about whom, the units, open warnings and the summary for the leader. */
export function DomainRiskPage() {
  const { code } = useParams();
  const navigate = useNavigate();
  const { data: d, error, status, loading, reload } = useLoad<DomainDetail>(`/risk/domains/${encodeURIComponent(code ?? '')}`);
  const trend = useMemo(() => dailyTrendOption(d?.trend ?? []), [d]);

  if (error && !d) {
    return <Alert type="error" showIcon title={notBuiltYet(status) && !/领域/.test(error) ? '领域风险的接口（/api/risk/domains/:code）尚未提供，或该领域不存在。' : error}
      action={<Button onClick={() => navigate(-1)}>返回</Button>} />;
  }
  if (!d || d.code !== code) return <Spin tip="加载中…"><div style={{ height: 200 }} /></Spin>;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small">
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Space wrap align="baseline">
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="domain-title">{d.name}</Typography.Title>
            <Typography.Text type="secondary">风险评分</Typography.Text>
            <Score score={d.score} size={22} />
            {loading && <Spin size="small" />}
          </Space>
          <Space wrap>
            <Link to="/risk">‹ 风险总览</Link>
            <Link to={`/risk/warnings?domain=${encodeURIComponent(d.code)}`}>该领域全部预警 ›</Link>
            <Button onClick={() => void reload()}>刷新</Button>
          </Space>
        </Space>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card size="small" title="评分构成" style={{ height: '100%' }}>
            <ContributionBar contributions={d.contributions ?? []} detail height={14} />
            <div style={{ marginTop: 8 }}><Hint>每项得分 = 权重 × 取值（取值 0–1，由该项信号的显著程度换算），合计即评分。</Hint></div>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <DecisionSupport s={d.summary} />
        </Col>
      </Row>

      <Card size="small" title="每日反映趋势">
        {d.trend?.length ? <Chart label={`${d.name}每日反映趋势`} testId="domain-trend" option={trend} height={240} /> : <Empty description="没有数据" />}
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={8}>
          <Card size="small" title="被反复投诉的对象" style={{ height: '100%' }}>
            <Table size="small" pagination={false} dataSource={(d.topTargets ?? []).map((t, i) => ({ ...t, key: i }))} locale={{ emptyText: '没有被反复投诉的对象' }}
              columns={[{ title: '对象', dataIndex: 'target' }, { title: '件数', dataIndex: 'n', width: 70 }]} />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title="区域" style={{ height: '100%' }}>
            <Table size="small" rowKey="code" pagination={false} dataSource={d.topRegions ?? []} locale={{ emptyText: '没有数据' }}
              columns={[
                { title: '区域', dataIndex: 'name', render: (n: string, r) => <Link to={`/risk/warnings?domain=${encodeURIComponent(d.code)}&region=${encodeURIComponent(r.code)}&state=all`}>{n}</Link> },
                { title: '件数', dataIndex: 'n', width: 70 },
                {
                  title: <Tooltip title="近期件数 ÷ 按该区域自身历史的预期件数"><span>与往常相比</span></Tooltip>, dataIndex: 'ratio', width: 100,
                  render: (x: number) => (typeof x === 'number' ? <span style={{ color: x >= 1.5 ? '#cf1322' : undefined }}>{x.toFixed(1)} 倍</span> : '—'),
                },
              ]} />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title="承办单位" style={{ height: '100%' }}>
            <Table size="small" rowKey="unit_id" pagination={false} dataSource={d.topUnits ?? []} locale={{ emptyText: '没有数据' }}
              columns={[
                { title: '单位', dataIndex: 'unit_name' },
                { title: '工单', dataIndex: 'n', width: 60 },
                { title: '逾期率', dataIndex: 'overdue_rate', width: 76, render: (x: number | null) => percent(x) },
                { title: '不满意率', dataIndex: 'unsatisfied_rate', width: 84, render: (x: number | null) => percent(x) },
              ]} />
          </Card>
        </Col>
      </Row>

      <Card size="small" title="热点诉求">
        {d.phrases?.length ? (
          <Space wrap>
            {d.phrases.map((p) => (
              <Tooltip key={p.label} title={p.terms?.length ? `关键词：${p.terms.join('、')}` : undefined}>
                <Tag style={{ fontSize: 13, padding: '2px 8px' }}>{p.label} <b>{p.count}</b></Tag>
              </Tooltip>
            ))}
          </Space>
        ) : <Typography.Text type="secondary">没有集中的诉求</Typography.Text>}
      </Card>

      <Card size="small" title={`在办预警（${d.warnings?.length ?? 0}）`}>
        <Table rowKey="id" size="small" dataSource={d.warnings ?? []} columns={warningColumns({ showOrder: true })} pagination={{ pageSize: 10, hideOnSinglePage: true }}
          locale={{ emptyText: '该领域没有在办的预警' }} />
      </Card>
    </Space>
  );
}
