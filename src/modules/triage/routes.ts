import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { actorOf } from '../../http/actor.ts';
import { triageConfigRoutes } from './config-routes.ts';
import { triageRepo } from './repo.ts';
import { createTriageService } from './service.ts';

export const triageRoutes = (ctx: AppContext): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['分拣'];
  await root.register(triageConfigRoutes(ctx));

  app.get('/triage/models', {
    config: { access: 'problem.triage' },
    schema: {
      tags, summary: '分类模型的各个版本及其交叉验证结果',
      response: { 200: z.array(z.object({ id: z.number(), target: z.string(), version: z.number(), labels: z.array(z.string()), active: z.boolean(), created_at: z.date(), macro_f1: z.number().nullable(), accuracy: z.number().nullable(), n: z.number().nullable() })) },
    },
  }, async () => {
    const { rows } = await triageRepo.listModels(ctx.db);
    return rows.map(({ metrics, ...r }) => ({ ...r, macro_f1: (metrics.macro_f1 as number) ?? null, accuracy: (metrics.accuracy as number) ?? null, n: (metrics.n as number) ?? null }));
  });

  app.post('/triage/retrain', {
    config: { access: 'problem.triage' },
    schema: {
      tags, summary: '用已导入的训练样本加上队列中的确认与纠正重新训练（后台任务）',
      body: z.object({ target: z.enum(['domain', 'kind']).default('domain') }),
      response: { 202: z.object({ jobId: z.number() }) },
    },
  }, async (req, reply) => reply.status(202).send(await createTriageService(ctx).requestRetrain(actorOf(req), req.body.target)));
};
