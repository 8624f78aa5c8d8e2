import { maskPersonalNumbers } from '../../lib/crypto.ts';
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

/**
 * A person named after the word for their role: 承办人赵强、李四 / 联系人：王芳 / 负责人李明同志 (a name is two or three
 * characters, ended by punctuation or a word that commonly follows one). A heuristic: the reviewer is told to leave names out.
 */
const NAMED_PERSON = /(承办人|经办人|联系人|办理人|负责人|接待人|承办人员|经办人员|办案人员)([：:]?\s*)([\u4e00-\u9fa5]{2,3}?(?:[、和及与][\u4e00-\u9fa5]{2,3}?)*)(?=[，。；、,;\s（(电手联或等现同已到于在对将前经进依带上负核调处和及与]|$)/g;
const surnameOnly = (names: string) => names.replace(/[\u4e00-\u9fa5]{2,3}/g, (n) => `${n[0]}某`);

/**
 * A reply as the public may read it: phone and ID numbers masked (amounts, case numbers and dates stay as written),
 * and a person named after their role reduced to the surname (赵某). The reviewer sees the reply as written.
 */
export function publicText(text: string): string {
  return maskPersonalNumbers(text).replace(NAMED_PERSON, (_, role: string, gap: string, names: string) => `${role}${gap}${surnameOnly(names)}`);
}

/**
 * A tracking code as people type it: full-width letters, spaces and dashes, lower case, and the letters the codes
 * never use read as the digits they look like (O → 0, I and L → 1).
 */
export function trackingCodeAsTyped(typed: string): string {
  const c = typed.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
  return c.slice(0, 2) + c.slice(2).replace(/O/g, '0').replace(/[IL]/g, '1');
}
