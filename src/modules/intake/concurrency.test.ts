import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestContext, onPostgres, type TestContext } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { seedDemoCity } from '../seed/service.ts';
import { ADAPTERS } from './adapters.ts';
import { jsonArray } from './files.ts';
import { ingest } from './pipeline.ts';

// Imports of the same records at the same time (two people, two servers): only PostgreSQL runs them at once.
const skip = !onPostgres && 'imports run one at a time on PGlite: PostgreSQL only (DATABASE_URL)';
let ctx: TestContext;
before(async () => {
  if (skip) return;
  ctx = await createTestContext();
  await seedDemoCity(ctx);
});
after(() => ctx?.close());

const RECORDS = 3000;
const rows = (reply: string, order: 'up' | 'down' | 'shuffled') => {
  const ids = Array.from({ length: RECORDS }, (_, i) => i);
  if (order === 'down') ids.reverse();
  // a fixed shuffle: every third id first
  if (order === 'shuffled') ids.sort((a, b) => (a % 3) - (b % 3) || a - b);
  return ids.map((i) => ({ 工单编号: `RACE-${String(i).padStart(5, '0')}`, 受理时间: '2026-05-06 10:00', 诉求内容: `第 ${i} 号反映：小区门口夜市油烟扰民`, 办理结果: reply }));
};
const run = (reply: string, order: 'up' | 'down' | 'shuffled') =>
  ingest(ctx, { adapter: ADAPTERS.hotline12345!, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows(reply, order)), workers: 0 });

test('two imports changing the same records at once, in opposite orders: both changes are kept as versions, none is called a repeat', { skip }, async () => {
  const first = await run('', 'up');
  assert.equal(first.inserted, RECORDS);
  const [a, b] = await Promise.all([run('甲：已责令整改', 'down'), run('乙：已立案查处', 'shuffled')]);
  assert.equal(a.changed + b.changed, 2 * RECORDS, JSON.stringify({ a, b }));
  assert.equal(a.repeats + b.repeats, 0);
  const { rows: versions } = await sql<{ n: number; hashes: number; problems: number }>`
    select count(*)::int as n, count(distinct r.content_hash)::int as hashes, count(distinct s.problem_id)::int as problems
    from raw_record r join problem_source s on s.raw_record_id = r.id
    where r.channel = 'hotline12345' and r.external_id like 'RACE-%' group by r.external_id`.execute(ctx.db);
  assert.equal(versions.length, RECORDS);
  assert.ok(versions.every((v) => v.n === 3 && v.hashes === 3 && v.problems === 1), JSON.stringify(versions.find((v) => v.n !== 3 || v.problems !== 1)));
  // and the same changes once more, at once: every one a repeat now
  const [c, d] = await Promise.all([run('甲：已责令整改', 'up'), run('乙：已立案查处', 'down')]);
  assert.deepEqual([c.changed + d.changed, c.repeats + d.repeats], [0, 2 * RECORDS]);
});
