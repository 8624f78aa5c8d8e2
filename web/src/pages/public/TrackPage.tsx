import { Alert, Button, Card, Descriptions, Form, Input, Radio, Result, Spin, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, ApiError, formErrorBanner, formErrors } from '../../api.ts';
import { PublicShell } from './PublicReportPage.tsx';
import { formatTime } from '../../time';

type Tracked = {
  trackingCode: string; title: string; kind: string | null; status: string; statusText: string; reportedAt: string; updatedAt: string; deadline: string | null; overdue: boolean;
  timeline: { at: string; text: string }[]; answer: { content: string; at: string; superseded: boolean } | null; rating: string | null; canRate: boolean;
};

/** The colour of the status tag; the words are the page's own (statusText), not the staff's names for the states. */
const STATUS_COLOR: Record<string, string> = { new: 'blue', triaged: 'blue', dispatched: 'processing', replied: 'cyan', closed: 'green', redirected: 'default', merged: 'purple' };

const fmt = (t: string) => formatTime(t);

/** The citizen rates the answer; 不满意 sends the matter back for handling. */
function RatingForm({ code, onRated }: { code: string; onRated: () => void }) {
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { satisfaction: string; comment?: string }) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/public/track/${encodeURIComponent(code)}/rating`, { body: { satisfaction: v.satisfaction, comment: v.comment ?? '' } });
      onRated();
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      setError(formErrorBanner(e, '提交失败，请稍后再试'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card type="inner" title="请您评价办理结果" style={{ marginTop: 16 }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit} name="rating">
        <Form.Item name="satisfaction" label="您对办理结果是否满意" rules={[{ required: true, message: '请选择您的评价' }]}>
          <Radio.Group options={[{ value: 'satisfied', label: '满意' }, { value: 'basically_satisfied', label: '基本满意' }, { value: 'unsatisfied', label: '不满意' }]} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.satisfaction !== b.satisfaction}>
          {({ getFieldValue }) => {
            const unsatisfied = getFieldValue('satisfaction') === 'unsatisfied';
            return (
              <Form.Item name="comment" label={unsatisfied ? '不满意的原因' : '您的意见（选填）'} extra="选择“不满意”时，请说明原因，我们将要求承办单位重新办理。"
                rules={unsatisfied ? [{ required: true, whitespace: true, message: '请说明不满意的原因' }] : []} style={{ marginBottom: 32 }}>
                <Input.TextArea rows={3} maxLength={500} showCount />
              </Form.Item>
            );
          }}
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>提交评价</Button>
      </Form>
    </Card>
  );
}

export function TrackPage() {
  const [params, setParams] = useSearchParams();
  const [code, setCode] = useState(params.get('code') ?? '');
  const [result, setResult] = useState<Tracked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [rated, setRated] = useState(false);
  const look = async (raw: string) => {
    const c = raw.trim();
    setError(null);
    setResult(null);
    setRated(false);
    if (!c) {
      setError('请输入查询码');
      return;
    }
    setLoading(true);
    try {
      setResult(await api<Tracked>(`/public/track/${encodeURIComponent(c)}`));
      setCode(c);
      if (params.get('code') !== c) setParams({ code: c }, { replace: true });
    } catch (e) {
      // a malformed code: the reason alone, without the parameter's name
      setError(e instanceof ApiError ? e.details[0]?.message ?? e.message : '查询失败，请稍后再试');
      if (params.get('code')) setParams({}, { replace: true });
    } finally {
      setLoading(false);
    }
  };
  const refresh = async () => {
    try {
      setResult(await api<Tracked>(`/public/track/${encodeURIComponent(code)}`));
    } catch {
      // the rating was saved; the page shows the thanks either way
    }
  };
  useEffect(() => {
    const c = params.get('code');
    if (c) void look(c);
  }, []);
  return (
    <PublicShell>
      <Card title="查询办理进度">
        <Input.Search placeholder="请输入查询码，如 ZD12AB34CD56" enterButton="查询" defaultValue={params.get('code') ?? ''} onSearch={look} loading={loading} />
        {error && <Alert type="warning" showIcon style={{ marginTop: 16 }} title={error} />}
        {loading && !result && <div style={{ textAlign: 'center', marginTop: 24 }}><Spin /></div>}
        {result && (
          <>
            <Descriptions style={{ marginTop: 16 }} column={1} bordered size="small" items={[
              { key: 't', label: '标题', children: result.title },
              { key: 'k', label: '类型', children: result.kind ?? '—' },
              { key: 's', label: '办理状态', children: <Tag color={STATUS_COLOR[result.status] ?? 'default'} style={{ whiteSpace: 'normal' }}><span data-testid="status-text">{result.statusText}</span></Tag> },
              ...(result.deadline ? [{ key: 'd', label: '办理期限', children: <>{fmt(result.deadline)}{result.overdue && <Tag color="red" style={{ marginLeft: 8 }}>已超期，正在督办</Tag>}</> }] : []),
              { key: 'r', label: '反映时间', children: fmt(result.reportedAt) },
              { key: 'u', label: '最近更新', children: fmt(result.updatedAt) },
              ...(result.rating ? [{ key: 'rt', label: '您的评价', children: <Tag color="green">{result.rating}</Tag> }] : []),
            ]} />
            <Typography.Title level={5} style={{ marginTop: 24 }}>办理过程</Typography.Title>
            <Timeline
              items={result.timeline.map((t, i) => ({
                key: i,
                color: i === result.timeline.length - 1 ? 'blue' : 'gray',
                content: <><div>{t.text}</div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{fmt(t.at)}</Typography.Text></>,
              }))}
            />
            {/* a card's title is cut to one line: on a phone the part that matters (您不满意…) went; the title wraps */}
            {result.answer && (
              <Card type="inner" styles={{ title: { whiteSpace: 'normal' } }} title={result.answer.superseded ? `此前的答复（${fmt(result.answer.at)}；您不满意，已要求重新办理）` : `答复（${fmt(result.answer.at)}）`}>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="answer">{result.answer.content}</Typography.Paragraph>
              </Card>
            )}
            {rated ? (
              <Result status="success" title="感谢您的评价" subTitle="您的评价已记录。" />
            ) : result.canRate && (
              <RatingForm code={result.trackingCode} onRated={() => { setRated(true); void refresh(); }} />
            )}
          </>
        )}
      </Card>
    </PublicShell>
  );
}
