import type { Level, StepName, WarningState } from './types.ts';

/** Chinese names for the risk API's codes, in one place. */

export const LEVEL: Record<Level, { text: string; short: string; color: string; hex: string }> = {
  red: { text: '红色预警', short: '红', color: 'red', hex: '#cf1322' },
  orange: { text: '橙色预警', short: '橙', color: 'orange', hex: '#d46b08' },
  yellow: { text: '黄色预警', short: '黄', color: 'gold', hex: '#d4b106' },
  blue: { text: '蓝色预警', short: '蓝', color: 'blue', hex: '#1677ff' },
};
/** Most severe first. */
export const LEVELS: Level[] = ['red', 'orange', 'yellow', 'blue'];

/**
 * What a level needs (the server's DEFAULT_THRESHOLDS in src/modules/risk/signals.ts): p at most this and observed ÷
 * expected at least this, both.
 */
export const THRESHOLDS: Record<Level, { pValue: number; ratio: number }> = {
  blue: { pValue: 3e-4, ratio: 1.5 },
  yellow: { pValue: 1e-5, ratio: 2 },
  orange: { pValue: 1e-7, ratio: 3 },
  red: { pValue: 1e-9, ratio: 5 },
};

export const STATE: Record<WarningState, { text: string; color: string }> = {
  new: { text: '新预警', color: 'red' },
  assessed: { text: '已研判', color: 'orange' },
  dispatched: { text: '已交办', color: 'blue' },
  resolved: { text: '已化解', color: 'green' },
  dismissed: { text: '已排除', color: 'default' },
};
export const OPEN_STATES: WarningState[] = ['new', 'assessed', 'dispatched'];

/** The steps of a warning's life and the states each may start from (the server's STEPS). */
export const STEPS: Record<StepName, { name: string; from: WarningState[]; to: WarningState }> = {
  assess: { name: '研判', from: ['new'], to: 'assessed' },
  dispatch: { name: '交办', from: ['new', 'assessed'], to: 'dispatched' },
  resolve: { name: '化解', from: ['assessed', 'dispatched'], to: 'resolved' },
  dismiss: { name: '排除', from: ['new', 'assessed', 'dispatched'], to: 'dismissed' },
};
export const STEP_ORDER: StepName[] = ['assess', 'dispatch', 'resolve', 'dismiss'];

export const EVENT: Record<string, { text: string; color: string }> = {
  raise: { text: '产生预警', color: 'red' },
  escalate: { text: '预警升级', color: 'red' },
  assess: { text: '研判', color: 'orange' },
  dispatch: { text: '交办', color: 'blue' },
  resolve: { text: '化解', color: 'green' },
  dismiss: { text: '排除', color: 'gray' },
};

/** The parts of a risk score. */
export const CONTRIBUTION: Record<string, { text: string; color: string }> = {
  volume: { text: '反映量异常', color: '#b7312c' },
  misconduct: { text: '执法作风', color: '#722ed1' },
  targets: { text: '被反复投诉对象', color: '#fa8c16' },
  overdue_rate: { text: '逾期率', color: '#d4b106' },
  unsatisfied_rate: { text: '不满意率', color: '#13a8a8' },
  redo: { text: '重办', color: '#2f54eb' },
  lost_cases: { text: '复议诉讼败诉', color: '#595959' },
};
export const contributionName = (key: string) => CONTRIBUTION[key]?.text ?? key;

/** What each rule's signal watches. */
export const SIGNAL: Record<string, string> = {
  volume: '反映量异常',
  misconduct: '执法作风问题',
  target: '被反复投诉对象',
  overdue_rate: '单位逾期率',
  unsatisfied_rate: '单位不满意率',
  redo: '单位重办',
  lost_cases: '复议诉讼败诉',
};

/** The default rules' names (the rules list needs report.read; a unit's handler sees the code only otherwise). */
export const RULE: Record<string, string> = {
  volume_spike: '领域·区域反映量异常上升',
  misconduct_surge: '执法作风问题集中出现',
  target_repeat: '同一对象被反复投诉',
  unit_overdue_rate: '单位逾期率上升',
  unit_unsatisfied_rate: '单位不满意率上升',
  unit_redo: '单位重办次数上升',
  unit_lost_cases: '单位复议诉讼败诉增多',
};

export const SCOPE: Record<string, string> = { domain_region: '领域·区域', target: '被反映对象', unit: '承办单位' };

/** A rule's parameters, with what they mean. */
export const PARAM: Record<string, { label: string; hint: string; min: number; max: number }> = {
  windowDays: { label: '统计窗口（天）', hint: '检验最近多少天的数据', min: 1, max: 180 },
  baselineDays: { label: '基线（天）', hint: '窗口之前用作比较的天数', min: 7, max: 730 },
  historyDays: { label: '历史（天）', hint: '窗口之前用作比较的历史天数', min: 7, max: 730 },
  minCount: { label: '最少件数', hint: '窗口内少于此数不预警', min: 1, max: 100_000 },
  minTrials: { label: '最少样本', hint: '窗口内派发（或评价）少于此数不预警', min: 1, max: 100_000 },
  expectedPerYear: { label: '每年预期件数', hint: '此前很少败诉的单位，按每年这么多件估计', min: 0.1, max: 100 },
};
export const PARAM_ORDER = ['windowDays', 'baselineDays', 'historyDays', 'minCount', 'minTrials', 'expectedPerYear'];
export const paramLabel = (key: string) => PARAM[key]?.label ?? key;

export const SUGGESTION: Record<string, string> = { 专项整治: 'red', 约谈: 'orange', 案卷抽查: 'purple', 持续关注: 'blue' };

export const UNIT_FIGURES: { key: string; text: string }[] = [
  { key: 'dispatched', text: '派发工单' },
  { key: 'overdue', text: '逾期' },
  { key: 'rated', text: '已评价回访' },
  { key: 'unsatisfied', text: '不满意' },
  { key: 'redone', text: '重办' },
  { key: 'closed', text: '办结' },
];
