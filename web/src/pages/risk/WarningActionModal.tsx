import { Alert, Form, Input, Modal, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { api, ApiError, formErrors } from '../../api.ts';
import { UnitSelect } from '../workorders/UnitSelect.tsx';
import { STATE, STEPS } from './labels.ts';
import { errorText, LevelTag } from './parts.tsx';
import type { StepName, WarningDetail, WarningState } from './types.ts';

/** At least this many characters for a note or a reason (the server's rule). */
const MIN = 4;

const text = (name: string, label: string, placeholder: string, extra?: string) => (
  <Form.Item name={name} label={label} extra={extra}
    rules={[{ required: true, whitespace: true, message: `请填写${label}` }, { validator: (_, v: string | undefined) => (!v || v.trim().length >= MIN ? Promise.resolve() : Promise.reject(new Error(`${label}至少 ${MIN} 个字`))) }]}>
    <Input.TextArea rows={4} maxLength={1000} showCount placeholder={placeholder} />
  </Form.Item>
);

const SPECS: Record<StepName, { title: string; okText: string; done: string; intro: string; fields: (w: WarningDetail) => ReactNode; body: (v: Record<string, any>) => Record<string, unknown> }> = {
  assess: {
    title: '研判', okText: '提交研判', done: '已研判',
    intro: '核实预警所反映的情况，写明研判意见：原因判断、是否需要交办，以及建议采取的措施。',
    fields: () => text('note', '研判意见', '如：镜湖区占道经营集中，属季节性夜市回潮，需城管部门专项整治'),
    body: (v) => ({ note: v.note.trim() }),
  },
  dispatch: {
    title: '交办', okText: '交办', done: '已交办，已生成督办工单',
    intro: '交办将生成一件督办工单派给责任单位，按工单闭环办理（签收、办理、答复、审核、回访）。',
    fields: () => <>
      <Form.Item name="unitId" label="责任单位" rules={[{ required: true, message: '请选择责任单位' }]}>
        <UnitSelect placeholder="选择责任单位" />
      </Form.Item>
      {text('instructions', '交办要求', '如：开展占道经营专项整治，十个工作日内报送结果')}
    </>,
    body: (v) => ({ unitId: v.unitId, instructions: v.instructions.trim() }),
  },
  resolve: {
    title: '化解', okText: '确认已化解', done: '已化解',
    intro: '预警所反映的风险已经消除时关闭预警，写明化解情况和依据。关闭后同一事项在冷却期内不会再次预警。',
    fields: () => text('reason', '化解情况', '如：专项整治后占道经营明显减少，近一周反映量回落至日常水平'),
    body: (v) => ({ reason: v.reason.trim() }),
  },
  dismiss: {
    title: '排除', okText: '确认排除', done: '已排除',
    intro: '经核实不构成风险时排除预警，写明理由（如数据重复导入、季节性正常波动、个别人员集中重复反映等）。',
    fields: () => text('reason', '排除理由', '如：同一批来件重复导入造成，已合并，实际反映量正常'),
    body: (v) => ({ reason: v.reason.trim() }),
  },
};

/** A 409's message, with the steps still allowed from the state the warning is now in. */
export function conflictText(e: ApiError): string {
  const allowed = Array.isArray(e.extra.allowed) ? (e.extra.allowed as string[]).map((s) => STEPS[s as StepName]?.name ?? s) : null;
  const state = typeof e.extra.state === 'string' ? STATE[e.extra.state as WarningState]?.text : null;
  if (!allowed) return e.message;
  return `${e.message}${state ? `（当前：${state}` : '（'}${allowed.length ? `，可执行：${allowed.join('、')}）` : '，已不能再操作）'}`;
}

/** One step's form. On success the page reloads the warning; on a conflict (someone else moved it) says so and reloads. */
export function WarningActionModal({ step, warning, onDone, onConflict, onClose }: {
  step: StepName; warning: WarningDetail; onDone: (message: string, result: { work_order_id?: number | null }) => void; onConflict: (message: string) => void; onClose: () => void;
}) {
  const spec = SPECS[step];
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return; // the form shows what is missing
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ id: number; state: WarningState; version: number; work_order_id?: number | null }>(`/risk/warnings/${warning.id}/${step}`, { body: { version: warning.version, ...spec.body(v) } });
      onDone(spec.done, r ?? {});
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) return onConflict(conflictText(e));
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      setError(errorText(e, '提交失败，请稍后再试'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={`${spec.title}预警`} okText={spec.okText} cancelText="取消" confirmLoading={busy} onOk={() => void submit()} onCancel={onClose} width={640} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Typography.Paragraph><LevelTag level={warning.level} /> {warning.title}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{spec.intro}</Typography.Paragraph>
      <Form form={form} layout="vertical" name={`warning-${step}`} initialValues={step === 'dispatch' && warning.scope_kind === 'unit' && warning.unit_id ? { unitId: warning.unit_id } : undefined}>
        {spec.fields(warning)}
      </Form>
    </Modal>
  );
}
