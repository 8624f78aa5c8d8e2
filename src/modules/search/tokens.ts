import { cleanText, foldWidth, normalizeText, segmenter } from '../../lib/text.ts';
import { trackingCodeAsTyped } from '../workorders/public.ts';

/**
 * Word search over Chinese text without a Chinese parser in the database: the text is cut by jieba here and stored
 * as a tsvector literal with positions, so that PostgreSQL and PGlite answer word and phrase queries from one GIN
 * index. Each word of the precise cut takes one position; the shorter dictionary words inside it (the search-mode
 * cut: 执法 and 人员 inside 执法人员) share that position, so 执法 finds 执法人员 and a phrase stays a phrase.
 * A single character is a word only where jieba cut it alone: 罚 does not find every 罚款.
 */

const WORD = /^[\p{L}\p{N}]+$/u;
/** Positions between two fields, so that a phrase never runs from a title into a body. */
const FIELD_GAP = 8;
const MAX_POSITION = 16_383;

type Positioned = { word: string; pos: number; start: number; end: number };

/** The words of one text with their positions (from `first`) and character offsets. */
function positionedWords(text: string, first: number): { words: Positioned[]; next: number } {
  const jieba = segmenter();
  const precise = jieba.cut(text, false);
  const search = jieba.cutForSearch(text, false);
  const words: Positioned[] = [];
  let i = 0;
  let offset = 0;
  let pos = first;
  for (const token of search) {
    const whole = precise[i];
    if (whole === undefined) break;
    const isWhole = token === whole;
    const start = isWhole ? offset : offset + whole.indexOf(token);
    if (WORD.test(token)) words.push({ word: token.toLowerCase(), pos: Math.min(pos, MAX_POSITION), start, end: start + token.length });
    if (isWhole) {
      offset += whole.length;
      if (WORD.test(whole)) pos++;
      i++;
    }
  }
  return { words, next: pos };
}

/** The tsvector literal of a problem's searchable texts (title, body, target, address, replies). */
export function tsvectorOf(fields: (string | null | undefined)[]): string {
  const positions = new Map<string, number[]>();
  let next = 1;
  for (const field of fields) {
    const text = normalizeText(field);
    if (!text) continue;
    const r = positionedWords(text, next);
    for (const w of r.words) {
      const list = positions.get(w.word);
      if (!list) positions.set(w.word, [w.pos]);
      else if (list[list.length - 1] !== w.pos) list.push(w.pos);
    }
    next = r.next + FIELD_GAP;
  }
  return [...positions].map(([word, pos]) => `'${word}':${pos.slice(0, 256).join(',')}`).join(' ');
}

export type ParsedQuery = {
  /** tsquery text for `::tsquery`, null when the query has no word (only punctuation). */
  tsquery: string | null;
  /** the words to highlight */
  words: string[];
  /** a query that looks like a tracking code is also looked up as one */
  trackingCode: string | null;
};

/**
 * The search box: words separated by spaces must all occur; a term cut into several words (乱收费用, or a "quoted
 * phrase") must occur as a phrase; a term starting with - must not occur.
 */
export function parseQuery(input: string): ParsedQuery {
  const text = normalizeText(input);
  const terms = [...text.matchAll(/(-?)"([^"]+)"|(-?)(\S+)/g)].map((m) => ({ negated: !!(m[1] || m[3]), text: (m[2] ?? m[4] ?? '').replace(/^-/, '') }));
  const parts: string[] = [];
  const words: string[] = [];
  for (const term of terms) {
    const tokens = segmenter().cut(term.text, false).filter((t) => WORD.test(t)).map((t) => t.toLowerCase());
    if (!tokens.length) continue;
    const phrase = tokens.map((t) => `'${t}'`).join(' <-> ');
    parts.push(term.negated ? `!(${phrase})` : tokens.length > 1 ? `(${phrase})` : phrase);
    if (!term.negated) words.push(...tokens);
  }
  const trackingCode = /^[A-Za-z0-9-]{6,40}$/.test(text) ? trackingCodeAsTyped(text) : null;
  return { tsquery: parts.some((p) => !p.startsWith('!')) ? parts.join(' & ') : null, words: [...new Set(words)], trackingCode };
}

export type Highlighted = { text: string; hits: [number, number][] };

/** Where the query's words occur in a text, as the same cut sees them (罚 is not marked inside 罚款). */
export function highlight(text: string, words: string[]): [number, number][] {
  if (!words.length || !text) return [];
  const wanted = new Set(words);
  const hits = positionedWords(text, 1).words.filter((w) => wanted.has(w.word)).map((w): [number, number] => [w.start, w.end]);
  hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const h of hits) {
    const last = merged[merged.length - 1];
    if (last && h[0] <= last[1]) last[1] = Math.max(last[1], h[1]);
    else merged.push([h[0], h[1]]);
  }
  return merged;
}

/** A window of the text around its first hit, with the hits inside it. */
export function snippet(text: string, words: string[], width = 120): Highlighted | null {
  // found in the folded text, shown as written (the citizen's ，and （）): the folding keeps every position
  const shown = cleanText(text);
  const clean = foldWidth(shown);
  const hits = highlight(clean, words);
  if (!hits.length) return null;
  const start = Math.max(0, Math.min(hits[0]![0] - Math.floor(width / 3), clean.length - width));
  const end = Math.min(clean.length, start + width);
  const prefix = start > 0 ? '…' : '';
  return {
    text: prefix + shown.slice(start, end) + (end < clean.length ? '…' : ''),
    hits: hits.filter(([s, e]) => s >= start && e <= end).map(([s, e]) => [s - start + prefix.length, e - start + prefix.length]),
  };
}
