import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { createServices } from '../../app.ts';
import { jobHandlers } from '../../jobs.ts';
import { createTestApp, login, REPO_ROOT, type TestApp } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { importFile } from '../intake/service.ts';
import { createJobRunner } from '../jobs/runner.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';

let t: TestApp;
let dispatcher: string;
before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  await importFile(t.ctx, SYSTEM_ACTOR, { channel: 'hotline12345', file: path.join(REPO_ROOT, 'docs', 'examples', 'hotline12345.csv'), origin: 'cli' });
  dispatcher = await login(t.app, 'dispatcher', DEMO_PASSWORD);
});
after(() => t.close());

const byExternal = (id: string) =>
  t.ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').selectAll('problem').where('problem_source.external_id', '=', id).executeTakeFirstOrThrow();

test('an import queues triage in the job runner; each problem gets domain, kind and misconduct flags with evidence', async () => {
  assert.equal((await byExternal('WH12345-20260301-0001')).triaged_at, null);
  const runner = createJobRunner(t.ctx.db, jobHandlers(t.ctx, createServices(t.ctx)), pino({ level: 'silent' }), 'test');
  assert.ok((await runner.runDueJobs()) >= 1);
  const noise = await byExternal('WH12345-20260301-0001');
  assert.ok(noise.triaged_at);
  assert.equal(noise.domain_code, 'eco_env');
  assert.equal(noise.triage!.domain!.source, 'lexicon');
  assert.ok(noise.triage!.domain!.evidence.includes('油烟'));
  assert.equal(noise.kind_code, 'complaint'); // the channel's own kind is kept
  assert.equal(noise.triage!.kind, null);
  const conduct = await byExternal('WH12345-20260301-0004');
  assert.deepEqual([...conduct.misconduct].sort(), ['态度恶劣', '未亮证']);
  assert.ok(conduct.triage!.misconduct.find((m) => m.category === '未亮证')!.terms.includes('未出示执法证'));
});

test('the queue shows misconduct first; confirming or correcting takes a problem out of it and keeps the correction', async () => {
  const queue = (await t.app.inject({ url: '/api/triage/queue?limit=50', headers: { cookie: dispatcher } })).json();
  assert.equal(queue.total, 4);
  assert.deepEqual(queue.rows[0].misconduct.sort(), ['态度恶劣', '未亮证']);
  const noise = queue.rows.find((r: { title: string }) => r.title === '烧烤店油烟扰民');
  const conduct = queue.rows[0];
  const r = await t.app.inject({ method: 'POST', url: '/api/triage/confirm', headers: { cookie: dispatcher }, payload: { items: [{ id: noise.id, domain: 'eco_env', kind: 'complaint' }, { id: conduct.id, domain: 'other', kind: 'complaint' }] } });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().confirmed, 2);
  const after = (await t.app.inject({ url: '/api/triage/queue?limit=50', headers: { cookie: dispatcher } })).json();
  assert.equal(after.total, 2);
  const feedback = await t.ctx.db.selectFrom('triage_feedback').selectAll().where('problem_id', '=', conduct.id).orderBy('target').execute();
  assert.deepEqual(feedback.map((f) => [f.target, f.chosen]), [['domain', 'other'], ['kind', 'complaint']]);
  const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('target_type', '=', 'problem').where('target_id', 'in', [String(noise.id), String(conduct.id)]).orderBy('id').execute();
  assert.deepEqual(audit.map((a) => a.action), ['triage.confirm', 'triage.correct']);
  // again: it is no longer waiting; a wrong code is refused by field
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/triage/confirm', headers: { cookie: dispatcher }, payload: { items: [{ id: noise.id, domain: 'eco_env', kind: 'complaint' }] } })).statusCode, 409);
  const bad = await t.app.inject({ method: 'POST', url: '/api/triage/confirm', headers: { cookie: dispatcher }, payload: { items: [{ id: queue.rows[1].id, domain: 'nope', kind: 'complaint' }] } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].field, 'domain');
  // a handler may not triage
  const handler = await login(t.app, 'handler', DEMO_PASSWORD);
  assert.equal((await t.app.inject({ url: '/api/triage/queue', headers: { cookie: handler } })).statusCode, 403);
});

test('the retrain button: without imported examples it is refused at once with the reason; with them a job trains a new version that includes the corrections', async () => {
  const runner = createJobRunner(t.ctx.db, jobHandlers(t.ctx, createServices(t.ctx)), pino({ level: 'silent' }), 'test');
  const first = await t.app.inject({ method: 'POST', url: '/api/triage/retrain', headers: { cookie: dispatcher }, payload: { target: 'domain' } });
  assert.equal(first.statusCode, 400);
  assert.match(first.json().message, /没有可用的训练样本/);

  const { createTriageService } = await import('./service.ts');
  const examples = ['油烟扰民', '噪音扰民', '污水直排', '占道经营', '违章搭建', '摊贩占道'].map((text, i) => ({ text, label: i < 3 ? '环境保护' : '城乡建设' }));
  await createTriageService(t.ctx).train(SYSTEM_ACTOR, examples, { target: 'domain', sources: ['test'] });
  const second = await t.app.inject({ method: 'POST', url: '/api/triage/retrain', headers: { cookie: dispatcher }, payload: { target: 'domain' } });
  await runner.runDueJobs();
  assert.equal((await t.ctx.db.selectFrom('job').select('state').where('id', '=', second.json().jobId).executeTakeFirstOrThrow()).state, 'done');
  const models = (await t.app.inject({ url: '/api/triage/models', headers: { cookie: dispatcher } })).json();
  const active = models.find((m: { active: boolean }) => m.active);
  assert.equal(active.version, 2);
  // the two problems confirmed earlier in this file are in the training data
  assert.equal(active.n, examples.length + 2);
});

test('the party complained about is recorded with a key that meets across reports', async () => {
  const shop = await byExternal('WH12345-20260301-0001');
  // the hotline row names no target; the text does not either (烧烤店 without a name): nothing invented
  assert.equal(shop.target_key, null);
  const { createTriageService } = await import('./service.ts');
  const { ADAPTERS } = await import('../intake/adapters.ts');
  const { jsonArray } = await import('../intake/files.ts');
  const { ingest } = await import('../intake/pipeline.ts');
  await ingest(t.ctx, { adapter: ADAPTERS.hotline12345!, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray([
    { 工单编号: 'T-1', 受理时间: '2026-03-05 09:00', 诉求内容: '弋江区白马街道北京路的康宁大药房无处方销售抗生素。' },
    { 工单编号: 'T-2', 受理时间: '2026-04-05 09:00', 诉求内容: '康宁大药房又在卖过期的感冒药，店员态度很差。' },
  ]) });
  await createTriageService(t.ctx).triagePending(100);
  const [a, b] = await Promise.all([byExternal('T-1'), byExternal('T-2')]);
  assert.equal(a.target_text, '康宁大药房');
  assert.equal(a.target_key, b.target_key);
  assert.equal(a.triage!.target!.source, 'text');
});
