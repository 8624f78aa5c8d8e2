/** Chinese names for the work-order API's codes, in one place. */

export const STATE: Record<string, { text: string; color: string }> = {
  pending_sign: { text: '待签收', color: 'blue' },
  handling: { text: '办理中', color: 'geekblue' },
  replied: { text: '已答复（待审核）', color: 'purple' },
  follow_up: { text: '待回访', color: 'cyan' },
  closed: { text: '已办结', color: 'green' },
  returned: { text: '已退回', color: 'default' },
  transferred: { text: '已转办', color: 'default' },
};

export const OPEN_STATES = ['pending_sign', 'handling'];

export const ROLE: Record<string, string> = { lead: '主办', assist: '协办' };

export const EVENT: Record<string, { text: string; color?: string }> = {
  dispatched: { text: '派发', color: 'blue' },
  sign: { text: '签收', color: 'blue' },
  return: { text: '退回', color: 'gray' },
  reply: { text: '答复', color: 'green' },
  assist_replied: { text: '协办答复', color: 'green' },
  request_extension: { text: '申请延期', color: 'orange' },
  approve_extension: { text: '批准延期', color: 'green' },
  refuse_extension: { text: '不予延期', color: 'red' },
  accept: { text: '审核通过', color: 'green' },
  reject: { text: '退回重办', color: 'red' },
  redo: { text: '不满意重办', color: 'red' },
  closed: { text: '办结', color: 'green' },
  transferred: { text: '转办', color: 'gray' },
  list: { text: '挂牌督办', color: 'red' },
  remind: { text: '催办', color: 'orange' },
  reminded: { text: '催办', color: 'orange' },
  sign_overdue: { text: '签收超时', color: 'red' },
  overdue: { text: '逾期督办', color: 'red' },
  escalated: { text: '提级督办', color: 'red' },
};

export const SATISFACTION: Record<string, { text: string; color: string }> = {
  satisfied: { text: '满意', color: 'green' },
  basically_satisfied: { text: '基本满意', color: 'cyan' },
  unsatisfied: { text: '不满意', color: 'red' },
  unrated: { text: '未评价', color: 'default' },
};

export const METHOD: Record<string, string> = { phone: '电话', sms: '短信', visit: '走访', public_page: '查询页自评' };

export const QUALITY_LEVEL: Record<string, { text: string; color: string }> = {
  good: { text: '良好', color: 'green' },
  fair: { text: '一般', color: 'orange' },
  poor: { text: '较差', color: 'red' },
};

export const KEY_POINT_KIND: Record<string, string> = { phrase: '要点', place: '地点', demand: '诉求' };

export const URGENCY: Record<string, string> = { normal: '一般', urgent: '紧急' };

export const DEADLINE_UNIT: Record<string, string> = { working_days: '个工作日', hours: '小时', fixed: '（指定期限）' };

export const POLICY_PURPOSE: Record<string, string> = { handle: '办理时限', sign: '签收时限' };

/** The tabs of the unit's inbox and the supervisor's board; `counts` in the list response carries each of these keys. */
export const TAB: Record<string, string> = {
  pending_sign: '待签收',
  handling: '办理中',
  due_soon: '即将超期',
  overdue: '已超期',
  replied: '已答复',
  follow_up: '待回访',
  listed: '挂牌督办',
  escalated: '提级督办',
  extension: '延期待批',
  closed: '已办结',
  all: '全部',
};

/** How long before the deadline an order counts as 即将超期 (the server's default of workorder.due_soon_hours). */
export const DUE_SOON_HOURS = 24;
