import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { COUNT_REACH, RANK_WINDOW } from './repo.ts';
import { EXPORT_MAX } from './service.ts';
import { cityDay } from '../../lib/calendar.ts';

const Hits = z.array(z.tuple([z.number(), z.number()]));

/** The filters of the search page; the dashboard links here with the same names. Sent in a body: no words in URLs or logs. */
export const SearchFilters = z.object({
  q: z.string().trim().max(100, '查询词不超过 100 字').optional(),
  channel: z.string().max(30).optional(),
  /** with channel: only problems first reported through it (the dashboard's 渠道分布 counts each problem once, by it) */
  firstChannel: z.boolean().optional(),
  kind: z.string().max(30).optional(),
  domain: z.string().max(30).optional(),
  region: z.string().regex(/^\d{2,12}$/, '区域代码应为数字').optional(),
  unitId: z.number().int().positive().optional(),
  status: z.enum(['new', 'triaged', 'dispatched', 'replied', 'closed', 'redirected', 'merged']).optional(),
  misconduct: z.string().max(30).optional(),
  overdue: z.boolean().optional(),
  listed: z.boolean().optional(),
  escalated: z.boolean().optional(),
  openOnly: z.boolean().optional(),
  satisfaction: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied', 'unrated']).optional(),
  dispatchedFrom: z.coerce.date({ message: '派发时间格式不正确' }).optional(),
  dispatchedTo: z.coerce.date({ message: '派发时间格式不正确' }).optional(),
  ratedFrom: z.coerce.date({ message: '回访时间格式不正确' }).optional(),
  ratedTo: z.coerce.date({ message: '回访时间格式不正确' }).optional(),
  closedFrom: z.coerce.date({ message: '办结时间格式不正确' }).optional(),
  closedTo: z.coerce.date({ message: '办结时间格式不正确' }).optional(),
  from: z.coerce.date({ message: '开始时间格式不正确' }).optional(),
  to: z.coerce.date({ message: '结束时间格式不正确' }).optional(),
}).refine((f) => !f.from || !f.to || f.to > f.from, { message: '结束时间必须晚于开始时间', path: ['to'] });

const SearchRow = z.object({
  id: z.number(), tracking_code: z.string(), channel: z.string(), channel_name: z.string(), title: z.string(),
  kind_code: z.string().nullable(), kind_name: z.string().nullable(), domain_code: z.string().nullable(), domain_name: z.string().nullable(),
  reported_at: z.date(), region_code: z.string().nullable(), region_name: z.string().nullable(), address: z.string().nullable(), target_text: z.string().nullable(),
  status: z.string(), misconduct: z.array(z.string()), source_count: z.number(), confidential: z.boolean(),
  lead_order: z.object({ unit: z.string(), state: z.string(), deadline: z.string(), overdue: z.boolean(), listed: z.boolean() }).nullable(),
  satisfaction: z.string().nullable(),
  reporter: z.object({ name: z.string().nullable(), phone: z.string().nullable() }),
  titleHits: Hits,
  snippet: z.object({ text: z.string(), hits: Hits }),
  snippetFrom: z.enum(['body', 'reply']),
});

export const searchRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { search } = services;
  const tags = ['查询'];

  app.post('/search', {
    config: { access: 'problem.read' },
    schema: {
      tags,
      summary: `问题检索：中文分词全文（空格分隔的词须同时出现，引号内为短语，-词 为排除）与筛选；计数超过 ${COUNT_REACH} 时为估计值（capped），按相关度排序时在最新 ${RANK_WINDOW} 条匹配中排序`,
      body: z.object({
        filters: SearchFilters,
        sort: z.enum(['time', 'relevance']).default('time'),
        limit: z.number().int().min(1).max(100).default(20),
        offset: z.number().int().min(0).max(10_000, '最多翻到第 10000 条').default(0),
      }),
      response: { 200: z.object({ total: z.number(), capped: z.boolean(), words: z.array(z.string()),
        phone: z.object({ masked: z.string(), permitted: z.boolean() }).nullable().describe('检索词是一个电话号码时：有查看联系方式权限者同时按反映人电话查找（记入审计）'), rows: z.array(SearchRow) }) },
    },
  }, async (req) => search.search(actorOf(req), req.body.filters, req.body));

  app.post('/search/export', {
    config: { access: 'problem.read' },
    schema: { tags, summary: `导出检索结果为 Excel（最新的至多 ${EXPORT_MAX} 条；联系方式打码，保密件不显示反映人；导出记入审计）`, body: z.object({ filters: SearchFilters }) },
  }, async (req, reply) => {
    const stream = await search.exportXlsx(actorOf(req), req.body.filters);
    const name = `问题检索-${cityDay(new Date())}.xlsx`; // the day as the city's clocks read it
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(stream);
  });
};
