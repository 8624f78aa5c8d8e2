import { isDivisionName, normalizeText, segment } from '../../lib/text.ts';
import { wordInfo } from '../../lib/words.ts';

/**
 * 热点话题: clusters of related problems in a period, each named by its key phrases and ranked by volume, growth
 * against the previous period of the same length, and public attention (likes, reposts, comments where the channel
 * has them).
 *
 * A topic grows from a seed word that many of the period's problems share and few of the background's do (so 小区 or
 * 投诉 do not make topics); the word that most often comes with it names it too when they go together. Each problem
 * joins at most one topic: the best-scoring seed it contains.
 */
/** `terms`: the problem's topic words as stored (topicTerms); computed here from title and body when missing. */
export type TopicDoc = { id: number; title: string; body: string; at: Date; attention: number; terms?: string[] | null };
export type HotTopic = {
  label: string;
  terms: string[];
  count: number;
  previous: number;
  growth: number | null;
  attention: number;
  score: number;
  problemIds: number[];
};
export type HotTopicOptions = { minSize?: number; limit?: number; maxTermShare?: number };

/** Words that name no topic however often they come. */
const GENERIC = new Set(
  '家人 多人 本人 别人 大家 记下 电话 手机 街道 社区 小区 一带 附近 周边 路段 路口 路边 门口 地段 片区 辖区 核实 查处 整治 落实 答复 回复 调查 处置 整改 监管 执法 老人 孩子 住户 问题 反映 情况 投诉 举报 咨询 建议 市民 群众 居民 部门 相关 领导 政府 工作 希望 要求 请求 处理 解决 现在 目前 已经 没有 一直 时间 今年 去年 每天 严重 影响 存在 进行 有关 导致 造成 能否 是否 为何 怎么 如何 谢谢 您好 你好 尊敬 关于 这个 那个 这样 我们 他们 自己 一个 还是 但是 因为 所以 如果 可以 不能 需要 应该 已经 多次 至今 一下 地方'.split(' '),
);

// words starting with a demonstrative or an adverb name nothing (这种, 当时)
const NOT_A_NAME = /^[这那哪此其该当太很挺最更越都也还就再又没不每各]/;
// the addressee of a letter is not what it is about (胡书记, 市政府)
const ADDRESSEE = /(书记|市长|区长|县长|镇长|局长|主任|领导|政府)$/;
// the division a report comes from is where, not what: 鸠江区, 湾沚镇, 荆山街道, and the city's own (峨桥, isDivisionName)
// (a 小区 may well be a hot spot)
const DIVISION = /^(.{1,3}(省|市|区|县|镇|乡)|.{1,4}街道)$/;
// nor a road (九华山路, 中山北路): reports along one road are about many matters; the matter names the topic
const ROAD = /^.{1,6}(路|街|大道|大街|巷)$/;

// words jieba does not know are names (湖滨路, 滨江) unless glued around a function character (全是, 到了)
const GLUED = /[的了到在是和与及就都也把被给从向往比些点条个只虽为又才很太没不后里]/;
/** Words jieba does not know count as rare, but less than its rarest known nouns: 油烟 names a topic before 直排. */
const UNKNOWN_RARITY = 12;
/** Known nouns commoner than this say nothing of a matter (结果 8.4, 人员 8.0, 业务 9.0); 地铁 10.9, 油烟 14.1 do. */
const MIN_TOPIC_RARITY = 10.5;

/** A word that can name a topic: a noun or a name, rare enough in general Chinese to tell matters apart. */
function isTopicWord(w: string): boolean {
  if (w.length < 2 || GENERIC.has(w) || NOT_A_NAME.test(w) || ADDRESSEE.test(w) || DIVISION.test(w) || isDivisionName(w) || ROAD.test(w) || !/[\u4e00-\u9fa5]/.test(w)) return false;
  const info = wordInfo(w);
  if (!info.known) return !GLUED.test(w);
  return info.kind === 'noun' && info.rarity >= MIN_TOPIC_RARITY;
}

const rarityOf = (w: string) => {
  const info = wordInfo(w);
  return info.known ? info.rarity : UNKNOWN_RARITY;
};

/** The words of a problem that can name a topic (from its title and the start of its body); stored with its search index. */
export function topicTerms(d: { title: string; body: string }): string[] {
  const text = normalizeText(`${d.title}。${d.body.slice(0, 300)}`);
  return [...new Set(segment(text).filter(isTopicWord))];
}

const termsOf = (d: TopicDoc): Set<string> => new Set(d.terms ?? topicTerms(d));

export function hotTopics(period: TopicDoc[], previous: TopicDoc[], o: HotTopicOptions = {}): HotTopic[] {
  const minSize = o.minSize ?? 3;
  const limit = o.limit ?? 20;
  // in a large period, a word in more than this share of the problems is background, not a topic
  const maxTermShare = o.maxTermShare ?? 0.5;
  const docTerms = period.map((d) => ({ doc: d, terms: termsOf(d) }));
  const prevTerms = previous.map((d) => termsOf(d));

  const df = new Map<string, number>();
  for (const { terms } of docTerms) for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
  const prevDf = new Map<string, number>();
  for (const terms of prevTerms) for (const t of terms) prevDf.set(t, (prevDf.get(t) ?? 0) + 1);

  const n = Math.max(period.length, 1);
  const seedScore = (t: string) => {
    const inPeriod = df.get(t) ?? 0;
    const share = inPeriod / n;
    if (inPeriod < minSize || (n >= 100 && share > maxTermShare)) return 0;
    // frequent now, and more frequent than in the background (period + previous together)
    const background = (inPeriod + (prevDf.get(t) ?? 0) + 1) / (n + previous.length + 1);
    return inPeriod * Math.log(1 + share / background) * rarityOf(t);
  };
  const seeds = [...df.keys()].map((t) => ({ t, s: seedScore(t) })).filter((x) => x.s > 0).sort((a, b) => b.s - a.s || a.t.localeCompare(b.t));

  const taken = new Set<number>();
  const topics: HotTopic[] = [];
  for (const { t } of seeds) {
    const members = docTerms.filter((d) => !taken.has(d.doc.id) && d.terms.has(t));
    if (members.length < minSize) continue;
    // the companion word: the one most of the members also carry
    const co = new Map<string, number>();
    for (const m of members) for (const w of m.terms) if (w !== t) co.set(w, (co.get(w) ?? 0) + 1);
    const companion = [...co].filter(([w, c]) => c >= members.length * 0.6 && seedScore(w) > 0 && !w.includes(t) && !t.includes(w)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    const terms = companion ? [t, companion] : [t];
    for (const m of members) taken.add(m.doc.id);
    const prev = prevTerms.filter((p) => terms.every((w) => p.has(w))).length;
    const attention = members.reduce((a, m) => a + m.doc.attention, 0);
    const growth = prev > 0 ? Math.round(((members.length - prev) / prev) * 100) / 100 : null;
    topics.push({
      label: terms.join('·'),
      terms,
      count: members.length,
      previous: prev,
      growth,
      attention,
      // volume first, helped by growth (new topics count as doubling) and by attention (log-scaled)
      score: Math.round(members.length * (1 + Math.max(0, Math.min(growth ?? 1, 3))) * (1 + Math.log10(1 + attention)) * 100) / 100,
      problemIds: members.sort((a, b) => b.doc.attention - a.doc.attention || b.doc.at.getTime() - a.doc.at.getTime()).map((m) => m.doc.id),
    });
    if (topics.length >= limit * 3) break;
  }
  return topics.sort((a, b) => b.score - a.score).slice(0, limit);
}
