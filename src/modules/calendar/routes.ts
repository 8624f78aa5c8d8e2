import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { formatCityTime } from '../../lib/calendar.ts';
import { AppError } from '../../lib/errors.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const Policy = z.object({ id: z.number(), purpose: z.enum(['handle', 'sign']), kind_code: z.string().nullable(), urgency: z.enum(['normal', 'urgent']), amount: z.number(), amount_unit: z.enum(['working_days', 'hours']), note: z.string() });

export const calendarRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { calendar } = services;
  const tags = ['工作日历与时限'];

  app.get('/calendar/years', {
    config: { access: 'user' },
    schema: {
      tags, summary: '已录入的年份（节假日与调休上班日数），以及缺少下一年时的提醒',
      response: { 200: z.object({ years: z.array(z.object({ year: z.number(), source: z.string(), published_at: z.string().nullable(), holidays: z.number(), workdays: z.number() })), warning: z.string().nullable() }) },
    },
  }, async () => ({ years: await calendar.years(), warning: await calendar.nextYearWarning() }));

  app.get('/calendar/days', {
    config: { access: 'user' },
    schema: { tags, summary: '某年的假期与调休上班日', querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100) }), response: { 200: z.object({ days: z.array(z.object({ day: z.string(), is_workday: z.boolean(), note: z.string() })) }) } },
  }, async (req) => ({ days: (await calendar.overrides()).filter((d) => d.day.startsWith(`${req.query.year}-`)) }));

  app.put('/calendar/years/:year', {
    config: { access: 'reference.manage' },
    schema: {
      tags, summary: '添加或替换一年的节假日安排（国务院办公厅公布后），暂定的期限随即重算',
      params: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
      body: z.object({
        year: z.number().int(),
        source: z.string().trim().min(2, '请写明依据（通知名称与文号）').max(200),
        publishedAt: Day.nullable().optional(),
        holidays: z.array(z.object({ from: Day, to: Day, note: z.string().trim().min(1, '请写明节日名称').max(30) })).max(30),
        workdays: z.array(z.object({ day: Day, note: z.string().trim().max(30).default('调休上班') })).max(30),
      }),
      response: { 200: z.object({ year: z.number(), days: z.number(), recomputed: z.number() }) },
    },
  }, async (req) => {
    if (req.body.year !== req.params.year) throw new AppError(400, 'VALIDATION', `请求体中的年份 ${req.body.year} 与地址中的 ${req.params.year} 不一致`, [{ field: 'year', message: '年份不一致' }]);
    return calendar.saveYear(actorOf(req), req.body);
  });

  app.get('/calendar/deadline', {
    config: { access: 'user' },
    schema: {
      tags, summary: '计算期限：起算时刻后第 N 个工作日结束时，或 N 小时后',
      querystring: z.object({ from: z.coerce.date(), workingDays: z.coerce.number().int().min(1).max(365).optional(), hours: z.coerce.number().int().min(1).max(8760).optional() })
        .refine((q) => (q.workingDays == null) !== (q.hours == null), { message: '请给出 workingDays 或 hours 之一', path: ['workingDays'] }),
      response: { 200: z.object({ deadline: z.string(), provisional: z.boolean() }) },
    },
  }, async (req) => {
    const cal = await calendar.calendar();
    const d = req.query.hours ? cal.deadline(req.query.from, { amount: req.query.hours, unit: 'hours' }) : cal.deadline(req.query.from, { amount: req.query.workingDays!, unit: 'working_days' });
    return { deadline: formatCityTime(d.at), provisional: d.provisional };
  });

  app.get('/calendar/policies', {
    config: { access: 'user' },
    schema: { tags, summary: '办理与签收时限规则', response: { 200: z.object({ policies: z.array(Policy) }) } },
  }, async () => ({ policies: await calendar.policies() }));

  app.put('/calendar/policies/:id', {
    config: { access: 'reference.manage' },
    schema: {
      tags, summary: '修改一条时限规则（只影响此后派发的工单）',
      params: z.object({ id: z.coerce.number().int().positive() }),
      body: z.object({ amount: z.number().int().min(1, '时限至少为 1').max(365), amount_unit: z.enum(['working_days', 'hours']) }),
      response: { 200: Policy },
    },
  }, async (req) => calendar.updatePolicy(actorOf(req), req.params.id, req.body.amount, req.body.amount_unit));
};
