import type { AppContext } from '../../context.ts';
import { addDays } from '../risk/evaluate.ts';
import { cityDay } from '../../lib/calendar.ts';
import { createCasesService } from '../cases/service.ts';
import { jsonArray } from '../intake/files.ts';
import { demoActor } from './workorders.ts';

/**
 * The demo city's 复议诉讼结果 over the past year, written by the project: mostly upheld or dismissed, a few lost, and
 * one district bureau losing three in the last two months (so the lost-cases rule and score have something to show).
 * Entered as the demo supervisor would import them.
 */
export async function seedDemoCases(ctx: AppContext, now = new Date()): Promise<number> {
  const today = cityDay(now);
  const day = (n: number) => addDays(today, -n);
  const rows = [
    ['芜复〔2025〕41号', '行政复议', '芜湖市市场监督管理局', '食品药品', day(340), '维持', '对无证经营食品处罚决定不服'],
    ['芜复〔2026〕3号', '行政复议', '镜湖区城市管理局', '城市管理', day(300), '驳回复议申请', '对拆除违章搭建决定不服'],
    ['（2026）皖0202行初12号', '行政诉讼', '弋江区市场监督管理局', '食品药品', day(260), '驳回诉讼请求', '对食品经营许可注销不服'],
    ['芜复〔2026〕19号', '行政复议', '弋江区市场监督管理局', '食品药品', day(210), '撤销', '处罚前未告知陈述申辩权利'],
    ['芜复〔2026〕27号', '行政复议', '芜湖市市场监督管理局', '食品药品', day(170), '维持', '对广告违法处罚决定不服'],
    ['（2026）皖0207行初5号', '行政诉讼', '鸠江区城市管理局', '城市管理', day(120), '原告撤诉', '对强制拆除广告牌不服'],
    ['芜复〔2026〕52号', '行政复议', '鸠江区城市管理局', '城市管理', day(55), '确认违法', '强制拆除前未依法催告'],
    ['芜复〔2026〕58号', '行政复议', '鸠江区城市管理局', '城市管理', day(38), '撤销', '处罚事实不清、证据不足'],
    ['（2026）皖0207行初21号', '行政诉讼', '鸠江区城市管理局', '城市管理', day(16), '撤销被诉行政处罚决定', '超越法定职权实施扣押'],
    ['芜复〔2026〕66号', '行政复议', '镜湖区城市管理局', '城市管理', day(9), '维持', '对渣土运输处罚决定不服'],
  ].map(([案号, 类型, 单位, 领域, 结案日期, 结果, 摘要]) => ({ 案号, 类型, '被申请人/被告单位': 单位, 领域, 结案日期, 结果, 摘要 }));
  const r = await createCasesService(ctx).import(await demoActor(ctx, 'supervisor'), jsonArray(rows), 'demo');
  if (r.errors.length) throw new Error(`演示复议诉讼数据有误：${r.errors.map((e) => e.message).join('；')}`);
  return r.inserted + r.updated;
}
