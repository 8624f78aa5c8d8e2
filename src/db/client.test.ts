import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createTestContext, onPostgres } from '../../test/helpers.ts';

test('a connection dropped in the middle of a transaction fails that transaction only; the next query gets a new one', { skip: !onPostgres && 'PostgreSQL only (DATABASE_URL)' }, async () => {
  const ctx = await createTestContext();
  try {
    const failed = await ctx.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      // another connection ends this one, as a database restart or an administrator would
      await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(ctx.db);
      await new Promise((r) => setTimeout(r, 200));
      await sql`select 1`.execute(tx);
    }).then(() => false, () => true);
    assert.ok(failed, 'the transaction on the dropped connection fails');
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(ctx.db);
    assert.equal(rows[0]!.one, 1);
  } finally {
    await ctx.close();
  }
});

test('a long run of queries lets requests in: a timer set before it runs while it goes on (embedded PGlite settles queries without I/O)', async () => {
  const ctx = await createTestContext();
  try {
    let ticked = false;
    setTimeout(() => (ticked = true), 0);
    const started = performance.now();
    let queries = 0;
    await ctx.db.transaction().execute(async (tx) => {
      while (!ticked && performance.now() - started < 3000) {
        await sql`select 1`.execute(tx);
        queries++;
      }
    });
    assert.ok(ticked, `no turn of the event loop during ${queries} queries in ${Math.round(performance.now() - started)} ms`);
  } finally {
    await ctx.close();
  }
});
