import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Drawer, Form, Input, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, formErrors } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { KINDS } from '../problems/labels.ts';
import { POLICY_PURPOSE, URGENCY } from '../workorders/labels.ts';

type Year = { year: number; source: string; published_at: string | null; holidays: number; workdays: number };
type Day = { day: string; is_workday: boolean; note: string };
type Policy = { id: number; purpose: 'handle' | 'sign'; kind_code: string | null; urgency: 'normal' | 'urgent'; amount: number; amount_unit: 'working_days' | 'hours'; note: string };
type YearForm = { year: number; source: string; publishedAt?: Dayjs | null; holidays: { from?: Dayjs; to?: Dayjs; note?: string }[]; workdays: { day?: Dayjs; note?: string }[] };

const UNIT_NAMES: Record<string, string> = { working_days: '个工作日', hours: '小时' };
const D = 'YYYY-MM-DD';

/** A year's stored days back as form rows: consecutive holidays with the same name become one range. */
function toRows(days: Day[]): Pick<YearForm, 'holidays' | 'workdays'> {
  const holidays: YearForm['holidays'] = [];
  for (const d of days.filter((x) => !x.is_workday)) {
    const last = holidays.at(-1);
    if (last && last.note === d.note && last.to && dayjs(d.day).diff(last.to, 'day') === 1) last.to = dayjs(d.day);
    else holidays.push({ from: dayjs(d.day), to: dayjs(d.day), note: d.note });
  }
  return { holidays, workdays: days.filter((x) => x.is_workday).map((d) => ({ day: dayjs(d.day), note: d.note })) };
}

function PoliciesCard({ editable }: { editable: boolean }) {
  const { message } = App.useApp();
  const [rows, setRows] = useState<Policy[] | null>(null);
  const [editing, setEditing] = useState<{ id: number; amount: number | null; unit: Policy['amount_unit'] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => api<{ policies: Policy[] }>('/calendar/policies').then((r) => setRows(r.policies), (e) => setError(e instanceof ApiError ? e.message : '加载失败')), []);
  useEffect(() => void load(), [load]);
  const save = async () => {
    if (!editing) return;
    try {
      await api(`/calendar/policies/${editing.id}`, { method: 'PUT', body: { amount: editing.amount, amount_unit: editing.unit } });
      message.success('时限规则已修改（只影响此后派发的工单）');
      setEditing(null);
      await load();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '保存失败');
    }
  };
  return (
    <Card title="办理与签收时限规则">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Typography.Paragraph type="secondary">某类型没有专门规则时使用“默认”规则。修改只影响此后派发的工单。</Typography.Paragraph>
      <Table<Policy>
        rowKey="id"
        size="small"
        loading={!rows && !error}
        dataSource={rows ?? []}
        pagination={false}
        locale={{ emptyText: '没有时限规则' }}
        columns={[
          { title: '用途', dataIndex: 'purpose', render: (p: string) => POLICY_PURPOSE[p] ?? p },
          { title: '类型', dataIndex: 'kind_code', render: (k: string | null) => (k ? KINDS[k] ?? k : <Tag>默认（所有类型）</Tag>) },
          { title: '紧急程度', dataIndex: 'urgency', render: (u: string) => <Tag color={u === 'urgent' ? 'volcano' : undefined}>{URGENCY[u] ?? u}</Tag> },
          {
            title: '时限', key: 'amount',
            render: (_, r) => editing?.id === r.id ? (
              <Space.Compact>
                <InputNumber min={1} max={365} precision={0} value={editing.amount} onChange={(v) => setEditing({ ...editing, amount: v })} style={{ width: 90 }} aria-label="时限数值" />
                <Select value={editing.unit} onChange={(unit) => setEditing({ ...editing, unit })} style={{ width: 110 }} options={[{ value: 'working_days', label: '个工作日' }, { value: 'hours', label: '小时' }]} />
              </Space.Compact>
            ) : `${r.amount} ${UNIT_NAMES[r.amount_unit] ?? r.amount_unit}`,
          },
          { title: '说明', dataIndex: 'note' },
          ...(editable ? [{
            title: '操作', key: 'op', width: 140,
            render: (_: unknown, r: Policy) => editing?.id === r.id ? (
              <Space><Button size="small" type="primary" disabled={!editing.amount} onClick={() => void save()}>保存</Button><Button size="small" onClick={() => setEditing(null)}>取消</Button></Space>
            ) : <Button size="small" onClick={() => setEditing({ id: r.id, amount: r.amount, unit: r.amount_unit })}>修改</Button>,
          }] : []),
        ]}
      />
    </Card>
  );
}

/** 工作日历与时限: the State Council's holiday arrangements per year, and the deadline rules. */
export function CalendarPage() {
  const can = useCan();
  const editable = can('reference.manage');
  const { message } = App.useApp();
  const [data, setData] = useState<{ years: Year[]; warning: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [days, setDays] = useState<Record<number, Day[]>>({});
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [form] = Form.useForm<YearForm>();
  const formYear = Form.useWatch('year', form);
  const inYear = { defaultPickerValue: formYear ? dayjs(`${formYear}-01-01`) : undefined, style: { width: 150 } };
  const load = useCallback(async () => {
    try {
      setData(await api('/calendar/years'));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '加载失败');
    }
  }, []);
  useEffect(() => void load(), [load]);
  const daysOf = async (year: number) => {
    if (days[year]) return days[year];
    const r = await api<{ days: Day[] }>('/calendar/days', { query: { year } });
    setDays((d) => ({ ...d, [year]: r.days }));
    return r.days;
  };

  const open = async (year: number | 'new') => {
    setSaveError(null);
    form.resetFields();
    if (year === 'new') {
      const next = Math.max(dayjs().year(), ...(data?.years.map((y) => y.year) ?? [])) + 1;
      form.setFieldsValue({ year: next, source: `国务院办公厅关于${next}年部分节假日安排的通知`, holidays: [{}], workdays: [] });
    } else {
      const y = data!.years.find((x) => x.year === year)!;
      form.setFieldsValue({ year, source: y.source, publishedAt: y.published_at ? dayjs(y.published_at) : null, ...toRows(await daysOf(year)) });
    }
    setEditing(year);
  };
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return; // the form shows what is missing
    setSaving(true);
    setSaveError(null);
    try {
      const body = {
        year: v.year,
        source: v.source,
        publishedAt: v.publishedAt ? v.publishedAt.format(D) : null,
        holidays: (v.holidays ?? []).map((h) => ({ from: h.from?.format(D) ?? '', to: (h.to ?? h.from)?.format(D) ?? '', note: h.note ?? '' })),
        workdays: (v.workdays ?? []).map((w) => ({ day: w.day?.format(D) ?? '', note: w.note || '调休上班' })),
      };
      const r = await api<{ year: number; days: number; recomputed: number }>(`/calendar/years/${v.year}`, { method: 'PUT', body });
      message.success(`已保存 ${r.year} 年（${r.days} 天）${r.recomputed ? `，重算了 ${r.recomputed} 个暂定期限` : ''}`);
      setEditing(null);
      setDays(({ [r.year]: _stale, ...rest }) => rest);
      await load();
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields as never);
      setSaveError(e instanceof ApiError ? e.message : '保存失败');
    } finally {
      setSaving(false);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      {data?.warning && <Alert type="warning" showIcon title={data.warning} action={editable && <Button size="small" onClick={() => void open('new')}>添加年份</Button>} />}
      <Card title="工作日历" extra={editable && <Button type="primary" icon={<PlusOutlined />} onClick={() => void open('new')}>添加年份</Button>}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Typography.Paragraph type="secondary">
          期限按工作日计算：周一至周五为工作日，国务院办公厅公布的法定节假日除外，调休上班日计为工作日。尚未录入的年份暂按周一至周五计算，相关期限标为“暂定”，录入后自动重算。
        </Typography.Paragraph>
        <Table<Year>
          rowKey="year"
          size="small"
          loading={!data && !error}
          dataSource={data?.years ?? []}
          pagination={false}
          locale={{ emptyText: '尚未录入任何年份' }}
          expandable={{
            onExpand: (expanded, r) => void (expanded && daysOf(r.year)),
            expandedRowRender: (r) => days[r.year] ? (
              <Space wrap>
                {days[r.year]!.map((d) => <Tag key={d.day} color={d.is_workday ? 'blue' : 'red'}>{d.day} {d.note}</Tag>)}
                {days[r.year]!.length === 0 && '（该年没有节假日或调休记录）'}
              </Space>
            ) : '加载中…',
          }}
          columns={[
            { title: '年份', dataIndex: 'year', width: 80 },
            { title: '依据', dataIndex: 'source' },
            { title: '公布日期', dataIndex: 'published_at', width: 120, render: (d: string | null) => (d ? dayjs(d).format(D) : '—') },
            { title: '节假日（天）', dataIndex: 'holidays', width: 110 },
            { title: '调休上班（天）', dataIndex: 'workdays', width: 120 },
            ...(editable ? [{ title: '操作', key: 'op', width: 90, render: (_: unknown, r: Year) => <Button size="small" onClick={() => void open(r.year)}>修改</Button> }] : []),
          ]}
        />
      </Card>
      <PoliciesCard editable={editable} />

      <Drawer
        open={editing !== null}
        title={editing === 'new' ? '添加年份' : `修改 ${editing} 年`}
        size={720}
        onClose={() => setEditing(null)}
        extra={<Space><Button onClick={() => setEditing(null)}>取消</Button><Button type="primary" loading={saving} onClick={() => void save()}>保存</Button></Space>}
      >
        {saveError && <Alert type="error" showIcon title={saveError} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" name="calendar-year">
          <Space wrap>
            <Form.Item name="year" label="年份" rules={[{ required: true, message: '请填写年份' }]}>
              <InputNumber min={2000} max={2100} precision={0} disabled={editing !== 'new'} />
            </Form.Item>
            <Form.Item name="publishedAt" label="公布日期"><DatePicker /></Form.Item>
          </Space>
          <Form.Item name="source" label="依据（通知名称与文号）" rules={[{ required: true, message: '请写明依据' }, { min: 2, message: '请写明依据（通知名称与文号）' }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Typography.Title level={5}>放假安排</Typography.Title>
          <Form.List name="holidays">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} align="start">
                    <Form.Item name={[f.name, 'note']} rules={[{ required: true, message: '请写明节日名称' }]} style={{ width: 150 }}><Input placeholder="节日，如 春节" maxLength={30} aria-label="节日名称" /></Form.Item>
                    <Form.Item name={[f.name, 'from']} rules={[{ required: true, message: '请选择开始日期' }]} style={{ width: 150 }}><DatePicker placeholder="放假开始" {...inYear} /></Form.Item>
                    <Form.Item name={[f.name, 'to']} rules={[{ required: true, message: '请选择结束日期' }]} style={{ width: 150 }}><DatePicker placeholder="放假结束" {...inYear} /></Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} aria-label="删除" style={{ marginTop: 9 }} />
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add({})} icon={<PlusOutlined />} block style={{ marginBottom: 16 }}>添加假期</Button>
              </>
            )}
          </Form.List>
          <Typography.Title level={5}>调休上班日（周末上班）</Typography.Title>
          <Form.List name="workdays">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} align="start">
                    <Form.Item name={[f.name, 'day']} rules={[{ required: true, message: '请选择日期' }]} style={{ width: 150 }}><DatePicker placeholder="上班日期" {...inYear} /></Form.Item>
                    <Form.Item name={[f.name, 'note']} style={{ width: 200 }}><Input placeholder="说明，如 春节调休" maxLength={30} aria-label="说明" /></Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} aria-label="删除" style={{ marginTop: 9 }} />
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add({ note: '调休上班' })} icon={<PlusOutlined />} block>添加调休上班日</Button>
              </>
            )}
          </Form.List>
        </Form>
      </Drawer>
    </Space>
  );
}
