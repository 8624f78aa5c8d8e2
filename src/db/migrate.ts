import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './client.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Any constant shared by every instance: one migrator at a time across processes. */
const MIGRATION_LOCK_KEY = 482_301_17;

export function migrationFiles(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort();
}

/** Applies every migration not yet applied, each in its own transaction. Returns the names applied. */
export async function migrate(db: Db, log: (line: string) => void = () => {}): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      await sql`create table if not exists schema_migration (name text primary key, applied_at timestamptz not null default now())`.execute(conn);
      const done = new Set((await conn.selectFrom('schema_migration').select('name').execute()).map((r) => r.name));
      const applied: string[] = [];
      for (const file of migrationFiles()) {
        if (done.has(file)) continue;
        const script = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
        await sql`begin`.execute(conn);
        try {
          await sql.raw(script).execute(conn);
          await conn.insertInto('schema_migration').values({ name: file }).execute();
          await sql`commit`.execute(conn);
        } catch (err) {
          await sql`rollback`.execute(conn);
          throw new Error(`迁移 ${file} 失败：${(err as Error).message}`, { cause: err });
        }
        applied.push(file);
        log(`已应用迁移 ${file}`);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}
