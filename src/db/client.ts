import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { Mutex, PgliteDialect } from './pglite-dialect.ts';
import { prepareRepeatedStatements } from './prepared.ts';
import type { DB } from './types.ts';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the database or an open transaction: repos accept both. */
export type Queryable = Kysely<DB>;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Where the data lives, safe to print (no password). */
  label: string;
  close(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/** bigint and numeric as JS numbers, dates as 'YYYY-MM-DD' strings: the same on both drivers. */
const pgliteParsers = {
  [INT8]: (v: string) => Number(v),
  [NUMERIC]: (v: string) => Number(v),
  [DATE]: (v: string) => v,
};

export async function openPglite(dataDir: string | null): Promise<Database> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const dir = dataDir ? path.join(dataDir, 'pgdata') : undefined;
  const pglite = await PGlite.create({ dataDir: dir, extensions: { pg_trgm }, parsers: pgliteParsers });
  const db = new Kysely<DB>({ dialect: new PgliteDialect(pglite, new Mutex()) });
  return {
    kind: 'pglite',
    db,
    label: dir ? `PGlite（${dir}）` : 'PGlite（内存）',
    async close() {
      await db.destroy();
      if (!pglite.closed) {
        await pglite.exec('CHECKPOINT');
        await pglite.close();
      }
    },
  };
}

function typeParser(oid: number, format?: 'text' | 'binary') {
  if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
  if (oid === DATE) return (v: string) => v;
  return pg.types.getTypeParser(oid, format as 'text');
}

export async function openPostgres(url: string, opts: { poolSize?: number; prepare?: boolean } = {}): Promise<Database> {
  const { poolSize = 10, prepare = true } = opts;
  // jit off: the platform's queries are short and interactive; compiling them costs more than it saves (10–15 ms a search)
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off', types: { getTypeParser: typeParser as typeof pg.types.getTypeParser } });
  pool.on('error', () => {}); // an idle client's lost connection is replaced by the pool on next use
  // a client in use whose connection drops (a database restart) fails its queries and is discarded on release; without
  // a listener its 'error' event would end the whole process
  pool.on('connect', (client) => client.on('error', () => {}));
  if (prepare) prepareRepeatedStatements(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  return {
    kind: 'postgres',
    db,
    label: `PostgreSQL（${u.hostname}:${u.port || 5432}${u.pathname}）`,
    async close() {
      await db.destroy();
    },
  };
}
