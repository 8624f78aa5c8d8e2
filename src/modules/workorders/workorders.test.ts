import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { makeCity, makeProblem, makeUser } from '../../../test/factories.ts';
import { formatCityTime } from '../../lib/calendar.ts';
import type { WorkOrderState } from '../../db/types.ts';
import { createWorkOrdersService } from './service.ts';
import { stepsFrom, type Step } from './steps.ts';

let t: TestApp;
let city: Awaited<ReturnType<typeof makeCity>>;
let cookies: Record<'dispatcher' | 'supervisor' | 'handlerA' | 'handlerB', string>;
let users: { supervisor: { id: number }; dispatcher: { id: number } };

before(async () => {
  t = await createTestApp();
  city = await makeCity(t.ctx);
  const supervisor = await makeUser(t.ctx, { unit: city.city, roles: [['supervisor', city.city]] });
  const dispatcher = await makeUser(t.ctx, { unit: city.city, roles: [['dispatcher', city.city]] });
  users = { supervisor, dispatcher };
  cookies = {
    dispatcher: await login(t.app, dispatcher.username, dispatcher.password),
    supervisor: await login(t.app, supervisor.username, supervisor.password),
    handlerA: await login(t.app, city.handlerA.username, city.handlerA.password),
    handlerB: await login(t.app, city.handlerB.username, city.handlerB.password),
  };
});
after(() => t.close());

type Order = { id: number; state: WorkOrderState; version: number; deadline: string; redo_count: number; units_passed: number; escalated_at: string | null };

async function call(who: keyof typeof cookies, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await t.app.inject({ method, url, headers: { cookie: cookies[who] }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
}

async function dispatched(o: { unitId?: number; kind?: '投诉' | '咨询'; assist?: number[] } = {}) {
  const p = await makeProblem(t.ctx, { kind: o.kind });
  const r = await call('dispatcher', 'POST', `/api/problems/${p.id}/dispatch`, { unitId: o.unitId ?? city.deptA.id, assistUnitIds: o.assist });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { problem: p, order: r.body.order as Order };
}

async function stepOk(who: keyof typeof cookies, id: number, path: string, payload: object = {}) {
  const current = (await call(who, 'GET', `/api/work-orders/${id}`)).body.order as Order;
  const r = await call(who, 'POST', `/api/work-orders/${id}/${path}`, { version: current.version, ...payload });
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  return r.body.order as Order;
}

const REPLY = { content: '经现场检查核实，该超市确有过期食品在售。执法人员已责令其立即下架并立案查处，依据《中华人民共和国食品安全法》第三十四条处以罚款。', measures: '现场检查、责令下架、立案查处', basis: '《中华人民共和国食品安全法》第三十四条', result: '过期食品已全部下架销毁' };

test('one problem from dispatch to 已办结: sign, reply with a quality check, review, follow-up; the timeline has every step', async () => {
  const { problem, order } = await dispatched({ kind: '咨询' });
  assert.equal(order.state, 'pending_sign');
  const inbox = await call('handlerA', 'GET', '/api/work-orders?tab=pending_sign');
  assert.ok(inbox.body.rows.some((r: { id: number }) => r.id === order.id));
  assert.ok(inbox.body.counts.pending_sign >= 1);
  assert.ok(!(await call('handlerB', 'GET', '/api/work-orders?tab=all')).body.rows.some((r: { id: number }) => r.id === order.id), 'another unit does not see the order');

  assert.equal((await call('handlerA', 'GET', `/api/problems/${problem.id}`)).status, 200, 'a unit reads the problems it was given');
  assert.equal((await call('handlerB', 'GET', `/api/problems/${problem.id}`)).status, 404);
  assert.ok((await call('handlerA', 'GET', '/api/problems?limit=200')).body.rows.some((r: { id: number }) => r.id === problem.id));
  assert.ok(!(await call('handlerB', 'GET', '/api/problems?limit=200')).body.rows.some((r: { id: number }) => r.id === problem.id));
  await stepOk('handlerA', order.id, 'sign');
  const replied = await stepOk('handlerA', order.id, 'reply', REPLY);
  assert.equal(replied.state, 'replied');
  const detail = (await call('supervisor', 'GET', `/api/work-orders/${order.id}`)).body;
  const quality = detail.replies[0].quality;
  assert.ok(quality.score >= 60, `a specific reply scores well: ${quality.score}`);
  assert.ok(quality.elements.measures.length && quality.elements.basis.length);
  assert.deepEqual(detail.steps.map((s: { step: Step }) => s.step).sort(), ['accept', 'list', 'reject'].sort());

  await stepOk('supervisor', order.id, 'review', { accepted: true });
  const closed = await stepOk('supervisor', order.id, 'follow-up', { satisfaction: 'satisfied', comment: '处理及时' });
  assert.equal(closed.state, 'closed');
  const final = (await call('supervisor', 'GET', `/api/work-orders/${order.id}`)).body;
  assert.deepEqual(final.events.map((e: { kind: string }) => e.kind), ['dispatched', 'sign', 'reply', 'accept', 'closed']);
  // colleagues read who did a step as a person of a unit, not a login name
  const signedBy = final.events.find((e: { kind: string }) => e.kind === 'sign').actor_label as string;
  assert.match(signedBy, /^测试人员\d+（测试市甲局）$/);
  assert.ok(!signedBy.includes(city.handlerA.username), signedBy);
  assert.equal(final.followUps[0].satisfaction, 'satisfied');
  const p = await t.ctx.db.selectFrom('problem').select('status').where('id', '=', problem.id).executeTakeFirstOrThrow();
  assert.equal(p.status, 'closed');
  const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('target_type', '=', 'work_order').where('target_id', '=', String(order.id)).execute();
  assert.deepEqual(audit.map((a) => a.action), ['workorder.sign', 'workorder.reply', 'workorder.accept', 'workorder.closed']);
});

test("a handling unit reads its order's report with phone and ID numbers masked and never the whole tracking code (the citizen's key to rate)", async () => {
  const p = await makeProblem(t.ctx, { title: '占道经营，电话13955551234', content: '请联系我13955551234，身份证34020219900101123X，座机0553-5812345。' });
  const r = await call('dispatcher', 'POST', `/api/problems/${p.id}/dispatch`, { unitId: city.deptA.id });
  const orderId = r.body.order.id as number;
  const seen = [
    (await call('handlerA', 'GET', `/api/work-orders/${orderId}`)).body.problem,
    (await call('handlerA', 'GET', `/api/problems/${p.id}`)).body,
    (await call('handlerA', 'GET', '/api/work-orders?tab=all&limit=200')).body.rows.find((x: { id: number }) => x.id === orderId),
    (await call('handlerA', 'GET', '/api/problems?limit=200')).body.rows.find((x: { id: number }) => x.id === p.id),
  ];
  for (const view of seen) {
    const text = JSON.stringify(view);
    for (const secret of ['13955551234', '34020219900101123X', '5812345', p.trackingCode]) assert.ok(!text.includes(secret), `${secret} in ${text.slice(0, 300)}`);
    assert.match(view.tracking_code, /^ZD\w{2}\*{6}\w{2}$/);
  }
  assert.match(seen[0].body, /139\*{4}1234.*340\*{11}123X/);
  const supervisor = (await call('supervisor', 'GET', `/api/work-orders/${orderId}`)).body.problem;
  assert.equal(supervisor.tracking_code, p.trackingCode);
  assert.match(supervisor.body, /13955551234/);
  // the full code still rates on the public page; the masked one is no key
  assert.ok([400, 404].includes((await t.app.inject({ url: `/api/public/track/${encodeURIComponent(seen[0].tracking_code)}` })).statusCode));

  // a 保密 report shows the handling unit no part of a number written into it
  const { createProblemsService } = await import('../problems/service.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  const secret = await createProblemsService(t.ctx).submitForm('web_form', { title: '超市卖过期食品 电话13955551234', content: '我是举报人，电话13955551234，请替我保密，某超市出售过期食品。', contactPhone: '13955551234', confidential: true }, SYSTEM_ACTOR);
  const sent = await call('dispatcher', 'POST', `/api/problems/${secret.id}/dispatch`, { unitId: city.deptA.id });
  const page = (await call('handlerA', 'GET', `/api/work-orders/${sent.body.order.id}`)).body.problem;
  assert.match(page.body, /电话（号码已隐去）/);
  assert.ok(!JSON.stringify(page).includes('139'), JSON.stringify(page));
  // nor does the unit's list of orders
  const listed = (await call('handlerA', 'GET', `/api/work-orders?problemId=${secret.id}`)).body.rows;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].title, '超市卖过期食品 电话（号码已隐去）');
});

test('every state allows exactly its steps; an illegal step answers 409 with the state and the steps allowed', async () => {
  const expected: Record<WorkOrderState, Step[]> = {
    pending_sign: ['sign', 'return', 'request_extension', 'transfer', 'list', 'remind'],
    handling: ['return', 'reply', 'request_extension', 'transfer', 'list', 'remind'],
    replied: ['accept', 'reject', 'list'],
    follow_up: ['follow_up', 'list'],
    closed: [],
    returned: [],
    transferred: [],
  };
  for (const [state, steps] of Object.entries(expected)) {
    assert.deepEqual(stepsFrom({ state: state as WorkOrderState, role: 'lead', extension_request: null, listed_at: null }).sort(), [...steps].sort(), state);
  }
  assert.deepEqual(stepsFrom({ state: 'handling', role: 'assist', extension_request: null, listed_at: null }).sort(), ['list', 'remind', 'reply', 'return']);
  assert.ok(stepsFrom({ state: 'handling', role: 'lead', extension_request: { deadline: 'x' }, listed_at: null }).includes('approve_extension'));

  const { order } = await dispatched();
  const review = await call('supervisor', 'POST', `/api/work-orders/${order.id}/review`, { version: order.version, accepted: true });
  assert.equal(review.status, 409);
  assert.equal(review.body.state, 'pending_sign');
  assert.ok(review.body.allowed.includes('sign'));
  assert.match(review.body.message, /待签收.*不能审核通过/);
  const replyFirst = await call('handlerA', 'POST', `/api/work-orders/${order.id}/reply`, { version: order.version, ...REPLY });
  assert.equal(replyFirst.status, 409);
  await stepOk('handlerA', order.id, 'sign');
  const signAgain = await call('handlerA', 'POST', `/api/work-orders/${order.id}/sign`, { version: order.version + 1 });
  assert.equal(signAgain.status, 409);
  assert.deepEqual(signAgain.body.state, 'handling');
});

test('bad input names the problem and changes nothing; another unit gets 404 as when it reads; two at once: one wins, the other 409', async () => {
  const { order } = await dispatched();
  const before = (await call('handlerA', 'GET', `/api/work-orders/${order.id}`)).body.order as Order;
  const foreign = await call('handlerB', 'POST', `/api/work-orders/${order.id}/sign`, { version: before.version });
  assert.equal(foreign.status, 404);
  assert.equal((await call('handlerB', 'GET', `/api/work-orders/${order.id}`)).status, 404);
  const signed = await stepOk('handlerA', order.id, 'sign');

  const empty = await call('handlerA', 'POST', `/api/work-orders/${order.id}/reply`, { version: signed.version, content: '  ' });
  assert.equal(empty.status, 400);
  assert.equal(empty.body.details[0].field, 'content');
  const early = await call('handlerA', 'POST', `/api/work-orders/${order.id}/extension`, { version: signed.version, deadline: new Date(Date.parse(signed.deadline) - 86_400_000).toISOString(), reason: '需要进一步调查取证' });
  assert.equal(early.status, 400);
  assert.equal(early.body.details[0].field, 'deadline');
  const unchanged = (await call('handlerA', 'GET', `/api/work-orders/${order.id}`)).body;
  assert.equal(unchanged.order.version, signed.version);
  assert.equal(unchanged.order.extension_request, null);
  assert.equal(unchanged.events.length, 2);

  const [a, b] = await Promise.all([
    call('handlerA', 'POST', `/api/work-orders/${order.id}/reply`, { version: signed.version, ...REPLY }),
    call('handlerA', 'POST', `/api/work-orders/${order.id}/return`, { version: signed.version, reason: '不属于本单位职责范围' }),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [200, 409]);
  const after = (await call('handlerA', 'GET', `/api/work-orders/${order.id}`)).body;
  assert.equal(after.events.length, 3, 'exactly one of the two steps was recorded');
});

test('extension: request with a later date, approve moves the deadline; refuse keeps it', async () => {
  const { order } = await dispatched();
  const later = new Date(Date.parse(order.deadline) + 5 * 86_400_000);
  await stepOk('handlerA', order.id, 'extension', { deadline: later.toISOString(), reason: '需要检测机构出具检验报告' });
  const approved = await stepOk('supervisor', order.id, 'extension/approve', {});
  assert.equal(new Date(approved.deadline).getTime(), later.getTime());
  await stepOk('handlerA', order.id, 'extension', { deadline: new Date(later.getTime() + 86_400_000).toISOString(), reason: '检验报告尚未出具' });
  const refused = await stepOk('supervisor', order.id, 'extension/refuse', { reason: '请按期办结' });
  assert.equal(new Date(refused.deadline).getTime(), later.getTime());
  assert.equal((await call('handlerA', 'POST', `/api/work-orders/${order.id}/extension/approve`, { version: refused.version })).status, 403, 'a unit cannot approve its own extension');
});

test("a dispatcher transfers only to units within its reach, as it dispatches", async () => {
  const local = await makeUser(t.ctx, { unit: city.deptA, roles: [['dispatcher', city.deptA]] });
  const cookie = await login(t.app, local.username, local.password);
  const p = await makeProblem(t.ctx);
  const d = await t.app.inject({ method: 'POST', url: `/api/problems/${p.id}/dispatch`, headers: { cookie: cookies.dispatcher }, payload: { unitId: city.teamA.id } });
  assert.equal(d.statusCode, 200, d.body);
  const order = d.json().order as Order;
  const away = await t.app.inject({ method: 'POST', url: `/api/work-orders/${order.id}/transfer`, headers: { cookie }, payload: { version: order.version, unitId: city.deptB.id, reason: '转到别的部门' } });
  assert.equal(away.statusCode, 403, away.body);
  assert.match(away.json().message, /不在您的管辖范围内/);
  const within = await t.app.inject({ method: 'POST', url: `/api/work-orders/${order.id}/transfer`, headers: { cookie }, payload: { version: order.version, unitId: city.deptA.id, reason: '由部门本级办理' } });
  assert.equal(within.statusCode, 200, within.body);
});

test('return, redispatch and transfer count the units passed; at three units the order is escalated (提级督办)', async () => {
  const { problem, order } = await dispatched();
  await stepOk('handlerA', order.id, 'return', { reason: '不属于本单位职责范围' });
  assert.equal((await t.ctx.db.selectFrom('problem').select('status').where('id', '=', problem.id).executeTakeFirstOrThrow()).status, 'triaged');
  const waiting = await call('dispatcher', 'GET', '/api/work-orders?tab=returned');
  assert.ok(waiting.body.rows.some((r: { id: number }) => r.id === order.id), 'the dispatcher sees what waits to be re-dispatched');
  assert.ok(waiting.body.counts.returned >= 1);
  const again = await call('dispatcher', 'POST', `/api/problems/${problem.id}/dispatch`, { unitId: city.deptB.id });
  assert.equal(again.status, 200);
  assert.equal(again.body.order.units_passed, 2);
  assert.equal(again.body.order.escalated_at, null);
  const moved = await call('dispatcher', 'POST', `/api/work-orders/${again.body.order.id}/transfer`, { version: again.body.order.version, unitId: city.teamA.id, reason: '属执法大队管辖' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.order.units_passed, 3);
  assert.ok(moved.body.order.escalated_at);
  assert.equal(moved.body.history.length, 2);
});

test('review rejected and 不满意 restart the clock and raise the redo count; the third redo escalates', async () => {
  const { order } = await dispatched();
  await stepOk('handlerA', order.id, 'sign');
  let o = order;
  for (let i = 1; i <= 3; i++) {
    await stepOk('handlerA', order.id, 'reply', REPLY);
    if (i < 3) o = await stepOk('supervisor', order.id, 'review', { accepted: false, reason: '未说明罚款金额' });
    else {
      await stepOk('supervisor', order.id, 'review', { accepted: true });
      o = await stepOk('supervisor', order.id, 'follow-up', { satisfaction: 'unsatisfied', comment: '超市仍在卖过期食品' });
    }
    assert.equal(o.state, 'handling');
    assert.equal(o.redo_count, i);
  }
  assert.ok(o.escalated_at, 'escalated at the third redo');
  const events = (await call('supervisor', 'GET', `/api/work-orders/${order.id}`)).body.events.map((e: { kind: string }) => e.kind);
  assert.deepEqual(events.filter((k: string) => ['reject', 'redo', 'escalated'].includes(k)), ['reject', 'reject', 'redo', 'escalated']);
});

test('reminders at 80% of the time, 签收超时 and 逾期 with a fake clock; two sweepers remind exactly once', async () => {
  const { order } = await dispatched();
  const row = await t.ctx.db.selectFrom('work_order').select(['clock_started_at', 'deadline', 'sign_deadline']).where('id', '=', order.id).executeTakeFirstOrThrow();
  const start = new Date(row.clock_started_at).getTime();
  const span = new Date(row.deadline).getTime() - start;
  const at = (ms: number) => () => new Date(ms);
  const early = await createWorkOrdersService(t.ctx, { now: at(start + span * 0.5) }).sweep();
  assert.equal(early.reminded, 0);
  const sweepers = [createWorkOrdersService(t.ctx, { now: at(start + span * 0.85) }), createWorkOrdersService(t.ctx, { now: at(start + span * 0.85) })];
  const results = await Promise.all([sweepers[0]!.sweep(), sweepers[1]!.sweep(), sweepers[0]!.sweep()]);
  const kinds = async () => (await t.ctx.db.selectFrom('work_event').select('kind').where('work_order_id', '=', order.id).execute()).map((e) => e.kind);
  assert.equal((await kinds()).filter((k) => k === 'reminded').length, 1, 'one reminder however many sweepers');
  assert.ok(results.reduce((n, r) => n + r.reminded, 0) >= 1);
  assert.equal((await kinds()).filter((k) => k === 'sign_overdue').length, 1, 'not signed within a working day');
  const notices = await t.ctx.db.selectFrom('notification').select(['user_id', 'kind']).where('work_order_id', '=', order.id).where('kind', '=', 'reminded').execute();
  assert.deepEqual(notices.map((n) => n.user_id), [city.handlerA.id]);
  const sms = await t.ctx.db.selectFrom('outbox').select('subject').where('dedupe_key', 'like', `remind:${order.id}:%`).execute();
  assert.equal(sms.length, 1);

  const overdue = await Promise.all([createWorkOrdersService(t.ctx, { now: at(start + span + 60_000) }).sweep(), createWorkOrdersService(t.ctx, { now: at(start + span + 60_000) }).sweep()]);
  assert.ok(overdue.reduce((n, r) => n + r.overdue, 0) >= 1);
  assert.equal((await kinds()).filter((k) => k === 'overdue').length, 1);
  const supervisorNotice = await t.ctx.db.selectFrom('notification').select('title').where('user_id', '=', users.supervisor.id).where('work_order_id', '=', order.id).where('kind', '=', 'overdue').execute();
  assert.equal(supervisorNotice.length, 1, 'the supervision office gets the 督办 notice');
  await t.ctx.db.updateTable('work_order').set({ deadline: new Date(Date.now() - 60_000) }).where('id', '=', order.id).execute();
  const board = await call('supervisor', 'GET', '/api/work-orders?tab=overdue');
  // (the tab counts are shared for a few seconds per scope, so only the live list is checked here)

  await stepOk('supervisor', order.id, 'list', { deadline: new Date(Date.now() + 3_600_000).toISOString(), reason: '群众反复反映，挂牌督办' });
  assert.equal((await createWorkOrdersService(t.ctx, { now: at(Date.now() + 1_800_000) }).sweep()).listedOverdue, 0);
  await Promise.all([createWorkOrdersService(t.ctx, { now: at(Date.now() + 7_200_000) }).sweep(), createWorkOrdersService(t.ctx, { now: at(Date.now() + 7_200_000) }).sweep()]);
  assert.equal((await kinds()).filter((k) => k === 'listed_overdue').length, 1, 'a listed order past its own deadline is flagged once');
  assert.ok(board.body.rows.some((r: { id: number }) => r.id === order.id));
});

test('public tracking: plain-language timeline and the accepted reply, never a name or a number; the citizen rates', async () => {
  const { problem, order } = await dispatched();
  await stepOk('handlerA', order.id, 'sign');
  await stepOk('handlerA', order.id, 'reply', { ...REPLY, content: `${REPLY.content}如有疑问请联系承办人赵强、李四现场核实，电话13887654321或 138 1234 5678，案件编号 2026001245，罚款 1500000 元。` });
  const code = problem.trackingCode;
  const before = await t.app.inject({ method: 'GET', url: `/api/public/track/${code}` });
  assert.equal(before.statusCode, 200);
  assert.equal(before.json().answer, null, 'a reply is public only after review');
  await stepOk('supervisor', order.id, 'review', { accepted: true });
  const res = await t.app.inject({ method: 'GET', url: `/api/public/track/${code}` });
  const body = res.json();
  assert.equal(body.canRate, true);
  assert.match(body.answer.content, /承办人赵某、李某现场核实，电话138\*{4}4321或 138\*{4}5678，案件编号 2026001245，罚款 1500000 元/, 'people and phones masked; case numbers and amounts as written');
  const text = res.body;
  for (const secret of ['13887654321', '13912345678', '138 1234 5678', '赵强', '李四', '王小明', '测试人员', city.handlerA.username]) assert.ok(!text.includes(secret), `public page leaks ${secret}`);
  // the code as people type it: full-width, spaced, O for 0
  const typed = `${code.slice(0, 6)} ${code.slice(6)}`.replace(/0/g, 'O').toLowerCase().replace(/[a-z0-9]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
  assert.equal((await t.app.inject({ url: `/api/public/track/${encodeURIComponent(typed)}` })).json().trackingCode, code);
  const malformed = (await t.app.inject({ url: '/api/public/track/abc123' })).json();
  assert.equal(malformed.details[0].message, '查询码格式不正确：应为 ZD 开头的 12 位字母和数字');
  const noReason = await t.app.inject({ method: 'POST', url: `/api/public/track/${code}/rating`, payload: { satisfaction: 'unsatisfied', comment: ' ' } });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /请说明不满意的原因/);
  assert.deepEqual(body.timeline.map((e: { text: string }) => e.text), ['已受理您的反映', '已转交测试市甲局办理', '承办单位已签收，正在办理', '承办单位已答复，正在审核答复质量', '答复已审核通过，请您对办理结果进行评价']);

  const bad = await t.app.inject({ method: 'POST', url: `/api/public/track/${code}/rating`, payload: { satisfaction: '很好' } });
  assert.equal(bad.statusCode, 400);
  const rated = await t.app.inject({ method: 'POST', url: `/api/public/track/${code}/rating`, payload: { satisfaction: 'basically_satisfied', comment: '基本解决' } });
  assert.equal(rated.statusCode, 200, rated.body);
  const afterRating = (await t.app.inject({ method: 'GET', url: `/api/public/track/${code}` })).json();
  assert.equal(afterRating.status, 'closed');
  assert.equal(afterRating.rating, '基本满意');
  const twice = await t.app.inject({ method: 'POST', url: `/api/public/track/${code}/rating`, payload: { satisfaction: 'satisfied' } });
  assert.equal(twice.statusCode, 409);
  assert.match(twice.json().message, /已评价并办结/);
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/public/track/ZD0000000000' })).statusCode, 404);
});

test('public tracking of a merged report follows the one it joined; a redirected one says where to turn; after 不满意 the old answer is marked', async () => {
  const { problem, order } = await dispatched();
  const other = await makeProblem(t.ctx, {});
  const { mergeProblems, createProblemsService } = await import('../problems/service.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  await t.ctx.db.transaction().execute((tx) => mergeProblems(tx, SYSTEM_ACTOR, { from: other.id, fromStatus: 'new', into: problem.id, similarity: 0.9, reason: '同一事项' }));
  await stepOk('handlerA', order.id, 'sign');
  await stepOk('handlerA', order.id, 'reply', REPLY);
  await stepOk('supervisor', order.id, 'review', { accepted: true });
  const merged = (await t.app.inject({ url: `/api/public/track/${other.trackingCode}` })).json();
  assert.equal(merged.trackingCode, other.trackingCode);
  assert.match(merged.statusText, /^已合并办理：/);
  assert.ok(merged.timeline.some((e: { text: string }) => /合并办理/.test(e.text)));
  assert.ok(merged.timeline.some((e: { text: string }) => e.text === '承办单位已签收，正在办理'), 'the joined report\'s steps');
  assert.equal(merged.canRate, true);
  assert.ok(merged.answer);
  // 不满意 from the merged report's code sends the joined order back, and its answer is shown as the earlier one
  const unhappy = await t.app.inject({ method: 'POST', url: `/api/public/track/${other.trackingCode}/rating`, payload: { satisfaction: 'unsatisfied', comment: '问题依旧' } });
  assert.equal(unhappy.statusCode, 200, unhappy.body);
  const again = (await t.app.inject({ url: `/api/public/track/${problem.trackingCode}` })).json();
  assert.deepEqual([again.canRate, again.answer.superseded], [false, true]);

  const away = await makeProblem(t.ctx, {});
  await createProblemsService(t.ctx).redirect(SYSTEM_ACTOR, away.id, '劳动争议请向区劳动人事争议仲裁委员会申请仲裁，咨询电话 0553-3845566');
  const redirected = (await t.app.inject({ url: `/api/public/track/${away.trackingCode}` })).json();
  assert.equal(redirected.timeline.at(-1).text, '已告知办理途径：劳动争议请向区劳动人事争议仲裁委员会申请仲裁，咨询电话 055*****5566');
});

test('KPIs per unit with their formulas; the in-app inbox', async () => {
  const period = formatCityTime(new Date()).slice(0, 7);
  const r = await call('supervisor', 'GET', `/api/kpi/units?period=${period}`);
  assert.equal(r.status, 200);
  const a = r.body.units.find((u: { unit_id: number }) => u.unit_id === city.deptA.id);
  assert.ok(a.dispatched >= 5);
  assert.ok(a.closed >= 2);
  assert.equal(a.satisfaction_rate, Math.round((a.satisfied / a.rated) * 10000) / 10000);
  assert.ok(a.redone >= 3);
  assert.match(r.body.definitions.satisfaction_rate.formula, /满意 \+ 基本满意/);
  assert.equal((await call('supervisor', 'GET', '/api/kpi/units?period=2026-13')).status, 400);
  // an order still within its sign-for limit counts neither as on time nor as late
  const unsigned = await t.ctx.db.selectFrom('work_order').select((eb) => eb.fn.countAll<number>().as('n')).where('unit_id', '=', city.deptA.id).where('signed_at', 'is', null).where('sign_deadline', '>', new Date()).executeTakeFirstOrThrow();
  assert.ok(Number(unsigned.n) > 0, 'the fixture has orders waiting to be signed');
  assert.equal(a.sign_due, a.dispatched - Number(unsigned.n));
  assert.equal(a.sign_on_time_rate, Math.round((a.signed_on_time / a.sign_due) * 10000) / 10000);

  const inbox = await call('handlerA', 'GET', '/api/notifications');
  assert.ok(inbox.body.unread > 0);
  assert.ok(inbox.body.rows.some((n: { kind: string }) => n.kind === 'dispatched'));
  assert.equal((await call('handlerA', 'POST', '/api/notifications/read', { all: true })).status, 200);
  assert.equal((await call('handlerA', 'GET', '/api/notifications')).body.unread, 0);
});

test('自动派发: a confident model with a routing rule dispatches; misconduct, a lexicon guess or a low confidence wait; the admin sets the threshold', async () => {
  const make = async (o: { confidence: number; source?: 'model' | 'lexicon'; misconduct?: string[] }) => {
    const p = await makeProblem(t.ctx);
    const triage = { domain: { code: 'food_drug', label: '食品药品', confidence: o.confidence, evidence: [], source: o.source ?? 'model' }, kind: null, misconduct: [], route: { unitId: city.deptA.id, unitName: '测试市甲局', ruleId: 1 }, exclusion: null };
    await t.ctx.db.updateTable('problem').set({ triage: JSON.stringify(triage), triaged_at: new Date(), status: 'new', misconduct: o.misconduct ?? [] }).where('id', '=', p.id).execute();
    return p.id;
  };
  const admin = await login(t.app, city.admin.username, city.admin.password);
  const put = (value: unknown) => t.app.inject({ method: 'PUT', url: '/api/settings/triage.auto_dispatch', headers: { cookie: admin }, payload: { value } });
  const bad = await put({ enabled: true, minConfidence: 0.2 });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].field, 'value.minConfidence');
  assert.equal((await put({ enabled: false, minConfidence: 0.95 })).statusCode, 200);

  const confident = await make({ confidence: 0.97 });
  const unsure = await make({ confidence: 0.9 });
  const conduct = await make({ confidence: 0.99, misconduct: ['乱罚款'] });
  const lexicon = await make({ confidence: 0.99, source: 'lexicon' });
  const service = createWorkOrdersService(t.ctx);
  assert.equal(await service.autoDispatch(), 0, 'switched off');
  assert.equal((await put({ enabled: true, minConfidence: 0.95 })).statusCode, 200);
  await service.autoDispatch();
  const status = async (id: number) => (await t.ctx.db.selectFrom('problem').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  assert.equal(await status(confident), 'dispatched');
  for (const id of [unsure, conduct, lexicon]) assert.equal(await status(id), 'new');
  const order = await t.ctx.db.selectFrom('work_order').select(['unit_id', 'instructions']).where('problem_id', '=', confident).executeTakeFirstOrThrow();
  assert.equal(order.unit_id, city.deptA.id);
  assert.match(order.instructions, /自动派发.*0\.97/);
  const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('target_type', '=', 'problem').where('target_id', '=', String(confident)).execute();
  assert.ok(audit.some((a) => a.action === 'workorder.auto_dispatch'));
});

test('an inbox over a unit and its sub-units pages through all their orders in deadline order, each once, and nothing else', async () => {
  const before = (await call('handlerA', 'GET', '/api/work-orders?tab=pending_sign&limit=200')).body.rows as { id: number }[];
  const mine: number[] = [];
  for (const [i, unit] of [city.deptA, city.teamA, city.teamA, city.deptA, city.teamA].entries()) {
    mine.push((await dispatched({ unitId: unit.id, kind: i % 2 ? '咨询' : '投诉' })).order.id);
  }
  const elsewhere = (await dispatched({ unitId: city.deptB.id })).order.id;
  const expected = await t.ctx.db.selectFrom('work_order').select(['id', 'deadline']).where('unit_id', 'in', [city.deptA.id, city.teamA.id]).where('state', '=', 'pending_sign')
    .orderBy('deadline').orderBy('id').execute();
  assert.equal(expected.length, before.length + mine.length);
  const paged: number[] = [];
  for (let offset = 0; offset < expected.length + 2; offset += 2) {
    const r = await call('handlerA', 'GET', `/api/work-orders?tab=pending_sign&limit=2&offset=${offset}`);
    assert.equal(r.status, 200);
    paged.push(...r.body.rows.map((x: { id: number }) => x.id));
  }
  assert.deepEqual(paged, expected.map((x) => x.id));
  assert.ok(mine.every((id) => paged.includes(id)) && !paged.includes(elsewhere));
});

test('the 即将超期 and 已超期 tabs of a unit and its sub-units merge both open states in deadline order, each order once', async () => {
  const mine: number[] = [];
  for (const [i, unit] of [city.deptA, city.deptA, city.teamA, city.teamA, city.deptA, city.deptA, city.teamA, city.teamA].entries()) {
    const { order } = await dispatched({ unitId: unit.id });
    if (i % 2) await stepOk('handlerA', order.id, 'sign'); // in each unit some 办理中, some 待签收
    mine.push(order.id);
  }
  // deadlines over the last and the next 8 hours, so that each tab interleaves the two states within a unit
  const hours = [-1, -2, 3, 4, -5, 6, 7, -8];
  for (const [i, id] of mine.entries()) {
    await t.ctx.db.updateTable('work_order').set({ deadline: new Date(Date.now() + hours[i]! * 3_600_000) }).where('id', '=', id).execute();
  }
  for (const [tab, due] of [['due_soon', (d: Date) => d > new Date() && d <= new Date(Date.now() + 24 * 3_600_000)], ['overdue', (d: Date) => d <= new Date()]] as const) {
    const open = await t.ctx.db.selectFrom('work_order').select(['id', 'deadline']).where('unit_id', 'in', [city.deptA.id, city.teamA.id])
      .where('state', 'in', ['pending_sign', 'handling']).orderBy('deadline').orderBy('id').execute();
    const expected = open.filter((o) => due(new Date(o.deadline))).map((o) => o.id);
    assert.ok(expected.length >= 4, `${tab}: ${expected.length}`);
    const paged: number[] = [];
    for (let offset = 0; offset < expected.length + 2; offset += 2) {
      const r = await call('handlerA', 'GET', `/api/work-orders?tab=${tab}&limit=2&offset=${offset}`);
      assert.equal(r.status, 200);
      paged.push(...r.body.rows.map((x: { id: number }) => x.id));
    }
    assert.deepEqual(paged, expected, tab);
  }
});

test('notices and SMS of a work order never carry a personal number: masked, left out for a 保密 report', async () => {
  const { createProblemsService } = await import('../problems/service.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  const forms = createProblemsService(t.ctx);
  for (const confidential of [false, true]) {
    const p = await forms.submitForm('web_form', { title: '占道经营 联系人手机（0553）3845506', content: '某超市门口占道经营，请回电13955307788。', confidential }, SYSTEM_ACTOR);
    const r = await call('dispatcher', 'POST', `/api/problems/${p.id}/dispatch`, { unitId: city.deptA.id, urgency: 'urgent' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const orderId = r.body.order.id as number;
    const notices = await t.ctx.db.selectFrom('notification').select(['title', 'body']).where('work_order_id', '=', orderId).execute();
    const sms = await t.ctx.db.selectFrom('outbox').select(['subject', 'body']).where('dedupe_key', 'like', `dispatched:${orderId}:%`).execute();
    assert.ok(notices.length && sms.length);
    for (const text of [...notices, ...sms].map((x) => JSON.stringify(x))) {
      assert.doesNotMatch(text, /3845506|13955307788/);
      assert.match(text, confidential ? /号码已隐去/ : /055\*+5506/);
    }
  }
});
