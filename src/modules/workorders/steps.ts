import type { WorkOrderState } from '../../db/types.ts';

/** The steps of a work order, who takes each, and the states it may be taken from. */
export type Step =
  | 'sign' | 'return' | 'reply' | 'request_extension' | 'approve_extension' | 'refuse_extension'
  | 'accept' | 'reject' | 'follow_up' | 'transfer' | 'list' | 'remind';

export type StepActor = 'unit' | 'supervisor' | 'dispatcher';

export const STATE_NAMES: Record<WorkOrderState, string> = {
  pending_sign: '待签收',
  handling: '办理中',
  replied: '已答复（待审核）',
  follow_up: '待回访',
  closed: '已办结',
  returned: '已退回',
  transferred: '已转办',
};

const OPEN: WorkOrderState[] = ['pending_sign', 'handling'];
const ACTIVE: WorkOrderState[] = ['pending_sign', 'handling', 'replied', 'follow_up'];

export const STEPS: Record<Step, { name: string; from: WorkOrderState[]; by: StepActor; leadOnly?: boolean }> = {
  sign: { name: '签收', from: ['pending_sign'], by: 'unit' },
  return: { name: '退回', from: OPEN, by: 'unit' },
  reply: { name: '答复', from: ['handling'], by: 'unit' },
  request_extension: { name: '申请延期', from: OPEN, by: 'unit', leadOnly: true },
  approve_extension: { name: '批准延期', from: OPEN, by: 'supervisor' },
  refuse_extension: { name: '不予延期', from: OPEN, by: 'supervisor' },
  accept: { name: '审核通过', from: ['replied'], by: 'supervisor', leadOnly: true },
  reject: { name: '退回重办', from: ['replied'], by: 'supervisor', leadOnly: true },
  follow_up: { name: '回访', from: ['follow_up'], by: 'supervisor', leadOnly: true },
  transfer: { name: '转办', from: OPEN, by: 'dispatcher', leadOnly: true },
  list: { name: '挂牌督办', from: ACTIVE, by: 'supervisor' },
  remind: { name: '催办', from: OPEN, by: 'supervisor' },
};

export type OrderFacts = { state: WorkOrderState; role: 'lead' | 'assist'; extension_request: unknown; listed_at: Date | null };

/** Steps the order's state allows at all, whoever asks. */
export function stepsFrom(o: OrderFacts): Step[] {
  return (Object.keys(STEPS) as Step[]).filter((s) => {
    const def = STEPS[s];
    if (!def.from.includes(o.state) || (def.leadOnly && o.role !== 'lead')) return false;
    if (s === 'request_extension') return !o.extension_request;
    if (s === 'approve_extension' || s === 'refuse_extension') return !!o.extension_request;
    if (s === 'list') return !o.listed_at;
    return true;
  });
}
