import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { ADAPTERS } from '../intake/adapters.ts';
import { jsonArray } from '../intake/files.ts';
import { ingest } from '../intake/pipeline.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';
import { createTriageService } from '../triage/service.ts';
import { routeProposer } from './service.ts';
import { makeProblem } from '../../../test/factories.ts';

let t: TestApp;
let admin: string;
let dispatcher: string;
const unitId = async (name: string) => (await t.ctx.db.selectFrom('unit').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  admin = await login(t.app, 'admin', DEMO_PASSWORD);
  dispatcher = await login(t.app, 'dispatcher', DEMO_PASSWORD);
});
after(() => t.close());

const addRule = (body: object, cookie = admin) => t.app.inject({ method: 'POST', url: '/api/routing-rules', headers: { cookie }, payload: body });

test('the most specific rule wins: township over district over city, a kind match breaks the tie; retired rules stay in the history', async () => {
  const city = await unitId('芜湖市城市管理局');
  const district = await unitId('鸠江区城市管理局');
  const township = await unitId('鸠江区湾里街道办事处');
  assert.equal((await addRule({ domain: 'urban_mgmt', unitId: city })).statusCode, 200);
  assert.equal((await addRule({ domain: 'urban_mgmt', region: '340207', unitId: district })).statusCode, 200);
  const t1 = await addRule({ domain: 'urban_mgmt', region: '340207001', kind: 'complaint', unitId: township });
  assert.equal(t1.statusCode, 200);
  const propose = await routeProposer(t.ctx.db);
  assert.equal(propose({ domain: 'urban_mgmt', region: '340207001', kind: 'complaint' })?.unitId, township);
  assert.equal(propose({ domain: 'urban_mgmt', region: '340207001', kind: 'consult' })?.unitId, district);
  assert.equal(propose({ domain: 'urban_mgmt', region: '340202', kind: 'complaint' })?.unitId, city);
  assert.equal(propose({ domain: 'eco_env', region: '340202', kind: 'complaint' }), null);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/routing-rules/${t1.json().id}/retire`, headers: { cookie: admin } })).statusCode, 200);
  assert.equal((await routeProposer(t.ctx.db))({ domain: 'urban_mgmt', region: '340207001', kind: 'complaint' })?.unitId, district);
  const history = (await t.app.inject({ url: '/api/routing-rules', headers: { cookie: dispatcher } })).json();
  assert.equal(history.length, 3);
  assert.ok(history.find((r: { id: number }) => r.id === t1.json().id).retired_at);
  // bad input names the field; a dispatcher may read rules but not change them
  const bad = await addRule({ domain: 'urban_mgmt', region: '999999', unitId: city });
  assert.equal(bad.json().details[0].field, 'region');
  assert.equal((await addRule({ domain: 'urban_mgmt', unitId: city }, dispatcher)).statusCode, 403);
});

test('triage proposes the unit, and proposes redirecting a matter the city does not dispatch; redirecting needs a reason', async () => {
  await ingest(t.ctx, {
    adapter: ADAPTERS.hotline12345!, origin: 'api', actor: SYSTEM_ACTOR, headers: null,
    rows: jsonArray([
      { 工单编号: 'R-1', 受理时间: '2026-03-02 09:00', 诉求内容: '鸠江区湾里街道小区门口商铺占道经营，行人只能走机动车道。', 事发地址: '鸠江区湾里街道', 诉求类型: '投诉' },
      { 工单编号: 'R-2', 受理时间: '2026-03-02 10:00', 诉求内容: '我对区政府的处理决定不服，已经申请行政复议，请问复议决定什么时候出来？', 诉求类型: '咨询' },
    ]),
  });
  await createTriageService(t.ctx).triagePending(100);
  const queue = (await t.app.inject({ url: '/api/triage/queue?limit=50', headers: { cookie: dispatcher } })).json();
  const shop = queue.rows.find((r: { title: string }) => r.title.includes('占道'));
  assert.equal(shop.triage.route.unitName, '鸠江区城市管理局');
  const appeal = queue.rows.find((r: { title: string }) => r.title.includes('行政复议'));
  assert.equal(appeal.triage.exclusion.category, '行政复议');
  const noReason = await t.app.inject({ method: 'POST', url: `/api/triage/${appeal.id}/redirect`, headers: { cookie: dispatcher }, payload: { reason: '' } });
  assert.equal(noReason.statusCode, 400);
  assert.equal(noReason.json().details[0].field, 'reason');
  const ok = await t.app.inject({ method: 'POST', url: `/api/triage/${appeal.id}/redirect`, headers: { cookie: dispatcher }, payload: { reason: '属行政复议事项，已告知等待复议机关决定' } });
  assert.equal(ok.statusCode, 200);
  const p = await t.ctx.db.selectFrom('problem').select(['status', 'redirect_reason']).where('id', '=', appeal.id).executeTakeFirstOrThrow();
  assert.deepEqual(p, { status: 'redirected', redirect_reason: '属行政复议事项，已告知等待复议机关决定' });
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/triage/${appeal.id}/redirect`, headers: { cookie: dispatcher }, payload: { reason: '再次引导一下' } })).statusCode, 409);
});

test('without a rule, past dispatches teach the unit: one that took most of a domain\'s problems in a region is proposed, never auto-dispatched', async () => {
  const district = await unitId('鸠江区市场监督管理局');
  const other = await unitId('芜湖市市场监督管理局');
  const region = (await t.ctx.db.selectFrom('unit').select('region_code').where('id', '=', district).executeTakeFirstOrThrow()).region_code!;
  const dispatchTo = async (unit: number) => {
    const p = await makeProblem(t.ctx);
    await t.ctx.db.updateTable('problem').set({ domain_code: 'public_health', region_code: region, status: 'triaged' }).where('id', '=', p.id).execute();
    const r = await t.app.inject({ method: 'POST', url: `/api/problems/${p.id}/dispatch`, headers: { cookie: dispatcher }, payload: { unitId: unit } });
    assert.equal(r.statusCode, 200, r.body);
  };
  for (let i = 0; i < 4; i++) await dispatchTo(district);
  let propose = await routeProposer(t.ctx.db);
  assert.equal(propose({ domain: 'public_health', region, kind: null }), null, 'four dispatches are not yet a habit');
  await dispatchTo(district);
  propose = await routeProposer(t.ctx.db);
  const learned = propose({ domain: 'public_health', region, kind: null });
  assert.equal(learned?.unitId, district);
  assert.equal(learned?.ruleId, null);
  assert.match(learned!.basis!, /5 件中 5 件/);
  await dispatchTo(other);
  await dispatchTo(other);
  propose = await routeProposer(t.ctx.db);
  assert.equal(propose({ domain: 'public_health', region, kind: null }), null, 'five of seven is no longer a clear habit');
});
