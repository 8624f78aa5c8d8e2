/**
 * npm run bench:ingest — generates realistic records (the project's own generator), writes them as each channel's
 * files, imports them through the real pipeline on PGlite and (with DATABASE_URL) on PostgreSQL, and measures in the
 * same run a plain COPY of the same rows into a table with raw_record's columns and indexes. Prints one JSON line; for
 * PostgreSQL also the CPU time per record of this process (all its threads) and of the server's processes, and the
 * server's CPU time per row of the COPY.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import pino from 'pino';
import type { AppContext } from '../src/context.ts';
import { openPglite, openPostgres, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadConfig } from '../src/lib/config.ts';
import { FieldCipher } from '../src/lib/crypto.ts';
import { SYSTEM_ACTOR } from '../src/modules/auth/access.ts';
import { importFile } from '../src/modules/intake/service.ts';
import { generateRecords } from '../src/modules/seed/generator.ts';
import { seedDemoCity } from '../src/modules/seed/service.ts';

const RECORDS = Number(process.env.ZHD_BENCH_RECORDS ?? 200_000);
const PGLITE_RECORDS = Number(process.env.ZHD_BENCH_PGLITE_RECORDS ?? RECORDS);
const KEY = 'fedcba9876543210fedcba9876543210';
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const log = (line: string) => process.stderr.write(`${line}\n`);

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Writes `count` generated records into one file per channel (12345 as CSV, the rest as JSON lines). */
const generated = (count: number) => generateRecords({ from: new Date('2025-11-01T00:00:00+08:00'), days: 400, perDay: Math.ceil(count / 250), now: new Date('2026-11-26T00:00:00+08:00') });

async function writeFiles(dir: string, count: number): Promise<{ files: [string, string][] }> {
  const streams = new Map<string, fs.WriteStream>();
  let n = 0;
  for (const { channel, record } of generated(count)) {
    if (n++ >= count) break;
    let s = streams.get(channel);
    const file = path.join(dir, channel === 'hotline12345' ? 'hotline12345.csv' : `${channel}.jsonl`);
    if (!s) {
      s = fs.createWriteStream(file);
      streams.set(channel, s);
      if (channel === 'hotline12345') s.write(`${Object.keys(record).join(',')}\n`);
    }
    const line = channel === 'hotline12345' ? `${Object.values(record).map(csvCell).join(',')}\n` : `${JSON.stringify(record)}\n`;
    if (!s.write(line)) await new Promise<void>((r) => s.once('drain', () => r()));
  }
  await Promise.all([...streams.values()].map((s) => new Promise((r) => s.end(r))));
  return { files: [...streams.keys()].map((c) => [c, path.join(dir, c === 'hotline12345' ? 'hotline12345.csv' : `${c}.jsonl`)]) };
}

async function importAll(database: Database, files: [string, string][]): Promise<{ records: number; seconds: number; nodeCpuSeconds: number; serverCpuSeconds: number | null }> {
  await migrate(database.db);
  // the key in the settings as well as the cipher, as runtime.ts builds them
  const ctx: AppContext = { database, db: database.db, config: loadConfig({ LOG_LEVEL: 'silent', ZHD_SM4_KEY: KEY }), cipher: new FieldCipher(KEY), log: pino({ level: 'silent' }) };
  await seedDemoCity(ctx);
  const started = performance.now();
  const nodeCpu = process.cpuUsage();
  const serverCpu = postgresCpuSeconds();
  let records = 0;
  for (const [channel, file] of files) {
    const r = await importFile(ctx, SYSTEM_ACTOR, { channel, file, origin: 'cli' });
    records += r.inserted + r.changed;
    if (r.rejected) throw new Error(`${channel}: ${r.rejected} rejected: ${r.errors[0]?.message}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const node = process.cpuUsage(nodeCpu);
  const serverNow = postgresCpuSeconds();
  return { records, seconds, nodeCpuSeconds: (node.user + node.system) / 1e6, serverCpuSeconds: serverCpu === null || serverNow === null ? null : serverNow - serverCpu };
}

/**
 * CPU seconds used so far by the PostgreSQL server's processes on this machine (from /proc), or null when none can be
 * read (another machine, or no /proc): where an import's time goes, beside its rate.
 */
function postgresCpuSeconds(): number | null {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const end = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, end).startsWith('postgres')) continue;
      const fields = stat.slice(end + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      found = true;
    } catch {
      // a process that ended meanwhile
    }
  }
  return found ? ticks / 100 : null; // clock ticks; 100 per second on Linux
}

/** The same generated records, rendered once to a COPY file, then streamed into a table like raw_record: the ceiling for bulk loading. */
async function copyBaseline(url: string, count: number, dir: string): Promise<{ rowsPerSecond: number; serverCpuUsPerRow: number | null }> {
  const file = path.join(dir, 'copy.tsv');
  const out = fs.createWriteStream(file);
  let i = 0;
  for (const { record } of generated(count)) {
    if (i >= count) break;
    const esc = JSON.stringify(record).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
    if (!out.write(`bench\t${i++}\t1\t${randomBytes(16).toString('hex')}\t${esc}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise((r) => out.end(r));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create table raw_copy (like raw_record including all)');
  const started = performance.now();
  const serverCpu = postgresCpuSeconds();
  await pipeline(fs.createReadStream(file), client.query(copyFrom('copy raw_copy (channel, external_id, version, content_hash, payload) from stdin')));
  const seconds = (performance.now() - started) / 1000;
  const serverNow = postgresCpuSeconds();
  await client.end();
  return { rowsPerSecond: i / seconds, serverCpuUsPerRow: serverCpu === null || serverNow === null ? null : Math.round(((serverNow - serverCpu) * 1e6) / i) };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-bench-'));
log(`生成 ${RECORDS} 条记录到 ${dir} …`);
const { files } = await writeFiles(dir, RECORDS);
const result: Record<string, unknown> = { records: RECORDS };

const pgliteDir = PGLITE_RECORDS === RECORDS ? dir : fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-bench-lite-'));
const pgliteFiles = PGLITE_RECORDS === RECORDS ? files : (await writeFiles(pgliteDir, PGLITE_RECORDS)).files;
log('PGlite 导入…');
// on disk, as the product runs: an in-memory database would grow the process by the size of the data
const liteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-bench-pglite-'));
const lite = await openPglite(liteDir);
const l = await importAll(lite, pgliteFiles);
await lite.close();
fs.rmSync(liteDir, { recursive: true, force: true });
result.pglite_records = l.records;
result.pglite_records_per_s = Math.round(l.records / l.seconds);

const base = process.env.DATABASE_URL;
if (base) {
  const name = `zhd_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  try {
    log('PostgreSQL 导入…');
    const database = await openPostgres(url.toString(), { poolSize: 4 });
    const p = await importAll(database, files);
    await database.close();
    result.postgres_records_per_s = Math.round(p.records / p.seconds);
    result.postgres_node_cpu_us_per_record = Math.round(p.nodeCpuSeconds * 1e6 / p.records);
    result.postgres_server_cpu_us_per_record = p.serverCpuSeconds === null ? null : Math.round(p.serverCpuSeconds * 1e6 / p.records);
    log('PostgreSQL COPY 基线…');
    const copy = await copyBaseline(url.toString(), RECORDS, dir);
    result.postgres_copy_rows_per_s = Math.round(copy.rowsPerSecond);
    result.postgres_copy_server_cpu_us_per_row = copy.serverCpuUsPerRow;
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
} else {
  result.postgres_records_per_s = null;
  result.postgres_copy_rows_per_s = null;
}
clearInterval(sampler);
result.peak_rss_mb = Math.round(peakRss / 1024 / 1024);
fs.rmSync(dir, { recursive: true, force: true });
if (pgliteDir !== dir) fs.rmSync(pgliteDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
