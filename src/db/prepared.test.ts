import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createTestContext, onPostgres } from '../../test/helpers.ts';
import { StatementNames } from './prepared.ts';

test('a statement is named on its second sighting, always with the same name, and at most `limit` texts are named', () => {
  const names = new StatementNames(2);
  assert.equal(names.nameFor('select $1'), undefined, 'a one-off query stays unnamed');
  const first = names.nameFor('select $1');
  assert.match(first ?? '', /^zhd_[0-9a-f]{20}$/);
  assert.equal(names.nameFor('select $1'), first);
  names.nameFor('select $2');
  const second = names.nameFor('select $2');
  assert.ok(second && second !== first);
  names.nameFor('select $3');
  assert.equal(names.nameFor('select $3'), undefined, 'past the limit new texts stay unnamed');
  assert.equal(names.nameFor('select $1'), first, 'named ones keep their names');
  assert.equal(names.size, 2);
});

test('on PostgreSQL a repeated query runs as a named prepared statement of its connection, with the same results', { skip: !onPostgres && 'PostgreSQL only (DATABASE_URL)' }, async () => {
  const ctx = await createTestContext();
  try {
    const rows = await ctx.db.transaction().execute(async (tx) => {
      const out = [];
      for (const code of ['hotline12345', 'people_board', 'web_form']) out.push(await sql<{ name: string }>`select name from channel where code = ${code}`.execute(tx));
      const prepared = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement = ${'select name from channel where code = $1'}`.execute(tx);
      return { names: out.map((r) => r.rows[0]?.name), prepared: prepared.rows[0]!.n };
    });
    assert.equal(rows.prepared, 1);
    assert.equal(rows.names.length, 3);
    assert.ok(rows.names.every((n) => typeof n === 'string' && n.length > 0));
  } finally {
    await ctx.close();
  }
});
