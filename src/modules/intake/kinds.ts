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

const STARS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };

/**
 * A 好差评 grade as exports write it: 1–5 (also 5.0 and full-width), the level's name (非常满意 … 非常不满意) or stars
 * (5星, 五星, 4分, ★★★★☆); null when it is none of these.
 */
export function gradeOf(value: string | null): number | null {
  const v = (value ?? '').normalize('NFKC').replace(/\s/g, '');
  const byName = GRADE_NAMES.indexOf(v);
  if (byName >= 0) return byName + 1;
  // ★★★★☆: the filled stars
  if (/^[★☆]{5}$|^★{1,5}$/.test(v)) return [...v].filter((c) => c === '★').length || null;
  const m = /^([1-5]|[一二两三四五])(?:\.0+)?(?:星|颗星|分|级)?$/.exec(v);
  if (!m) return null;
  return STARS[m[1]!] ?? Number(m[1]);
}
