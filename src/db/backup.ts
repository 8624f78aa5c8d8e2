import fs from 'node:fs';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { sql } from 'kysely';
import type { Db } from './client.ts';

/**
 * Logical backup that works the same on PGlite and PostgreSQL (and restores from one into the other):
 * gzip'd JSON lines, one header line, then {"t": table, "r": row} in foreign-key order.
 * Rows are produced by row_to_json and read back by json_populate_recordset, so every value
 * round-trips through PostgreSQL's own text forms.
 */
const FORMAT = 'zhd-backup';
const BATCH = 2000;

/** Self-referencing tables are dumped parents first. */
const ROW_ORDER: Record<string, string> = {
  region: "case level when 'province' then 0 when 'city' then 1 when 'county' then 2 else 3 end, code",
  unit: 'length(path), id',
};

/** Rollups and their work list are derived: not backed up; a restore marks every restored day for recomputation. */
const isDerived = (table: string) => table.startsWith('stat_');

type Header = { format: string; version: 1; createdAt: string; migrations: string[]; tables: Record<string, number> };

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Tables of the public schema in an order where every referenced table comes first. */
export async function tablesInDependencyOrder(db: Db): Promise<string[]> {
  const tables = (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migration' order by table_name`.execute(db)).rows.map((r) => r.name);
  const deps = (await sql<{ child: string; parent: string }>`
    select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname = 'public'`.execute(db)).rows;
  // references checked by triggers rather than foreign keys (migration 0023): the referenced table's guard trigger
  // names its referring tables in its arguments (key column, then table and column pairs)
  const guards = (await sql<{ parent: string; args: string }>`
    select t.tgrelid::regclass::text as parent, encode(t.tgargs, 'escape') as args
    from pg_trigger t where t.tgfoid = to_regproc('zhd_guard_referenced')`.execute(db)).rows;
  for (const g of guards) {
    const args = g.args.split('\\000');
    for (let i = 1; i + 1 < args.length; i += 2) deps.push({ child: args[i]!, parent: g.parent });
  }
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const d of deps) if (d.child === t && d.parent !== t) visit(d.parent);
    visiting.delete(t);
    ordered.push(t);
  };
  tables.forEach(visit);
  return ordered;
}

export async function backupDatabase(db: Db, file: string, onProgress: (table: string, rows: number) => void = () => {}): Promise<Header> {
  const tables = (await tablesInDependencyOrder(db)).filter((t) => !isDerived(t));
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = (await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0]!.n;
  const migrations = (await db.selectFrom('schema_migration').select('name').orderBy('name').execute()).map((r) => r.name);
  const header: Header = { format: FORMAT, version: 1, createdAt: new Date().toISOString(), migrations, tables: counts };

  async function* lines() {
    yield `${JSON.stringify(header)}\n`;
    for (const t of tables) {
      const order = ROW_ORDER[t] ?? '1';
      for (let offset = 0; offset < counts[t]!; offset += BATCH) {
        const { rows } = await sql<{ j: string }>`select row_to_json(x)::text as j from (select * from ${sql.table(t)} order by ${sql.raw(order)} limit ${BATCH} offset ${offset}) x`.execute(db);
        yield rows.map((r) => `{"t":${JSON.stringify(t)},"r":${r.j}}\n`).join('');
        onProgress(t, Math.min(offset + BATCH, counts[t]!));
      }
    }
  }
  const tmp = `${file}.part`;
  await pipeline(Readable.from(lines()), zlib.createGzip(), fs.createWriteStream(tmp, { mode: 0o600 }));
  fs.renameSync(tmp, file);
  return header;
}

/** Replaces every row of a migrated database with the backup's, in one transaction. */
export async function restoreDatabase(db: Db, file: string, onProgress: (table: string, rows: number) => void = () => {}): Promise<Header> {
  if (!fs.existsSync(file)) throw new Error(`备份文件不存在：${file}`);
  const input = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  let header: Header;
  try {
    header = JSON.parse(first.value ?? '');
  } catch {
    throw new Error('不是智慧督的备份文件（无法读取文件头）');
  }
  if (header.format !== FORMAT) throw new Error('不是智慧督的备份文件');
  const applied = new Set((await db.selectFrom('schema_migration').select('name').execute()).map((r) => r.name));
  const missing = header.migrations.filter((m) => !applied.has(m));
  if (missing.length) throw new Error(`备份来自更新的版本，当前数据库缺少迁移：${missing.join(', ')}。请先升级程序。`);

  const tables = await tablesInDependencyOrder(db);
  await db.transaction().execute(async (tx) => {
    await sql.raw(`truncate ${tables.map(ident).join(', ')} restart identity cascade`).execute(tx);
    let table = '';
    let batch: string[] = [];
    let done = 0;
    // generated columns (e.g. case_outcome.lost) are computed again, never inserted
    const stored = new Map<string, string>();
    for (const c of (await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns where table_schema = 'public' and is_generated = 'NEVER' order by table_name, ordinal_position`.execute(tx)).rows) {
      stored.set(c.table_name, [stored.get(c.table_name), ident(c.column_name)].filter(Boolean).join(', '));
    }
    const flush = async () => {
      if (!batch.length) return;
      const columns = sql.raw(stored.get(table)!);
      await sql`insert into ${sql.table(table)} (${columns}) select ${columns} from json_populate_recordset(null::${sql.table(table)}, ${`[${batch.join(',')}]`}::json)`.execute(tx);
      done += batch.length;
      onProgress(table, done);
      batch = [];
    };
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const line = next.value;
      if (!line) continue;
      const t = line.slice(6, line.indexOf('"', 6));
      if (!tables.includes(t)) throw new Error(`备份中的表 ${t} 在当前数据库中不存在`);
      if (t !== table) {
        await flush();
        table = t;
        done = 0;
      }
      batch.push(line.slice(line.indexOf(',"r":') + 5, -1));
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    // Identity columns continue after the restored ids.
    const identities = (await sql<{ table_name: string; column_name: string }>`select table_name, column_name from information_schema.columns where table_schema = 'public' and is_identity = 'YES'`.execute(tx)).rows;
    for (const c of identities) {
      await sql.raw(`select setval(pg_get_serial_sequence('${ident(c.table_name)}', '${c.column_name}'), coalesce((select max(${ident(c.column_name)}) from ${ident(c.table_name)}), 0) + 1, false)`).execute(tx);
    }
    for (const [t, n] of Object.entries(header.tables)) {
      if (!tables.includes(t)) continue;
      const got = (await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(tx)).rows[0]!.n;
      if (got !== n) throw new Error(`恢复后表 ${t} 有 ${got} 行，备份中为 ${n} 行，已回滚`);
    }
  });
  return header;
}
