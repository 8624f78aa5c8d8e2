import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { jobsRepo } from './repo.ts';
import { createJobRunner, enqueueJob, nextCronRun, retryDelayMs } from './runner.ts';

let ctx: TestContext;
const log = pino({ level: 'silent' });
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

test('a job runs once, and a failing one is retried with growing back-off until it gives up', async () => {
  const seen: unknown[] = [];
  let failures = 0;
  const runner = createJobRunner(ctx.db, {
    'test.ok': async (p) => void seen.push(p),
    'test.flaky': async () => {
      failures++;
      throw new Error('暂时失败');
    },
  }, log, 'w1');
  const ok = await enqueueJob(ctx.db, 'test.ok', { n: 1 });
  const flaky = await enqueueJob(ctx.db, 'test.flaky', {}, { maxAttempts: 2 });
  assert.equal(await runner.runDueJobs(), 2);
  assert.deepEqual(seen, [{ n: 1 }]);
  assert.equal((await jobsRepo.get(ctx.db, ok!.id))!.state, 'done');
  const afterFirst = (await jobsRepo.get(ctx.db, flaky!.id))!;
  assert.equal(afterFirst.state, 'queued');
  assert.equal(afterFirst.last_error, '暂时失败');
  assert.ok(afterFirst.run_at.getTime() > Date.now() + 20_000, 'retry waits');
  // nothing due now
  assert.equal(await runner.runDueJobs(), 0);
  await ctx.db.updateTable('job').set({ run_at: new Date(Date.now() - 1) }).where('id', '=', flaky!.id).execute();
  await runner.runDueJobs();
  assert.equal((await jobsRepo.get(ctx.db, flaky!.id))!.state, 'failed');
  assert.equal(failures, 2);
  assert.deepEqual([1, 2, 3, 10].map(retryDelayMs), [30_000, 60_000, 120_000, 3_600_000]);
});

test('an unknown job kind fails with a clear error instead of vanishing', async () => {
  const runner = createJobRunner(ctx.db, {}, log, 'w1');
  const j = await enqueueJob(ctx.db, 'test.nobody', {}, { maxAttempts: 1 });
  await runner.runDueJobs();
  const row = (await jobsRepo.get(ctx.db, j!.id))!;
  assert.equal(row.state, 'failed');
  assert.match(row.last_error!, /没有处理 test.nobody/);
});

test('two runners racing claim each job exactly once', async () => {
  const ran: number[] = [];
  const handlers = { 'test.count': async (p: Record<string, unknown>) => void ran.push(p.i as number) };
  for (let i = 0; i < 30; i++) await enqueueJob(ctx.db, 'test.count', { i });
  const a = createJobRunner(ctx.db, handlers, log, 'a');
  const b = createJobRunner(ctx.db, handlers, log, 'b');
  const drain = async (r: typeof a) => {
    while ((await r.runDueJobs(3)) > 0) {
      // keep claiming
    }
  };
  await Promise.all([drain(a), drain(b)]);
  assert.equal(ran.length, 30);
  assert.equal(new Set(ran).size, 30);
});

test('a schedule enqueues each slot once, however many instances look at it; times are Asia/Shanghai', async () => {
  // 03:30 in Shanghai is 19:30 UTC the day before
  assert.equal(nextCronRun('30 3 * * *', new Date('2026-11-26T00:00:00Z'))!.toISOString(), '2026-11-26T19:30:00.000Z');
  await ctx.db.insertInto('job_schedule').values({ name: 'test-every-minute', cron: '* * * * *', kind: 'test.tick', payload: {} }).execute();
  const a = createJobRunner(ctx.db, {}, log, 'a');
  const b = createJobRunner(ctx.db, {}, log, 'b');
  await a.enqueueDueSchedules(); // first look only sets the next slot
  const slot = new Date(Date.now() - 1000);
  await ctx.db.updateTable('job_schedule').set({ next_run_at: slot }).where('name', '=', 'test-every-minute').execute();
  await Promise.all([a.enqueueDueSchedules(), b.enqueueDueSchedules(), a.enqueueDueSchedules()]);
  const jobs = await ctx.db.selectFrom('job').select('unique_key').where('kind', '=', 'test.tick').execute();
  assert.deepEqual(jobs.map((j) => j.unique_key), [`test-every-minute@${slot.toISOString()}`]);
  const s = await ctx.db.selectFrom('job_schedule').selectAll().where('name', '=', 'test-every-minute').executeTakeFirstOrThrow();
  assert.ok(s.next_run_at! > new Date());
});

test('the built-in schedules name only job kinds the server handles', async () => {
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  const handlers = jobHandlers(ctx, createServices(ctx));
  const kinds = await ctx.db.selectFrom('job_schedule').select('kind').where('name', 'not like', 'test-%').execute();
  for (const { kind } of kinds) assert.ok(handlers[kind], `no handler for scheduled kind ${kind}`);
  // and the session cleanup really removes an idle session
  const { hashPassword } = await import('../auth/password.ts');
  const unit = await ctx.db.insertInto('unit').values({ name: '任务测试', kind: 'office', updated_at: new Date() }).returning('id').executeTakeFirstOrThrow();
  const user = await ctx.db.insertInto('app_user').values({ username: 'jobtest', display_name: 'x', unit_id: unit.id, password_hash: await hashPassword('x'), updated_at: new Date() }).returning('id').executeTakeFirstOrThrow();
  await ctx.db.insertInto('user_session').values({ id: 'old', user_id: user.id, expires_at: new Date(Date.now() + 3_600_000), last_seen_at: new Date(Date.now() - 3 * 3_600_000) }).execute();
  await handlers['auth.cleanupSessions']!({});
  assert.equal(await ctx.db.selectFrom('user_session').select('id').where('id', '=', 'old').executeTakeFirst(), undefined);
});
