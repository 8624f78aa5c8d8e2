import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createTestContext, onPostgres } from '../../test/helpers.ts';
import { makeProblem } from '../../test/factories.ts';

// Intake's references to the reference tables are checked per statement (migration 0023), not by foreign keys:
// these are the cases a foreign key would have refused.

const refused = async (what: Promise<unknown>, mentions: string) => {
  await assert.rejects(what, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, '23503', e.message);
    assert.match(e.message ?? '', new RegExp(mentions));
    return true;
  });
};

test('a problem or raw record naming a channel, kind, region or batch that does not exist is refused, a whole statement at once', async () => {
  const ctx = await createTestContext();
  try {
    const { id: problemId } = await makeProblem(ctx);
    await refused(sql`update problem set region_code = '999999999' where id = ${problemId}`.execute(ctx.db), 'region_code = 999999999');
    await refused(sql`update problem set kind_code = 'no_such_kind' where id = ${problemId}`.execute(ctx.db), 'kind_code = no_such_kind');
    await refused(sql`update problem set channel = 'no_such_channel' where id = ${problemId}`.execute(ctx.db), 'channel = no_such_channel');
    const raw = (channel: string, batchId: number | null, id: string) =>
      sql`insert into raw_record (channel, external_id, version, content_hash, payload, batch_id)
          values ('web_form', ${`${id}-ok`}, 1, 'h1', '{}', null), (${channel}, ${id}, 1, 'h2', '{}', ${batchId})`.execute(ctx.db);
    await refused(raw('no_such_channel', null, 'r1'), 'channel = no_such_channel');
    await refused(raw('web_form', 987654321, 'r2'), 'batch_id = 987654321');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from raw_record where external_id like 'r%-ok'`.execute(ctx.db);
    assert.equal(rows[0]!.n, 0, 'the valid row of a refused statement is not kept either');
    const after = await ctx.db.selectFrom('problem').select(['region_code', 'kind_code', 'channel']).where('id', '=', problemId).executeTakeFirstOrThrow();
    assert.equal(after.channel, 'web_form');
    assert.equal(after.kind_code, 'complaint');
  } finally {
    await ctx.close();
  }
});

test('a channel, kind, region or batch still referred to cannot be deleted or renamed; one no longer referred to can', async () => {
  const ctx = await createTestContext();
  try {
    const { id: problemId } = await makeProblem(ctx);
    await sql`insert into region (code, name, level) values ('340299000000', '测试区', 'county'), ('340299999000', '空区', 'county')`.execute(ctx.db);
    await sql`update problem set region_code = '340299000000' where id = ${problemId}`.execute(ctx.db);
    await refused(sql`delete from region where code = '340299000000'`.execute(ctx.db), 'problem.region_code');
    await refused(sql`update region set code = '340299000001' where code = '340299000000'`.execute(ctx.db), 'problem.region_code');
    await sql`update region set name = '测试区（更名）' where code = '340299000000'`.execute(ctx.db);
    await sql`delete from region where code = '340299999000'`.execute(ctx.db);
    await refused(sql`delete from report_kind where code = 'complaint'`.execute(ctx.db), 'problem.kind_code');
    await refused(sql`delete from channel where code = 'web_form'`.execute(ctx.db), 'channel');
    const batch = await ctx.db.selectFrom('raw_record').select('batch_id').where('batch_id', 'is not', null).executeTakeFirst();
    assert.ok(batch, 'the form report came through an import batch');
    await refused(sql`delete from import_batch where id = ${batch.batch_id}`.execute(ctx.db), 'raw_record.batch_id');

    await sql`update problem set region_code = null where id = ${problemId}`.execute(ctx.db);
    await sql`delete from region where code = '340299000000'`.execute(ctx.db);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from region where code like '3402990%'`.execute(ctx.db);
    assert.equal(rows[0]!.n, 0);
  } finally {
    await ctx.close();
  }
});

test('deleting a region while another transaction is writing a problem that refers to it waits for that transaction, then refuses', { skip: !onPostgres && 'PostgreSQL only (DATABASE_URL): PGlite has one connection' }, async () => {
  const ctx = await createTestContext();
  try {
    const { id: problemId } = await makeProblem(ctx);
    await sql`insert into region (code, name, level) values ('340299000000', '测试区', 'county')`.execute(ctx.db);
    let deletion: Promise<unknown> | null = null;
    let settled = false;
    await ctx.db.transaction().execute(async (tx) => {
      await sql`update problem set region_code = '340299000000' where id = ${problemId}`.execute(tx);
      deletion = sql`delete from region where code = '340299000000'`.execute(ctx.db).finally(() => (settled = true));
      deletion.catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(settled, false, 'the deletion waits for the writing transaction');
    });
    await refused(deletion!, 'problem.region_code');
    const region = await ctx.db.selectFrom('region').select('code').where('code', '=', '340299000000').executeTakeFirst();
    assert.ok(region, 'the region is still there');
  } finally {
    await ctx.close();
  }
});

test('a source naming a problem or raw record that does not exist is refused; a problem or raw record a source still names cannot be deleted', async () => {
  const ctx = await createTestContext();
  try {
    const { id: problemId } = await makeProblem(ctx);
    const source = await ctx.db.selectFrom('problem_source').select(['id', 'raw_record_id']).where('problem_id', '=', problemId).executeTakeFirstOrThrow();
    await refused(sql`update problem_source set problem_id = 987654321 where id = ${source.id}`.execute(ctx.db), 'problem_id = 987654321');
    await refused(
      sql`insert into problem_source (problem_id, raw_record_id, channel, external_id, version, link_reason)
          values (${problemId}, 987654322, 'web_form', 'x', 1, 'origin')`.execute(ctx.db),
      'raw_record_id = 987654322',
    );
    await refused(sql`delete from problem where id = ${problemId}`.execute(ctx.db), 'problem_source.problem_id');
    await refused(sql`delete from raw_record where id = ${source.raw_record_id}`.execute(ctx.db), 'problem_source.raw_record_id');

    // once nothing names them, they go
    await sql`delete from problem_source where id = ${source.id}`.execute(ctx.db);
    await sql`delete from problem where id = ${problemId}`.execute(ctx.db);
    await sql`delete from raw_record where id = ${source.raw_record_id}`.execute(ctx.db);
    assert.equal(await ctx.db.selectFrom('problem').select('id').where('id', '=', problemId).executeTakeFirst(), undefined);
  } finally {
    await ctx.close();
  }
});
