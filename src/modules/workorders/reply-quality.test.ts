import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sharedDataDir } from '../../../test/shared-data.ts';
import { assessReply, containsOrNearly, DEFAULT_REPLY_QUALITY_LEXICON, type ReplyQualityInput, type ReplyQualityLexicon } from './reply-quality.ts';

// a made-up report and replies to it
const REPORT = {
  reportTitle: '弋江区澛港街道老王家常菜馆后厨卫生脏乱',
  reportBody:
    '弋江区澛港街道长江南路上的老王家常菜馆后厨卫生脏乱，苍蝇很多，餐具不消毒，服务员没有健康证。希望市场监管部门尽快查处，要求店家整改。',
};
const SPECIFIC_REPLY =
  '经查，区市场监管局执法人员于3月5日对长江南路老王家常菜馆进行现场检查，发现后厨卫生脏乱、餐具未消毒、2名服务员未取得健康证。' +
  '依据《中华人民共和国食品安全法》第三十四条，已责令该店立即整改，并处罚款2000元。3月10日复查，该店已整改到位，服务员已办理健康证。';
const BOILERPLATE_REPLY = '感谢您的来信，我们高度重视，将进一步加强监管。';

const assess = (reply: string, extra: Partial<ReplyQualityInput> = {}) => assessReply({ ...REPORT, reply, ...extra });

test('a specific reply that names the shop, orders rectification and cites the law scores high, with all three elements', () => {
  const q = assess(SPECIFIC_REPLY);
  assert.ok(q.score >= 70, `score ${q.score}: ${q.reasons.join(' / ')}`);
  assert.equal(q.level, 'good');
  assert.ok(q.elements.measures.some((m) => m.includes('责令')), q.elements.measures.join('、'));
  assert.ok(q.elements.basis.includes('《中华人民共和国食品安全法》'), q.elements.basis.join('、'));
  assert.ok(q.elements.basis.includes('第三十四条'), q.elements.basis.join('、'));
  assert.ok(q.elements.result.length > 0);
  assert.equal(q.boilerplate.isBoilerplate, false);
  assert.ok(q.coverage >= 0.6, JSON.stringify(q.keyPoints));
  assert.ok(Number.isInteger(q.score));
  assert.ok(q.reasons.some((r) => r.startsWith('说明了采取的措施')));
  assert.ok(!q.reasons.some((r) => r.includes('套话')));
});

test("the report's key points: distinctive words, places and demands; the reply's answers to them", () => {
  const q = assess(SPECIFIC_REPLY);
  const terms = (kind: string) => q.keyPoints.filter((k) => k.kind === kind).map((k) => k.term);
  assert.ok(terms('place').includes('澛港街道'), terms('place').join('、'));
  assert.ok(terms('place').includes('长江南路'), terms('place').join('、'));
  assert.ok(!terms('place').some((p) => p.includes('弋江区澛港')), 'district and street are separate places');
  assert.ok(terms('phrase').includes('健康证'), terms('phrase').join('、'));
  assert.ok(terms('demand').some((d) => d.startsWith('希望')), terms('demand').join('、'));
  const point = (term: string) => q.keyPoints.find((k) => k.term === term);
  assert.equal(point('长江南路')?.addressed, true);
  assert.equal(point('澛港街道')?.addressed, false, 'the reply does not name the street office');
  const missing = q.reasons.find((r) => r.startsWith('答复回应了反映的'));
  assert.match(missing ?? '', /未回应：.*澛港街道/);
  // who was complained to, and the word for a street office, are in nearly every report: not points to answer
  const fine = assessReply({ reportTitle: '城管乱罚款', reportBody: '湾里街道的城管执法人员乱罚款，态度恶劣，也没有亮证。', reply: '经核查，已退还罚款并对相关人员批评教育。' });
  const asked = fine.keyPoints.map((k) => k.term);
  assert.ok(!asked.includes('城管') && !asked.includes('街道') && !asked.includes('执法人员'), asked.join('、'));
  assert.ok(asked.includes('乱罚款') || asked.some((k) => k.includes('罚款')), asked.join('、'));
});

test('a reply of 套话 only scores low and says so', () => {
  const q = assess(BOILERPLATE_REPLY);
  assert.ok(q.score < 30, `score ${q.score}`);
  assert.equal(q.level, 'poor');
  assert.equal(q.boilerplate.isBoilerplate, true);
  assert.ok(q.boilerplate.ratio >= 0.5, String(q.boilerplate.ratio));
  assert.deepEqual(q.boilerplate.phrases, ['感谢您的来信', '高度重视', '进一步加强']);
  assert.ok(q.reasons.some((r) => r.includes('套话')), q.reasons.join(' / '));
  assert.ok(q.reasons.includes('未说明采取的措施'));
  assert.ok(q.reasons.includes('未说明处理依据'));
  assert.ok(q.reasons.includes('未说明处理结果'));
  assert.equal(q.coverage, 0);
  assert.ok(assess(SPECIFIC_REPLY).score - q.score >= 40);
});

test('repeating the report title, as written or quoted with small changes, does not count as answering it', () => {
  const echoes = [
    `针对您反映${REPORT.reportTitle}的问题，我们高度重视，将持续关注，感谢您的来信。`,
    `关于您反映的“澛港街道老王家常菜馆后厨脏乱”问题，我们高度重视，将持续关注，感谢您的来信。`,
  ];
  for (const echo of echoes) {
    const q = assess(echo);
    assert.ok(q.coverage < 0.2, JSON.stringify(q.keyPoints));
    assert.equal(q.boilerplate.isBoilerplate, true);
    assert.ok(q.score < 30, `score ${q.score}`);
  }
});

test('a reply without measures is told so; a filled-in measures field counts as evidence', () => {
  const explanation = '经核实，长江南路老王家常菜馆的健康证问题属于区市场监管局职责范围，已转交该局办理。';
  const without = assess(explanation);
  assert.deepEqual(without.elements.measures, []);
  assert.ok(without.reasons.includes('未说明采取的措施'), without.reasons.join(' / '));
  const withField = assess(explanation, { measures: '已责令店家停业整顿，没收过期食材' });
  assert.ok(withField.elements.measures.length > 0);
  assert.ok(!withField.reasons.includes('未说明采取的措施'));
  assert.ok(withField.score > without.score);
  // "调查处理" contains 查处 but states no measure
  assert.deepEqual(assess('现将调查处理情况答复如下：该店位于长江南路。').elements.measures, []);
});

test('timeliness: on time, late, unknown', () => {
  const onTime = assess(SPECIFIC_REPLY, { workingDaysTaken: 12, workingDaysAllowed: 15 });
  assert.equal(onTime.timeliness.onTime, true);
  assert.ok(onTime.reasons.includes('在规定的 15 个工作日内答复（用时 12 个工作日）'), onTime.reasons.join(' / '));
  const late = assess(SPECIFIC_REPLY, { workingDaysTaken: 20, workingDaysAllowed: 15 });
  assert.equal(late.timeliness.onTime, false);
  assert.ok(late.reasons.includes('答复超期：用时 20 个工作日，超过规定的 15 个工作日'), late.reasons.join(' / '));
  assert.ok(late.score < onTime.score);
  const unknown = assess(SPECIFIC_REPLY, { workingDaysTaken: 20 });
  assert.deepEqual(unknown.timeliness, { workingDaysTaken: 20, workingDaysAllowed: null, onTime: null });
  assert.ok(!unknown.reasons.some((r) => r.includes('工作日')));
  assert.equal(assess(SPECIFIC_REPLY, { workingDaysTaken: 15, workingDaysAllowed: 15 }).timeliness.onTime, true);
});

test('a typo in a name still matches (翠湖华苑 ~ 翠湖花苑); short words must match exactly', () => {
  assert.ok(containsOrNearly('经查，翠湖花苑小区物业已整改', '翠湖华苑'));
  assert.ok(!containsOrNearly('经查，翠湖花苑小区物业已整改', '华苑'));
  assert.ok(!containsOrNearly('经查，绿湖花园小区物业已整改', '翠湖华苑'));
  const q = assessReply({ reportTitle: '镜湖区翠湖华苑电梯经常故障', reportBody: '翠湖华苑3栋电梯经常故障，多次困人，物业不维修。', reply: '经查，翠湖花苑3栋电梯已由物业公司维修，现已恢复正常。' });
  assert.equal(q.keyPoints.find((k) => k.term === '翠湖华苑')?.addressed, true, JSON.stringify(q.keyPoints));
});

test('the lexicon is plain data: it survives JSON, and an edited lexicon changes the assessment', () => {
  const lexicon: ReplyQualityLexicon = JSON.parse(JSON.stringify(DEFAULT_REPLY_QUALITY_LEXICON));
  assert.deepEqual(lexicon, DEFAULT_REPLY_QUALITY_LEXICON);
  const reply = '执法队员对长江南路老王家常菜馆进行了劝导。';
  assert.deepEqual(assess(reply).elements.measures, []);
  lexicon.measures.push('劝导');
  assert.ok(assessReply({ ...REPORT, reply }, lexicon).elements.measures.includes('劝导'));
  const onlyTimeliness = { ...lexicon, weights: { coverage: 0, measures: 0, basis: 0, result: 0, specificity: 0, timeliness: 1 } };
  assert.equal(assessReply({ ...REPORT, reply, workingDaysTaken: 3, workingDaysAllowed: 5 }, onlyTimeliness).score, 100);
  assert.equal(assessReply({ ...REPORT, reply, workingDaysTaken: 9, workingDaysAllowed: 5 }, onlyTimeliness).score, 0);
});

test('an empty reply scores 0', () => {
  const q = assess('   ');
  assert.equal(q.score, 0);
  assert.equal(q.level, 'poor');
  assert.deepEqual(q.reasons, ['答复内容为空']);
});

type RealPair = { title: string; body: string; reply: string };

test('on real replies (shared data), a reply fits its own report far better than another report', (t) => {
  const file = path.join(sharedDataDir(), 'teddy2020/replies.jsonl');
  if (!fs.existsSync(file)) {
    t.skip(`共享数据 ${file} 不存在（设置 ZHD_SHARED_DATA 指向 shared/data）：跳过`);
    return;
  }
  const pairs = fs.readFileSync(file, 'utf8').trim().split('\n').slice(0, 600).map((line) => JSON.parse(line) as RealPair);
  const n = pairs.length;
  const rate = (report: RealPair, reply: string) => assessReply({ reportTitle: report.title, reportBody: report.body, reply });
  const own = pairs.map((p) => rate(p, p.reply));
  const shifted = pairs.map((p, i) => rate(pairs[(i + Math.floor(n / 2)) % n]!, p.reply)); // the reply to another report
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const figures = {
    score: [mean(own.map((q) => q.score)), mean(shifted.map((q) => q.score))],
    coverage: [mean(own.map((q) => q.coverage)), mean(shifted.map((q) => q.coverage))],
    ownWins: mean(own.map((q, i) => (q.score > shifted[i]!.score ? 1 : q.score === shifted[i]!.score ? 0.5 : 0))),
  };
  t.diagnostic(`${n} pairs: mean score own ${figures.score[0]!.toFixed(1)} vs shifted ${figures.score[1]!.toFixed(1)}`);
  t.diagnostic(`mean coverage own ${figures.coverage[0]!.toFixed(3)} vs shifted ${figures.coverage[1]!.toFixed(3)}; own reply scores higher in ${(figures.ownWins * 100).toFixed(1)}%`);
  // measured on the first 600: score 40.5 vs 27.6, coverage 0.378 vs 0.028, own higher in 93.9%
  assert.ok(figures.score[0]! > figures.score[1]! + 8, JSON.stringify(figures));
  assert.ok(figures.coverage[0]! > figures.coverage[1]! + 0.25, JSON.stringify(figures));
  assert.ok(figures.ownWins > 0.85, JSON.stringify(figures));
});
