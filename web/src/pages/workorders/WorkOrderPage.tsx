import { Alert, App, Button, Card, Col, Descriptions, Empty, List, Row, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { formatTime } from '../../time';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, type Reference } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { KINDS } from '../problems/labels.ts';
import { DEADLINE_UNIT, EVENT, METHOD, ROLE, SATISFACTION, URGENCY } from './labels.ts';
import { Deadline, errorText, fmt, OrderFlags, StateTag } from './parts.tsx';
import { ReplyQualityPanel } from './ReplyQuality.tsx';
import { actionsOf, StepModal, type Action } from './StepModal.tsx';
import type { Reply, WorkEvent, WorkOrderDetail } from './types.ts';

/** What an event's data adds to its line in the timeline (the reply-quality score only for the supervision office, as its panel). */
function eventExtras(e: WorkEvent, showQuality: boolean): string[] {
  const d = e.data ?? {};
  const out: string[] = [];
  if (typeof d.unit === 'string' && e.kind === 'dispatched') out.push(`${ROLE[String(d.role)] ?? ''}单位：${d.unit}`);
  if (typeof d.to === 'string') out.push(`转至：${d.to}`);
  if (typeof d.previous === 'string') out.push(`原期限：${fmt(d.previous)}`);
  if (typeof d.deadline === 'string') out.push(`${e.kind === 'request_extension' ? '申请延至' : e.kind === 'list' ? '督办期限' : '期限'}：${fmt(d.deadline)}${d.provisional ? '（暂定）' : ''}`);
  if (showQuality && typeof d.qualityScore === 'number') out.push(`答复质量 ${d.qualityScore} 分`);
  if (typeof d.redoCount === 'number') out.push(`第 ${d.redoCount} 次重办`);
  if (typeof d.satisfaction === 'string') out.push(`评价：${SATISFACTION[d.satisfaction]?.text ?? d.satisfaction}${typeof d.method === 'string' ? `（${METHOD[d.method] ?? d.method}）` : ''}`);
  return out;
}

function ReplyItem({ r, unitName, showQuality }: { r: Reply; unitName: string; showQuality: boolean }) {
  return (
    <div style={{ borderBottom: '1px solid #f0f0f0', paddingBottom: 16, marginBottom: 16 }}>
      <Space wrap style={{ marginBottom: 8 }}>
        <Typography.Text strong>{unitName}</Typography.Text>
        <Typography.Text type="secondary">{fmt(r.replied_at)} 答复</Typography.Text>
        {r.review === 'accepted' && <Tag color="green">审核通过</Tag>}
        {r.review === 'rejected' && <Tag color="red">退回重办</Tag>}
        {!r.review && <Tag color="purple">待审核</Tag>}
      </Space>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} data-testid="reply-content">{r.content}</Typography.Paragraph>
      <Descriptions size="small" column={1} items={[
        { key: 'm', label: '措施', children: r.measures || '—' },
        { key: 'b', label: '依据', children: r.basis || '—' },
        { key: 'r', label: '结果', children: r.result || '—' },
        ...(r.review ? [{ key: 'rv', label: '审核意见', children: `${r.review_reason || '（无）'}${r.reviewed_at ? `（${fmt(r.reviewed_at)}）` : ''}` }] : []),
      ]} />
      {showQuality && r.quality && <ReplyQualityPanel q={r.quality} />}
    </div>
  );
}

/** 工单详情: the problem, the order's facts, its timeline, replies with the quality check, follow-ups, and the steps the user may take. */
export function WorkOrderPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const can = useCan();
  const { message } = App.useApp();
  const [d, setD] = useState<WorkOrderDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [ref, setRef] = useState<Reference | null>(null);
  const load = useCallback(async () => {
    try {
      setD(await api<WorkOrderDetail>(`/work-orders/${id}`));
      setError(null);
    } catch (e) {
      setError(errorText(e, '加载失败'));
    }
  }, [id]);
  useEffect(() => {
    setD(null);
    void load();
  }, [load]);
  useEffect(() => void api<Reference>('/reference').then(setRef, () => {}), []);

  if (error && !d) return <Alert type="error" showIcon title={error} action={<Button onClick={() => navigate(-1)}>返回</Button>} />;
  if (!d) return <Spin tip="加载中…"><div style={{ height: 200 }} /></Spin>;
  const { order: o, problem: p } = d;
  const unitOf = (orderId: number) => (orderId === o.id ? o.unit_name : d.related.find((r) => r.id === orderId)?.unit_name ?? '');
  const actions = actionsOf(d.steps);
  const supervisor = can('workorder.supervise');
  const done = (next: WorkOrderDetail, text: string) => {
    setAction(null);
    message.success(text);
    if (next.order.id !== o.id) navigate(`/work-orders/${next.order.id}`);
    else setD(next);
  };
  const conflict = (text: string) => {
    setAction(null);
    message.error(text);
    void load();
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={<Space wrap><span>{p.title}</span><StateTag state={o.state} text={d.stateName} /><OrderFlags o={o} /></Space>}
        extra={<Space wrap>
          {actions.map((a) => (
            <Button key={a.action} type={['sign', 'reply', 'review', 'follow_up'].includes(a.action) ? 'primary' : 'default'} danger={['return', 'list'].includes(a.action)} onClick={() => setAction(a.action)}>
              {a.name}
            </Button>
          ))}
          <Button onClick={() => void load()}>刷新</Button>
          <Button onClick={() => navigate(-1)}>返回</Button>
        </Space>}
      >
        {error && <Alert type="error" showIcon closable style={{ marginBottom: 12 }} title={`刷新失败：${error}`} />}
        {o.extension_request && (
          <Alert type="warning" showIcon style={{ marginBottom: 12 }}
            title={`延期申请待审批：申请延至 ${fmt(o.extension_request.deadline)}`}
            description={`${o.extension_request.reason}（${o.extension_request.byLabel}，${fmt(o.extension_request.at)}）`} />
        )}
        {o.listed_at && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={`挂牌督办（${fmt(o.listed_at)}）：督办期限 ${fmt(o.listed_deadline)}`} description={o.listed_reason} />}
        {o.escalated_at && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={`提级督办（${fmt(o.escalated_at)}）`} description={o.escalation_reason} />}
        {o.instructions && <Alert type="info" showIcon style={{ marginBottom: 12 }} title="交办意见" description={o.instructions} />}
        {actions.length === 0 && ['pending_sign', 'handling', 'replied', 'follow_up'].includes(o.state) && (
          <Typography.Paragraph type="secondary">当前状态下您没有可执行的操作。</Typography.Paragraph>
        )}
        <Descriptions column={{ xs: 1, md: 3 }} size="small" items={[
          { key: 'unit', label: '承办单位', children: o.unit_name },
          { key: 'role', label: '主办/协办', children: <Tag color={o.role === 'lead' ? 'red' : 'default'}>{ROLE[o.role]}</Tag> },
          { key: 'state', label: '状态', children: <span data-testid="order-state">{d.stateName}</span> },
          { key: 'urg', label: '紧急程度', children: URGENCY[o.urgency] ?? o.urgency },
          { key: 'disp', label: '派发时间', children: fmt(o.dispatched_at) },
          { key: 'limit', label: '办理时限', children: o.deadline_unit === 'fixed' ? '指定期限' : `${o.deadline_amount} ${DEADLINE_UNIT[o.deadline_unit]}` },
          { key: 'sd', label: '签收期限', children: o.signed_at ? `${fmt(o.sign_deadline)}（已于 ${fmt(o.signed_at)} 签收）` : <Deadline at={o.sign_deadline} state={o.state === 'pending_sign' ? 'pending_sign' : 'closed'} /> },
          { key: 'dl', label: '办理期限', children: <Deadline at={o.deadline} state={o.state} provisional={o.deadline_provisional} due={o.due} /> },
          { key: 'rep', label: '答复时间', children: fmt(o.replied_at) },
          { key: 'redo', label: '重办次数', children: o.redo_count },
          { key: 'units', label: '流转单位数', children: o.units_passed },
          { key: 'closed', label: o.state === 'returned' ? '退回时间' : o.state === 'transferred' ? '转办时间' : '办结时间', children: fmt(o.closed_at) },
        ]} />
      </Card>

      <Row gutter={16}>
        <Col xs={24} lg={15}>
          <Space orientation="vertical" style={{ width: '100%' }} size="middle">
            <Card title="反映的问题" extra={can('problem.read') && <Link to={`/problems/${p.id}`}>问题详情</Link>}>
              <Descriptions column={{ xs: 1, md: 2 }} size="small" items={[
                { key: 'code', label: '查询码', children: p.tracking_code },
                { key: 'at', label: '反映时间', children: fmt(p.reported_at) },
                { key: 'ch', label: '来源渠道', children: p.channel_name },
                { key: 'k', label: '类型', children: p.kind_code ? KINDS[p.kind_code] ?? p.kind_code : '—' },
                { key: 'dm', label: '领域', children: p.domain_code ? ref?.domains.find((x) => x.code === p.domain_code)?.name ?? p.domain_code : '—' },
                { key: 'r', label: '区域', children: p.region_name ?? '—' },
                { key: 'a', label: '地址', children: p.address ?? '—' },
                { key: 't', label: '被反映对象', children: p.target_text ?? '—' },
              ]} />
              {p.misconduct.length > 0 && <Space wrap style={{ marginTop: 8 }}>执法作风：{p.misconduct.map((m) => <Tag key={m} color="red">{m}</Tag>)}</Space>}
              <Typography.Paragraph style={{ marginTop: 12, whiteSpace: 'pre-wrap' }}>{p.body}</Typography.Paragraph>
            </Card>

            <Card title={`答复与审核（${d.replies.length}）`}>
              {d.replies.length === 0 ? <Empty description="尚未答复" /> : d.replies.map((r) => <ReplyItem key={r.id} r={r} unitName={unitOf(r.work_order_id)} showQuality={supervisor} />)}
            </Card>

            <Card title={`回访（${d.followUps.length}）`}>
              <List
                dataSource={d.followUps}
                locale={{ emptyText: '尚未回访' }}
                renderItem={(f) => (
                  <List.Item>
                    <Space wrap>
                      <Tag color={SATISFACTION[f.satisfaction]?.color}>{SATISFACTION[f.satisfaction]?.text ?? f.satisfaction}</Tag>
                      <span>{METHOD[f.method] ?? f.method}</span>
                      <Typography.Text type="secondary">{fmt(f.at)}</Typography.Text>
                      {f.comment && <span>“{f.comment}”</span>}
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={9}>
          <Space orientation="vertical" style={{ width: '100%' }} size="middle">
            <Card title="办理过程">
              {d.events.length === 0 ? <Empty /> : (
                <Timeline
                  data-testid="timeline"
                  items={d.events.map((e) => ({
                    key: e.id,
                    color: EVENT[e.kind]?.color ?? 'gray',
                    content: (
                      <div>
                        <div>
                          <Typography.Text strong>{EVENT[e.kind]?.text ?? e.kind}</Typography.Text>
                          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>{formatTime(e.at, 'MM-DD HH:mm')}</Typography.Text>
                        </div>
                        <div style={{ fontSize: 13 }}>
                          {e.actor_label}
                          {e.work_order_id !== o.id && <Tag style={{ marginLeft: 6 }}>{e.unit_name}（{ROLE[e.role]}）</Tag>}
                        </div>
                        {e.note && <div style={{ whiteSpace: 'pre-wrap' }}>{e.note}</div>}
                        {eventExtras(e, supervisor).map((x) => <div key={x} style={{ color: '#888', fontSize: 12 }}>{x}</div>)}
                      </div>
                    ),
                  }))}
                />
              )}
            </Card>
            <Card title="相关工单">
              <List
                size="small"
                locale={{ emptyText: '无协办或历史工单' }}
                dataSource={[
                  ...d.related.map((r) => ({ id: r.id, text: `${r.role === 'assist' ? '协办' : '主办'}：${r.unit_name}`, state: r.state, at: `期限 ${fmt(r.deadline)}` })),
                  ...d.history.filter((h) => !d.related.some((r) => r.id === h.id)).map((h) => ({ id: h.id, text: `历史主办：${h.unit_name}`, state: h.state, at: `派发于 ${fmt(h.dispatched_at)}` })),
                ]}
                renderItem={(r) => (
                  <List.Item>
                    <Space orientation="vertical" size={0}>
                      <Link to={`/work-orders/${r.id}`}>{r.text}</Link>
                      <span><StateTag state={r.state} /> <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.at}</Typography.Text></span>
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Space>
        </Col>
      </Row>
      {action && <StepModal action={action} detail={d} onDone={done} onConflict={conflict} onClose={() => setAction(null)} />}
    </Space>
  );
}
