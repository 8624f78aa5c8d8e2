import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { fieldError } from '../../lib/errors.ts';
import { parsePeriod, PERIOD_PATTERN } from '../../lib/period.ts';
import type { DayRange } from './repo.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式：2026-10-01');
const MAX_DAYS = 3 * 366;

/** A range of city days from ?from&to, or from ?period (2026-10, 2026-Q3, 2026); this month to today by default. */
export const RangeQuery = z.object({ from: Day.optional(), to: Day.optional(), period: z.string().regex(PERIOD_PATTERN, '期间格式：2026-10、2026-Q3 或 2026').optional() });

function rangeOf(q: z.infer<typeof RangeQuery>, fallback: DayRange): DayRange {
  if (q.period) {
    const p = parsePeriod(q.period)!;
    return { from: p.firstDay, to: p.lastDay };
  }
  const range = { from: q.from ?? fallback.from, to: q.to ?? fallback.to };
  if (Number.isNaN(Date.parse(range.from))) throw fieldError('from', '开始日期不存在');
  if (Number.isNaN(Date.parse(range.to))) throw fieldError('to', '结束日期不存在');
  if (range.to < range.from) throw fieldError('to', '结束日期不能早于开始日期');
  if ((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 > MAX_DAYS) throw fieldError('from', '统计期间不超过三年');
  return range;
}

export const analyticsRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { analytics } = services;
  const tags = ['分析'];

  app.get('/analytics/dashboard', {
    config: { access: 'report.read' },
    schema: { tags, summary: '全市态势：总量与趋势、渠道/领域/类型/区域/单位分布、按时办结率与满意率、逾期与挂牌督办、执法作风问题（同比、环比）', querystring: RangeQuery },
  }, async (req) => analytics.dashboard(actorOf(req), rangeOf(req.query, analytics.defaultRange())));

  app.get('/analytics/units', {
    config: { access: 'report.read' },
    schema: { tags, summary: '单位考核评议排名：各单位期内指标与综合得分，附计算公式', querystring: RangeQuery },
  }, async (req) => analytics.unitRanking(actorOf(req), rangeOf(req.query, analytics.defaultRange())));
};
