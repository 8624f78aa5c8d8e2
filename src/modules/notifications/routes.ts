import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { Ok, Paging } from '../../http/schemas.ts';
import { userPrincipal } from '../auth/access.ts';
import { actorOf } from '../../http/actor.ts';

export const notificationsRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { notifications } = services;
  const tags = ['通知'];

  app.get('/notifications', {
    config: { access: 'user', allowPendingPasswordChange: true },
    schema: {
      tags, summary: '我的站内通知（最新在前）与未读数',
      querystring: Paging.extend({ unreadOnly: z.coerce.boolean().optional() }),
      response: { 200: z.object({ rows: z.array(z.object({ id: z.number(), kind: z.string(), title: z.string(), body: z.string(), work_order_id: z.number().nullable(), created_at: z.date(), read_at: z.date().nullable() })), unread: z.number() }) },
    },
  }, async (req) => notifications.inbox(userPrincipal(actorOf(req)).userId, req.query.limit, req.query.offset, req.query.unreadOnly ?? false));

  app.post('/notifications/read', {
    config: { access: 'user' },
    schema: { tags, summary: '标为已读（给出 ids，或 all: true 全部已读）', body: z.object({ ids: z.array(z.number().int().positive()).max(200).optional(), all: z.boolean().optional() }), response: { 200: Ok } },
  }, async (req) => {
    await notifications.markRead(userPrincipal(actorOf(req)).userId, req.body.all ? 'all' : (req.body.ids ?? []));
    return { ok: true as const };
  });

  app.get('/outbox', {
    config: { access: 'reference.manage' },
    schema: {
      tags, summary: '待发消息（短信 / 微信 / 邮件）的发送状态',
      querystring: z.object({ state: z.enum(['pending', 'sent', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: z.object({ rows: z.array(z.object({ id: z.number(), channel: z.string(), user_id: z.number().nullable(), subject: z.string(), state: z.string(), attempts: z.number(), next_attempt_at: z.date(), last_error: z.string().nullable(), sent_at: z.date().nullable(), created_at: z.date() })) }) },
    },
  }, async (req) => ({ rows: await notifications.outbox(req.query.state, req.query.limit) }));
};
