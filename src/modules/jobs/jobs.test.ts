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

test('a long job keeps its lease: no other instance takes it meanwhile; a job whose lease is lost is told so', async () => {
  await ctx.db.deleteFrom('job').where('state', 'in', ['queued', 'running']).execute(); // left by the tests before
  let runs = 0;
  const slow = { 'test.slow': async () => void (runs++, await new Promise((r) => setTimeout(r, 700))) };
  const a = createJobRunner(ctx.db, slow, log, 'lease-a', { leaseMs: 200 });
  const b = createJobRunner(ctx.db, slow, log, 'lease-b', { leaseMs: 200 });
  const j = await enqueueJob(ctx.db, 'test.slow', {});
  const running = a.runDueJobs(1);
  await new Promise((r) => setTimeout(r, 450));
  assert.equal(await b.runDueJobs(1), 0, 'the lease was renewed');
  await running;
  const row = (await jobsRepo.get(ctx.db, j!.id))!;
  assert.deepEqual([row.state, row.attempts, runs], ['done', 1, 1]);

  // the lease taken from under the handler: the signal says so, and the result is not recorded as this worker's
  let aborted = false;
  const c = createJobRunner(ctx.db, {
    'test.lost': async (_p, run) => {
      await ctx.db.updateTable('job').set({ locked_by: 'someone-else' }).where('id', '=', run!.id).execute();
      await new Promise<void>((r) => {
        run!.signal.addEventListener('abort', () => r());
        setTimeout(r, 1000);
      });
      aborted = run!.signal.aborted;
    },
  }, log, 'lease-c', { leaseMs: 150 });
  const lost = await enqueueJob(ctx.db, 'test.lost', {});
  await c.runDueJobs(1);
  assert.ok(aborted);
  assert.equal((await jobsRepo.get(ctx.db, lost!.id))!.state, 'running');
  await ctx.db.updateTable('job').set({ state: 'done' }).where('id', '=', lost!.id).execute();

  // a job claimed with another and lost while it waits its turn is not run
  const ran: string[] = [];
  const first = await enqueueJob(ctx.db, 'test.first', {});
  const second = await enqueueJob(ctx.db, 'test.second', {});
  const d = createJobRunner(ctx.db, {
    'test.first': async () => {
      ran.push('first');
      await ctx.db.updateTable('job').set({ locked_by: 'someone-else' }).where('id', '=', second!.id).execute();
      await new Promise((r) => setTimeout(r, 300));
    },
    'test.second': async () => void ran.push('second'),
  }, log, 'lease-d', { leaseMs: 150 });
  assert.equal(await d.runDueJobs(2), 2);
  assert.deepEqual(ran, ['first']);
  assert.equal((await jobsRepo.get(ctx.db, first!.id))!.state, 'done');
  await ctx.db.updateTable('job').set({ state: 'done' }).where('id', '=', second!.id).execute();
});

test('a triage run does a bounded amount of work and queues a follow-up; jobs that fall due meanwhile run in between', async () => {
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  const { ingest } = await import('../intake/pipeline.ts');
  const { ADAPTERS } = await import('../intake/adapters.ts');
  const { jsonArray } = await import('../intake/files.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  await ctx.db.deleteFrom('job').where('state', 'in', ['queued', 'running']).execute();
  await ctx.db.updateTable('job_schedule').set({ active: false }).execute();
  await ctx.db.insertInto('job_schedule').values({ name: 'test-sweep', cron: '0 0 1 1 *', kind: 'test.sweep', payload: {}, next_run_at: new Date(Date.now() + 3_600_000) }).execute();
  const matters = ['烧烤店油烟扰民', '工地夜间施工噪音', '药店无处方销售抗生素', '超市销售过期牛奶', '河道有人倾倒垃圾'];
  const rows = matters.map((m, i) => ({ 工单编号: `BUDGET-${i}`, 受理时间: '2026-06-01 09:00', 诉求内容: `镜湖区${m}，希望有关部门尽快处理，谢谢。` }));
  await ingest(ctx, { adapter: ADAPTERS.hotline12345!, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
  const untriaged = async () => Number((await ctx.db.selectFrom('problem').select((eb) => eb.fn.countAll<number>().as('n')).where('triaged_at', 'is', null).executeTakeFirstOrThrow()).n);
  const queuedTriage = () => ctx.db.selectFrom('job').select(['id', 'payload']).where('kind', '=', 'triage.pending').where('state', '=', 'queued').execute();

  const handlers = jobHandlers(ctx, createServices(ctx), { triageBudgetMs: 0, triageBatch: 2 });
  const order: string[] = [];
  let triageRuns = 0;
  const runner = createJobRunner(ctx.db, {
    ...handlers,
    'triage.pending': async (p, run) => {
      order.push('triage');
      // the sweep falls due while the second run works
      if (++triageRuns === 2) await ctx.db.updateTable('job_schedule').set({ next_run_at: new Date(Date.now() - 1000) }).where('name', '=', 'test-sweep').execute();
      await handlers['triage.pending']!(p, run);
    },
    'test.sweep': async () => void order.push('sweep'),
  }, log, 'triage-runner');

  assert.equal(await runner.runDueJobs(1), 1);
  assert.equal(await untriaged(), 3, 'one batch, then the budget is spent');
  assert.deepEqual((await queuedTriage()).map((j) => j.payload), [{ triaged: 2 }], 'the rest is left to a follow-up job');

  runner.start(10);
  for (let waited = 0; (order.length < 4 || (await untriaged()) > 0) && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  await runner.stop();
  assert.equal(await untriaged(), 0);
  assert.deepEqual(order, ['triage', 'triage', 'sweep', 'triage'], 'the sweep ran before the follow-up');
  assert.deepEqual(await queuedTriage(), []);
});

test('a count handed on to the next run goes into a job already due, or a new one', async () => {
  const due = () => ctx.db.selectFrom('job').select(['payload']).where('kind', '=', 'test.handon').where('state', '=', 'queued').orderBy('id').execute();
  await jobsRepo.handOn(ctx.db, 'test.handon', 'triaged', 2, 5);
  assert.deepEqual((await due()).map((j) => j.payload), [{ triaged: 2 }]);
  await jobsRepo.handOn(ctx.db, 'test.handon', 'triaged', 3, 5);
  assert.deepEqual((await due()).map((j) => j.payload), [{ triaged: 5 }]);
  // one waiting for a later slot is not due: a new one runs now
  await ctx.db.updateTable('job').set({ run_at: new Date(Date.now() + 60_000) }).where('kind', '=', 'test.handon').execute();
  await jobsRepo.handOn(ctx.db, 'test.handon', 'triaged', 1, 5);
  assert.deepEqual((await due()).map((j) => j.payload), [{ triaged: 5 }, { triaged: 1 }]);
});
