import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { parsePeriod, PERIOD_PATTERN } from '../../lib/period.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Paging } from '../../http/schemas.ts';
import { KPI_DEFINITIONS } from './kpi.ts';

const Version = z.object({ version: z.number().int().positive('缺少版本号') });
const Reason = (what: string, min = 2) => z.string().trim().min(min, `请写明${what}`).max(1000, `${what}不超过 1000 字`);
const Future = z.coerce.date({ error: '请填写有效的日期时间' });
const Tab = z.enum(['pending_sign', 'handling', 'due_soon', 'overdue', 'replied', 'follow_up', 'listed', 'escalated', 'extension', 'returned', 'closed', 'all']);

/** Periods as people write them: 2026-10, 2026-Q3, 2026. */
export const workOrdersRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { workOrders } = services;
  const tags = ['督办·反馈'];

  app.get('/work-orders', {
    config: { access: 'user' },
    schema: {
      tags, summary: '工单列表（本单位收件箱 / 督办看板），各分类计数',
      querystring: Paging.extend({ tab: Tab.default('all'), unitId: z.coerce.number().int().positive().optional(), problemId: z.coerce.number().int().positive().optional() }),
    },
  }, async (req) => workOrders.list(actorOf(req), req.query));

  app.get('/work-orders/:id', {
    config: { access: 'user' },
    schema: { tags, summary: '工单详情：问题、时间线、答复与质量检查、回访、可执行的操作', params: IdParam },
  }, async (req) => workOrders.get(actorOf(req), req.params.id));

  app.post('/problems/:id/dispatch', {
    config: { access: 'problem.triage' },
    schema: {
      tags, summary: '派发工单（主办单位，可加协办单位），按时限规则与工作日历计算期限', params: IdParam,
      body: z.object({ unitId: z.number().int().positive('请选择主办单位'), assistUnitIds: z.array(z.number().int().positive()).max(10).optional(), urgency: z.enum(['normal', 'urgent']).optional(), instructions: z.string().trim().max(1000).optional() }),
    },
  }, async (req) => workOrders.dispatch(actorOf(req), req.params.id, req.body));

  const post = <S extends z.ZodObject>(path: string, summary: string, body: S, handler: (req: { params: { id: number }; body: z.infer<S> & { version: number }; actor: ReturnType<typeof actorOf> }) => Promise<unknown>) =>
    app.post(path, { config: { access: 'user' }, schema: { tags, summary, params: IdParam, body: body.extend(Version.shape) } }, async (req) =>
      handler({ params: req.params, body: req.body as z.infer<S> & { version: number }, actor: actorOf(req) }));

  post('/work-orders/:id/sign', '签收', z.object({}), (r) => workOrders.sign(r.actor, r.params.id, r.body.version));
  post('/work-orders/:id/return', '退回（非本单位职责），须写明理由', z.object({ reason: Reason('退回理由', 4) }), (r) => workOrders.return(r.actor, r.params.id, r.body.version, r.body.reason));
  post('/work-orders/:id/reply', '答复（写明措施、依据、结果）',
    z.object({ content: z.string().trim().min(10, '答复内容不能为空（至少 10 个字）').max(5000, '答复内容不超过 5000 字'), measures: z.string().trim().max(2000).optional(), basis: z.string().trim().max(2000).optional(), result: z.string().trim().max(2000).optional() }),
    (r) => workOrders.reply(r.actor, r.params.id, r.body.version, r.body));
  post('/work-orders/:id/extension', '申请延期', z.object({ deadline: Future, reason: Reason('延期理由', 4) }), (r) => workOrders.requestExtension(r.actor, r.params.id, r.body.version, r.body.deadline, r.body.reason));
  post('/work-orders/:id/extension/approve', '批准延期（可改批期限）', z.object({ deadline: Future.optional(), note: z.string().trim().max(500).default('') }), (r) => workOrders.approveExtension(r.actor, r.params.id, r.body.version, r.body.deadline, r.body.note));
  post('/work-orders/:id/extension/refuse', '不予延期', z.object({ reason: Reason('不予延期的理由') }), (r) => workOrders.refuseExtension(r.actor, r.params.id, r.body.version, r.body.reason));
  post('/work-orders/:id/review', '审核答复：通过转入回访，不通过退回重办', z.object({ accepted: z.boolean(), reason: z.string().trim().max(1000).default('') }).refine((b) => b.accepted || b.reason.length >= 4, { message: '退回重办须写明理由（至少 4 个字）', path: ['reason'] }),
    (r) => workOrders.review(r.actor, r.params.id, r.body.version, r.body.accepted, r.body.reason));
  post('/work-orders/:id/follow-up', '回访：满意 / 基本满意 / 不满意（重办）/ 未评价',
    z.object({ satisfaction: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied', 'unrated']), comment: z.string().trim().max(1000).default(''), method: z.enum(['phone', 'sms', 'visit']).default('phone') }),
    (r) => workOrders.followUp(r.actor, r.params.id, r.body.version, r.body));
  post('/work-orders/:id/transfer', '转办给另一单位', z.object({ unitId: z.number().int().positive('请选择转办单位'), reason: Reason('转办理由', 4) }), (r) => workOrders.transfer(r.actor, r.params.id, r.body.version, r.body.unitId, r.body.reason));
  post('/work-orders/:id/list', '挂牌督办', z.object({ deadline: Future, reason: Reason('挂牌督办事由', 4) }), (r) => workOrders.setListed(r.actor, r.params.id, r.body.version, r.body.deadline, r.body.reason));
  post('/work-orders/:id/remind', '催办', z.object({ note: z.string().trim().max(500).default('请抓紧办理') }), (r) => workOrders.remind(r.actor, r.params.id, r.body.version, r.body.note));

  app.get('/kpi/units', {
    config: { access: 'user' },
    schema: {
      tags, summary: '单位考核指标（按时签收率、按时办结率、满意率、重办率、超期数），附计算公式',
      querystring: z.object({ period: z.string().regex(PERIOD_PATTERN, '期间格式：2026-10、2026-Q3 或 2026') }),
    },
  }, async (req) => {
    const { start: from, end: to } = parsePeriod(req.query.period)!;
    return { period: req.query.period, from, to, definitions: KPI_DEFINITIONS, units: await workOrders.kpis(actorOf(req), from, to) };
  });
};
