import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { makeProblem } from '../../test/factories.ts';
import { createTestContext, tempDir, type TestContext } from '../../test/helpers.ts';
import { verifyAuditChain } from '../modules/audit/service.ts';
import { seedDemoCity } from '../modules/seed/service.ts';
import { backupDatabase, restoreDatabase, tablesInDependencyOrder } from './backup.ts';

let source: TestContext;
let target: TestContext;
before(async () => {
  source = await createTestContext();
  target = await createTestContext();
});
after(async () => {
  await source.close();
  await target.close();
});

async function snapshot(ctx: TestContext) {
  const out: Record<string, unknown[]> = {};
  for (const t of await tablesInDependencyOrder(ctx.db)) {
    out[t] = (await sql<{ j: string }>`select row_to_json(x)::text as j from ${sql.table(t)} x order by 1`.execute(ctx.db)).rows.map((r) => r.j).sort();
  }
  return out;
}

test('a backup restores into another database with the same rows, a valid audit chain and working identities', async () => {
  await seedDemoCity(source);
  // a problem: its kind, channel and batch are referenced through triggers, not foreign keys (migration 0023), and must
  // still be restored first
  await makeProblem(source);
  const order = await tablesInDependencyOrder(source.db);
  for (const [parent, child] of [['report_kind', 'problem'], ['region', 'problem'], ['channel', 'raw_record'], ['import_batch', 'raw_record']] as const) {
    assert.ok(order.indexOf(parent) < order.indexOf(child), `${parent} before ${child}`);
  }
  // a table with a generated column (lost) restores too: the column is computed again, not inserted
  const unit = await source.db.selectFrom('unit').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
  await source.db.insertInto('case_outcome').values({ kind: 'litigation', case_no: '（2026）皖0202行初1号', unit_id: unit.id, decided_on: '2026-10-09', result: 'revoked' }).execute();
  const file = path.join(tempDir(), 'city.zhd.gz');
  const header = await backupDatabase(source.db, file);
  assert.ok(header.tables.unit! > 50);
  // the target has rows of its own that the restore replaces
  await seedDemoCity(target);
  await target.db.updateTable('unit').set({ name: '将被覆盖' }).where('id', '=', 1).execute();
  await restoreDatabase(target.db, file);
  assert.deepEqual(await snapshot(target), await snapshot(source));
  assert.equal((await target.db.selectFrom('case_outcome').select('lost').executeTakeFirstOrThrow()).lost, true);
  assert.deepEqual(await verifyAuditChain(target.db), await verifyAuditChain(source.db));
  assert.equal((await verifyAuditChain(target.db)).ok, true);
  // identity sequences continue after the restored ids
  const maxId = (await target.db.selectFrom('unit').select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow()).m as number;
  const next = await target.db.insertInto('unit').values({ name: '恢复后新建', kind: 'office', updated_at: new Date() }).returning('id').executeTakeFirstOrThrow();
  assert.equal(next.id, maxId + 1);
  // personal data is still readable with the same key
  const admin = await target.db.selectFrom('app_user').select('phone_enc').where('username', '=', 'admin').executeTakeFirstOrThrow();
  assert.equal(target.cipher.decrypt(admin.phone_enc!), '13900000001');
});

test('a file that is not a backup is refused without touching the data', async () => {
  const before = await snapshot(target);
  const fs = await import('node:fs');
  const zlib = await import('node:zlib');
  const bad = path.join(tempDir(), 'bad.gz');
  fs.writeFileSync(bad, zlib.gzipSync('hello\n'));
  await assert.rejects(restoreDatabase(target.db, bad), /不是智慧督的备份文件/);
  await assert.rejects(restoreDatabase(target.db, path.join(tempDir(), 'missing.gz')), /备份文件不存在/);
  assert.deepEqual(await snapshot(target), before);
});
