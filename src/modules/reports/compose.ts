import { maskedTrackingCode, textMasker } from '../problems/masking.ts';
import { headOutsideNumbers } from '../../lib/crypto.ts';
import type { Period } from '../../lib/period.ts';
import type { AnalyticsService } from '../analytics/service.ts';
import { barChart, lineChart, pieChart, renderChartPng } from './charts.ts';
import type { ReportBlock, ReportDocument } from './document.ts';
import type { XlsxSheet } from './xlsx.ts';

export type Dashboard = Awaited<ReturnType<AnalyticsService['dashboard']>>;
export type HotTopic = { label: string; terms: string[]; count: number; previous: number; growth: number | null };
export type MisconductExample = { tracking_code: string; title: string; body: string; misconduct: string[]; confidential: boolean };

export type ReportInput = {
  period: Period;
  cityName: string;
  issuer: string;
  generatedOn: string;
  dashboard: Dashboard;
  hotTopics: HotTopic[];
  examples: MisconductExample[];
};

const pct = (r: number | null) => (r == null ? '—' : `${(r * 100).toFixed(1)}%`);

/** 上升 12.5% / 下降 3.0% / 持平 / 无可比数据 (a period with none to compare with) */
function change(now: number, before: number): string {
  if (!before) return now ? '无可比数据' : '持平';
  const d = (now - before) / before;
  if (Math.abs(d) < 0.0005) return '持平';
  return `${d > 0 ? '上升' : '下降'} ${(Math.abs(d) * 100).toFixed(1)}%`;
}

/** A problem quoted as one who may not see contacts reads it: numbers masked, left out of a 保密 report, never cut short. */
function quote(e: MisconductExample, n = 60): string {
  const mask = textMasker(e.confidential, false);
  return `${mask(e.title)}：${mask(e.body.length > n ? `${headOutsideNumbers(e.body, n)}…` : e.body)}`;
}

/** The figures a report states, kept with it: the test compares them with the dashboard's. */
export function reportSummary(d: Dashboard) {
  return {
    range: d.range,
    problems: d.totals.problems,
    previous: d.totals.previous,
    lastYear: d.totals.lastYear,
    dispatched: d.totals.dispatched,
    closed: d.totals.closed,
    close_on_time_rate: d.totals.close_on_time_rate,
    satisfaction_rate: d.totals.satisfaction_rate,
    misconduct: d.totals.misconduct,
    byChannel: d.byChannel.map((x) => ({ name: x.name, n: x.n })),
    byDomain: d.byDomain.map((x) => ({ name: x.name, n: x.n })),
    byRegion: d.byRegion.map((x) => ({ name: x.name, n: x.n })),
  };
}

function chart(caption: string, option: Parameters<typeof renderChartPng>[0], height = 420): ReportBlock {
  const width = 800;
  return { type: 'chart', caption, png: renderChartPng(option, { width, height }), width, height };
}

/** The analysis report of a period: a government-style document and its tables. */
export function composeReport(input: ReportInput): { doc: ReportDocument; sheets: XlsxSheet[] } {
  const { period, dashboard: d } = input;
  const t = d.totals;
  const blocks: ReportBlock[] = [];
  const h = (level: 1 | 2 | 3, text: string) => blocks.push({ type: 'heading', level, text });
  const p = (text: string) => blocks.push({ type: 'paragraph', text });
  const prevLabel = period.kind === 'month' ? '上月' : period.kind === 'quarter' ? '上季度' : '上年';

  h(1, '总体情况');
  // a period with nothing to compare with is said so, not compared with zero
  const against = (label: string, before: number) => (before ? `较${label}（${before} 件）${change(t.problems, before)}` : `${label}无可比数据`);
  p(`${period.label}，${input.cityName}行政执法监督平台共汇集各渠道反映问题 ${t.problems} 件，${against(prevLabel, t.previous)}，` +
    `${against('上年同期', t.lastYear)}。其中涉及执法作风问题 ${t.misconduct} 件，依规引导至其他途径办理 ${t.redirected} 件。`);
  p(`期内派发工单 ${t.dispatched} 件，办结 ${t.closed} 件，按时办结率 ${pct(t.close_on_time_rate)}，按时签收率 ${pct(t.sign_on_time_rate)}；` +
    `回访已评价 ${t.rated} 件，满意率 ${pct(t.satisfaction_rate)}，不满意 ${t.unsatisfied} 件；发回重办 ${t.redone} 次，发生逾期 ${t.overdue} 次。` +
    `截至报告生成时，仍在办理中的逾期工单 ${t.open.overdue} 件、挂牌督办 ${t.open.listed} 件、提级督办 ${t.open.escalated} 件。`);
  if (d.trend.points.length > 1) {
    blocks.push(chart(`图1 ${period.label}反映问题数量走势（${d.trend.unit === 'day' ? '按日' : '按月'}）`,
      lineChart({ categories: d.trend.points.map((x) => (d.trend.unit === 'day' ? x.bucket.slice(5) : x.bucket)), series: [{ name: '反映问题（件）', data: d.trend.points.map((x) => x.n) }] }), 360));
  }

  h(1, '分布情况');
  h(2, '渠道分布');
  const top = d.byChannel[0];
  p(top ? `从来源渠道看，${d.byChannel.slice(0, 3).map((x) => `${x.name} ${x.n} 件`).join('、')}位居前列，${top.name}占全部问题的 ${pct(t.problems ? top.n / t.problems : null)}。` : '本期无反映问题。');
  if (d.byChannel.length) blocks.push(chart('图2 反映问题渠道分布', pieChart({ data: d.byChannel.map((x) => ({ name: x.name, value: x.n })) })));
  h(2, '领域分布');
  const prevDomain = new Map(d.previousByDomain.map((x) => [x.code, x.n]));
  const domainRows = d.byDomain.map((x) => [x.name, x.n, prevDomain.get(x.code) ?? 0, change(x.n, prevDomain.get(x.code) ?? 0)]);
  const rising = d.byDomain.filter((x) => (prevDomain.get(x.code) ?? 0) > 0 && x.n > (prevDomain.get(x.code) ?? 0) * 1.2 && x.n >= 5);
  p(d.byDomain.length ? `按执法领域分，${d.byDomain.slice(0, 3).map((x) => `${x.name} ${x.n} 件`).join('、')}数量居前。` +
    (rising.length ? `${rising.map((x) => x.name).join('、')}较${prevLabel}增长明显，需加强关注。` : `各领域较${prevLabel}无明显异常增长。`) : '本期无反映问题。');
  blocks.push({ type: 'table', caption: '表1 各执法领域反映问题数量', columns: ['执法领域', '本期（件）', `${prevLabel}（件）`, '环比'], rows: domainRows });
  if (d.byDomain.length) blocks.push(chart('图3 各执法领域反映问题数量', barChart({ categories: d.byDomain.map((x) => x.name), series: [{ name: '本期', data: d.byDomain.map((x) => x.n) }, { name: prevLabel, data: d.byDomain.map((x) => prevDomain.get(x.code) ?? 0) }], horizontal: true }), 480));
  h(2, '区域分布');
  p(d.byRegion.length ? `按区域分，${d.byRegion.slice(0, 3).map((x) => `${x.name} ${x.n} 件`).join('、')}数量较多。` : '本期无反映问题。');
  blocks.push({ type: 'table', caption: '表2 各区域反映问题数量', columns: ['区域', '数量（件）', '占比'], rows: d.byRegion.map((x) => [x.name, x.n, pct(t.problems ? x.n / t.problems : null)]) });
  h(2, '类型分布');
  p(d.byKind.length ? `按诉求类型分，${d.byKind.map((x) => `${x.name} ${x.n} 件`).join('、')}。` : '本期无反映问题。');

  h(1, '承办单位办理情况');
  h(2, '考核评议排名');
  const units = d.units.slice(0, 15);
  p(units.length ? `期内共有 ${d.units.length} 个单位承办工单。按综合得分排名，${units.length >= 3 ? '前三名为' : units.length === 2 ? '依次为' : '为'}${units.slice(0, 3).map((u) => `${u.unit_name}（${u.score} 分）`).join('、')}。` : '本期无派发工单。');
  blocks.push({ type: 'table', caption: '表3 承办单位考核评议排名（前 15 名）', columns: ['名次', '单位', '派发', '办结', '按时办结率', '满意率', '重办率', '超期数', '综合得分'],
    rows: units.map((u) => [u.rank, u.unit_name, u.dispatched, u.closed, pct(u.close_on_time_rate), pct(u.satisfaction_rate), pct(u.redo_rate), u.overdue, u.score]) });
  h(2, '逾期与不满意较多的单位');
  const byOverdue = [...d.units].filter((u) => u.overdue > 0).sort((a, b) => b.overdue - a.overdue).slice(0, 5);
  const byUnsatisfied = [...d.units].filter((u) => u.unsatisfied > 0).sort((a, b) => b.unsatisfied - a.unsatisfied).slice(0, 5);
  p(byOverdue.length ? `逾期次数较多的单位：${byOverdue.map((u) => `${u.unit_name} ${u.overdue} 次`).join('、')}。` : '期内未发生逾期。');
  p(byUnsatisfied.length ? `回访不满意较多的单位：${byUnsatisfied.map((u) => `${u.unit_name} ${u.unsatisfied} 件`).join('、')}。建议对上述单位开展约谈提醒或案卷抽查。` : '期内回访无不满意评价。');

  h(1, '热点问题与执法作风问题');
  h(2, '热点问题');
  if (input.hotTopics.length) {
    p(`期内群众反映较集中的问题有 ${input.hotTopics.length} 类：`);
    input.hotTopics.forEach((x, i) => p(`${i + 1}. ${x.label}：${x.count} 件${x.growth == null ? '（新出现）' : `，较${prevLabel}${change(x.count, x.previous)}`}，关键词：${x.terms.slice(0, 5).join('、')}。`));
  } else p('期内未形成明显的热点问题。');
  h(2, '执法作风问题');
  if (d.misconduct.length) {
    p(`期内涉及执法作风的反映 ${t.misconduct} 件，其中${d.misconduct.slice(0, 5).map((x) => `${x.category} ${x.n} 件`).join('、')}。典型问题如下（个人信息已隐去）：`);
    input.examples.forEach((e, i) => p(`${i + 1}. 【${e.misconduct.join('、')}】${quote(e)}（查询码 ${maskedTrackingCode(e.tracking_code)}）`));
  } else p('期内未发现涉及执法作风的反映。');

  h(1, '指标说明');
  for (const def of Object.values(d.definitions)) p(`${def.name}：${def.formula}。`);
  p(`统计口径：反映问题按反映时间计入期间（北京时间），已合并的重复件不重复计数；工单各项按事件发生时间计入期间。统计期间 ${d.range.from} 至 ${d.range.to}。`);

  const doc: ReportDocument = { title: `${input.cityName}行政执法监督${period.label}分析报告`, subtitle: `（${d.range.from} 至 ${d.range.to}）`, issuer: input.issuer, date: input.generatedOn, blocks };
  const sheets: XlsxSheet[] = [
    { name: '总体', columns: ['指标', '本期', prevLabel, '上年同期'], rows: [['反映问题（件）', t.problems, t.previous, t.lastYear], ['派发工单（件）', t.dispatched, null, null], ['办结工单（件）', t.closed, null, null], ['按时办结率', pct(t.close_on_time_rate), null, null], ['满意率', pct(t.satisfaction_rate), null, null], ['执法作风问题（件）', t.misconduct, null, null]] },
    { name: '渠道', columns: ['渠道', '数量'], rows: d.byChannel.map((x) => [x.name, x.n]) },
    { name: '领域', columns: ['执法领域', '本期', prevLabel, '环比'], rows: domainRows },
    { name: '区域', columns: ['区域', '数量'], rows: d.byRegion.map((x) => [x.name, x.n]) },
    { name: '类型', columns: ['类型', '数量'], rows: d.byKind.map((x) => [x.name, x.n]) },
    { name: '单位排名', columns: ['名次', '单位', '派发', '按时签收率', '办结', '按时办结率', '已评价', '满意率', '不满意', '重办率', '超期数', '综合得分'],
      rows: d.units.map((u) => [u.rank, u.unit_name, u.dispatched, pct(u.sign_on_time_rate), u.closed, pct(u.close_on_time_rate), u.rated, pct(u.satisfaction_rate), u.unsatisfied, pct(u.redo_rate), u.overdue, u.score]) },
    { name: '执法作风', columns: ['问题类别', '数量'], rows: d.misconduct.map((x) => [x.category, x.n]) },
  ];
  return { doc, sheets };
}
