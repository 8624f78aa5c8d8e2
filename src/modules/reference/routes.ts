import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { referenceRepo } from './repo.ts';

const Coded = z.object({ code: z.string(), name: z.string() });

export const referenceRoutes = (ctx: AppContext): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/reference', {
    config: { access: 'user' },
    schema: {
      tags: ['参考数据'], summary: '执法领域、诉求类型、渠道',
      response: {
        200: z.object({
          domains: z.array(Coded.extend({ sort: z.number(), builtin: z.boolean(), active: z.boolean() })),
          kinds: z.array(Coded),
          channels: z.array(Coded.extend({ adapter: z.string(), active: z.boolean() })),
        }),
      },
    },
  }, async () => {
    const [domains, kinds, channels] = await Promise.all([referenceRepo.domains(ctx.db), referenceRepo.kinds(ctx.db), referenceRepo.channels(ctx.db)]);
    return { domains, kinds, channels };
  });
};
