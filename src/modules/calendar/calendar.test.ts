import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { childEnv, createTestApp, login, REPO_ROOT, tempDir, type TestApp } from '../../../test/helpers.ts';
import { makeCity, makeUnit, makeUser } from '../../../test/factories.ts';
import { formatCityTime, WorkCalendar } from '../../lib/calendar.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { createCalendarService, loadCalendar } from './service.ts';

let t: TestApp;
let calendar: WorkCalendar;
before(async () => {
  t = await createTestApp();
  calendar = await loadCalendar(t.ctx.db, true);
});
after(() => t.close());

const due = (from: string, days: number) => {
  const d = calendar.addWorkingDays(new Date(from), days);
  return `${formatCityTime(d.at)}${d.provisional ? ' 暂定' : ''}`;
};

test('working days on the 2026 table: Spring Festival, its make-up Saturdays, Mid-Autumn and National Day', () => {
  // Fri 13 Feb → Sat 14 Feb is a make-up workday, 15–23 Feb off, then 24 and 25 Feb
  assert.equal(due('2026-02-13T10:00:00+08:00', 3), '2026-02-25T23:59:59+08:00');
  assert.equal(due('2026-02-13T10:00:00+08:00', 1), '2026-02-14T23:59:59+08:00');
  // Sat 28 Feb is a make-up workday
  assert.equal(due('2026-02-27T09:00:00+08:00', 1), '2026-02-28T23:59:59+08:00');
  // Thu 24 Sep: 25–27 Sep and 1–7 Oct off, Sun 20 Sep and Sat 10 Oct on
  assert.equal(due('2026-09-24T15:00:00+08:00', 10), '2026-10-15T23:59:59+08:00');
  assert.equal(due('2026-09-18T15:00:00+08:00', 1), '2026-09-20T23:59:59+08:00');
  // A report at 01:00 on Saturday 14 Feb city time (17:00 UTC the day before) counts from the 14th
  assert.equal(due('2026-02-13T17:00:00Z', 1), '2026-02-24T23:59:59+08:00');
  // 元旦 2026: 1–3 Jan off, Sun 4 Jan on
  assert.equal(due('2025-12-31T12:00:00+08:00', 1), '2026-01-04T23:59:59+08:00');
});

test('working days on the 2025 table: Spring Festival, Labour Day and the long National Day', () => {
  // Fri 24 Jan → Sun 26 Jan is a make-up workday; 28 Jan – 4 Feb off; Sat 8 Feb on
  assert.equal(due('2025-01-24T10:00:00+08:00', 2), '2025-01-27T23:59:59+08:00');
  assert.equal(due('2025-01-27T10:00:00+08:00', 1), '2025-02-05T23:59:59+08:00');
  assert.equal(due('2025-02-07T10:00:00+08:00', 1), '2025-02-08T23:59:59+08:00');
  // Sat 26 Apr → Sun 27 Apr on; 1–5 May off
  assert.equal(due('2025-04-26T10:00:00+08:00', 2), '2025-04-28T23:59:59+08:00');
  assert.equal(due('2025-04-30T10:00:00+08:00', 1), '2025-05-06T23:59:59+08:00');
  // 1–8 Oct off, Sun 28 Sep and Sat 11 Oct on
  assert.equal(due('2025-09-26T10:00:00+08:00', 1), '2025-09-28T23:59:59+08:00');
  assert.equal(due('2025-09-30T10:00:00+08:00', 3), '2025-10-11T23:59:59+08:00');
  assert.equal(calendar.workingDaysBetween(new Date('2025-09-30T10:00:00+08:00'), new Date('2025-10-11T08:00:00+08:00')), 3);
});

test('hour deadlines run on the clock, holidays or not', () => {
  const d = calendar.deadline(new Date('2026-02-16T22:30:00+08:00'), { amount: 2, unit: 'hours' });
  assert.equal(formatCityTime(d.at), '2026-02-17T00:30:00+08:00');
  assert.equal(d.provisional, false);
});

test('a deadline running into an unpublished year is provisional and is recomputed when the year is added', async () => {
  assert.equal(due('2026-12-28T10:00:00+08:00', 10), '2027-01-11T23:59:59+08:00 暂定');
  assert.equal(due('2026-12-28T10:00:00+08:00', 3), '2026-12-31T23:59:59+08:00');
  const service = createCalendarService(t.ctx);
  assert.match((await service.nextYearWarning(new Date('2026-11-01T09:00:00+08:00')))!, /2027/);
  assert.equal(await service.nextYearWarning(new Date('2026-10-31T09:00:00+08:00')), null);
  // the daily job (also run at server start) tells every admin once, in the in-app inbox
  const unit = await makeUnit(t.ctx);
  const admin = await makeUser(t.ctx, { unit, roles: [['admin', unit]] });
  const handler = await makeUser(t.ctx, { unit, roles: [['handler', unit]] });
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  const check = jobHandlers(t.ctx, createServices(t.ctx))['calendar.checkNextYear']!;
  const warned = () => t.ctx.db.selectFrom('notification').select(['user_id', 'body']).where('dedupe_key', '=', 'calendar-missing:2027').execute();
  await check({ at: '2026-10-31T09:00:00+08:00' });
  assert.equal((await warned()).length, 0);
  await check({ at: '2026-11-02T09:00:00+08:00' });
  await check({ at: '2026-11-03T09:00:00+08:00' });
  const notes = await warned();
  assert.equal(notes.filter((n) => n.user_id === admin.id).length, 1);
  assert.equal(notes.filter((n) => n.user_id === handler.id).length, 0);
  assert.ok(notes.every((n) => /2027/.test(n.body)));

  await assert.rejects(
    service.saveYear(SYSTEM_ACTOR, { year: 2027, source: '测试', holidays: [{ from: '2027-01-01', to: '2027-01-03', note: '元旦' }], workdays: [{ day: '2027-01-05', note: '调休' }] }),
    (e: Error & { details?: { field: string }[] }) => e.details?.[0]?.field === 'workdays[0].day' && /本来就是工作日/.test(e.message),
  );
  await assert.rejects(
    service.saveYear(SYSTEM_ACTOR, { year: 2027, source: '测试', holidays: [{ from: '2027-02-30', to: '2027-03-01', note: '春节' }], workdays: [] }),
    (e: Error & { details?: { field: string }[] }) => e.details?.[0]?.field === 'holidays[0].from',
  );
  const saved = await service.saveYear(SYSTEM_ACTOR, { year: 2027, source: '测试用 2027 年安排', holidays: [{ from: '2027-01-01', to: '2027-01-03', note: '元旦' }], workdays: [] });
  assert.equal(saved.days, 3);
  calendar = await service.calendar();
  assert.equal(due('2026-12-28T10:00:00+08:00', 10), '2027-01-12T23:59:59+08:00');
  assert.equal(await service.nextYearWarning(new Date('2026-11-26T09:00:00+08:00')), null);
});

test('the calendar page API: years listed for staff, saved by an admin only', async () => {
  const city = await makeCity(t.ctx);
  const admin = await login(t.app, city.admin.username, city.admin.password);
  const handler = await login(t.app, city.handlerA.username, city.handlerA.password);
  const years = await t.app.inject({ method: 'GET', url: '/api/calendar/years', headers: { cookie: handler } });
  assert.equal(years.statusCode, 200);
  const y2026 = years.json().years.find((y: { year: number }) => y.year === 2026);
  assert.deepEqual([y2026.holidays, y2026.workdays], [33, 6]);
  const body = { year: 2028, source: '测试', holidays: [], workdays: [] };
  assert.equal((await t.app.inject({ method: 'PUT', url: '/api/calendar/years/2028', headers: { cookie: handler }, payload: body })).statusCode, 403);
  const ok = await t.app.inject({ method: 'PUT', url: '/api/calendar/years/2028', headers: { cookie: admin }, payload: body });
  assert.equal(ok.statusCode, 200, ok.body);
  const mismatch = await t.app.inject({ method: 'PUT', url: '/api/calendar/years/2029', headers: { cookie: admin }, payload: body });
  assert.equal(mismatch.statusCode, 400);
  const policies = (await t.app.inject({ method: 'GET', url: '/api/calendar/policies', headers: { cookie: handler } })).json().policies;
  const consult = policies.find((p: { kind_code: string | null; purpose: string }) => p.kind_code === 'consult' && p.purpose === 'handle');
  assert.equal((await t.app.inject({ method: 'PUT', url: `/api/calendar/policies/${consult.id}`, headers: { cookie: handler }, payload: { amount: 5, amount_unit: 'working_days' } })).statusCode, 403);
  const changed = await t.app.inject({ method: 'PUT', url: `/api/calendar/policies/${consult.id}`, headers: { cookie: admin }, payload: { amount: 5, amount_unit: 'working_days' } });
  assert.equal(changed.json().note, '咨询类 5 个工作日');
  assert.equal((await t.app.inject({ method: 'PUT', url: `/api/calendar/policies/${consult.id}`, headers: { cookie: admin }, payload: { amount: 0, amount_unit: 'working_days' } })).statusCode, 400);
  const deadline = await t.app.inject({ method: 'GET', url: '/api/calendar/deadline?from=2026-02-13T10:00:00%2B08:00&workingDays=3', headers: { cookie: handler } });
  assert.deepEqual(deadline.json(), { deadline: '2026-02-25T23:59:59+08:00', provisional: false });
});

test('CLI: zhd calendar deadline prints the deadline with its offset', async () => {
  const env = childEnv({ DATA_DIR: tempDir(), ZHD_DEMO_SEED: 'false' });
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'zhd.js'), 'calendar', 'deadline', '--from', '2026-02-13T10:00:00+08:00', '--working-days', '3'], { env, cwd: REPO_ROOT });
  assert.equal(stdout.trim(), '2026-02-25T23:59:59+08:00');
  const bad = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'zhd.js'), 'calendar', 'deadline', '--from', '昨天', '--working-days', '3'], { env, cwd: REPO_ROOT }).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(bad?.code, 1);
  assert.match(bad!.stderr, /--from 不是有效时间/);
});
