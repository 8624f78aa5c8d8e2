export const STATUS: Record<string, { text: string; color: string }> = {
  new: { text: '新收', color: 'blue' },
  triaged: { text: '已分拣', color: 'cyan' },
  dispatched: { text: '已派发', color: 'geekblue' },
  replied: { text: '已答复', color: 'purple' },
  closed: { text: '已办结', color: 'green' },
  redirected: { text: '已引导', color: 'default' },
  merged: { text: '已合并', color: 'default' },
};

export const KINDS: Record<string, string> = { complaint: '投诉', report: '举报', consult: '咨询', suggest: '建议', help: '求助', praise: '表扬' };

export const FLAGS: Record<string, string> = { region_from_text: '区域取自正文', region_unmatched: '区域未匹配', unit_unmatched: '单位未匹配', handler_unmatched: '承办单位未匹配', kind_unknown: '类型待定', from_warning: '风险预警交办生成（不计入受理量）' };

export const SATISFACTION: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unrated: '未评价' };

/** The categories of the 执法作风 dictionary as the city ships it (the search takes any category name). */
export const MISCONDUCT_CATEGORIES = ['乱罚款', '暴力执法', '不作为', '慢作为', '选择性执法', '吃拿卡要', '趋利执法', '以罚代管', '执法不公', '态度恶劣', '未亮证', '一刀切'];
