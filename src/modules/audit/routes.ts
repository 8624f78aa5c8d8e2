import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { actorOf } from '../../http/actor.ts';
import { Paging } from '../../http/schemas.ts';
import { searchAudit, verifyAuditChain } from './service.ts';
import { forbidden } from '../../lib/errors.ts';
import { isTopUnit, scopePaths } from '../auth/access.ts';

const AuditRow = z.object({
  id: z.number(),
  at: z.date(),
  actor_label: z.string(),
  action: z.string(),
  target_type: z.string(),
  target_id: z.string().nullable(),
  unit_id: z.number().nullable(),
  unit_name: z.string().nullable(),
  ip: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()),
});

export const auditRoutes = (ctx: AppContext): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['审计'];

  app.get('/audit', {
    config: { access: 'audit.read' },
    schema: {
      tags, summary: '审计日志（按时间倒序，可筛选）',
      querystring: Paging.extend({
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        action: z.string().max(50).optional(),
        actor: z.string().max(50).optional(),
        targetType: z.string().max(50).optional(),
        targetId: z.string().max(50).optional(),
      }),
      response: { 200: z.object({ rows: z.array(AuditRow), total: z.number() }) },
    },
  }, async (req) => searchAudit(ctx.db, actorOf(req), req.query));

  app.post('/audit/verify', {
    config: { access: 'audit.read' },
    schema: {
      tags, summary: '校验审计日志哈希链（仅限全市范围的审计权限）',
      response: { 200: z.object({ ok: z.boolean(), rows: z.number(), brokenId: z.number().optional(), reason: z.string().optional() }) },
    },
  }, async (req) => {
    const rootScope = scopePaths(req.principal, 'audit.read').some(isTopUnit);
    if (!rootScope) throw forbidden('只有全市范围的审计权限可以校验整条哈希链');
    return verifyAuditChain(ctx.db);
  });
};
