import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Ok } from '../../http/schemas.ts';
import { SESSION_COOKIE } from '../../http/types.ts';
import { hasPermission, isTopUnit, PERMISSIONS, scopePaths, type Permission, type Principal } from './access.ts';

const LoginBody = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(128),
});

const Me = z.object({
  kind: z.enum(['user', 'apiKey']),
  userId: z.number().optional(),
  username: z.string().optional(),
  displayName: z.string(),
  unitId: z.number().optional(),
  mustChangePassword: z.boolean(),
  channel: z.string().optional(),
  permissions: z.array(z.string()),
  /** The permissions held for the whole city (at the top unit), not only for a district or a unit. */
  cityWidePermissions: z.array(z.string()),
  grants: z.array(z.object({ role: z.string(), unitId: z.number(), unitName: z.string() })),
});

function describe(p: Principal): z.infer<typeof Me> {
  if (p.kind === 'apiKey') return { kind: 'apiKey', displayName: p.name, channel: p.channel, mustChangePassword: false, permissions: [], cityWidePermissions: [], grants: [] };
  const permissions = (Object.keys(PERMISSIONS) as Permission[]).filter((x) => hasPermission(p, x)).sort();
  return {
    kind: 'user',
    userId: p.userId,
    username: p.username,
    displayName: p.displayName,
    unitId: p.unitId,
    mustChangePassword: p.mustChangePassword,
    permissions,
    cityWidePermissions: permissions.filter((x) => scopePaths(p, x).some(isTopUnit)),
    grants: p.grants.map((g) => ({ role: g.role, unitId: g.unitId, unitName: g.unitName })),
  };
}

export const authRoutes = (services: Services, cookieSecure: 'auto' | 'true' | 'false'): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { auth } = services;
  const tags = ['认证'];

  app.post('/auth/login', {
    config: { access: 'public', rateLimit: { max: 20, timeWindow: 60_000 } },
    schema: { tags, summary: '登录', body: LoginBody, response: { 200: Me } },
  }, async (req, reply) => {
    const { token, principal } = await auth.login(req.body.username, req.body.password, req.ip, req.headers['user-agent'] ?? null);
    const secure = cookieSecure === 'true' || (cookieSecure === 'auto' && req.protocol === 'https');
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure });
    return describe(principal);
  });

  app.post('/auth/logout', {
    config: { access: 'user', allowPendingPasswordChange: true },
    schema: { tags, summary: '退出登录', response: { 200: Ok } },
  }, async (req, reply) => {
    await auth.logout(actorOf(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  app.get('/auth/me', {
    config: { access: 'user', allowPendingPasswordChange: true },
    schema: { tags, summary: '当前登录身份与权限', response: { 200: Me } },
  }, async (req) => describe(req.principal!));

  app.post('/auth/password', {
    config: { access: 'user', allowPendingPasswordChange: true },
    schema: { tags, summary: '修改自己的密码', body: z.object({ oldPassword: z.string().min(1).max(128), newPassword: z.string().min(1).max(128) }), response: { 200: Ok } },
  }, async (req) => {
    await auth.changeOwnPassword(actorOf(req), req.body.oldPassword, req.body.newPassword);
    return { ok: true as const };
  });

  const ApiKeyRow = z.object({
    id: z.number(),
    name: z.string(),
    channel_code: z.string(),
    channel_name: z.string(),
    prefix: z.string(),
    created_at: z.date(),
    last_used_at: z.date().nullable(),
    revoked_at: z.date().nullable(),
  });

  app.get('/api-keys', {
    config: { access: 'apikey.manage' },
    schema: { tags: ['接入密钥'], summary: '接入密钥列表', response: { 200: z.array(ApiKeyRow) } },
  }, async (req) => auth.listApiKeys(actorOf(req)));

  app.post('/api-keys', {
    config: { access: 'apikey.manage' },
    schema: {
      tags: ['接入密钥'],
      summary: '新建接入密钥（明文只返回这一次）',
      body: z.object({ name: z.string().trim().min(1, '请填写名称').max(100), channel: z.string().min(1, '请选择渠道') }),
      response: { 200: z.object({ id: z.number(), name: z.string(), channel_code: z.string(), prefix: z.string(), key: z.string() }) },
    },
  }, async (req) => auth.createApiKey(actorOf(req), req.body.name, req.body.channel));

  app.post('/api-keys/:id/revoke', {
    config: { access: 'apikey.manage' },
    schema: { tags: ['接入密钥'], summary: '吊销接入密钥', params: IdParam, response: { 200: Ok } },
  }, async (req) => {
    await auth.revokeApiKey(actorOf(req), req.params.id);
    return { ok: true as const };
  });
};
