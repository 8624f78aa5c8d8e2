import { dict as jiebaDictionary } from '@node-rs/jieba/dict.js';

/**
 * What jieba's own dictionary says about a word: how rare it is in general Chinese and its part of speech. Readers of
 * reports use it to tell words that distinguish a report (景蓉花苑, 油烟) from words every report has (问题, 政府).
 */
export type WordKind = 'noun' | 'verb' | 'other';
/** known is false for words jieba lacks and for rare nouns it does not keep: both behave like names. */
export type WordInfo = { rarity: number; tag: string; kind: WordKind; known: boolean };

/** Below this rarity (−ln of the word's share in jieba's corpus) a word is too common to tell reports apart: 问题 7.0, 政府 7.9. */
export const MIN_RARITY = 8;
const KEEP_FREQUENCY = 30; // rarer words are not kept: they are all rare enough
let words: { table: Map<string, { frequency: number; tag: string }>; total: number } | null = null;

/** Nouns (n…, 简称) make the best key points; verbs and adjectives will do; numerals, adverbs, idioms… will not. */
export function kindOfTag(tag: string): WordKind {
  if (/^(n|j|eng)/.test(tag)) return 'noun';
  if (/^(v|a)/.test(tag)) return 'verb';
  return 'other';
}

/** A word's rarity and part of speech from jieba's dictionary (loaded once, ~0.1 s); words it lacks are rare names. */
export function wordInfo(word: string): WordInfo {
  words ??= loadWords();
  const entry = words.table.get(word);
  if (!entry) return { rarity: Math.log(words.total / KEEP_FREQUENCY), tag: '', kind: 'noun', known: false };
  return { rarity: Math.log(words.total / entry.frequency), tag: entry.tag, kind: kindOfTag(entry.tag), known: true };
}

function loadWords(): NonNullable<typeof words> {
  const text = Buffer.from(jiebaDictionary).toString('utf8'); // lines "word frequency tag"
  const table = new Map<string, { frequency: number; tag: string }>();
  let total = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const [word, frequencyText, tag = ''] = text.slice(start, end).split(' ');
    const frequency = Number(frequencyText);
    if (word && frequency > 0) {
      total += frequency;
      if (frequency >= KEEP_FREQUENCY || kindOfTag(tag) !== 'noun') table.set(word, { frequency, tag });
    }
    start = end + 1;
  }
  return { table, total };
}
