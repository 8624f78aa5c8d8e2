import { Alert, App, Button, Card, Col, Collapse, Descriptions, Empty, Popconfirm, Row, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { DISPATCHABLE, DispatchModal } from '../workorders/DispatchModal.tsx';
import { ROLE } from '../workorders/labels.ts';
import { Deadline, StateTag } from '../workorders/parts.tsx';
import type { OrderList } from '../workorders/types.ts';
import { FLAGS, KINDS, STATUS } from './labels.ts';
import { formatTime } from '../../time';

type Source = {
  id: number; channel_name: string; external_id: string; version: number; link_reason: string; source_state: string | null; handled_by: string | null;
  reply: string | null; replied_at: string | null; satisfaction: string | null; received_at: string; payload: Record<string, unknown>;
  fields: { key: string; label: string | null; value: string }[];
};
type Detail = {
  id: number; tracking_code: string; title: string; body: string; channel_name: string; kind_code: string | null; kind_text: string | null; reported_at: string;
  region_name: string | null; region_text: string | null; address: string | null; target_text: string | null; unit_text: string | null; status: string; flags: string[];
  confidential: boolean; reporter_name_mask: string | null; reporter_phone_mask: string | null; canRevealContact: boolean; sources: Source[];
  attachments: { id: number; file_name: string; size_bytes: number }[];
  merges: { id: number; from_problem_id: number; from_title: string; into_problem_id: number; similarity: number; reason: string; merged_at: string; split_at: string | null }[];
  merged_into?: number | null;
  triage: { duplicates?: { id: number; similarity: number; merged: boolean }[]; route?: { unitId: number; unitName: string } | null } | null;
};
/** A raw record field by field, under the channel's own names and what they mean; the text as received on request. */
function RawRecord({ source }: { source: Source }) {
  const [asText, setAsText] = useState(false);
  return (
    <>
      {asText ? <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(source.payload, null, 2)}</pre> : (
        <Descriptions size="small" bordered column={1} items={source.fields.map((f) => ({
          key: f.key,
          label: f.label ? <>{f.label}<Typography.Text type="secondary">（{f.key}）</Typography.Text></> : f.key,
          children: <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{f.value}</span>,
        }))} />
      )}
      <Button type="link" size="small" style={{ paddingLeft: 0 }} onClick={() => setAsText(!asText)}>{asText ? '按字段查看' : '查看收到的原文'}</Button>
    </>
  );
}

/** A source by its channel and its record's number there; the form's own ids (UUIDs, content hashes) say nothing to a person. */
const sourceTitle = (s: Source) => (/^[0-9a-f]{8}-[0-9a-f-]{27}$|^h:/i.test(s.external_id) ? `${s.channel_name}（编号 ${s.external_id.replace(/^h:/, '').slice(0, 8)}）` : `${s.channel_name} ${s.external_id}`);
const LINK_REASON: Record<string, string> = { origin: '本件原始来源', version: '来源更新的版本', merged: '重复件合并而来' };

const fmt = (t: string | null) => formatTime(t);

export function ProblemDetailPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [p, setP] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [contact, setContact] = useState<{ name: string | null; phone: string | null } | null>(null);
  const load = () => api<Detail>(`/problems/${id}`).then(setP, (e) => setError(e instanceof ApiError ? e.message : '加载失败'));
  const can = useCan();
  const [dispatching, setDispatching] = useState(false);
  const [orders, setOrders] = useState<OrderList['rows'] | null>(null);
  const seesOrders = can('problem.triage') || can('workorder.supervise') || can('workorder.handle');
  useEffect(() => {
    void load();
    if (seesOrders) void api<OrderList>('/work-orders', { query: { problemId: id, tab: 'all', limit: 50 } }).then((r) => setOrders(r.rows), () => setOrders([]));
  }, [id]);
  if (error) return <Alert type="error" showIcon message={error} />;
  if (!p) return <Spin />;
  const reveal = async () => {
    try {
      setContact(await api(`/problems/${p.id}/contact`, { body: {} }));
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '操作失败');
    }
  };
  /** A suspected duplicate confirmed by the dispatcher: this problem goes into the one it repeats, which opens. */
  const mergeInto = async (into: number) => {
    try {
      await api(`/problems/${p.id}/merge`, { body: { into } });
      message.success(`已合并到问题 ${into}`);
      navigate(`/problems/${into}`);
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '操作失败');
    }
  };
  const split = async (mergeId: number) => {
    try {
      await api(`/problems/${p.id}/merges/${mergeId}/split`, { body: {} });
      message.success('已拆分，原问题及其来源已恢复');
      await load();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '操作失败');
    }
  };
  // one column per source record, each version of it stacked in order
  const bySource = new Map<string, Source[]>();
  for (const s of p.sources) bySource.set(sourceTitle(s), [...(bySource.get(sourceTitle(s)) ?? []), s]);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={<>{p.title} <Tag color={STATUS[p.status]?.color}>{STATUS[p.status]?.text}</Tag></>}
        extra={
          <Space>
            {can('problem.triage') && DISPATCHABLE.includes(p.status) && <Button type="primary" onClick={() => setDispatching(true)}>派发</Button>}
            <Button onClick={() => navigate('/problems')}>返回列表</Button>
          </Space>
        }
      >
        <Descriptions column={{ xs: 1, md: 3 }} size="small" items={[
          { key: 'c', label: '查询码', children: p.tracking_code },
          { key: 't', label: '反映时间', children: fmt(p.reported_at) },
          { key: 'ch', label: '首次来源', children: p.channel_name },
          { key: 'k', label: '类型', children: p.kind_code ? KINDS[p.kind_code] : p.kind_text ?? '—' },
          { key: 'r', label: '区域', children: p.region_name ?? p.region_text ?? '—' },
          { key: 'a', label: '地址', children: p.address ?? '—' },
          { key: 'tg', label: '被反映对象', children: p.target_text ?? '—' },
          { key: 'u', label: '收信/承办单位（原文）', children: p.unit_text ?? '—' },
          {
            key: 'who', label: '反映人',
            children: (
              <Space>
                {p.confidential && <Tag color="red">保密</Tag>}
                {contact ? `${contact.name ?? ''} ${contact.phone ?? ''}` : [p.reporter_name_mask, p.reporter_phone_mask].filter(Boolean).join(' ') || '—'}
                {p.canRevealContact && !contact && <Button size="small" onClick={reveal}>查看联系方式（留痕）</Button>}
              </Space>
            ),
          },
        ]} />
        {p.flags.length > 0 && <Space style={{ marginTop: 8 }}>{p.flags.map((f) => <Tag key={f} color="orange">{FLAGS[f] ?? f}</Tag>)}</Space>}
        <Typography.Paragraph style={{ marginTop: 16, whiteSpace: 'pre-wrap' }}>{p.body}</Typography.Paragraph>
        {p.attachments.length > 0 && (
          <Space wrap>
            附件：
            {p.attachments.map((a) => <a key={a.id} href={`/api/problems/${p.id}/attachments/${a.id}`}>{a.file_name}（{Math.ceil(a.size_bytes / 1024)} KB）</a>)}
          </Space>
        )}
      </Card>
      {orders && orders.length > 0 && (
        <Card title={`工单（${orders.length}）`}>
          {orders.map((o) => (
            <div key={o.id} style={{ marginBottom: 8 }}>
              <Space wrap>
                <Link to={`/work-orders/${o.id}`}>{ROLE[o.role]}：{o.unit_name}</Link>
                <StateTag state={o.state} />
                <span>办理期限</span>
                <Deadline at={o.deadline} state={o.state} provisional={o.deadline_provisional} />
              </Space>
            </div>
          ))}
        </Card>
      )}
      {(p.merges.length > 0 || (p.status !== 'merged' && (p.triage?.duplicates?.length ?? 0) > 0)) && (
        <Card title="重复件">
          {p.merges.map((m) => (
            <div key={m.id} style={{ marginBottom: 8 }}>
              {m.into_problem_id === p.id ? <>已合并：<Link to={`/problems/${m.from_problem_id}`}>{m.from_title}</Link></> : <>本件已并入 <Link to={`/problems/${m.into_problem_id}`}>问题 {m.into_problem_id}</Link></>}
              （相似度 {Math.round(m.similarity * 100)}%，{m.reason}，{fmt(m.merged_at)}）
              {m.split_at ? <Tag style={{ marginLeft: 8 }}>已于 {fmt(m.split_at)} 拆分</Tag> : can('problem.triage') && m.into_problem_id === p.id && (
                <Popconfirm title="拆分后该件及其来源恢复为独立问题，确定？" onConfirm={() => void split(m.id)}><Button size="small" style={{ marginLeft: 8 }}>拆分</Button></Popconfirm>
              )}
            </div>
          ))}
          {p.status !== 'merged' && p.triage?.duplicates?.filter((d) => !d.merged).map((d) => (
            <div key={d.id} style={{ marginBottom: 8 }}>
              疑似重复：<Link to={`/problems/${d.id}`}>问题 {d.id}</Link>（相似度 {Math.round(d.similarity * 100)}%）
              {can('problem.triage') && ['new', 'triaged'].includes(p.status) && (
                <Popconfirm title={`确认是重复件？本件及其来源将并入问题 ${d.id}（可拆分恢复）`} onConfirm={() => void mergeInto(d.id)}>
                  <Button size="small" style={{ marginLeft: 8 }}>合并到问题 {d.id}</Button>
                </Popconfirm>
              )}
            </div>
          ))}
        </Card>
      )}
      <Card title={`全部来源（${bySource.size} 个来源，${p.sources.length} 个版本）`}>
        {p.sources.length === 0 ? (
          <Empty description={p.status === 'merged' && p.merged_into ? <>本件的来源已随合并移到 <Link to={`/problems/${p.merged_into}`}>问题 {p.merged_into}</Link>，在那里查看</> : '没有来源'} />
        ) : (
          <Row gutter={16}>
            {[...bySource.entries()].map(([key, versions]) => (
              <Col key={key} xs={24} lg={12}>
                <Card size="small" type="inner" title={key}>
                  {versions.map((s) => (
                    <div key={s.id} style={{ marginBottom: 12 }}>
                      <Descriptions size="small" column={1} items={[
                        { key: 'v', label: '版本', children: `第 ${s.version} 版（${fmt(s.received_at)} 收到，${LINK_REASON[s.link_reason] ?? s.link_reason}）` },
                        { key: 's', label: '渠道状态', children: s.source_state ?? '—' },
                        { key: 'h', label: '承办单位', children: s.handled_by ?? '—' },
                        { key: 'r', label: '办理结果', children: s.reply ?? '—' },
                        { key: 'ra', label: '回复时间', children: fmt(s.replied_at) },
                        { key: 'sa', label: '满意度', children: s.satisfaction ?? '—' },
                      ]} />
                      <Collapse size="small" items={[{ key: 'raw', label: '原始记录（个人信息已打码）', children: <RawRecord source={s} /> }]} />
                    </div>
                  ))}
                </Card>
              </Col>
            ))}
          </Row>
        )}
      </Card>
      {dispatching && <DispatchModal problem={p} onClose={() => setDispatching(false)} />}
    </Space>
  );
}
