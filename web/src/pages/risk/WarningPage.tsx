import { Alert, App, Button, Card, Col, Descriptions, Empty, List, Row, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { Chart } from '../analytics/Chart.tsx';
import { EVENT, LEVEL, RULE, SCOPE, STATE, STEP_ORDER, STEPS, UNIT_FIGURES } from './labels.ts';
import { chanceText, formatP, Hint, levelReason, LevelTag, num, percent, StateTag, useLoad } from './parts.tsx';
import { evidenceOption } from './riskCharts.ts';
import type { StepName, TargetEvidence, UnitEvidence, VolumeEvidence, WarningDetail } from './types.ts';
import { WarningActionModal } from './WarningActionModal.tsx';
import { scopeText } from './WarningsPage.tsx';
import { formatTime } from '../../time';

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const dayRange = (w: WarningDetail) => (w.started_on === w.last_seen_on ? w.started_on : `${w.started_on} 至 ${w.last_seen_on}`);

/** p, z and the ratio, each with what it means. */
function StatLines({ ratio, z, pValue, method }: { ratio?: number; z?: number; pValue?: number; method?: string }) {
  const items = [
    isNum(ratio) && { key: 'ratio', label: '倍数（实际 ÷ 预期）', children: <><b>{ratio.toFixed(1)} 倍</b> <Hint>实际是按自身历史预期的 {ratio.toFixed(1)} 倍</Hint></> },
    isNum(z) && { key: 'z', label: 'z 值', children: <><b>{z.toFixed(1)}</b> <Hint>比预期高出 {z.toFixed(1)} 个标准差（超过 3 个即属少见）</Hint></> },
    isNum(pValue) && { key: 'p', label: 'p 值', children: <><b>{formatP(pValue)}</b> <Hint>若情况与往常无异，偶然出现这么多或更多的机会{chanceText(pValue)}</Hint></> },
    method && { key: 'm', label: '检验方法', children: method === 'negbin' ? '负二项分布（已考虑该序列平时比纯随机更大的波动）' : method === 'poisson' ? '泊松分布（该序列平时的波动与纯随机相当）' : method },
  ].filter(Boolean) as { key: string; label: string; children: ReactNode }[];
  return <Descriptions size="small" column={1} bordered items={items} data-testid="evidence-stats" />;
}

function VolumeEvidencePanel({ w, ev }: { w: WarningDetail; ev: VolumeEvidence }) {
  const option = useMemo(() => evidenceOption(ev.series ?? [], w.started_on), [ev, w.started_on]);
  const what = w.rule_code === 'misconduct_surge' ? '执法作风问题' : '反映问题';
  return (
    <>
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="evidence-summary"
        title={`${dayRange(w)}，${scopeText(w)}共${what} ${num(ev.observed)} 件，按其自身历史规律（已考虑星期、节假日）预期约 ${num(ev.expected)} 件，实际是预期的 ${num(ev.ratio)} 倍。`}
        description={<>若情况与往常无异，偶然出现这么多或更多的机会{chanceText(ev.pValue)}（p = {formatP(ev.pValue)}），因此判定为异常上升。{levelReason(w.level)}。</>} />
      {ev.series?.length ? (
        <Chart label="实际与预期反映量" testId="evidence-chart" option={option} height={260} />
      ) : <Empty description="没有逐日数据" />}
      <Hint>阴影为预警窗口；虚线为按该领域、该区域自身前几周规律推算的预期件数。</Hint>
      <div style={{ marginTop: 12 }}>
        <Descriptions size="small" column={2} bordered style={{ marginBottom: 12 }} items={[
          { key: 'o', label: '窗口内实际', children: `${num(ev.observed)} 件` },
          { key: 'e', label: '按历史预期', children: `${num(ev.expected)} 件` },
        ]} />
        <StatLines ratio={ev.ratio} z={ev.z} pValue={ev.pValue} method={ev.method} />
      </div>
    </>
  );
}

function TargetEvidencePanel({ w, ev }: { w: WarningDetail; ev: TargetEvidence }) {
  const can = useCan();
  const ids = useMemo(() => (Array.isArray(ev.problemIds) ? ev.problemIds : []), [ev]);
  const [titles, setTitles] = useState<Record<number, string>>({});
  useEffect(() => {
    if (!can('problem.read')) return;
    let live = true;
    void Promise.all(ids.slice(0, 30).map((id) => api<{ id: number; title: string }>(`/problems/${id}`).then((p) => [id, p.title] as const, () => null)))
      .then((got) => live && setTitles(Object.fromEntries(got.filter((x): x is readonly [number, string] => !!x))));
    return () => {
      live = false;
    };
  }, [ids]);
  return (
    <>
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="evidence-summary"
        title={`“${ev.target ?? w.title}”近期被投诉 ${num(ev.recent)} 次，此前的历史期间共 ${num(ev.history)} 次，是按其过去频率预期的 ${num(ev.ratio)} 倍。`}
        description={<>若该对象情况与往常无异，偶然被投诉这么多次的机会{chanceText(ev.pValue)}（p = {formatP(ev.pValue)}）。{levelReason(w.level)}。</>} />
      <Descriptions size="small" column={2} bordered style={{ marginBottom: 12 }} items={[
        { key: 't', label: '被反映对象', children: ev.target ?? '—', span: 2 },
        { key: 'r', label: '近期投诉', children: `${num(ev.recent)} 次` },
        { key: 'h', label: '此前历史', children: `${num(ev.history)} 次` },
      ]} />
      <StatLines ratio={ev.ratio} pValue={ev.pValue} />
      <Typography.Title level={5} style={{ marginTop: 16 }}>相关问题（{ids.length}）</Typography.Title>
      <List size="small" dataSource={ids} locale={{ emptyText: '没有相关问题' }} data-testid="evidence-problems"
        renderItem={(id) => <List.Item><Link to={`/problems/${id}`}>{titles[id] ? `${titles[id]}（问题 ${id}）` : `问题 ${id}`}</Link></List.Item>} />
    </>
  );
}

type LostCasesEvidence = { recent: number; history: number; historyDays: number; ratio: number; pValue: number; caseNos?: string[] };

function LostCasesEvidencePanel({ w, ev }: { w: WarningDetail; ev: LostCasesEvidence }) {
  const cases = Array.isArray(ev.caseNos) ? ev.caseNos : [];
  return (
    <>
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="evidence-summary"
        title={`${w.unit_name ?? '该单位'}近期复议被撤销、变更、确认违法或责令履行以及诉讼败诉共 ${num(ev.recent)} 件，此前 ${num(ev.historyDays)} 天 ${num(ev.history)} 件，是预期的 ${num(ev.ratio)} 倍。`}
        description={<>若该单位执法质量与往常无异，偶然败诉这么多件的机会{chanceText(ev.pValue)}（p = {formatP(ev.pValue)}）。{levelReason(w.level)}。</>} />
      <StatLines ratio={ev.ratio} pValue={ev.pValue} />
      <Typography.Title level={5} style={{ marginTop: 16 }}>败诉案件（{cases.length}）</Typography.Title>
      <List size="small" dataSource={cases} locale={{ emptyText: '没有案号' }} data-testid="evidence-cases"
        renderItem={(no) => <List.Item>{no}</List.Item>} />
      <Link to={`/risk/cases?unitId=${w.unit_id ?? ''}&lost=true`}>查看该单位的复议诉讼结果</Link>
    </>
  );
}

function UnitEvidencePanel({ w, ev }: { w: WarningDetail; ev: UnitEvidence }) {
  const r = ev.recent ?? {};
  const b = ev.baseline ?? {};
  const rate = (n?: number, d?: number) => (isNum(n) && isNum(d) && d > 0 ? percent(n / d) : '—');
  const rows = [
    ...UNIT_FIGURES.map((f) => ({ key: f.key, name: f.text, recent: num((r as any)[f.key]), baseline: num((b as any)[f.key]) })),
    { key: 'overdue_rate', name: '逾期率（逾期 ÷ 派发）', recent: rate(r.overdue, r.dispatched), baseline: rate(b.overdue, b.dispatched) },
    { key: 'unsatisfied_rate', name: '不满意率（不满意 ÷ 已评价）', recent: rate(r.unsatisfied, r.rated), baseline: rate(b.unsatisfied, b.rated) },
  ];
  return (
    <>
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="evidence-summary"
        title={`${w.unit_name ?? '该单位'}近期的指标与本单位此前的基线相比明显变差（是基线预期的 ${num(ev.ratio)} 倍）。`}
        description={<>若该单位情况与往常无异，偶然出现这种变化的机会{chanceText(ev.pValue)}（p = {formatP(ev.pValue)}）。{levelReason(w.level)}。</>} />
      <Table size="small" rowKey="key" pagination={false} dataSource={rows} style={{ marginBottom: 12 }} data-testid="evidence-unit"
        columns={[{ title: '指标', dataIndex: 'name' }, { title: '近期', dataIndex: 'recent', width: 120 }, { title: '基线（此前）', dataIndex: 'baseline', width: 120 }]} />
      <StatLines ratio={ev.ratio} pValue={ev.pValue} />
    </>
  );
}

function Evidence({ w }: { w: WarningDetail }) {
  const ev = (w.evidence ?? {}) as Record<string, unknown>;
  if (Array.isArray(ev.series)) return <VolumeEvidencePanel w={w} ev={ev as unknown as VolumeEvidence} />;
  if (w.scope_kind === 'target' || Array.isArray(ev.problemIds)) return <TargetEvidencePanel w={w} ev={ev as unknown as TargetEvidence} />;
  if (w.rule_code === 'unit_lost_cases' || Array.isArray(ev.caseNos)) return <LostCasesEvidencePanel w={w} ev={ev as unknown as LostCasesEvidence} />;
  if (w.scope_kind === 'unit' || (ev.recent && typeof ev.recent === 'object')) return <UnitEvidencePanel w={w} ev={ev as unknown as UnitEvidence} />;
  return <Descriptions size="small" column={1} bordered items={Object.entries(ev).map(([k, v]) => ({ key: k, label: k, children: typeof v === 'object' ? JSON.stringify(v) : String(v) }))} />;
}

/** 预警详情: the level, the evidence in plain words, the life so far and the steps the supervisor may take now. */
export function WarningPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const can = useCan();
  const { message } = App.useApp();
  const { data: w, error, reload } = useLoad<WarningDetail>(`/risk/warnings/${id}`);
  const [step, setStep] = useState<StepName | null>(null);

  if (error && !w) return <Alert type="error" showIcon title={error} action={<Button onClick={() => navigate(-1)}>返回</Button>} />;
  if (!w || String(w.id) !== id) return <Spin tip="加载中…"><div style={{ height: 200 }} /></Spin>;
  const steps = can('workorder.supervise') ? STEP_ORDER.filter((s) => STEPS[s].from.includes(w.state)) : [];
  const done = (text: string) => {
    setStep(null);
    message.success(text);
    void reload();
  };
  const conflict = (text: string) => {
    setStep(null);
    message.error(text);
    void reload();
  };
  const domainLink = w.domain_code && can('report.read')
    ? <Link to={`/risk/domains/${w.domain_code}`}>{w.domain_name ?? w.domain_code}</Link>
    : (w.domain_name ?? '—');

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={<Space wrap><LevelTag level={w.level} /><span data-testid="warning-heading">{w.title}</span><StateTag state={w.state} /></Space>}
        extra={<Space wrap>
          {steps.map((s) => (
            <Button key={s} type={s === 'assess' || (s === 'dispatch' && w.state === 'assessed') || (s === 'resolve' && w.state === 'dispatched') ? 'primary' : 'default'} danger={s === 'dismiss'} onClick={() => setStep(s)}>
              {STEPS[s].name}
            </Button>
          ))}
          <Button onClick={() => void reload()}>刷新</Button>
          <Button onClick={() => navigate(-1)}>返回</Button>
        </Space>}
      >
        {error && <Alert type="error" showIcon closable style={{ marginBottom: 12 }} title={`刷新失败：${error}`} />}
        {w.closing_reason && <Alert type={w.state === 'resolved' ? 'success' : 'info'} showIcon style={{ marginBottom: 12 }} title={`${STATE[w.state]?.text ?? w.state}：${w.closing_reason}`} />}
        {w.work_order_id && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={<>已交办，督办工单：<Link to={`/work-orders/${w.work_order_id}`} data-testid="warning-work-order">工单 {w.work_order_id}</Link></>} />}
        <Descriptions column={{ xs: 1, md: 3 }} size="small" items={[
          { key: 'level', label: '等级', children: <span style={{ color: LEVEL[w.level]?.hex, fontWeight: 600 }}>{LEVEL[w.level]?.text ?? w.level}</span> },
          { key: 'state', label: '状态', children: <span data-testid="warning-state">{STATE[w.state]?.text ?? w.state}</span> },
          { key: 'score', label: '评分', children: `${w.score.toFixed(1)}（0–100，由 p 值换算）` },
          { key: 'rule', label: '规则', children: RULE[w.rule_code] ?? w.rule_code },
          { key: 'scope', label: '范围', children: SCOPE[w.scope_kind] ?? w.scope_kind },
          ...(w.scope_kind === 'unit'
            ? [{ key: 'unit', label: '单位', children: w.unit_name ?? '—' }]
            : [{ key: 'region', label: '区域', children: w.region_name ?? '—' }, { key: 'domain', label: '领域', children: domainLink }]),
          { key: 'start', label: '开始', children: w.started_on },
          { key: 'raised', label: '首次预警', children: w.raised_on },
          { key: 'seen', label: '最近出现', children: w.last_seen_on },
          ...(w.problem_id ? [{ key: 'p', label: '交办问题', children: <Link to={`/problems/${w.problem_id}`}>问题 {w.problem_id}</Link> }] : []),
        ]} />
        {steps.length === 0 && ['new', 'assessed', 'dispatched'].includes(w.state) && !can('workorder.supervise') && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>研判、交办和关闭预警由督办人员办理。</Typography.Paragraph>
        )}
      </Card>

      <Row gutter={16}>
        <Col xs={24} lg={15}>
          <Card title="预警依据">
            <Evidence w={w} />
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card title="处置过程">
            {w.events.length === 0 ? <Empty /> : (
              <Timeline
                data-testid="warning-timeline"
                items={w.events.map((e, i) => ({
                  key: e.id ?? i,
                  color: EVENT[e.kind]?.color ?? 'gray',
                  content: (
                    <div data-testid="timeline-item">
                      <div>
                        <Typography.Text strong>{EVENT[e.kind]?.text ?? e.kind}</Typography.Text>
                        <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>{formatTime(e.at)}</Typography.Text>
                      </div>
                      <div style={{ fontSize: 13 }}>
                        {e.actor_label}
                        {e.to_state && e.from_state !== e.to_state && (
                          <span style={{ marginLeft: 6 }}>
                            {e.from_state && <>{STATE[e.from_state]?.text ?? e.from_state} → </>}
                            <Tag color={STATE[e.to_state]?.color} style={{ marginLeft: 2 }}>{STATE[e.to_state]?.text ?? e.to_state}</Tag>
                          </span>
                        )}
                      </div>
                      {e.note && <div style={{ whiteSpace: 'pre-wrap' }}>{e.note}</div>}
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
      </Row>
      {step && <WarningActionModal step={step} warning={w} onDone={done} onConflict={conflict} onClose={() => setStep(null)} />}
    </Space>
  );
}
