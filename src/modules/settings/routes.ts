import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';

export const settingsRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['系统设置'];

  app.get('/settings', {
    config: { access: 'reference.manage' },
    schema: { tags, summary: '可调整的运行设置（督办阈值、自动派发等）及当前值', response: { 200: z.object({ settings: z.array(z.object({ key: z.string(), name: z.string(), description: z.string(), value: z.unknown(), updated_at: z.date().nullable() })) }) } },
  }, async () => ({ settings: await services.settings.list() }));

  app.put('/settings/:key', {
    config: { access: 'reference.manage' },
    schema: { tags, summary: '修改一项设置（按该项的规则校验，写审计；各实例一分钟内生效）', params: z.object({ key: z.string().max(60) }), body: z.object({ value: z.unknown() }), response: { 200: z.object({ key: z.string(), value: z.unknown() }) } },
  }, async (req) => services.settings.put(actorOf(req), req.params.key, req.body.value));
};
