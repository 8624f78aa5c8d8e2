import { Alert, DatePicker, Descriptions, Form, Input, Modal, Radio, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState, type ReactNode } from 'react';
import { api, ApiError, formErrors } from '../../api.ts';
import { QUALITY_LEVEL } from './labels.ts';
import { fmt } from './parts.tsx';
import type { Step, WorkOrderDetail } from './types.ts';
import { UnitSelect } from './UnitSelect.tsx';

/** The actions a work order offers: the API's steps, with 审核通过 / 退回重办 shown as one 审核 form. */
export type Action = Exclude<Step, 'accept' | 'reject'> | 'review';

export function actionsOf(steps: WorkOrderDetail['steps']): { action: Action; name: string }[] {
  const out: { action: Action; name: string }[] = [];
  for (const s of steps) {
    if (s.step === 'accept' || s.step === 'reject') {
      if (!out.some((a) => a.action === 'review')) out.push({ action: 'review', name: '审核' });
    } else out.push({ action: s.step, name: s.name });
  }
  return out;
}

const notPast = (d: Dayjs) => d.isBefore(dayjs().startOf('day'));
// a day picked means the end of that day (deadlines run to 23:59), not its first minute
const dateTime = { showTime: { format: 'HH:mm', defaultValue: dayjs('23:59', 'HH:mm') }, format: 'YYYY-MM-DD HH:mm', disabledDate: notPast, style: { width: '100%' } } as const;
const iso = (d: Dayjs | undefined | null) => (d ? d.toISOString() : undefined);
const reason = (label: string, min: number, placeholder?: string) => (
  <Form.Item name="reason" label={label} rules={[{ required: true, message: `请填写${label}` }, { min, message: `${label}至少 ${min} 个字` }]}>
    <Input.TextArea rows={3} maxLength={1000} showCount placeholder={placeholder} />
  </Form.Item>
);

type Spec = { title: string; path: string; done: string; okText?: string; fields: (d: WorkOrderDetail) => ReactNode; body?: (v: Record<string, any>) => Record<string, unknown>; initial?: Record<string, unknown> };

function ExtensionRequestFacts({ d }: { d: WorkOrderDetail }) {
  const r = d.order.extension_request;
  if (!r) return null;
  return (
    <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }} items={[
      { key: 'c', label: '当前期限', children: fmt(d.order.deadline) },
      { key: 'd', label: '申请延至', children: fmt(r.deadline) },
      { key: 'r', label: '延期理由', children: r.reason },
      { key: 'b', label: '申请人', children: `${r.byLabel}（${fmt(r.at)}）` },
    ]} />
  );
}

const SPECS: Record<Action, Spec> = {
  sign: {
    title: '签收工单', path: 'sign', done: '已签收，请按期办理', okText: '确认签收',
    fields: (d) => <Typography.Paragraph>确认签收本工单？签收后请于 <b>{fmt(d.order.deadline)}</b> 前办结并答复。如不属于本单位职责，请改用“退回”。</Typography.Paragraph>,
  },
  return: {
    title: '退回工单', path: 'return', done: '已退回', okText: '确认退回',
    fields: () => <>
      <Typography.Paragraph type="secondary">仅在事项不属于本单位职责时退回，须写明理由和建议的承办单位；工单将回到分拣人员重新派发。</Typography.Paragraph>
      {reason('退回理由', 4, '如：该事项属××局职责，建议转××局办理')}
    </>,
  },
  reply: {
    title: '答复', path: 'reply', done: '答复已提交', okText: '提交答复',
    fields: (d) => <>
      <Typography.Paragraph type="secondary">
        {d.order.role === 'assist' ? '协办答复将送主办单位。' : '答复经督办人员审核后告知反映人。'}请针对反映的问题逐项答复，写明采取的措施、依据和结果，避免套话。
      </Typography.Paragraph>
      <Form.Item name="content" label="答复内容" rules={[{ required: true, message: '请填写答复内容' }, { min: 10, message: '答复内容至少 10 个字' }]}>
        <Input.TextArea rows={6} maxLength={5000} showCount placeholder="经核查……" />
      </Form.Item>
      <Form.Item name="measures" label="采取的措施"><Input.TextArea rows={2} maxLength={2000} placeholder="如：现场检查、责令整改、立案查处" /></Form.Item>
      <Form.Item name="basis" label="依据"><Input.TextArea rows={2} maxLength={2000} placeholder="如：《中华人民共和国食品安全法》第三十四条" /></Form.Item>
      <Form.Item name="result" label="办理结果"><Input.TextArea rows={2} maxLength={2000} placeholder="如：已整改完毕，罚款 5000 元" /></Form.Item>
    </>,
  },
  request_extension: {
    title: '申请延期', path: 'extension', done: '延期申请已提交，等待审批', okText: '提交申请',
    fields: (d) => <>
      <Typography.Paragraph type="secondary">当前办理期限：{fmt(d.order.deadline)}。延期须经督办人员批准。</Typography.Paragraph>
      <Form.Item name="deadline" label="申请延至" rules={[{ required: true, message: '请选择申请的期限' }]}><DatePicker {...dateTime} /></Form.Item>
      {reason('延期理由', 4)}
    </>,
    body: (v) => ({ ...v, deadline: iso(v.deadline) }),
  },
  approve_extension: {
    title: '批准延期', path: 'extension/approve', done: '已批准延期', okText: '批准',
    fields: (d) => <>
      <ExtensionRequestFacts d={d} />
      <Form.Item name="deadline" label="批准的期限" extra="不填则按申请的期限批准"><DatePicker {...dateTime} /></Form.Item>
      <Form.Item name="note" label="意见"><Input.TextArea rows={2} maxLength={500} /></Form.Item>
    </>,
    body: (v) => ({ note: v.note ?? '', deadline: iso(v.deadline) }),
  },
  refuse_extension: {
    title: '不予延期', path: 'extension/refuse', done: '已不予延期', okText: '不予延期',
    fields: (d) => <><ExtensionRequestFacts d={d} />{reason('不予延期的理由', 2)}</>,
  },
  review: {
    title: '审核答复', path: 'review', done: '审核已提交', okText: '提交审核',
    fields: (d) => {
      const q = d.replies.filter((r) => r.work_order_id === d.order.id).at(-1)?.quality;
      const can = new Set(d.steps.map((s) => s.step));
      return <>
        {q && (
          <Alert
            type={q.level === 'good' ? 'success' : q.level === 'fair' ? 'warning' : 'error'}
            showIcon
            style={{ marginBottom: 16 }}
            title={`答复质量检查：${q.score} 分（${QUALITY_LEVEL[q.level]?.text ?? q.level}）`}
            description={q.reasons.length ? q.reasons.join('；') : '未发现问题'}
          />
        )}
        <Form.Item name="accepted" label="审核结论" rules={[{ required: true, message: '请选择审核结论' }]}>
          <Radio.Group options={[{ value: true, label: '通过（转入回访）', disabled: !can.has('accept') }, { value: false, label: '退回重办', disabled: !can.has('reject') }]} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.accepted !== b.accepted}>
          {({ getFieldValue }) => (
            <Form.Item name="reason" label={getFieldValue('accepted') === false ? '退回理由' : '审核意见'}
              rules={getFieldValue('accepted') === false ? [{ required: true, message: '请写明退回重办的理由' }, { min: 4, message: '退回理由至少 4 个字' }] : []}>
              <Input.TextArea rows={3} maxLength={1000} placeholder={getFieldValue('accepted') === false ? '写明答复存在的问题和重办要求' : '选填'} />
            </Form.Item>
          )}
        </Form.Item>
      </>;
    },
    body: (v) => ({ accepted: v.accepted, reason: v.reason ?? '' }),
  },
  follow_up: {
    title: '回访', path: 'follow-up', done: '回访已记录', okText: '保存回访',
    initial: { method: 'phone' },
    fields: () => <>
      <Typography.Paragraph type="secondary">满意、基本满意或未评价即办结；不满意将退回承办单位重办。</Typography.Paragraph>
      <Form.Item name="satisfaction" label="反映人评价" rules={[{ required: true, message: '请选择评价' }]}>
        <Radio.Group options={[{ value: 'satisfied', label: '满意' }, { value: 'basically_satisfied', label: '基本满意' }, { value: 'unsatisfied', label: '不满意' }, { value: 'unrated', label: '未评价' }]} />
      </Form.Item>
      <Form.Item name="method" label="回访方式"><Radio.Group options={[{ value: 'phone', label: '电话' }, { value: 'sms', label: '短信' }, { value: 'visit', label: '走访' }]} /></Form.Item>
      <Form.Item name="comment" label="反映人意见"><Input.TextArea rows={3} maxLength={1000} /></Form.Item>
    </>,
    body: (v) => ({ satisfaction: v.satisfaction, method: v.method, comment: v.comment ?? '' }),
  },
  transfer: {
    title: '转办', path: 'transfer', done: '已转办', okText: '确认转办',
    fields: (d) => <>
      <Typography.Paragraph type="secondary">工单转给另一单位办理，新单位的办理期限重新起算。</Typography.Paragraph>
      <Form.Item name="unitId" label="转办单位" rules={[{ required: true, message: '请选择转办单位' }]}><UnitSelect exclude={[d.order.unit_id]} /></Form.Item>
      {reason('转办理由', 4)}
    </>,
  },
  list: {
    title: '挂牌督办', path: 'list', done: '已挂牌督办', okText: '挂牌督办',
    fields: () => <>
      <Form.Item name="deadline" label="督办期限" rules={[{ required: true, message: '请选择督办期限' }]}><DatePicker {...dateTime} /></Form.Item>
      {reason('挂牌督办事由', 4)}
    </>,
    body: (v) => ({ ...v, deadline: iso(v.deadline) }),
  },
  remind: {
    title: '催办', path: 'remind', done: '已催办', okText: '发送催办',
    initial: { note: '请抓紧办理' },
    fields: () => <Form.Item name="note" label="催办意见" extra="将以站内通知和短信发送给承办单位"><Input.TextArea rows={3} maxLength={500} /></Form.Item>,
  },
};

/**
 * One step's form. On success hands back the order as the server now has it; on a conflict (someone else changed the
 * order, or the step is no longer allowed) says so and asks the page to reload.
 */
export function StepModal({ action, detail, onDone, onConflict, onClose }: {
  action: Action; detail: WorkOrderDetail; onDone: (d: WorkOrderDetail, message: string) => void; onConflict: (message: string) => void; onClose: () => void;
}) {
  const spec = SPECS[action];
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return; // the form shows what is missing
    setBusy(true);
    setError(null);
    try {
      const body = spec.body ? spec.body(v) : v;
      const d = await api<WorkOrderDetail>(`/work-orders/${detail.order.id}/${spec.path}`, { body: { version: detail.order.version, ...body } });
      onDone(d, spec.done);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) return onConflict(e.message);
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      setError(e instanceof ApiError ? e.message : '提交失败，请稍后再试');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={`${spec.title}：${detail.problem.title}`} okText={spec.okText ?? '提交'} cancelText="取消" confirmLoading={busy} onOk={() => void submit()} onCancel={onClose} width={640} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" initialValues={spec.initial} name={`step-${action}`}>
        {spec.fields(detail)}
      </Form>
    </Modal>
  );
}
