import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * Chinese text as every reader of reports needs it: full-width letters and digits made half-width, HTML remnants and
 * entities removed, whitespace collapsed, and the greetings and sign-offs that say nothing taken out.
 */
const GREETINGS = [
  /^(尊敬的)?[\u4e00-\u9fa5]{0,8}(领导|书记|市长|县长|区长|局长|主任|同志|工作人员|有关部门|相关部门)(们)?(您|你)?好[!！,，。：:\s]*/,
  /^(您|你)好[!！,，。：:\s]*/,
  /^(尊敬的)?(领导|各位领导)[!！,，。：:\s]*/,
];
const SIGN_OFFS = [/(此致敬礼|此致\s*敬礼|谢谢(您|你|领导)?[!！。.]*|感谢(您|你|领导)?[!！。.]*|盼复[!！。.]*|望(尽快)?(回复|答复)[!！。.]*)\s*$/];
const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&ldquo;': '“', '&rdquo;': '”' };

export function normalizeText(raw: string | null | undefined): string {
  return foldWidth(cleanText(raw));
}

/** normalizeText without the width folding: the text as people wrote it (their ，and （）), for showing. */
export function cleanText(raw: string | null | undefined): string {
  if (!raw) return '';
  let s = raw
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(/&[a-z#0-9]{2,8};/gi, (e) => ENTITIES[e.toLowerCase()] ?? ' ')
    .replace(/\s+/g, ' ')
    .trim();
  for (const g of GREETINGS) s = s.replace(g, '');
  for (const g of SIGN_OFFS) s = s.replace(g, '');
  return s.trim();
}

/**
 * Full-width ASCII (letters, digits, punctuation, the ，of Chinese text among them) and the ideographic space as
 * half-width: one character for one, so that positions found in the folded text hold in the text before.
 */
export const foldWidth = (s: string): string =>
  s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');

let jieba: Jieba | null = null;
let userWords: string[] = [];
let divisions = new Set<string>();

/**
 * The city's own words (place names, unit names, enforcement terms) segment as one word; so do its divisions' names
 * (区县、镇街, with their former names), which are also known as such (isDivisionName): where a report is, not what.
 */
export function setUserDictionary(words: string[], divisionNames: string[] = []): void {
  divisions = new Set(divisionNames.map((w) => w.trim()).filter((w) => w.length >= 2));
  userWords = [...new Set([...words, ...divisions].map((w) => w.trim()).filter((w) => w.length >= 2))];
  jieba = null;
}

/** Whether the word is the name of one of the city's divisions, or that name without its 区/县/镇/街道. */
export const isDivisionName = (word: string): boolean => divisions.has(word);

/** The shared jieba instance with the city's user dictionary. */
export function segmenter(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    if (userWords.length) jieba.loadDict(Buffer.from(userWords.map((w) => `${w} 100000 n`).join('\n')));
  }
  return jieba;
}

const STOP = new Set('的 了 和 是 在 我 有 也 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 这个 那个 这里 那里 这样 因为 所以 但是 如果 还是 已经 现在 问题 情况 进行 相关 有关 请 希望 要求 反映 一下 什么 怎么 为什么 能否 可以 是否 目前'.split(' '));

/** Words of the text (jieba), without punctuation, numbers and stop words. */
export function segment(text: string): string[] {
  return segmenter()
    .cut(text, true)
    .filter((w) => w.length > 1 || /[\u4e00-\u9fa5]/.test(w))
    .filter((w) => /[\u4e00-\u9fa5a-zA-Z]/.test(w) && !STOP.has(w));
}
