import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, login, type TestApp } from './helpers.ts';
import { FACTORY_PASSWORD, makeCity, makeUser } from './factories.ts';
import { CITY_WIDE_PERMISSIONS, PERMISSIONS, type Permission } from '../src/modules/auth/access.ts';

let t: TestApp;
let city: Awaited<ReturnType<typeof makeCity>>;
before(async () => {
  t = await createTestApp();
  city = await makeCity(t.ctx);
});
after(() => t.close());

const ROLES = ['admin', 'supervisor', 'dispatcher', 'handler', 'leader', 'reviewer', 'officer'];

/** A request for the route with every :param filled, and a body that passes no validation on purpose. */
function sample(url: string, ids: { unit: number; user: number }) {
  return url
    .replace(':id', String(url.startsWith('/api/units') ? ids.unit : ids.user))
    .replace(':channel', 'hotline12345')
    .replace(':code', 'ZD0000000000')
    .replace(/:\w+/g, '999999');
}

test('every /api route declares its access, and an anonymous caller gets 401 on all but the public ones (and on unknown paths)', async () => {
  const routes = t.app.apiRoutes;
  assert.ok(routes.length >= 20, `only ${routes.length} routes`);
  for (const r of routes) {
    const res = await t.app.inject({ method: r.method as 'GET', url: sample(r.url, { unit: city.deptA.id, user: city.handlerA.id }), payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
    if (r.access === 'public') assert.notEqual(res.statusCode, 401, `${r.method} ${r.url}`);
    else assert.equal(res.statusCode, 401, `${r.method} ${r.url} answered ${res.statusCode}`);
  }
  for (const url of ['/api/no-such-thing', '/api/units/1/secret', '/api']) {
    assert.equal((await t.app.inject({ url })).statusCode, 401, url);
  }
});

test('an /api path spelt with percent-escapes is checked like any other: anonymous callers get 401, never the data', async () => {
  for (const url of ['/%61pi/settings', '/%2561pi/settings', '/%61%70%69/outbox', '/a%70i/triage/lexicon', '/%61pi/auth/me', '/%61pi/no-such-thing']) {
    const res = await t.app.inject({ url });
    assert.ok([401, 404].includes(res.statusCode), `${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    if (url !== '/%2561pi/settings') assert.equal(res.statusCode, 401, url);
  }
  const put = await t.app.inject({ method: 'PUT', url: '/%61pi/settings/workorder.remind_share', payload: { value: 0.5 } });
  assert.equal(put.statusCode, 401, put.body);
  const handler = await login(t.app, city.handlerA.username, FACTORY_PASSWORD);
  const asHandler = await t.app.inject({ url: '/%61pi/settings', headers: { cookie: handler } });
  assert.equal(asHandler.statusCode, 403, asHandler.body);
});

test('every role on every route: a route needing a permission the role lacks answers 403, never 500', async () => {
  const roles = await t.ctx.db.selectFrom('role').selectAll().execute();
  for (const role of ROLES) {
    const user = await makeUser(t.ctx, { unit: city.deptA, roles: [[role, city.deptA]] });
    const cookie = await login(t.app, user.username, FACTORY_PASSWORD);
    const perms = roles.find((r) => r.code === role)!.permissions;
    for (const r of t.app.apiRoutes) {
      if (r.url === '/api/auth/logout') continue;
      const res = await t.app.inject({
        method: r.method as 'GET',
        url: sample(r.url, { unit: city.deptA.id, user: city.handlerA.id }),
        payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
        headers: { cookie },
      });
      assert.ok(res.statusCode < 500, `${role} ${r.method} ${r.url}: ${res.statusCode} ${res.body}`);
      const needs = (r.access in PERMISSIONS ? r.access : null) as Permission | null;
      // the grant is on a department: city-wide permissions do not come with it
      const holds = !!needs && perms.includes(needs) && !CITY_WIDE_PERMISSIONS.has(needs);
      if (needs && !holds) assert.equal(res.statusCode, 403, `${role} ${r.method} ${r.url} should be 403, got ${res.statusCode}`);
      if (r.access === 'apiKey') assert.equal(res.statusCode, 403);
      if (holds && r.method === 'GET') assert.ok([200, 404].includes(res.statusCode), `${role} ${r.method} ${r.url}: ${res.body}`);
    }
  }
});

test("city-wide configuration and channel keys are for admins of the top unit; no admin grants itself a role", async () => {
  const adminA = await login(t.app, city.adminA.username, FACTORY_PASSWORD);
  const root = await login(t.app, city.admin.username, FACTORY_PASSWORD);
  const put = (cookie: string) => t.app.inject({ method: 'PUT', url: '/api/settings/workorder.remind_share', headers: { cookie }, payload: { value: 0.7 } });
  assert.equal((await put(adminA)).statusCode, 403);
  assert.equal((await t.app.inject({ url: '/api/api-keys', headers: { cookie: adminA } })).statusCode, 403);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: { cookie: adminA }, payload: { name: '区里的钥匙', channel: 'hotline12345' } })).statusCode, 403);
  const me = (await t.app.inject({ url: '/api/auth/me', headers: { cookie: adminA } })).json();
  assert.ok(!me.permissions.includes('reference.manage') && !me.permissions.includes('apikey.manage') && me.permissions.includes('org.manage'), me.permissions.join(','));
  assert.equal((await put(root)).statusCode, 200);
  assert.ok((await t.app.inject({ url: '/api/auth/me', headers: { cookie: root } })).json().permissions.includes('reference.manage'));

  const self = await t.app.inject({ method: 'POST', url: `/api/users/${city.adminA.id}/grants`, headers: { cookie: adminA }, payload: { role: 'supervisor', unitId: city.deptA.id } });
  assert.equal(self.statusCode, 403, self.body);
  assert.match(self.json().message, /不能给自己授权/);
  const other = await t.app.inject({ method: 'POST', url: `/api/users/${city.handlerA.id}/grants`, headers: { cookie: adminA }, payload: { role: 'supervisor', unitId: city.deptA.id } });
  assert.equal(other.statusCode, 200, other.body);
});

test("a unit's admin and handler can neither read nor change another unit's data", async () => {
  const adminA = await login(t.app, city.adminA.username, FACTORY_PASSWORD);
  const handlerA = await login(t.app, city.handlerA.username, FACTORY_PASSWORD);
  for (const cookie of [adminA, handlerA]) {
    const headers = { cookie };
    const units = (await t.app.inject({ url: '/api/units', headers })).json() as { id: number }[];
    assert.ok(units.some((u) => u.id === city.deptA.id));
    assert.ok(!units.some((u) => u.id === city.deptB.id || u.id === city.city.id));
    const users = (await t.app.inject({ url: '/api/users?limit=200', headers })).json().rows as { id: number }[];
    assert.ok(users.some((u) => u.id === city.handlerA.id));
    assert.ok(!users.some((u) => u.id === city.handlerB.id || u.id === city.admin.id));
    assert.equal((await t.app.inject({ url: `/api/users/${city.handlerB.id}`, headers })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/api/units/${city.deptB.id}`, headers })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/api/users?unitId=${city.deptB.id}`, headers })).json().total, 0);
  }
  const headers = { cookie: adminA };
  const before = await t.ctx.db.selectFrom('app_user').selectAll().where('id', '=', city.handlerB.id).executeTakeFirstOrThrow();
  const attempts = [
    t.app.inject({ method: 'PATCH', url: `/api/users/${city.handlerB.id}`, headers, payload: { displayName: '改名', active: false } }),
    t.app.inject({ method: 'POST', url: `/api/users/${city.handlerB.id}/password`, headers, payload: { password: 'Hijack-2026x' } }),
    t.app.inject({ method: 'POST', url: `/api/users/${city.handlerB.id}/grants`, headers, payload: { role: 'admin', unitId: city.deptA.id } }),
    t.app.inject({ method: 'PATCH', url: `/api/units/${city.deptB.id}`, headers, payload: { name: '改名' } }),
    t.app.inject({ method: 'POST', url: '/api/units', headers, payload: { name: '乙局下属', kind: 'team', parentId: city.deptB.id } }),
    t.app.inject({ method: 'POST', url: '/api/users', headers, payload: { username: 'intruder', displayName: '外人', unitId: city.deptB.id, password: 'Intrude-2026x' } }),
    // moving one's own unit under another unit, or granting oneself a wider scope
    t.app.inject({ method: 'PATCH', url: `/api/units/${city.deptA.id}`, headers, payload: { parentId: city.deptB.id } }),
    t.app.inject({ method: 'POST', url: `/api/users/${city.adminA.id}/grants`, headers, payload: { role: 'admin', unitId: city.city.id } }),
  ];
  for (const res of await Promise.all(attempts)) assert.ok([403, 404].includes(res.statusCode), `${res.statusCode} ${res.body}`);
  const afterRow = await t.ctx.db.selectFrom('app_user').selectAll().where('id', '=', city.handlerB.id).executeTakeFirstOrThrow();
  assert.deepEqual(afterRow, before);
  assert.equal((await t.ctx.db.selectFrom('unit').select('name').where('id', '=', city.deptB.id).executeTakeFirstOrThrow()).name, '测试市乙局');
  assert.equal(await t.ctx.db.selectFrom('app_user').select('id').where('username', '=', 'intruder').executeTakeFirst(), undefined);
  // ...while inside its own unit the same admin can act
  const own = await t.app.inject({ method: 'POST', url: '/api/units', headers, payload: { name: '甲局法制科', kind: 'office', parentId: city.deptA.id } });
  assert.equal(own.statusCode, 200);
  assert.ok(own.json().path.startsWith(city.deptA.path));
});
