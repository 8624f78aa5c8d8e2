import { App, Button, Card, Form, Input, Modal, Progress, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, type Reference } from '../../api.ts';
import { KINDS } from '../problems/labels.ts';
import { DispatchModal } from '../workorders/DispatchModal.tsx';
import { HotTopicsCard } from './HotTopicsCard.tsx';
import { formatTime } from '../../time';

type Guess = { code: string | null; label: string; confidence: number; evidence: string[]; source: 'model' | 'lexicon' } | null;
type Row = {
  id: number; title: string; channel_name: string; reported_at: string; region_name: string | null; kind_code: string | null; domain_code: string | null;
  misconduct: string[];
  triage: {
    domain: Guess; kind: Guess; misconduct: { category: string; terms: string[] }[]; duplicates?: { id: number; similarity: number; merged: boolean }[];
    exclusion?: { category: string; terms: string[] } | null; route?: { unitId: number; unitName: string } | null;
  } | null;
};
type Choice = { domain?: string; kind?: string };

/** 分拣队列: the dispatcher confirms what triage proposed, or corrects it, one by one or in bulk. */
export function TriageQueuePage() {
  const { message } = App.useApp();
  const [ref, setRef] = useState<Reference | null>(null);
  const [misconductOnly, setMisconductOnly] = useState(false);
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ rows: Row[]; total: number }>({ rows: [], total: 0 });
  const [choices, setChoices] = useState<Record<number, Choice>>({});
  const [selected, setSelected] = useState<number[]>([]);
  const [loading, setLoading] = useState(false);
  const [model, setModel] = useState<{ version: number; macro_f1: number | null } | null>(null);
  const [redirecting, setRedirecting] = useState<Row | null>(null);
  const [dispatching, setDispatching] = useState<Row | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  useEffect(() => {
    void api<Reference>('/reference').then(setRef);
    void api<{ target: string; version: number; macro_f1: number | null; active: boolean }[]>('/triage/models').then((ms) => setModel(ms.find((m) => m.target === 'domain' && m.active) ?? null));
  }, []);
  const retrain = async () => {
    try {
      await api('/triage/retrain', { body: { target: 'domain' } });
      message.success('已开始重新训练（后台进行，约一分钟），完成后新模型自动启用');
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '操作失败');
    }
  };
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api('/triage/queue', { query: { limit: 20, offset, misconductOnly: misconductOnly || undefined } }));
      setSelected([]);
    } finally {
      setLoading(false);
    }
  }, [offset, misconductOnly]);
  useEffect(() => void load(), [load]);

  const choiceOf = (r: Row) => ({ domain: choices[r.id]?.domain ?? r.domain_code ?? undefined, kind: choices[r.id]?.kind ?? r.kind_code ?? undefined });
  const confirm = async (rows: Row[]) => {
    const items = rows.map((r) => ({ id: r.id, ...choiceOf(r) }));
    const missing = items.find((i) => !i.domain || !i.kind);
    if (missing) {
      message.warning('请先为每条选择领域和类型');
      return;
    }
    try {
      const r = await api<{ confirmed: number }>('/triage/confirm', { body: { items } });
      message.success(`已分拣 ${r.confirmed} 条`);
      await load();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '操作失败');
    }
  };
  const redirect = async () => {
    if (reason.trim().length < 4) {
      setReasonError('请写明引导理由（至少 4 个字）');
      return;
    }
    try {
      await api(`/triage/${redirecting!.id}/redirect`, { body: { reason } });
      message.success('已记录并引导');
      setRedirecting(null);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'VALIDATION') setReasonError(e.message);
      else message.error(e instanceof ApiError ? e.message : '操作失败');
    }
  };
  const set = (id: number, patch: Choice) => setChoices((c) => ({ ...c, [id]: { ...c[id], ...patch } }));
  const confidence = (g: Guess) => g && (
    <Tooltip title={<>{g.source === 'model' ? '模型' : '关键词'}依据：{g.evidence.join('、') || '—'}</>}>
      <Progress percent={Math.round(g.confidence * 100)} size="small" style={{ width: 90, margin: 0 }} status={g.confidence >= 0.7 ? 'success' : 'normal'} />
    </Tooltip>
  );
  return (
    <>
      <HotTopicsCard />
    <Card
      title={`分拣队列（${data.total} 条待确认）`}
      extra={
        <Space>
          <Typography.Text type="secondary">{model ? `领域模型第 ${model.version} 版（交叉验证 F1 ${model.macro_f1?.toFixed(3) ?? '—'}）` : '尚未训练模型，使用关键词词典'}</Typography.Text>
          <Button onClick={() => void retrain()}>用纠正重新训练</Button>
          <Switch checked={misconductOnly} onChange={(v) => { setMisconductOnly(v); setOffset(0); }} /> 只看执法作风问题
          <Button type="primary" disabled={!selected.length} onClick={() => void confirm(data.rows.filter((r) => selected.includes(r.id)))}>确认所选（{selected.length}）</Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">系统已按内容给出领域和类型（悬停进度条可看依据）。确认即采用当前选择；改动后确认即为纠正，会作为下次训练的数据。</Typography.Paragraph>
      <Table<Row>
        rowKey="id"
        loading={loading}
        dataSource={data.rows}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
        pagination={{ total: data.total, pageSize: 20, current: offset / 20 + 1, showSizeChanger: false, onChange: (p) => setOffset((p - 1) * 20) }}
        columns={[
          { title: '反映时间', dataIndex: 'reported_at', width: 140, render: (t) => formatTime(t, 'MM-DD HH:mm') },
          {
            title: '标题', dataIndex: 'title',
            render: (t, r) => (
              <Space direction="vertical" size={2}>
                <Link to={`/problems/${r.id}`}>{t}</Link>
                <span style={{ color: '#888', fontSize: 12 }}>{r.channel_name} · {r.region_name ?? '区域未匹配'}</span>
                {r.triage?.misconduct.map((m) => <Tooltip key={m.category} title={m.terms.join('、')}><Tag color="red">{m.category}</Tag></Tooltip>)}
                {r.triage?.duplicates?.filter((d) => !d.merged).map((d) => <Link key={d.id} to={`/problems/${d.id}`}><Tag color="gold">疑似重复 {Math.round(d.similarity * 100)}%</Tag></Link>)}
                {r.triage?.exclusion && <Tooltip title={`依据：${r.triage.exclusion.terms.join('、')}`}><Tag color="purple">建议引导：{r.triage.exclusion.category}</Tag></Tooltip>}
                {r.triage?.route && <span style={{ fontSize: 12 }}>建议承办：{r.triage.route.unitName}</span>}
              </Space>
            ),
          },
          {
            title: '领域', key: 'domain', width: 200,
            render: (_, r) => (
              <Space direction="vertical" size={2}>
                <Select size="small" style={{ width: 150 }} value={choiceOf(r).domain} placeholder="请选择" options={ref?.domains.map((d) => ({ value: d.code, label: d.name }))} onChange={(domain) => set(r.id, { domain })} />
                {confidence(r.triage?.domain ?? null)}
              </Space>
            ),
          },
          {
            title: '类型', key: 'kind', width: 150,
            render: (_, r) => (
              <Space direction="vertical" size={2}>
                <Select size="small" style={{ width: 100 }} value={choiceOf(r).kind} placeholder="请选择" options={Object.entries(KINDS).map(([value, label]) => ({ value, label }))} onChange={(kind) => set(r.id, { kind })} />
                {confidence(r.triage?.kind ?? null)}
              </Space>
            ),
          },
          {
            title: '', key: 'ok', width: 90,
            render: (_, r) => (
              <Space direction="vertical" size={4}>
                <Button size="small" onClick={() => void confirm([r])}>确认</Button>
                <Button size="small" type="primary" ghost onClick={() => setDispatching(r)}>派发</Button>
                <Button size="small" type="link" onClick={() => { setRedirecting(r); setReasonError(null); setReason(r.triage?.exclusion ? `属${r.triage.exclusion.category}事项，` : ''); }}>引导</Button>
              </Space>
            ),
          },
        ]}
      />
      {dispatching && <DispatchModal problem={dispatching} onClose={() => setDispatching(null)} />}
      <Modal open={!!redirecting} title={`不予派发：${redirecting?.title ?? ''}`} okText="确认引导" onOk={() => void redirect()} onCancel={() => setRedirecting(null)}>
        <Typography.Paragraph type="secondary">诉讼、仲裁、纪检监察、行政复议、信息公开、信访等事项不派发工单，请写明引导理由（将告知反映人）。</Typography.Paragraph>
        <Form.Item label="引导理由" required validateStatus={reasonError ? 'error' : undefined} help={reasonError} style={{ marginBottom: 0 }}>
          <Input.TextArea aria-label="引导理由" rows={3} value={reason} maxLength={500} onChange={(e) => { setReason(e.target.value); setReasonError(null); }} />
        </Form.Item>
      </Modal>
    </Card>
    </>
  );
}
