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

test('a region\'s former names are set by whoever manages the city\'s reference data, one region per name, audited, and matched by the next import', async () => {
  const { orgsRepo } = await import('./repo.ts');
  const { createProblemsService } = await import('../problems/service.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  await orgsRepo.insertRegion(t.ctx.db, { code: '349900', name: '测试市', level: 'city', parent_code: null });
  await orgsRepo.insertRegion(t.ctx.db, { code: '349901', name: '新城区', level: 'county', parent_code: '349900' });
  await orgsRepo.insertRegion(t.ctx.db, { code: '349902', name: '东湖区', level: 'county', parent_code: '349900' });
  // reports naming the old county before anyone told the platform about it: kept as text, flagged
  const earlier = await createProblemsService(t.ctx).submitForm('web_form', { content: '老河县城关镇菜市场门口占道经营严重，请处理。', region: '老河县' }, SYSTEM_ACTOR);
  const stillUnknown = await createProblemsService(t.ctx).submitForm('web_form', { content: '某某县城关镇菜市场门口占道经营严重，请处理。', region: '某某县' }, SYSTEM_ACTOR);
  // a district field that names nothing, and the old name only in the text
  const inText = await createProblemsService(t.ctx).submitForm('web_form', { content: '老河县城关镇菜市场旁边夜市占道经营，油烟扰民，请处理。', region: '某某区' }, SYSTEM_ACTOR);
  const put = (code: string, formerNames: unknown, cookie = admin) => t.app.inject({ method: 'PUT', url: `/api/regions/${code}/former-names`, payload: { formerNames }, headers: { cookie } });

  const set = await put('349901', ['老河县', ' 老河县 ', '城关区']);
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual(set.json().former_names, ['老河县', '城关区']);
  const listed = (await call('GET', '/api/regions')).json() as { code: string; former_names: string[] }[];
  assert.deepEqual(listed.find((r) => r.code === '349901')?.former_names, ['老河县', '城关区']);

  // a name belongs to one region: another region's former name, another's name, its own name
  for (const [code, names, says] of [['349902', ['老河县'], /已是“新城区”的旧名/], ['349902', ['新城区'], /已是“新城区”的名称/], ['349902', ['东湖区'], /现在的名称/]] as const) {
    const r = await put(code, names);
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().details[0].field, 'formerNames');
    assert.match(r.json().message, says);
  }
  assert.equal((await put('349902', [''])).statusCode, 400);
  assert.equal((await put('349999', ['某县'])).statusCode, 404);
  // a department's admin does not manage the city's reference data
  const deptAdmin = await login(t.app, city.adminA.username, FACTORY_PASSWORD);
  assert.equal((await put('349902', ['某县'], deptAdmin)).statusCode, 403);

  const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'region.former_names').execute();
  assert.equal(audit.length, 1);
  assert.deepEqual((audit[0]!.summary as { after: string[] }).after, ['老河县', '城关区']);

  // the next report naming the old county is placed in the region that took it over
  const p = await createProblemsService(t.ctx).submitForm('web_form', { content: '老河县城关镇有人长期占道经营，影响通行，请处理。', region: '老河县' }, SYSTEM_ACTOR);
  // one that came before the name was known is matched again on request
  const regionOf = async (id: number) => {
    const r = await t.ctx.db.selectFrom('problem').select(['region_code', 'flags']).where('id', '=', id).executeTakeFirstOrThrow();
    return { region_code: r.region_code, unmatched: r.flags.includes('region_unmatched') };
  };
  assert.deepEqual(await regionOf(earlier.id), { region_code: null, unmatched: true });
  // triaged before the name was known: routed by its domain alone; a rule for the new region routes it once matched
  const { createTriageService } = await import('../triage/service.ts');
  await createTriageService(t.ctx).triagePending(100);
  const triaged = await t.ctx.db.selectFrom('problem').select(['domain_code', 'triage']).where('id', '=', earlier.id).executeTakeFirstOrThrow();
  assert.ok(triaged.domain_code, 'the report is placed in a domain');
  assert.notEqual((triaged.triage as { route?: { unitId: number } | null }).route?.unitId, city.deptB.id);
  assert.equal((await call('POST', '/api/routing-rules', { domain: triaged.domain_code, region: '349901', unitId: city.deptB.id })).statusCode, 200);
  const rematch = await t.app.inject({ method: 'POST', url: '/api/regions/rematch', headers: { cookie: admin } });
  assert.equal(rematch.statusCode, 200, rematch.body);
  assert.ok(rematch.json().matched >= 1 && rematch.json().checked >= rematch.json().matched, rematch.body);
  assert.deepEqual(await regionOf(earlier.id), { region_code: '349901', unmatched: false });
  const rerouted = await t.ctx.db.selectFrom('problem').select('triage').where('id', '=', earlier.id).executeTakeFirstOrThrow();
  assert.equal((rerouted.triage as { route: { unitId: number } }).route.unitId, city.deptB.id, 'the routing suggestion follows the new region');
  assert.equal(rematch.json().rerouted >= 1, true, rematch.body);
  const foundInText = await t.ctx.db.selectFrom('problem').select(['region_code', 'flags']).where('id', '=', inText.id).executeTakeFirstOrThrow();
  assert.deepEqual([foundInText.region_code, foundInText.flags.includes('region_unmatched'), foundInText.flags.includes('region_from_text')], ['349901', false, true]);
  assert.deepEqual(await regionOf(stillUnknown.id), { region_code: null, unmatched: true }, 'a name no region has stays text');
  assert.equal((await t.ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'problem.rematch_regions').execute()).length, 1);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/regions/rematch', headers: { cookie: deptAdmin } })).statusCode, 403);
  const stored = await t.ctx.db.selectFrom('problem').select(['region_code', 'flags']).where('id', '=', p.id).executeTakeFirstOrThrow();
  assert.equal(stored.region_code, '349901');
  // and emptied again, the old name is no longer known
  assert.deepEqual((await put('349901', [])).json().former_names, []);
  const q = await createProblemsService(t.ctx).submitForm('web_form', { content: '老河县城关镇夜间施工噪声扰民，请处理。', region: '老河县' }, SYSTEM_ACTOR);
  assert.notEqual((await t.ctx.db.selectFrom('problem').select('region_code').where('id', '=', q.id).executeTakeFirstOrThrow()).region_code, '349901');
});
