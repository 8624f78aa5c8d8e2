/** The work-order API's shapes as the pages use them (see src/modules/workorders). */

export type WorkOrderState = 'pending_sign' | 'handling' | 'replied' | 'follow_up' | 'closed' | 'returned' | 'transferred';

export type ExtensionRequest = { deadline: string; reason: string; byLabel: string; at: string };

export type Order = {
  id: number; problem_id: number; unit_id: number; unit_name: string; role: 'lead' | 'assist'; lead_order_id: number | null; previous_order_id: number | null;
  state: WorkOrderState; urgency: 'normal' | 'urgent'; instructions: string; dispatched_at: string; sign_deadline: string; signed_at: string | null;
  deadline: string; deadline_amount: number; deadline_unit: 'working_days' | 'hours' | 'fixed'; deadline_provisional: boolean; due?: 'overdue' | 'due_soon' | null; replied_at: string | null; closed_at: string | null;
  redo_count: number; units_passed: number; overdue_at: string | null; sign_overdue_at: string | null; listed_at: string | null; listed_deadline: string | null; listed_reason: string | null;
  escalated_at: string | null; escalation_reason: string | null; extension_request: ExtensionRequest | null; version: number; updated_at: string;
};

/** A row of the work-order lists (inbox, board, a problem's orders): what they show; the order page has the rest. */
export type OrderRow = Pick<Order, 'id' | 'problem_id' | 'unit_id' | 'unit_name' | 'role' | 'state' | 'urgency' | 'dispatched_at' | 'deadline' | 'deadline_provisional' | 'due'
  | 'redo_count' | 'overdue_at' | 'listed_at' | 'listed_deadline' | 'escalated_at' | 'extension_request' | 'version'>
  & { title: string; tracking_code: string; kind_code: string | null; domain_code: string | null; misconduct: string[] };

export type CountKey = 'pending_sign' | 'handling' | 'replied' | 'follow_up' | 'due_soon' | 'overdue' | 'listed' | 'escalated' | 'extension' | 'returned';
export type OrderList = { rows: OrderRow[]; total: number; counts: Record<CountKey, number> };

export type KeyPoint = { term: string; kind: 'phrase' | 'place' | 'demand'; addressed: boolean };
export type ReplyQuality = {
  score: number; level: 'good' | 'fair' | 'poor'; keyPoints: KeyPoint[]; coverage: number;
  elements: { measures: string[]; basis: string[]; result: string[] };
  boilerplate: { ratio: number; phrases: string[]; isBoilerplate: boolean };
  timeliness: { workingDaysTaken: number | null; workingDaysAllowed: number | null; onTime: boolean | null };
  reasons: string[];
};

export type Reply = {
  id: number; work_order_id: number; content: string; measures: string; basis: string; result: string; replied_at: string; quality: ReplyQuality | null;
  review: 'accepted' | 'rejected' | null; review_reason: string | null; reviewed_at: string | null;
};

export type WorkEvent = {
  id: number; work_order_id: number; kind: string; from_state: string | null; to_state: string | null; actor_label: string; note: string; data: Record<string, unknown>;
  at: string; unit_name: string; role: 'lead' | 'assist';
};

export type FollowUp = { id: number; work_order_id: number; satisfaction: string; comment: string; method: string; at: string };

export type Step = 'sign' | 'return' | 'reply' | 'request_extension' | 'approve_extension' | 'refuse_extension' | 'accept' | 'reject' | 'follow_up' | 'transfer' | 'list' | 'remind';

export type WorkOrderDetail = {
  order: Order;
  stateName: string;
  steps: { step: Step; name: string }[];
  problem: {
    id: number; tracking_code: string; title: string; body: string; channel_name: string; kind_code: string | null; domain_code: string | null; region_name: string | null;
    address: string | null; reported_at: string; target_text: string | null; misconduct: string[];
  };
  related: { id: number; unit_name: string; role: 'lead' | 'assist'; state: WorkOrderState; deadline: string }[];
  history: { id: number; unit_name: string; state: WorkOrderState; dispatched_at: string }[];
  events: WorkEvent[];
  replies: Reply[];
  followUps: FollowUp[];
};
