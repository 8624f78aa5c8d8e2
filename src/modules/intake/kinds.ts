/** What channels call the kind of report → our kind codes (DOMAIN.md). Longest phrase wins. */
const KIND_WORDS: [string, string][] = [
  ['投诉/求助', 'complaint'],
  ['投诉举报', 'complaint'],
  ['投诉', 'complaint'],
  ['举报', 'report'],
  ['咨询', 'consult'],
  ['查询', 'consult'],
  ['建言', 'suggest'],
  ['建议', 'suggest'],
  ['意见', 'suggest'],
  ['求助', 'help'],
  ['表扬', 'praise'],
  ['感谢', 'praise'],
];

export function kindCodeOf(text: string | null | undefined): string | null {
  if (!text) return null;
  const t = text.trim();
  for (const [word, code] of KIND_WORDS) if (t === word) return code;
  for (const [word, code] of KIND_WORDS) if (t.includes(word)) return code;
  return null;
}

/** 好差评 five levels (1 worst … 5 best). */
export const GRADE_NAMES = ['非常不满意', '不满意', '基本满意', '满意', '非常满意'];
