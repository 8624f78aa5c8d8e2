import { Alert, App, Form, Input, Modal, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError, formErrors } from '../../api.ts';
import type { WorkOrderDetail } from './types.ts';
import { UnitSelect } from './UnitSelect.tsx';

export type Dispatchable = { id: number; title: string; triage?: { route?: { unitId: number; unitName: string } | null } | null };

/** Problems in these states may be dispatched. */
export const DISPATCHABLE = ['new', 'triaged'];

/** 派发: the lead unit (the routing rule's proposal preselected), 协办 units, urgency and instructions; opens the new work order. */
export function DispatchModal({ problem, onClose }: { problem: Dispatchable; onClose: () => void }) {
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const route = problem.triage?.route;
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return; // the form shows what is missing
    setBusy(true);
    setError(null);
    try {
      const d = await api<WorkOrderDetail>(`/problems/${problem.id}/dispatch`, {
        body: { unitId: v.unitId, assistUnitIds: v.assistUnitIds?.length ? v.assistUnitIds : undefined, urgency: v.urgent ? 'urgent' : 'normal', instructions: v.instructions || undefined },
      });
      message.success(`已派发至${d.order.unit_name}`);
      onClose();
      navigate(`/work-orders/${d.order.id}`);
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      setError(e instanceof ApiError ? e.message : '派发失败，请稍后再试');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={`派发工单：${problem.title}`} okText="派发" cancelText="取消" confirmLoading={busy} onOk={() => void submit()} onCancel={onClose} width={640} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Typography.Paragraph type="secondary">
        办理期限和签收期限按时限规则与工作日历自动计算。{route ? `路由规则建议由${route.unitName}主办。` : '没有匹配的路由规则，请选择主办单位。'}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" name="dispatch" initialValues={{ unitId: route?.unitId, urgent: false }}>
        <Form.Item name="unitId" label="主办单位" rules={[{ required: true, message: '请选择主办单位' }]}>
          <UnitSelect placeholder="选择主办单位" />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.unitId !== b.unitId}>
          {({ getFieldValue }) => (
            <Form.Item name="assistUnitIds" label="协办单位" extra="可选，最多 10 个；协办单位向主办单位答复">
              <UnitSelect multiple placeholder="选择协办单位（可多选）" exclude={getFieldValue('unitId') ? [getFieldValue('unitId')] : []} />
            </Form.Item>
          )}
        </Form.Item>
        <Form.Item name="urgent" label="紧急" valuePropName="checked" extra="紧急工单按紧急时限计算，并以短信通知承办单位">
          <Switch checkedChildren="紧急" unCheckedChildren="一般" />
        </Form.Item>
        <Form.Item name="instructions" label="交办意见">
          <Input.TextArea rows={3} maxLength={1000} showCount placeholder="如：请核实后依法处理，并向反映人答复" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
