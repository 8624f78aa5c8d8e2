import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Ok, Paging } from '../../http/schemas.ts';

const UnitKind = z.enum(['government', 'department', 'office', 'team', 'township', 'other']);

const UnitRow = z.object({
  id: z.number(),
  name: z.string(),
  kind: UnitKind,
  parent_id: z.number().nullable(),
  path: z.string(),
  region_code: z.string().nullable(),
  region_name: z.string().nullable().optional(),
  domains: z.array(z.string()),
  sort: z.number(),
  active: z.boolean(),
});

const UnitBody = z.object({
  name: z.string().trim().min(1, '请填写单位名称').max(100),
  kind: UnitKind,
  parentId: z.number().int().positive().nullable(),
  regionCode: z.string().max(12).nullable().optional(),
  domains: z.array(z.string()).max(20).optional(),
  sort: z.number().int().optional(),
});

const UserRow = z.object({
  id: z.number(),
  username: z.string(),
  display_name: z.string(),
  unit_id: z.number(),
  unit_name: z.string(),
  phone_mask: z.string().nullable(),
  active: z.boolean(),
  locked_until: z.date().nullable(),
  last_login_at: z.date().nullable(),
  created_at: z.date(),
});

const UserDetail = UserRow.extend({
  must_change_password: z.boolean(),
  grants: z.array(z.object({ id: z.number(), role: z.string(), role_name: z.string(), unit_id: z.number(), unit_name: z.string(), created_at: z.date() })),
});

const Username = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_.-]{2,31}$/, '用户名须以字母开头，3–32 位字母、数字或 _ . -');
const Phone = z.string().trim().max(20).nullable().optional();

export const orgsRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { orgs } = services;

  app.get('/regions', {
    config: { access: 'org.read' },
    schema: {
      tags: ['组织'], summary: '行政区划',
      response: { 200: z.array(z.object({ code: z.string(), name: z.string(), level: z.string(), parent_code: z.string().nullable(), sort: z.number(), former_names: z.array(z.string()) })) },
    },
  }, async () => orgs.listRegions());

  app.put('/regions/:code/former-names', {
    config: { access: 'reference.manage' },
    schema: {
      tags: ['组织'], summary: '设置区划的旧名（撤并、更名前的名称；导入时与现名一样用于匹配区县和地址，下一次导入起生效）',
      params: z.object({ code: z.string().regex(/^\d{6,12}$/, '区划代码为 6–12 位数字') }),
      body: z.object({ formerNames: z.array(z.string().trim().min(1, '旧名不能为空').max(30, '旧名不超过 30 字'), { message: '请给出旧名列表' }).max(20, '旧名最多 20 个') }),
      response: { 200: z.object({ code: z.string(), name: z.string(), former_names: z.array(z.string()) }) },
    },
  }, async (req) => orgs.setRegionFormerNames(actorOf(req), req.params.code, req.body.formerNames));

  app.get('/roles', {
    config: { access: 'user' },
    schema: {
      tags: ['组织'], summary: '角色及其权限',
      response: { 200: z.array(z.object({ code: z.string(), name: z.string(), description: z.string(), permissions: z.array(z.string()), sort: z.number() })) },
    },
  }, async () => orgs.listRoles());

  app.get('/units', {
    config: { access: 'org.read' },
    schema: { tags: ['组织'], summary: '可见范围内的单位（按树路径排序）', response: { 200: z.array(UnitRow) } },
  }, async (req) => orgs.listUnits(actorOf(req)));

  app.get('/units/:id', {
    config: { access: 'org.read' },
    schema: { tags: ['组织'], summary: '单位详情', params: IdParam, response: { 200: UnitRow } },
  }, async (req) => orgs.getUnit(actorOf(req), req.params.id));

  app.post('/units', {
    config: { access: 'org.manage' },
    schema: { tags: ['组织'], summary: '新建单位', body: UnitBody, response: { 200: z.object({ id: z.number(), path: z.string() }) } },
  }, async (req) => orgs.createUnit(actorOf(req), req.body));

  app.patch('/units/:id', {
    config: { access: 'org.manage' },
    schema: {
      tags: ['组织'], summary: '修改单位（含调整上级、停用）', params: IdParam,
      body: UnitBody.omit({ parentId: true }).partial().extend({ parentId: z.number().int().positive().optional(), active: z.boolean().optional() }),
      response: { 200: UnitRow },
    },
  }, async (req) => (await orgs.updateUnit(actorOf(req), req.params.id, req.body))!);

  app.get('/users', {
    config: { access: 'org.read' },
    schema: {
      tags: ['组织'], summary: '可见范围内的人员',
      querystring: Paging.extend({ unitId: z.coerce.number().int().positive().optional(), q: z.string().trim().max(50).optional() }),
      response: { 200: z.object({ rows: z.array(UserRow), total: z.number() }) },
    },
  }, async (req) => orgs.listUsers(actorOf(req), req.query));

  app.get('/users/:id', {
    config: { access: 'org.read' },
    schema: { tags: ['组织'], summary: '人员详情与授权', params: IdParam, response: { 200: UserDetail } },
  }, async (req) => orgs.getUser(actorOf(req), req.params.id));

  app.post('/users', {
    config: { access: 'org.manage' },
    schema: {
      tags: ['组织'], summary: '新建人员（首次登录须修改密码）',
      body: z.object({ username: Username, displayName: z.string().trim().min(1, '请填写姓名').max(50), unitId: z.number().int().positive(), phone: Phone, password: z.string().min(1, '请设置初始密码').max(128) }),
      response: { 200: z.object({ id: z.number() }) },
    },
  }, async (req) => orgs.createUser(actorOf(req), req.body));

  app.patch('/users/:id', {
    config: { access: 'org.manage' },
    schema: {
      tags: ['组织'], summary: '修改人员（调动、停用、解锁）', params: IdParam,
      body: z.object({ displayName: z.string().trim().min(1).max(50).optional(), unitId: z.number().int().positive().optional(), phone: Phone, active: z.boolean().optional(), unlock: z.boolean().optional() }),
      response: { 200: UserDetail },
    },
  }, async (req) => orgs.updateUser(actorOf(req), req.params.id, req.body));

  app.post('/users/:id/password', {
    config: { access: 'org.manage' },
    schema: { tags: ['组织'], summary: '重置密码（临时密码，下次登录须修改）', params: IdParam, body: z.object({ password: z.string().min(1).max(128) }), response: { 200: Ok } },
  }, async (req) => {
    await orgs.resetPassword(actorOf(req), req.params.id, req.body.password);
    return { ok: true as const };
  });

  app.post('/users/:id/grants', {
    config: { access: 'org.manage' },
    schema: {
      tags: ['组织'], summary: '授予角色（范围为该单位及其下级）', params: IdParam,
      body: z.object({ role: z.string().min(1, '请选择角色'), unitId: z.number().int().positive() }),
      response: { 200: z.object({ id: z.number() }) },
    },
  }, async (req) => orgs.addGrant(actorOf(req), req.params.id, req.body.role, req.body.unitId));

  app.delete('/users/:id/grants/:grantId', {
    config: { access: 'org.manage' },
    schema: { tags: ['组织'], summary: '撤销授权', params: IdParam.extend({ grantId: z.coerce.number().int().positive() }), response: { 200: Ok } },
  }, async (req) => {
    await orgs.removeGrant(actorOf(req), req.params.id, req.params.grantId);
    return { ok: true as const };
  });
};
