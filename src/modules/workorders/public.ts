/** How the citizen's tracking page words each step: plain language, no person's name, no number. */
export const PUBLIC_STEP_TEXT: Record<string, (e: { unit_name: string }) => string> = {
  dispatched: (e) => `已转交${e.unit_name}办理`,
  sign: () => '承办单位已签收，正在办理',
  transferred: () => '已转交其他单位办理',
  return: () => '正在重新确定承办单位',
  reply: () => '承办单位已答复，正在审核答复质量',
  accept: () => '答复已审核通过，请您对办理结果进行评价',
  reject: () => '答复未通过审核，已要求承办单位重新办理',
  approve_extension: () => '经批准，办理期限已延长',
  redo: () => '已根据您的意见要求重新办理',
  closed: () => '已办结',
  reminded: () => '已督促承办单位抓紧办理',
  remind: () => '已督促承办单位抓紧办理',
  overdue: () => '已对承办单位发出督办通知',
  list: () => '已列为挂牌督办事项',
  escalated: () => '已提级督办',
};

export const PUBLIC_STATUS: Record<string, string> = {
  new: '已受理，正在分办',
  triaged: '已受理，正在分办',
  dispatched: '办理中',
  replied: '已答复，审核或回访中',
  closed: '已办结',
  redirected: '不属于本平台办理范围，已告知其他途径',
  merged: '已与反映同一事项的诉求合并办理',
};

/** Numbers that could reach a person (phones, ID and account numbers) are masked before a reply goes public. */
export function maskNumbers(text: string): string {
  return text.replace(/\d{6,}[\dXx]?/g, (m) => (m.length <= 6 ? m : `${m.slice(0, 3)}${'*'.repeat(m.length - 5)}${m.slice(-2)}`));
}
