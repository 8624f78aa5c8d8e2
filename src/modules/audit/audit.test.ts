import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { childEnv, createTestApp, login, REPO_ROOT, TEST_SM4_KEY, tempDir, testConfig, type TestApp } from '../../../test/helpers.ts';
import { FACTORY_PASSWORD, makeCity } from '../../../test/factories.ts';
import { openRuntime } from '../../runtime.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { auditRepo } from './repo.ts';
import { startAuditSealer } from './sealer.ts';
import { recordAudit, sealAuditChain, verifyAuditChain } from './service.ts';

const run = promisify(execFile);
const ZHD = path.join(REPO_ROOT, 'bin', 'zhd.js');

let t: TestApp;
let city: Awaited<ReturnType<typeof makeCity>>;
before(async () => {
  t = await createTestApp();
  city = await makeCity(t.ctx);
});
after(() => t.close());

test('each change writes an audit row in its own transaction, chained by SM3', async () => {
  const cookie = await login(t.app, city.admin.username, FACTORY_PASSWORD);
  const res = await t.app.inject({ method: 'POST', url: '/api/units', headers: { cookie }, payload: { name: '审计测试科', kind: 'office', parentId: city.deptA.id } });
  assert.equal(res.statusCode, 200);
  const row = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'unit.create').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.equal(row.target_id, String(res.json().id));
  assert.equal(row.ip, '127.0.0.1');
  assert.match(row.actor_label, new RegExp(city.admin.username));
  // chained after commit: by the sealer (every server instance runs one), or by verification, which seals first
  assert.equal(row.hash, null);
  assert.deepEqual(await verifyAuditChain(t.ctx.db), { ok: true, rows: await count() });
  const sealed = await t.ctx.db.selectFrom('audit_log').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
  assert.equal(sealed.hash?.length, 64);
  assert.equal(sealed.prev_hash?.length, 64);
});

test('a failed change leaves neither the change nor its audit row', async () => {
  const before = await count();
  await assert.rejects(
    t.ctx.db.transaction().execute(async (tx) => {
      await recordAudit(tx, SYSTEM_ACTOR, { action: 'unit.create', targetType: 'unit', summary: { name: '不会留下' } });
      await tx.insertInto('unit').values({ name: 'x', kind: 'office', parent_id: 999_999, updated_at: new Date() }).execute();
    }),
  );
  assert.equal(await count(), before);
});

test('concurrent writers and concurrent sealers keep one unbroken chain, each row sealed once', async () => {
  const write = (i: number) => t.ctx.db.transaction().execute((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'test.concurrent', targetType: 'test', targetId: i }));
  const sealed = await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => write(i).then(() => 0)),
    sealAuditChain(t.ctx.db, 3), sealAuditChain(t.ctx.db, 3), sealAuditChain(t.ctx.db, 3),
  ]);
  const rest = await sealAuditChain(t.ctx.db);
  assert.ok(sealed.reduce((a, b) => a + b, 0) + rest >= 20);
  assert.equal(await auditRepo.countUnsealed(t.ctx.db), 0);
  const seqs = (await t.ctx.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => r.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  assert.deepEqual(await verifyAuditChain(t.ctx.db), { ok: true, rows: await count() });
});

test('a row whose transaction commits after a later one was sealed joins the chain after it', { skip: !process.env.DATABASE_URL && 'needs two connections (PostgreSQL)' }, async () => {
  await sealAuditChain(t.ctx.db);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let written!: () => void;
  const inserted = new Promise<void>((r) => (written = r));
  const slow = t.ctx.db.transaction().execute(async (tx) => {
    await recordAudit(tx, SYSTEM_ACTOR, { action: 'test.slow', targetType: 'test' });
    written();
    await held;
  });
  await inserted;
  await t.ctx.db.transaction().execute((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'test.fast', targetType: 'test' }));
  assert.equal(await sealAuditChain(t.ctx.db), 1); // the uncommitted row is not visible yet
  release();
  await slow;
  assert.equal(await sealAuditChain(t.ctx.db), 1);
  const rows = await t.ctx.db.selectFrom('audit_log').select(['id', 'action', 'seq']).where('action', 'in', ['test.slow', 'test.fast']).orderBy('seq').execute();
  assert.deepEqual(rows.map((r) => r.action), ['test.fast', 'test.slow']);
  assert.ok(rows[0]!.id > rows[1]!.id);
  assert.deepEqual(await verifyAuditChain(t.ctx.db), { ok: true, rows: await count() });
});

test('the sealer every server instance runs chains a committed row without being asked', async () => {
  await t.ctx.db.transaction().execute((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'test.sealer', targetType: 'test' }));
  const sealer = startAuditSealer(t.ctx.db, t.ctx.log, 20);
  try {
    for (let i = 0; i < 200 && (await auditRepo.countUnsealed(t.ctx.db)) > 0; i++) await new Promise((r) => setTimeout(r, 25));
  } finally {
    await sealer.stop();
  }
  const row = await t.ctx.db.selectFrom('audit_log').select(['seq', 'hash']).where('action', '=', 'test.sealer').executeTakeFirstOrThrow();
  assert.ok(row.seq);
  assert.equal(row.hash?.length, 64);
});

test('deleting a sealed row in the middle breaks the chain at the row after it', async () => {
  for (let i = 0; i < 3; i++) await t.ctx.db.transaction().execute((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'test.delete', targetType: 'test', targetId: i }));
  await sealAuditChain(t.ctx.db);
  const rows = await t.ctx.db.selectFrom('audit_log').select(['id', 'seq']).where('action', '=', 'test.delete').orderBy('seq').execute();
  await t.ctx.db.deleteFrom('audit_log').where('id', '=', rows[1]!.id).execute();
  const r = await verifyAuditChain(t.ctx.db);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.brokenId, rows[2]!.id);
  await t.ctx.db.deleteFrom('audit_log').where('action', '=', 'test.delete').execute(); // the later tests verify the chain again
});

test('the audit page filters by action and hides other units from a unit-scoped reader', async () => {
  const admin = await login(t.app, city.admin.username, FACTORY_PASSWORD);
  const list = (await t.app.inject({ url: '/api/audit?action=unit.&limit=50', headers: { cookie: admin } })).json();
  assert.ok(list.total >= 1);
  assert.ok(list.rows.every((r: { action: string }) => r.action.startsWith('unit.')));
  // one code is that code (登录, not 登录失败); a kind without the dot is all of its codes
  await login(t.app, city.admin.username, 'wrong-password').catch(() => null);
  const logins = (await t.app.inject({ url: '/api/audit?action=auth.login&limit=200', headers: { cookie: admin } })).json();
  assert.ok(logins.total >= 1 && logins.rows.every((r: { action: string }) => r.action === 'auth.login'), JSON.stringify(logins.rows.map((r: { action: string }) => r.action)));
  const auth = (await t.app.inject({ url: '/api/audit?action=auth&limit=200', headers: { cookie: admin } })).json();
  assert.ok(auth.rows.some((r: { action: string }) => r.action === 'auth.login_failed'), JSON.stringify(auth.rows.map((r: { action: string }) => r.action)));
  // a supervisor scoped to 乙局 does not see 甲局's rows
  const { makeUser } = await import('../../../test/factories.ts');
  const sup = await makeUser(t.ctx, { unit: city.deptB, roles: [['supervisor', city.deptB]] });
  const cookie = await login(t.app, sup.username, FACTORY_PASSWORD);
  const scoped = (await t.app.inject({ url: '/api/audit?limit=200', headers: { cookie } })).json();
  const unitIds = new Set(scoped.rows.map((r: { unit_id: number | null }) => r.unit_id));
  assert.ok(!unitIds.has(city.deptA.id));
  assert.ok(!unitIds.has(null));
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/audit/verify', headers: { cookie } })).statusCode, 403);
  // and the page learns it from /me, so it offers the check only to the city-wide reader
  const cityWide = async (c: string) => (await t.app.inject({ url: '/api/auth/me', headers: { cookie: c } })).json().cityWidePermissions as string[];
  assert.equal((await cityWide(cookie)).includes('audit.read'), false);
  assert.equal((await cityWide(admin)).includes('audit.read'), true);
  const verified = await t.app.inject({ method: 'POST', url: '/api/audit/verify', headers: { cookie: admin } });
  assert.equal(verified.json().ok, true);
});

async function count() {
  return (await t.ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
}

test('`zhd audit verify` prints OK, then names the row altered behind the app\'s back and exits 1', async () => {
  // The CLI opens the database itself: an embedded data folder here, or this test's PostgreSQL database.
  const dataDir = tempDir();
  const env = t.ctx.url ? childEnv({ DATABASE_URL: t.ctx.url, ZHD_SM4_KEY: TEST_SM4_KEY }) : childEnv({ DATA_DIR: dataDir });
  let tamperedId: number;
  if (t.ctx.url) {
    const rows = await t.ctx.db.selectFrom('audit_log').select('id').orderBy('id').execute();
    tamperedId = rows[Math.floor(rows.length / 2)]!.id;
  } else {
    const rt = await openRuntime(testConfig({ dataDir }), { purpose: 'test' });
    for (let i = 0; i < 5; i++) await rt.ctx.db.transaction().execute((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'test.row', targetType: 'test', targetId: i }));
    tamperedId = 3;
    await rt.close();
  }
  const ok = await run(process.execPath, [ZHD, 'audit', 'verify'], { env, cwd: REPO_ROOT });
  assert.match(ok.stdout, /^OK/);

  const tamper = async (db: typeof t.ctx.db) => sql`update audit_log set summary = '{"changed":true}'::jsonb where id = ${tamperedId}`.execute(db);
  if (t.ctx.url) await tamper(t.ctx.db);
  else {
    const rt = await openRuntime(testConfig({ dataDir }), { purpose: 'test' });
    await tamper(rt.ctx.db);
    await rt.close();
  }
  const failed = await run(process.execPath, [ZHD, 'audit', 'verify'], { env, cwd: REPO_ROOT }).then(
    () => assert.fail('verify should exit 1'),
    (e: { code: number; stdout: string }) => e,
  );
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, new RegExp(`第 ${tamperedId} 行`));
});
