import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Ok } from '../../http/schemas.ts';
import { createRoutingService } from './service.ts';

export const routingRoutes = (ctx: AppContext): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const routing = createRoutingService(ctx);
  const tags = ['路由规则'];

  app.get('/routing-rules', {
    // read by dispatchers (the queue's proposals) and by admins who maintain the rules: any signed-in person
    config: { access: 'user' },
    schema: {
      tags, summary: '路由规则（含已停用的历史）',
      response: {
        200: z.array(z.object({
          id: z.number(), domain_code: z.string(), domain_name: z.string().nullable(), region_code: z.string().nullable(), region_name: z.string().nullable(),
          kind_code: z.string().nullable(), kind_name: z.string().nullable(), unit_id: z.number(), unit_name: z.string(), unit_active: z.boolean(), note: z.string(),
          created_at: z.date(), created_by_name: z.string().nullable(), retired_at: z.date().nullable(), retired_by_name: z.string().nullable(),
        })),
      },
    },
  }, async () => routing.history());

  app.post('/routing-rules', {
    config: { access: 'reference.manage' },
    schema: {
      tags, summary: '新增路由规则：领域 ×（区域）×（类型）→ 承办单位',
      body: z.object({
        domain: z.string().min(1, '请选择领域'),
        region: z.string().nullable().default(null),
        kind: z.string().nullable().default(null),
        unitId: z.number({ error: '请选择承办单位' }).int().positive('请选择承办单位'),
        note: z.string().trim().max(200, '说明不超过 200 字').default(''),
      }),
      response: { 200: z.object({ id: z.number() }) },
    },
  }, async (req) => routing.create(actorOf(req), req.body));

  app.post('/routing-rules/:id/retire', {
    config: { access: 'reference.manage' },
    schema: { tags, summary: '停用路由规则（保留历史）', params: IdParam, response: { 200: Ok } },
  }, async (req) => {
    await routing.retire(actorOf(req), req.params.id);
    return { ok: true as const };
  });
};
