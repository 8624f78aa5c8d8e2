import { normalizeText, segment } from '../../lib/text.ts';
import { MIN_RARITY, wordInfo } from '../../lib/words.ts';

/**
 * How well a handling unit's reply answers a citizen's report, shown to the reviewer as a score with its reasons —
 * never an automatic rejection. The reply is checked for the report's key points (distinctive words, places, demands),
 * for what was done (措施), on what basis (依据) and with what result (结果), for 套话 that could answer anything,
 * and for timeliness.
 */

export type ReplyQualityInput = {
  reportTitle: string;
  reportBody: string;
  reply: string;
  measures?: string | null;
  basis?: string | null;
  result?: string | null;
  workingDaysTaken?: number | null;
  workingDaysAllowed?: number | null;
};

export type KeyPoint = { term: string; kind: 'phrase' | 'place' | 'demand'; addressed: boolean };

export type ReplyQuality = {
  score: number;
  level: 'good' | 'fair' | 'poor';
  keyPoints: KeyPoint[];
  coverage: number;
  elements: { measures: string[]; basis: string[]; result: string[] };
  boilerplate: { ratio: number; phrases: string[]; isBoilerplate: boolean };
  timeliness: { workingDaysTaken: number | null; workingDaysAllowed: number | null; onTime: boolean | null };
  reasons: string[];
};

/**
 * Plain data, so that it can be stored and edited by an admin. In every phrase list "…" stands for up to 30 characters
 * within one clause, e.g. "根据…规定" or "《…法》".
 */
export type ReplyQualityLexicon = {
  measures: string[];
  basis: string[];
  result: string[];
  /** Phrases that contain a measure or result word but do not state one (调查处理 ⊃ 查处, 未整改 ⊃ 整改). */
  notEvidence: string[];
  boilerplate: string[];
  /** Words that mark a clause of the report as a demand (诉求); one-character markers only at a clause's start. */
  demandMarkers: string[];
  /** Words too common in citizens' reports to be a key point. */
  commonWords: string[];
  /**
   * Relative weights of the score's parts (any scale; the score is their weighted mean × 100). coverage: share of the
   * report's key points the reply addresses; measures, basis, result: 1 when the reply states them; specificity: the
   * share of the reply that is not 套话, with credit for numbers and names; timeliness: 1 on time, 0 late, left out
   * when unknown.
   */
  weights: { coverage: number; measures: number; basis: number; result: number; specificity: number; timeliness: number };
  /** Lowest score of each level. */
  levels: { good: number; fair: number };
};

export const DEFAULT_REPLY_QUALITY_LEXICON: ReplyQualityLexicon = {
  measures: [
    '责令', '约谈', '现场检查', '现场核查', '现场查看', '实地查看', '实地核查', '调查核实', '核查', '立案', '查处', '处罚',
    '罚款', '整改', '督促', '拆除', '取缔', '没收', '查封', '扣押', '暂扣', '清理', '清运', '关停', '停业', '协调',
    '已安排', '安排专人', '执法人员', '下达…通知书', '下发…通知书', '告知书', '警告', '批评教育', '联合执法',
    '专项整治', '巡查', '检测', '维修', '修复', '疏通', '召开…会', '要求…限期', '依法处理',
  ],
  basis: [
    '《…法》', '《…法…》', '《…条例…》', '《…规定…》', '《…办法…》', '《…细则…》', '《…标准…》', '《…规范…》',
    '《…规则…》', '《…方案…》', '《…意见…》', '《…通知…》', '《…决定…》', '《…规划…》', '《…政策…》',
    '第…条', '根据…规定', '按照…规定', '依照…规定', '依据', '法律法规', '有关规定', '相关规定', '政策规定',
  ],
  result: [
    '已整改', '整改完毕', '整改到位', '已解决', '已完成', '已恢复', '已退还', '已拆除', '已办结', '已清理', '已清除',
    '已关停', '已取缔', '已修复', '已维修', '已处罚', '已罚款', '已立案', '已停止', '已没收', '已补发', '已发放',
    '已撤除', '已落实', '现已', '目前已', '均已', '予以处罚', '处以罚款', '罚款…元', '恢复正常',
  ],
  notEvidence: ['调查处理', '调查处置', '核查处理', '未整改', '未按要求整改', '未拆除', '未处罚', '未罚款', '不予处罚', '不予立案'],
  boilerplate: [
    '感谢您的来信', '感谢您对我们工作的…支持', '感谢您对…的关心…', '感谢您的理解…', '感谢您的支持', '感谢您的监督',
    '高度重视', '我们将继续', '将继续', '进一步加强', '加大力度', '加大…力度', '持续关注', '如有疑问', '如您还有疑问',
    '欢迎监督', '欢迎继续监督', '给您带来不便', '给您带来的不便', '敬请谅解', '您的留言已收悉', '留言已收悉',
    '来信已收悉', '现将…答复如下', '现将…回复如下', '现回复如下', '现答复如下', '特此回复', '特此答复',
    '认真研究', '积极协调', '切实维护', '不断完善', '一如既往', '依法依规处理', '及时处理', '认真对待',
  ],
  demandMarkers: ['要求', '希望', '请求', '恳请', '恳求', '能否', '能不能', '可否', '何时', '什么时候', '请问', '请'],
  commonWords: [
    '领导', '书记', '市长', '局长', '主任', '部门', '政府', '相关部门', '有关部门', '职能部门', '群众', '老百姓', '市民',
    '百姓', '监管部门', '主管部门', '执法部门', '尊敬', '您好', '谢谢', '感谢', '投诉', '举报', '解决', '处理', '尽快', '严重', '一直', '时间', '事情',
    '地方', '方面', '单位', '人员', '回复', '答复', '关注', '重视', '本人', '大家', '导致', '造成', '出现', '存在',
    '以来', '发现', '知道', '作为', '希望', '要求', '请求', '反映', '网友', '来信', '留言', '现象', '行为', '办法',
    // who is complained to and where anyone lives, in nearly every report: not a point a reply must take up
    '城管', '执法', '执法人员', '工作人员', '街道', '社区', '街道办', '居委会',
  ],
  weights: { coverage: 35, measures: 20, basis: 10, result: 15, specificity: 15, timeliness: 5 },
  levels: { good: 70, fair: 45 },
};

const MAX_PHRASES = 7;
const MAX_PLACES = 3;
const MAX_DEMANDS = 2;

// ---------------------------------------------------------------- assessment

export function assessReply(input: ReplyQualityInput, lexicon: ReplyQualityLexicon = DEFAULT_REPLY_QUALITY_LEXICON): ReplyQuality {
  const title = normalizeText(input.reportTitle);
  const body = normalizeText(input.reportBody);
  const reply = normalizeText(input.reply);
  // the reply's echo of the report title ("关于您反映的…问题") repeats the report, it does not answer it
  const replyWithoutEcho = withoutTitleEcho(reply, title);
  const fields = { measures: normalizeText(input.measures), basis: normalizeText(input.basis), result: normalizeText(input.result) };
  const withFields = (text: string) => [text, fields.measures, fields.basis, fields.result].filter(Boolean).join('。');
  const answer = withFields(reply);
  const answerWithoutEcho = withFields(replyWithoutEcho);

  const keyPoints = extractKeyPoints(title, body, lexicon).map((k) => ({ ...k, addressed: addresses(answerWithoutEcho, k, lexicon) }));
  const coverage = keyPoints.length ? keyPoints.filter((k) => k.addressed).length / keyPoints.length : 0;

  const elements = {
    measures: evidence(answer, fields.measures, lexicon.measures, lexicon.notEvidence),
    basis: evidence(answer, fields.basis, lexicon.basis, lexicon.notEvidence),
    result: evidence(answer, fields.result, lexicon.result, lexicon.notEvidence),
  };
  const specifics = specificsOf(replyWithoutEcho);
  const boilerplate = boilerplateOf(replyWithoutEcho, lexicon, coverage, specifics);
  const timeliness = timelinessOf(input.workingDaysTaken, input.workingDaysAllowed);

  const parts = {
    coverage,
    measures: elements.measures.length ? 1 : 0,
    basis: elements.basis.length ? 1 : 0,
    result: elements.result.length ? 1 : 0,
    specificity: specificityOf(boilerplate, specifics),
    timeliness: timeliness.onTime === null ? null : timeliness.onTime ? 1 : 0,
  };
  const score = reply ? weightedScore(parts, lexicon.weights) : 0;
  const level = score >= lexicon.levels.good ? 'good' : score >= lexicon.levels.fair ? 'fair' : 'poor';
  const reasons = reasonsFor({ reply, keyPoints, elements, boilerplate, specifics, timeliness });
  return { score, level, keyPoints, coverage: round2(coverage), elements, boilerplate, timeliness, reasons };
}

type Weights = ReplyQualityLexicon['weights'];

function weightedScore(parts: Record<keyof Weights, number | null>, weights: Weights): number {
  let sum = 0;
  let total = 0;
  for (const name of Object.keys(weights) as (keyof Weights)[]) {
    const value = parts[name];
    if (value === null) continue; // unknown, e.g. timeliness without a deadline: left out rather than counted as 0
    sum += weights[name] * value;
    total += weights[name];
  }
  return total > 0 ? Math.round((100 * sum) / total) : 0;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------- key points

function extractKeyPoints(title: string, body: string, lexicon: ReplyQualityLexicon): Omit<KeyPoint, 'addressed'>[] {
  const report = `${title}。${body}`;
  const places = extractPlaces(report);
  const phrases = extractPhrases(title, body, lexicon).filter((w) => !places.some((p) => p.includes(w) || w.includes(p)));
  return [
    ...phrases.slice(0, MAX_PHRASES).map((term) => ({ term, kind: 'phrase' as const })),
    ...places.map((term) => ({ term, kind: 'place' as const })),
    ...extractDemands(report, lexicon).map((term) => ({ term, kind: 'demand' as const })),
  ];
}

/** The report's distinctive words, best first: rare, nouns before verbs, longer, and counted thrice in the title. */
function extractPhrases(title: string, body: string, lexicon: ReplyQualityLexicon): string[] {
  const common = new Set(lexicon.commonWords);
  const weight = new Map<string, number>();
  const add = (words: string[], factor: number) => {
    for (const w of words.flatMap(splitStrayAdminChar)) {
      if (common.has(w) || !isTopicWord(w)) continue;
      const info = wordInfo(w);
      if (info.kind === 'other' || info.rarity < MIN_RARITY) continue;
      const kindFactor = info.kind === 'noun' ? 1 : 0.4;
      weight.set(w, (weight.get(w) ?? 0) + factor * kindFactor * info.rarity * Math.min(w.length, 4));
    }
  };
  add(segment(title), 3);
  add(segment(body), 1);
  return [...weight.entries()].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length).map(([w]) => w);
}

// words starting with a demonstrative or adverb are no topic (这路, 太长); nor are words jieba's HMM glued together
// around a function word (城到, 铺些) or a stray 市/区 (市买)
const NOT_A_TOPIC = /^[这那哪太很挺最更越都也还就再又没不]|^[区市县省].$/;
const GLUED = /[的了到在是和与及就都也把被给从向往比些点条个只虽为又才很太没不后里]/;

function isTopicWord(word: string): boolean {
  if (word.length < 2 || !/[\u4e00-\u9fa5]/.test(word) || NOT_A_TOPIC.test(word)) return false;
  return wordInfo(word).known || !GLUED.test(word);
}

const PLACE_END = /(街道|社区|小区|花园|家园|新村|市场|商场|广场|大道|公寓|大厦|公园|学校|小学|中学|医院|村|镇|乡|县|区|路|街|巷|苑)$/;
const GENERIC_PLACE = /^(城区|市区|郊区|山区|辖区|园区|片区|景区|地区|社区|小区|马路|道路|公路|老城区|新城区|农村|乡村|乡镇|城乡|本区|全区|全县|全镇|宿舍区|生活区|商业街|农贸市场)$/;
const MAX_PLACE_LENGTH = 12;

type Token = { word: string; start: number; end: number };

/**
 * Places below the city (…区/县/镇/街道/路/小区/村/市场 and the like), the most specific first: a word ending in such
 * a suffix with the name-like words right before it (星沙 + 街道, but not 满足 + 星沙街道 or 修 + 水泥路).
 */
function extractPlaces(text: string): string[] {
  const tokens = tokensOf(text);
  const found = new Set<string>();
  tokens.forEach((token, i) => {
    if (!PLACE_END.test(token.word)) return;
    let first = i;
    while (first > 0 && extendsPlaceLeft(tokens[first - 1]!, tokens[first]!, token)) first--;
    const place = text.slice(tokens[first]!.start, token.end).replace(/^[年月日号个条只]+/, '');
    const named = first < i || (token.word.length >= 3 && isProperName(token.word));
    if (named && place.length >= 3 && !GENERIC_PLACE.test(place)) found.add(place);
  });
  const coarse = (p: string) => /[区县]$/.test(p);
  return [...found].sort((a, b) => Number(coarse(a)) - Number(coarse(b)) || b.length - a.length).slice(0, MAX_PLACES);
}

function extendsPlaceLeft(left: Token, next: Token, last: Token): boolean {
  const joins = left.end === next.start && last.end - left.start <= MAX_PLACE_LENGTH;
  return joins && !PLACE_END.test(left.word) && !/[省市]$/.test(left.word) && isNameLike(left.word); // the city is implied
}

/** Part of a proper name: letters and digits (A3), words jieba does not know, names, rare nouns, rare characters (澛). */
function isNameLike(word: string): boolean {
  if (/[A-Za-z0-9]/.test(word)) return true;
  const info = wordInfo(word);
  if (!info.known) return !GLUED.test(word);
  if (/^(ns|nr|nz|nt|j)/.test(info.tag)) return true;
  return (info.tag.startsWith('n') && info.rarity >= 11.5) || (word.length === 1 && info.rarity >= 13);
}

/** A place name on its own (景蓉华苑), not a common noun with a place suffix (水泥路, 农贸市场). */
function isProperName(word: string): boolean {
  const info = wordInfo(word);
  return info.known ? info.tag === 'ns' : !GLUED.test(word);
}

/** The words of the text with their positions; stop words and punctuation leave gaps. */
function tokensOf(text: string): Token[] {
  const tokens: Token[] = [];
  let cursor = 0;
  for (const word of segment(text).flatMap(splitStrayAdminChar)) {
    const start = text.indexOf(word, cursor);
    if (start < 0) continue;
    tokens.push({ word, start, end: start + word.length });
    cursor = start + word.length;
  }
  return tokens;
}

/** "鸠江区某某南路"-like text can segment as 鸠江/区某某/南路: a word jieba made up that starts with 区/县/镇… lost it to the name before. */
function splitStrayAdminChar(word: string): string[] {
  return word.length >= 3 && /^[区市县省镇乡]/.test(word) && !wordInfo(word).known ? [word[0]!, word.slice(1)] : [word];
}

/** What the report asks for: from a demand marker (要求/希望/请…) to the end of its clause, the last ones first. */
function extractDemands(text: string, lexicon: ReplyQualityLexicon): string[] {
  if (!lexicon.demandMarkers.length) return [];
  const marker = new RegExp(lexicon.demandMarkers.map((m) => (m.length === 1 ? `^${escapeRegExp(m)}` : escapeRegExp(m))).join('|'));
  const demands: string[] = [];
  for (const clause of text.split(/[。！？!?；;，,()（）\n]+/)) {
    const at = clause.search(marker);
    if (at < 0) continue;
    const asked = clause.slice(at, at + 24).trim();
    if (demandWords(asked, lexicon).length && !demands.includes(asked)) demands.push(asked);
  }
  return demands.slice(-MAX_DEMANDS); // reports end with what they ask for
}

/** The distinctive words of a demand: what the reply must speak to. */
function demandWords(demand: string, lexicon: ReplyQualityLexicon): string[] {
  const common = new Set([...lexicon.commonWords, ...lexicon.demandMarkers]);
  return [...new Set(segment(demand))].filter((w) => !common.has(w) && isTopicWord(w) && wordInfo(w).kind !== 'other' && wordInfo(w).rarity >= MIN_RARITY);
}

// ---------------------------------------------------------------- addressed?

function addresses(answer: string, point: Omit<KeyPoint, 'addressed'>, lexicon: ReplyQualityLexicon): boolean {
  if (point.kind !== 'demand') return containsOrNearly(answer, point.term);
  const words = demandWords(point.term, lexicon);
  return words.filter((w) => containsOrNearly(answer, w)).length >= Math.ceil(words.length / 2);
}

/** Contained as written, or with one character in four different (a typo: 景蓉华苑 ~ 景蓉花苑). */
export function containsOrNearly(text: string, term: string): boolean {
  if (text.includes(term)) return true;
  const allowed = Math.floor(term.length / 4);
  if (allowed === 0) return false;
  for (let start = 0; start + term.length <= text.length; start++) {
    let differing = 0;
    for (let i = 0; i < term.length && differing <= allowed; i++) if (text[start + i] !== term[i]) differing++;
    if (differing <= allowed) return true;
  }
  return false;
}

/** The reply without its repetitions of the report title, literal or quoted with small changes. */
function withoutTitleEcho(answer: string, title: string): string {
  if (title.length < 4) return answer;
  const stripped = answer.split(title).join('');
  return stripped.replace(/[“"「『]([^”"」』]{2,60})[”"」』]/g, (quote, inner: string) => (bigramShare(inner, title) >= 0.6 ? '' : quote));
}

/** The share of the character pairs of `text` that also occur in `other`. */
function bigramShare(text: string, other: string): number {
  const pairs = (s: string) => new Set(Array.from({ length: Math.max(0, s.length - 1) }, (_, i) => s.slice(i, i + 2)));
  const mine = pairs(text);
  const theirs = pairs(other);
  if (!mine.size) return 0;
  let shared = 0;
  for (const p of mine) if (theirs.has(p)) shared++;
  return shared / mine.size;
}

// ---------------------------------------------------------------- elements, 套话, specificity

type Match = { text: string; start: number; end: number };

/** Where the phrases occur, leaving out a match inside a longer one ("责令" inside "已责令"). */
function findPhrases(text: string, phrases: string[]): Match[] {
  const matches: Match[] = [];
  for (const phrase of phrases) {
    for (const m of text.matchAll(phraseRegExp(phrase))) matches.push({ text: m[0], start: m.index!, end: m.index! + m[0].length });
  }
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  return matches.filter((m, i) => !matches.some((o, j) => j < i && o.start <= m.start && o.end >= m.end));
}

const phraseRegExps = new Map<string, RegExp>();
function phraseRegExp(phrase: string): RegExp {
  let re = phraseRegExps.get(phrase);
  if (!re) {
    re = new RegExp(phrase.split('…').map(escapeRegExp).join('[^。！？!?；;，,]{0,30}?'), 'g');
    phraseRegExps.set(phrase, re);
  }
  return re;
}

/** Snippets showing an element: lexicon matches in the reply and its field, or the field itself when filled in. */
function evidence(answer: string, field: string, phrases: string[], notEvidence: string[]): string[] {
  const excluded = findPhrases(answer, notEvidence);
  const matches = findPhrases(answer, phrases).filter((m) => !excluded.some((x) => x.start <= m.start && x.end >= m.end));
  const snippets = [...new Set(matches.map((m) => m.text))];
  if (!snippets.length && contentLength(field) >= 4) snippets.push(field.slice(0, 40));
  return snippets.slice(0, 6);
}

type Specifics = { numbers: boolean; names: boolean };

/** Whether the reply names anything concrete: numbers or dates, places, documents, companies, shops. */
function specificsOf(reply: string): Specifics {
  const withoutSignatureDate = reply.replace(/\d{4}年\d{1,2}月\d{1,2}日\s*$/, '');
  return {
    numbers: /\d|[一二三四五六七八九十两]+(个|次|家|户|处|名|人|天|日|月|年|元|万|条|辆|米|平方米)/.test(withoutSignatureDate),
    names: extractPlaces(reply).length > 0 || /《[^》]+》|[\u4e00-\u9fa5]{2,}(公司|商行|超市|餐馆|饭店|酒店|门店|药店|诊所|工地|项目)/.test(reply),
  };
}

function boilerplateOf(reply: string, lexicon: ReplyQualityLexicon, coverage: number, specifics: Specifics): ReplyQuality['boilerplate'] {
  const matches = findPhrases(reply, lexicon.boilerplate);
  const total = contentLength(reply);
  const ratio = total ? round2(Math.min(1, matches.reduce((n, m) => n + contentLength(m.text), 0) / total)) : 0;
  const saysNothingSpecific = coverage < 0.2 && !specifics.numbers && !specifics.names;
  return { ratio, phrases: [...new Set(matches.map((m) => m.text))], isBoilerplate: !!reply && (ratio >= 0.4 || saysNothingSpecific) };
}

/** 1 for a reply without 套话 that names numbers and things; a reply that is 套话 gets little. */
function specificityOf(boilerplate: ReplyQuality['boilerplate'], specifics: Specifics): number {
  const s = (1 - boilerplate.ratio) * 0.5 + (specifics.numbers ? 0.25 : 0) + (specifics.names ? 0.25 : 0);
  return boilerplate.isBoilerplate ? Math.min(s, 0.2) : s;
}

function timelinessOf(taken: number | null | undefined, allowed: number | null | undefined): ReplyQuality['timeliness'] {
  const t = typeof taken === 'number' && Number.isFinite(taken) ? taken : null;
  const a = typeof allowed === 'number' && Number.isFinite(allowed) ? allowed : null;
  return { workingDaysTaken: t, workingDaysAllowed: a, onTime: t !== null && a !== null ? t <= a : null };
}

// ---------------------------------------------------------------- reasons

type Findings = Pick<ReplyQuality, 'keyPoints' | 'elements' | 'boilerplate' | 'timeliness'> & { reply: string; specifics: Specifics };

function reasonsFor(f: Findings): string[] {
  if (!f.reply) return ['答复内容为空'];
  return [coverageReason(f.keyPoints), ...elementReasons(f.elements), ...boilerplateReasons(f), ...timelinessReasons(f.timeliness)];
}

function coverageReason(keyPoints: KeyPoint[]): string {
  if (!keyPoints.length) return '未能从反映内容中提取要点';
  const missed = keyPoints.filter((k) => !k.addressed).map((k) => k.term);
  if (!missed.length) return `答复回应了反映的全部 ${keyPoints.length} 个要点`;
  return `答复回应了反映的 ${keyPoints.length} 个要点中的 ${keyPoints.length - missed.length} 个，未回应：${missed.join('、')}`;
}

function elementReasons(e: ReplyQuality['elements']): string[] {
  const stated = (what: string, snippets: string[]) => (snippets.length ? `说明了${what}：${snippets.slice(0, 3).join('、')}` : `未说明${what}`);
  return [stated('采取的措施', e.measures), stated('处理依据', e.basis), stated('处理结果', e.result)];
}

function boilerplateReasons(f: Findings): string[] {
  const reasons: string[] = [];
  const percent = Math.round(f.boilerplate.ratio * 100);
  if (f.boilerplate.isBoilerplate) reasons.push(percent >= 20 ? `答复以套话为主（套话约占 ${percent}%），未针对反映的具体问题` : '答复内容空泛，未针对反映的具体问题');
  else if (percent >= 20) reasons.push(`答复中套话约占 ${percent}%`);
  if (!f.specifics.numbers && !f.specifics.names) reasons.push('答复未提及具体的时间、数量或名称');
  return reasons;
}

function timelinessReasons(t: ReplyQuality['timeliness']): string[] {
  if (t.onTime === null) return [];
  if (t.onTime) return [`在规定的 ${t.workingDaysAllowed} 个工作日内答复（用时 ${t.workingDaysTaken} 个工作日）`];
  return [`答复超期：用时 ${t.workingDaysTaken} 个工作日，超过规定的 ${t.workingDaysAllowed} 个工作日`];
}

// ---------------------------------------------------------------- words: rarity and part of speech

const contentLength = (s: string) => (s.match(/[\u4e00-\u9fa5A-Za-z0-9]/g) ?? []).length;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


