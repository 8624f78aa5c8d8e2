import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { FACTORY_PASSWORD, makeCity, makeUser } from '../../../test/factories.ts';

let t: TestApp;
let city: Awaited<ReturnType<typeof makeCity>>;
before(async () => {
  t = await createTestApp();
  city = await makeCity(t.ctx);
});
after(() => t.close());

const post = (url: string, payload: unknown, cookie?: string) => t.app.inject({ method: 'POST', url, payload: payload as object, headers: cookie ? { cookie } : {} });

test('login sets an httpOnly SameSite=Strict cookie and /me reports the permissions', async () => {
  const res = await post('/api/auth/login', { username: city.admin.username, password: FACTORY_PASSWORD });
  assert.equal(res.statusCode, 200);
  const setCookie = String(res.headers['set-cookie']);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = `zhd_session=${res.cookies[0]!.value}`;
  const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie } });
  assert.equal(me.statusCode, 200);
  assert.ok(me.json().permissions.includes('org.manage'));
  // the session row stores a hash, never the token
  const token = res.cookies[0]!.value;
  const rows = await t.ctx.db.selectFrom('user_session').select('id').execute();
  assert.ok(rows.every((r) => r.id !== token));
});

test('wrong passwords lock the account after 5 failures; even the right password is refused while locked', async () => {
  const u = await makeUser(t.ctx, { unit: city.deptA, roles: [['handler', city.deptA]] });
  for (let i = 1; i <= 4; i++) {
    const r = await post('/api/auth/login', { username: u.username, password: 'wrong-Pass1' });
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().message, '用户名或密码错误（连续输错 5 次将锁定 15 分钟）');
  }
  const fifth = await post('/api/auth/login', { username: u.username, password: 'wrong-Pass1' });
  assert.equal(fifth.statusCode, 423);
  const right = await post('/api/auth/login', { username: u.username, password: FACTORY_PASSWORD });
  assert.equal(right.statusCode, 423);
  assert.match(right.json().message, /已锁定/);
  // after the lock time has passed the right password works again
  await t.ctx.db.updateTable('app_user').set({ locked_until: new Date(Date.now() - 1000) }).where('id', '=', u.id).execute();
  assert.equal((await post('/api/auth/login', { username: u.username, password: FACTORY_PASSWORD })).statusCode, 200);
  const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_user_id', 'actor_label']).where('target_id', '=', String(u.id)).orderBy('id').execute();
  assert.deepEqual(audit.map((a) => a.action), ['auth.login_failed', 'auth.login_failed', 'auth.login_failed', 'auth.login_failed', 'auth.lockout', 'auth.login']);
  // a login is recorded as done by the person who logged in
  assert.equal(audit.at(-1)!.actor_user_id, u.id);
  assert.match(audit.at(-1)!.actor_label, new RegExp(u.username));
});

test('an unknown user gets the same answer as a wrong password', async () => {
  const r = await post('/api/auth/login', { username: 'nobody', password: 'whatever' });
  assert.equal(r.statusCode, 401);
  assert.equal(r.json().message, '用户名或密码错误（连续输错 5 次将锁定 15 分钟）');
});

test('an idle session expires, and logout ends the session', async () => {
  const cookie = await login(t.app, city.handlerA.username, FACTORY_PASSWORD);
  assert.equal((await t.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode, 200);
  await t.ctx.db.updateTable('user_session').set({ last_seen_at: new Date(Date.now() - (t.ctx.config.session.idleMinutes + 1) * 60_000) }).execute();
  await new Promise((r) => setTimeout(r, t.ctx.config.session.cacheMs + 50)); // what was checked a moment ago is trusted that long
  const idle = await t.app.inject({ url: '/api/auth/me', headers: { cookie } });
  assert.equal(idle.statusCode, 401);
  assert.match(idle.json().message, /过期/);

  const c2 = await login(t.app, city.handlerA.username, FACTORY_PASSWORD);
  assert.equal((await post('/api/auth/logout', {}, c2)).statusCode, 200);
  assert.equal((await t.app.inject({ url: '/api/auth/me', headers: { cookie: c2 } })).statusCode, 401);
});

test('password rules: length and three of four character classes, named by field', async () => {
  const u = await makeUser(t.ctx, { unit: city.deptB, mustChange: true, roles: [['handler', city.deptB]] });
  const cookie = await login(t.app, u.username, FACTORY_PASSWORD);
  // a user with a temporary password can do nothing else first
  const blocked = await t.app.inject({ url: '/api/units', headers: { cookie } });
  assert.equal(blocked.statusCode, 403);
  assert.equal(blocked.json().code, 'PASSWORD_CHANGE_REQUIRED');
  const weak = await post('/api/auth/password', { oldPassword: FACTORY_PASSWORD, newPassword: 'abcdefgh' }, cookie);
  assert.equal(weak.statusCode, 400);
  assert.equal(weak.json().details[0].field, 'newPassword');
  assert.match(weak.json().message, /至少 3 类/);
  const short = await post('/api/auth/password', { oldPassword: FACTORY_PASSWORD, newPassword: 'Ab1!' }, cookie);
  assert.match(short.json().message, /至少 8 位/);
  const ok = await post('/api/auth/password', { oldPassword: FACTORY_PASSWORD, newPassword: 'Xin-Mima2026' }, cookie);
  assert.equal(ok.statusCode, 200);
  assert.equal((await t.app.inject({ url: '/api/units', headers: { cookie } })).statusCode, 200);
});

test('API keys: shown once, stored hashed, scoped to a channel, revocable', async () => {
  const cookie = await login(t.app, city.admin.username, FACTORY_PASSWORD);
  const bad = await post('/api/api-keys', { name: '测试', channel: 'no_such' }, cookie);
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].field, 'channel');
  const created = await post('/api/api-keys', { name: '12345热线推送', channel: 'hotline12345' }, cookie);
  assert.equal(created.statusCode, 200);
  const { key, id } = created.json();
  const stored = await t.ctx.db.selectFrom('api_key').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.notEqual(stored.key_hash, key);
  assert.ok(!JSON.stringify((await t.app.inject({ url: '/api/api-keys', headers: { cookie } })).json()).includes(key));
  // a key is not a person: it cannot call people's routes
  const asKey = await t.app.inject({ url: '/api/units', headers: { 'x-api-key': key } });
  assert.equal(asKey.statusCode, 403);
  assert.equal((await post(`/api/api-keys/${id}/revoke`, {}, cookie)).statusCode, 200);
  assert.equal((await t.app.inject({ url: '/api/units', headers: { 'x-api-key': key } })).statusCode, 401);
});

test('the login route is rate limited per client', async () => {
  let last = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress: '10.9.9.9' });
  for (let i = 0; i < 25; i++) {
    last = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress: '10.9.9.9' });
  }
  assert.equal(last.statusCode, 429);
  assert.equal(last.json().code, 'RATE_LIMITED');
  assert.match(last.json().message, /^请求过于频繁，请 \d+ 秒后再试$/);
  assert.ok(Number(last.headers['retry-after']) > 0);
  const other = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress: '10.9.9.8' });
  assert.equal(other.statusCode, 401);
});

test('a session checked a moment ago is trusted for ZHD_SESSION_CACHE_MS at most; changes made through this instance count at once', async () => {
  const me = (cookie: string) => t.app.inject({ url: '/api/auth/me', headers: { cookie } }).then((r) => r.statusCode);
  const admin = await login(t.app, city.admin.username, FACTORY_PASSWORD);
  const user = await makeUser(t.ctx, { unit: city.deptB, roles: [['handler', city.deptB]] });
  const cookie = await login(t.app, user.username, FACTORY_PASSWORD);
  assert.equal(await me(cookie), 200);
  // deactivated by an admin on this instance: refused on the next request
  const off = await t.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: { cookie: admin }, payload: { active: false } });
  assert.equal(off.statusCode, 200, off.body);
  assert.equal(await me(cookie), 401);
  await t.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: { cookie: admin }, payload: { active: true } });

  // a grant taken away on this instance: the permission is gone on the next request
  const again = await login(t.app, user.username, FACTORY_PASSWORD);
  const perms = async () => (await t.app.inject({ url: '/api/auth/me', headers: { cookie: again } })).json().permissions as string[];
  assert.ok((await perms()).includes('workorder.handle'));
  const grants = (await t.app.inject({ url: `/api/users/${user.id}`, headers: { cookie: admin } })).json().grants as { id: number }[];
  const removed = await t.app.inject({ method: 'DELETE', url: `/api/users/${user.id}/grants/${grants[0]!.id}`, headers: { cookie: admin } });
  assert.equal(removed.statusCode, 200, removed.body);
  assert.ok(!(await perms()).includes('workorder.handle'));

  // one's own password change lifts 须改密码 on the very next request
  await t.ctx.db.updateTable('app_user').set({ must_change_password: true }).where('id', '=', user.id).execute();
  const fresh = await login(t.app, user.username, FACTORY_PASSWORD);
  const mustChange = async () => (await t.app.inject({ url: '/api/auth/me', headers: { cookie: fresh } })).json().mustChangePassword as boolean;
  assert.equal(await mustChange(), true);
  assert.equal((await post('/api/auth/password', { oldPassword: FACTORY_PASSWORD, newPassword: 'Xin-Mima2026' }, fresh)).statusCode, 200);
  assert.equal(await mustChange(), false);

  // a session ended through another instance (its row gone): trusted here no longer than the cache time
  const elsewhere = await login(t.app, city.handlerB.username, FACTORY_PASSWORD);
  assert.equal(await me(elsewhere), 200);
  await t.ctx.db.deleteFrom('user_session').where('user_id', '=', city.handlerB.id).execute();
  await new Promise((r) => setTimeout(r, t.ctx.config.session.cacheMs + 50));
  assert.equal(await me(elsewhere), 401);
});
