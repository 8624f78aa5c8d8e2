import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestContext, onPostgres, type TestContext } from '../../../test/helpers.ts';
import { jsonbArray, textColumns } from './repo.ts';

// On PostgreSQL the arrays are binary parameters, on PGlite lists of values: either way the database must read back
// exactly what was given.
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

const roundTrip = async <T>(value: unknown, type: string) =>
  (await sql<{ v: T }>`select ${value}::${sql.raw(type)} as v`.execute(ctx.db)).rows[0]!.v;

test('textColumns: each row\'s values, nulls included, become one array per column', async () => {
  // the layout prepare.ts writes: per value a 32-bit big-endian byte length (-1 for null), then UTF-8
  const value = (v: string | null) => {
    if (v === null) return Buffer.from([255, 255, 255, 255]);
    const b = Buffer.from(v, 'utf8');
    const n = Buffer.alloc(4);
    n.writeInt32BE(b.length);
    return Buffer.concat([n, b]);
  };
  const table = [['a', null, '长文本'.repeat(40)], [null, '"q"', ''], ['😀', 'b', null]];
  const data = Buffer.concat([Buffer.from('junk'), ...table.flat().map(value)]);
  let at = 4;
  const rows = table.map((r) => {
    const from = at;
    at += r.map(value).reduce((s, b) => s + b.length, 0);
    return { data, from };
  });
  const cols = textColumns(rows, ['x', 'y', 'z'] as const, onPostgres);
  for (const [i, name] of (['x', 'y', 'z'] as const).entries()) {
    assert.deepEqual(await roundTrip<(string | null)[]>(cols[name], 'text[]'), table.map((r) => r[i]), name);
  }
});

test('jsonbArray: JSON texts become jsonb values (PostgreSQL)', { skip: !onPostgres && 'binary parameters: PostgreSQL only (DATABASE_URL)' }, async () => {
  const texts = ['{"a":1}', '[1,"二"]', '"x"'];
  const data = Buffer.from(texts.join(''), 'utf8');
  let at = 0;
  const parts = texts.map((t) => ({ data, from: at, to: (at += Buffer.byteLength(t)) }));
  assert.deepEqual(await roundTrip<unknown[]>(jsonbArray(parts), 'jsonb[]'), [{ a: 1 }, [1, '二'], 'x']);
});
