import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { FACTORY_PASSWORD, makeCity } from '../../../test/factories.ts';

let t: TestApp;
let city: Awaited<ReturnType<typeof makeCity>>;
let admin: string;
before(async () => {
  t = await createTestApp();
  city = await makeCity(t.ctx);
  admin = await login(t.app, city.admin.username, FACTORY_PASSWORD);
});
after(() => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, cookie = admin) => t.app.inject({ method, url, payload, headers: { cookie } });

test('moving a unit moves its whole subtree, and a unit cannot move under itself', async () => {
  const r = await call('PATCH', `/api/units/${city.deptA.id}`, { parentId: city.deptB.id });
  assert.equal(r.statusCode, 200);
  const team = await t.ctx.db.selectFrom('unit').select('path').where('id', '=', city.teamA.id).executeTakeFirstOrThrow();
  assert.equal(team.path, `${city.deptB.path}${city.deptA.id}/${city.teamA.id}/`);
  const loop = await call('PATCH', `/api/units/${city.deptB.id}`, { parentId: city.teamA.id });
  assert.equal(loop.statusCode, 400);
  assert.equal(loop.json().details[0].field, 'parentId');
  // move back for the other tests
  assert.equal((await call('PATCH', `/api/units/${city.deptA.id}`, { parentId: city.city.id })).statusCode, 200);
});

test('a unit with active people cannot be deactivated; names are unique among siblings', async () => {
  const r = await call('PATCH', `/api/units/${city.deptB.id}`, { active: false });
  assert.equal(r.statusCode, 409);
  assert.match(r.json().message, /在用人员/);
  const dup = await call('POST', '/api/units', { name: '测试市甲局', kind: 'department', parentId: city.city.id });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().details[0].field, 'name');
});

test('a new user must change the temporary password; grants widen and narrow what they see', async () => {
  const created = await call('POST', '/api/users', { username: 'newbie', displayName: '新人', unitId: city.deptB.id, password: 'Temp-Pass-2026', phone: '13611112222' });
  assert.equal(created.statusCode, 200);
  const id = created.json().id;
  const detail = (await call('GET', `/api/users/${id}`)).json();
  assert.equal(detail.must_change_password, true);
  assert.equal(detail.phone_mask, '136****2222');
  assert.ok(!('phone_enc' in detail));
  const dupName = await call('POST', '/api/users', { username: 'newbie', displayName: '重名', unitId: city.deptB.id, password: 'Temp-Pass-2026' });
  assert.equal(dupName.statusCode, 409);

  // after changing the password, with no grants, the user sees no units
  const cookie = await login(t.app, 'newbie', 'Temp-Pass-2026');
  await t.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { oldPassword: 'Temp-Pass-2026', newPassword: 'Mine-Pass-2026' } });
  assert.equal((await call('GET', '/api/units', undefined, cookie)).statusCode, 403);
  const grant = await call('POST', `/api/users/${id}/grants`, { role: 'dispatcher', unitId: city.deptB.id });
  assert.equal(grant.statusCode, 200);
  const units = (await call('GET', '/api/units', undefined, cookie)).json();
  assert.deepEqual(units.map((u: { id: number }) => u.id), [city.deptB.id]);
  assert.equal((await call('DELETE', `/api/users/${id}/grants/${grant.json().id}`)).statusCode, 200);
  assert.equal((await call('GET', '/api/units', undefined, cookie)).statusCode, 403);

  // deactivating a user ends what they can do at once
  assert.equal((await call('PATCH', `/api/users/${id}`, { active: false })).statusCode, 200);
  assert.equal((await call('GET', '/api/auth/me', undefined, cookie)).statusCode, 401);
});

test('an admin resets a password; the old sessions end and the user must change it', async () => {
  const cookie = await login(t.app, city.handlerB.username, FACTORY_PASSWORD);
  const weak = await call('POST', `/api/users/${city.handlerB.id}/password`, { password: 'short' });
  assert.equal(weak.statusCode, 400);
  assert.equal((await call('POST', `/api/users/${city.handlerB.id}/password`, { password: 'Reset-Pass-2026' })).statusCode, 200);
  assert.equal((await call('GET', '/api/auth/me', undefined, cookie)).statusCode, 401);
  const fresh = await login(t.app, city.handlerB.username, 'Reset-Pass-2026');
  assert.equal((await call('GET', '/api/auth/me', undefined, fresh)).json().mustChangePassword, true);
});

test('an admin cannot lock themself out by revoking their own admin grant or deactivating themself', async () => {
  const me = (await call('GET', `/api/users/${city.admin.id}`)).json();
  const own = me.grants.find((g: { role: string }) => g.role === 'admin');
  assert.equal((await call('DELETE', `/api/users/${city.admin.id}/grants/${own.id}`)).statusCode, 400);
  assert.equal((await call('PATCH', `/api/users/${city.admin.id}`, { active: false })).statusCode, 400);
});

test("a staff member's phone is taken however it is written and kept in one form (the address notifications are sent to)", async () => {
  const phoneOf = async (id: number) => {
    const u = await t.ctx.db.selectFrom('app_user').select(['phone_enc', 'phone_mask']).where('id', '=', id).executeTakeFirstOrThrow();
    return [u.phone_enc && t.ctx.cipher.decrypt(u.phone_enc), u.phone_mask];
  };
  const created = await call('POST', '/api/users', { username: 'phoned', displayName: '电话', unitId: city.deptB.id, password: 'Temp-Pass-2026', phone: '+86 136-1111-3333' });
  assert.equal(created.statusCode, 200, created.body);
  const id = created.json().id;
  assert.deepEqual(await phoneOf(id), ['13611113333', '136****3333']);
  for (const [written, stored, mask] of [['１３６１１１１４４４４', '13611114444', '136****4444'], ['(0553)3845566', '0553-3845566', '055*****5566'], ['05533845566', '0553-3845566', '055*****5566']]) {
    assert.equal((await call('PATCH', `/api/users/${id}`, { phone: written })).statusCode, 200, written);
    assert.deepEqual(await phoneOf(id), [stored, mask], written);
    const audit = await t.ctx.db.selectFrom('audit_log').select('summary').where('action', '=', 'user.update').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal((audit.summary as { changes: { phone: string } }).changes.phone, mask, written);
  }
  const bad = await call('PATCH', `/api/users/${id}`, { phone: '12345' });
  assert.deepEqual([bad.statusCode, bad.json().details[0].field], [400, 'phone']);
});
