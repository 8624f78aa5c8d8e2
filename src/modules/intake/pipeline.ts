import { crc32 } from 'node:zlib';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { recordAudit } from '../audit/service.ts';
import { enqueueJob } from '../jobs/runner.ts';
import type { Actor } from '../auth/access.ts';
import { ADAPTERS, type ChannelAdapter } from './adapters.ts';
import { CANONICAL_FIELDS, normalizeHeader, resolveHeaders, type CanonicalField } from './fields.ts';
import { FileError, MissingColumnsError, type SourceRow } from './files.ts';
import { defaultWorkers, preparePool, type PrepareSession } from './prepare-pool.ts';
import { isRejected, PROBLEM_COLUMNS, Preparer, SOURCE_COLUMNS, type PreparedBatch, type PreparedRow, type PrepareSetup } from './prepare.ts';
import { intakeRepo, jsonbArray, textColumns, type BatchCounts, type RawInsert, type SourceLinks } from './repo.ts';

export { trackingCode } from './prepare.ts';

export const CHUNK = 1000;
const MAX_ERRORS_RETURNED = 1000;
/** Times a chunk is looked up and stored again while concurrent imports keep storing versions of its records. */
const STORE_ROUNDS = 5;
/** Times a chunk's transaction is run when PostgreSQL rolls it back to break a deadlock. */
const CONFLICT_ATTEMPTS = 5;
/** Rows handed to the preparer at a time (to a worker thread: one message each way). */
const BATCH = 500;
/** An import that has read this many rows asks for worker threads; smaller ones are prepared on this thread. */
const WORKERS_AFTER = 4 * CHUNK;
/** A file at least this large asks for them from its first row (about 2,000 rows of a typical channel). */
const WORKERS_FILE_BYTES = 1 << 20;
/** A running import writes its counts to its batch row at most this often (the import page polls them). */
const PROGRESS_EVERY_MS = 1000;
/**
 * A running import writes its batch row at least this often, even while no chunk commits (rows that are all rejected,
 * a busy database), so that a batch silent for STALE_IMPORT_MS belongs to a process that died.
 */
const HEARTBEAT_MS = 20_000;
/** The sweep (jobs.ts, every minute) marks a running batch failed after this long without a write. */
export const STALE_IMPORT_MS = 2 * 60_000;

export type RowProblem = { rowNo: number | null; externalId: string | null; field: string | null; message: string };
export type IngestResult = {
  batchId: number;
  read: number;
  inserted: number;
  changed: number;
  repeats: number;
  rejected: number;
  errors: RowProblem[];
  unknownColumns: string[];
  /** What the user should know beyond the counts (which worksheet was read, ids that came again changed): for the terminal and the import page. */
  notices: string[];
};
export type IngestOptions = {
  adapter: ChannelAdapter;
  origin: 'cli' | 'api' | 'web' | 'form' | 'seed';
  actor: Actor;
  fileName?: string | null;
  headers: string[] | null;
  rows: AsyncIterable<SourceRow>;
  savedMapping?: Record<string, string>;
  /** Called once the batch row exists, before any record is stored. */
  onBatch?: (batchId: number) => void;
  /** Called for each row read well, in order, with the id its record is stored under (not yet committed). */
  onRecord?: (rowNo: number, externalId: string) => void;
  /** Called after each chunk is committed. */
  onProgress?: (p: BatchCounts) => void;
  /** The size of the file being imported, if known: a large file is prepared on worker threads from its first row. */
  fileBytes?: number;
  /** How far into the file reading has got, for the progress shown while importing. */
  bytesRead?: () => number;
  /**
   * A file import (command line, import page): the reader's notices (files.ts OpenedFile), asked for when the import
   * ends; and the ids that come again in the file with other content are counted and named in a notice (their
   * versions are stored one after another, as for a push, where that is how a channel sends a record's changes).
   */
  file?: { notices: () => string[]; sheet?: string };
  /**
   * The region prefixes whose problems the importer may read, when not the whole city: the new problems outside them
   * are counted in a notice (the importer will not see them again; the city's triage does).
   */
  visibleRegions?: string[];
  /**
   * Worker threads preparing rows. By default a large import (a large file, or one that has read WORKERS_AFTER rows)
   * uses defaultWorkers() of them, preparing rows on this thread until they have started; a number uses that many
   * from the first row (0: none).
   */
  workers?: number;
  /**
   * Store everything in this transaction (the caller's, which commits or rolls back the import with its own work)
   * instead of one transaction per chunk. For single records made as part of another step.
   */
  tx?: Tx;
};

/**
 * The intake pipeline: map each row onto the channel's fields, store it verbatim (personal numbers encrypted)
 * in raw_record, and create or update its problem — in chunks, each chunk one transaction, so a killed import
 * re-run later stores every record exactly once. Bad rows are reported, never a reason to stop.
 */
export async function ingest(ctx: AppContext, opts: IngestOptions): Promise<IngestResult> {
  const { adapter, actor } = opts;
  const { tx: outer } = opts;
  const db = outer ?? ctx.db;
  /** A chunk's transaction: its own, or the caller's. */
  const inTransaction = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => (outer ? work(outer) : ctx.db.transaction().execute(work));
  let tabular: Map<string, CanonicalField> | null = null;
  let unknownColumns: string[] = [];
  if (opts.headers) {
    const r = resolveHeaders(opts.headers, adapter.specs, adapter.required, opts.savedMapping);
    if (r.missing.length) {
      const names = r.missing.map((f) => `${CANONICAL_FIELDS[f]}（如“${adapter.specs.find((s) => s.field === f)?.headers[0] ?? f}”）`);
      const where = opts.file?.sheet ? `工作表“${opts.file.sheet}”` : '';
      throw new MissingColumnsError(`${where}缺少必需的列：${names.join('、')}。未能识别的列：${r.unknown.join('、') || '无'}`, { headers: opts.headers, recognized: Object.fromEntries(r.mapping), missing: r.missing });
    }
    tabular = r.mapping;
    unknownColumns = r.unknown;
  }
  const [regions, units] = await Promise.all([intakeRepo.regionNames(db), intakeRepo.unitNames(db)]);
  const setup: PrepareSetup = {
    channel: adapter.channel,
    tabular: tabular ? [...tabular] : null,
    saved: Object.entries(opts.savedMapping ?? {}).map(([h, f]) => [normalizeHeader(h), f as CanonicalField]),
    regions,
    units: units.map((u) => u.name),
    columns: opts.headers ?? null,
  };
  const preparer = new Preparer(setup, ctx.cipher, adapter);
  // worker threads build their own adapter and cipher: only for the registered adapters and a key they can be given
  const keyHex = opts.workers === 0 || outer || ADAPTERS[adapter.channel] !== adapter ? null : ctx.cipher.keyForWorkers();
  const userId = actor.principal?.kind === 'user' ? actor.principal.userId : null;
  const apiKeyId = actor.principal?.kind === 'apiKey' ? actor.principal.keyId : null;
  const { id: batchId } = await intakeRepo.createBatch(db, { channel: adapter.channel, origin: opts.origin, fileName: opts.fileName ?? null, bytesTotal: opts.fileBytes ?? null, createdBy: userId, apiKeyId });
  opts.onBatch?.(batchId);
  /** What became of the rows: counted as each chunk commits (rejected ones as they are read). */
  const totals = { inserted: 0, changed: 0, repeats: 0, rejected: 0 };
  let read = 0;
  const counts = (): BatchCounts => ({ read, ...totals, bytesRead: opts.bytesRead?.() ?? null });
  // Progress goes to the batch row outside the chunks' transactions: two lanes updating one row inside them would
  // each wait for the other's commit.
  let progressWritten: Promise<unknown> = Promise.resolve();
  let progressAt = Date.now();
  const reportProgress = (beat = false) => {
    const now = counts();
    if (!beat) opts.onProgress?.(now);
    if (outer || (!beat && Date.now() - progressAt < PROGRESS_EVERY_MS)) return;
    progressAt = Date.now();
    progressWritten = progressWritten
      .then(() => intakeRepo.setProgress(ctx.db, batchId, now))
      .catch((e) => ctx.log.warn({ err: e, batchId }, '导入进度未能写入'));
  };
  /**
   * A file import: each id's first row and content, so that an id that comes again with other content is told; and how
   * many did, with the first few. One number per id: the row (up to 2^25; beyond, the last such row) times 2^28, plus
   * 28 bits of the content hash.
   */
  const firstOfId = opts.file ? new Map<string, number>() : null;
  const changedOnce = new Set<string>();
  /** Notices known only when the rows are stored. */
  const late: string[] = [];
  /** New problems the importer will not see (visibleRegions), counted as chunks commit. */
  const visible = opts.visibleRegions ?? null;
  let outsideVisible = 0;
  let changedIds = 0;
  const changedExamples: string[] = [];
  const notices = () => {
    const all = [...(opts.file?.notices() ?? []), ...late];
    if (changedIds) all.push(`文件中有 ${changedIds} 个编号出现多次且内容不同，已按先后存为多个版本：例如 ${changedExamples.join('、')}`);
    return all;
  };
  /** The batch's final state, counts and notices, after any progress write still on its way. */
  const finish = async (state: 'done' | 'failed', error: string | null) => {
    await progressWritten;
    await intakeRepo.finishBatch(db, batchId, state, error, counts(), [...new Set([...unknownColumns, ...unknownKeys])], notices());
  };
  const errors: RowProblem[] = [];
  const unknownKeys = new Set<string>();

  /** A prepared row and the buffer its texts are in. */
  type Ready = PreparedRow & { data: Buffer };
  const onPostgres = ctx.database.kind === 'postgres';
  /** The rows' stored records as a JSON array text (PGlite: PostgreSQL gets a binary jsonb[], repo.ts jsonbArray). */
  const payloadArray = (rows: Ready[]): string => {
    let size = 2 + Math.max(0, rows.length - 1);
    for (const r of rows) size += r.problemAt - r.at;
    const out = Buffer.allocUnsafe(size);
    out[0] = 0x5b; // [
    let at = 1;
    for (let i = 0; i < rows.length; i++) {
      if (i) out[at++] = 0x2c; // ,
      const r = rows[i]!;
      at += r.data.copy(out, at, r.at, r.problemAt);
    }
    out[at] = 0x5d; // ]
    return out.toString('utf8');
  };

  /**
   * A chunk's transaction again, when PostgreSQL chose it to break a deadlock with another import (or a serialization
   * failure): it was rolled back whole, so it can simply run again. In the caller's transaction it cannot.
   */
  const retriedOnConflict = async <T>(run: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (outer || attempt >= CONFLICT_ATTEMPTS || (code !== '40P01' && code !== '40001')) throw e;
        ctx.log.warn({ batchId, attempt, code }, '导入的一段与其他写入冲突，已回滚，重试');
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
      }
    }
  };

  /** Whether the next chunk looks its records up before storing them (see store). */
  let lookUpFirst = false;
  /** Stores one chunk in one transaction. Returns the items that must wait for the next chunk (a second version of a record in the same chunk). */
  async function store(items: Ready[]): Promise<Ready[]> {
    const seen = new Map<string, Ready>();
    const later: Ready[] = [];
    let sameInChunk = 0;
    for (const p of items) {
      const first = seen.get(p.externalId);
      if (!first) seen.set(p.externalId, p);
      else if (first.hash === p.hash) sameInChunk++;
      else later.push(p);
    }
    // in the order of their ids, as every import writes them, so that two imports of the same records wait for each
    // other rather than each holding what the other needs
    const batch = [...seen.values()].sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
    const stored = await retriedOnConflict(() => inTransaction(async (tx) => {
      let repeats = sameInChunk;
      /** Stores these versions of records; the ids of those stored, by "external id#version" (the rest were there already). */
      const storeVersions = async (rows: { p: Ready; version: number }[]) => {
        if (!rows.length) return new Map<string, number>();
        const raws: RawInsert[] = rows.map(({ p, version }) => ({ external_id: p.externalId, version, content_hash: p.hash }));
        const payloads = onPostgres ? jsonbArray(rows.map(({ p }) => ({ data: p.data, from: p.at, to: p.problemAt }))) : payloadArray(rows.map(({ p }) => p));
        const inserted = await intakeRepo.insertRaw(tx, adapter.channel, batchId, raws, payloads);
        return new Map(inserted.map((r) => [`${r.external_id}#${r.version}`, r.id]));
      };
      /** What is stored of each record: its highest version and the hashes of all its versions. */
      const lookUp = async (records: Ready[]) => {
        const byId = new Map<string, { max: number; hashes: Set<string> }>();
        for (const k of await intakeRepo.knownVersions(tx, adapter.channel, records.map((p) => p.externalId))) {
          const e = byId.get(k.external_id) ?? { max: 0, hashes: new Set<string>() };
          e.max = Math.max(e.max, k.version);
          e.hashes.add(k.content_hash);
          byId.set(k.external_id, e);
        }
        return byId;
      };

      // A new record is stored as version 1 straight away, and only records found stored already are looked up: one
      // index probe per record instead of two. When the last chunk was mostly records known already (a file imported
      // again), this chunk is looked up first, so that repeats are not sent and parsed for nothing.
      // (this chunk's choice, kept: the other lane may change lookUpFirst while this one waits for the database)
      const lookedUpFirst = lookUpFirst;
      let rawIdOf = new Map<string, number>();
      let knownOnes = batch;
      if (!lookedUpFirst) {
        rawIdOf = await storeVersions(batch.map((p) => ({ p, version: 1 })));
        knownOnes = batch.filter((p) => !rawIdOf.has(`${p.externalId}#1`));
      }
      /** The version each record of the chunk is stored as; a record without one is a repeat. */
      const versionOf = new Map<Ready, number>();
      for (const p of batch) if (rawIdOf.has(`${p.externalId}#1`)) versionOf.set(p, 1);
      /** Versions still to store: 1 for a record not stored yet, the next one for a record whose content changed. */
      const nextVersions = (known: Map<string, { max: number; hashes: Set<string> }>, records: Ready[]) =>
        records.flatMap((p) => {
          const k = known.get(p.externalId);
          if (k?.hashes.has(p.hash)) {
            repeats++;
            return [];
          }
          return [{ p, version: k ? k.max + 1 : 1 }];
        });
      const known = await lookUp(knownOnes);
      lookUpFirst = known.size > batch.length / 2;
      let toStore = nextVersions(known, knownOnes);
      // A concurrent import may store one of these records between the look-up and the insert: the insert waits for it
      // to commit and skips the row. Looked up again, the same content is a repeat, other content the version after it.
      for (let round = 1; toStore.length; round++) {
        for (const [key, id] of await storeVersions(toStore)) rawIdOf.set(key, id);
        const missed: Ready[] = [];
        for (const { p, version } of toStore) {
          if (rawIdOf.has(`${p.externalId}#${version}`)) versionOf.set(p, version);
          else missed.push(p);
        }
        if (missed.length && round === STORE_ROUNDS) throw new Error(`记录 ${missed[0]!.externalId} 正被其他导入同时写入，请稍后重新导入`);
        toStore = missed.length ? nextVersions(await lookUp(missed), missed) : [];
      }
      const freshStored = batch.filter((p) => versionOf.get(p) === 1);
      const changedStored = batch.flatMap((p) => ((versionOf.get(p) ?? 1) > 1 ? [{ p, version: versionOf.get(p)! }] : []));

      const newProblems = await intakeRepo.insertProblems(tx, adapter.channel, freshStored.length, textColumns(freshStored.map((p) => ({ data: p.data, from: p.problemAt })), PROBLEM_COLUMNS, onPostgres));
      const problemIdOf = new Map(newProblems.map((r) => [r.tracking_code, r.id]));
      const outside = visible ? newProblems.filter((r) => !visible.some((prefix) => r.region_code?.startsWith(prefix))).length : 0;
      const owners = new Map((await intakeRepo.problemsOfRecords(tx, adapter.channel, changedStored.map(({ p }) => p.externalId))).map((o) => [o.external_id, o.problem_id]));
      const linked = [...freshStored, ...changedStored.map(({ p }) => p)];
      const links: SourceLinks = {
        problem_id: [...freshStored.map((p) => problemIdOf.get(p.trackingCode)!), ...changedStored.map(({ p }) => owners.get(p.externalId)!)],
        raw_record_id: [...freshStored.map((p) => rawIdOf.get(`${p.externalId}#1`)!), ...changedStored.map(({ p, version }) => rawIdOf.get(`${p.externalId}#${version}`)!)],
        version: [...freshStored.map(() => 1), ...changedStored.map(({ version }) => version)],
        link_reason: [...freshStored.map(() => 'origin' as const), ...changedStored.map(() => 'version' as const)],
      };
      await intakeRepo.insertSources(tx, adapter.channel, links, textColumns(linked.map((p) => ({ data: p.data, from: p.sourceAt })), SOURCE_COLUMNS, onPostgres));
      await intakeRepo.touchProblems(tx, [...new Set(changedStored.map(({ p }) => owners.get(p.externalId)!))].sort((a, b) => a - b));
      // a reporter who asks for 保密 in a later version is kept back from then on (never the other way round)
      if (changedStored.length) {
        const { confidential } = textColumns(changedStored.map(({ p }) => ({ data: p.data, from: p.problemAt })), PROBLEM_COLUMNS, false);
        const nowSecret = changedStored.filter((_, i) => (confidential as (string | null)[])[i] === 'true').map(({ p }) => owners.get(p.externalId)!);
        await intakeRepo.markConfidential(tx, [...new Set(nowSecret)].sort((a, b) => a - b));
      }
      const c = { inserted: freshStored.length, changed: changedStored.length, repeats, outside };
      if (c.inserted || c.changed) {
        await recordAudit(tx, actor, { action: 'intake.import', targetType: 'import_batch', targetId: batchId, summary: { channel: adapter.channel, inserted: c.inserted, changed: c.changed } });
      }
      return c;
    }));
    totals.inserted += stored.inserted;
    totals.changed += stored.changed;
    totals.repeats += stored.repeats;
    outsideVisible += stored.outside;
    reportProgress();
    return later;
  }

  // Chunks are written in lanes: the next chunk is read and prepared while the last is written, and on PostgreSQL
  // two lanes write at once. A record always goes to the same lane, so its versions stay in order.
  type Lane = { pending: Ready[]; writing: Promise<Ready[]> };
  const lanes: Lane[] = Array.from({ length: ctx.database.kind === 'postgres' && !outer ? 2 : 1 }, () => ({ pending: [], writing: Promise.resolve([]) }));
  const laneOf = (externalId: string): Lane => lanes[lanes.length === 1 ? 0 : crc32(externalId) % lanes.length]!;
  const flush = async (lane: Lane) => {
    const carried = await lane.writing;
    const items = [...carried, ...lane.pending];
    lane.pending = [];
    lane.writing = store(items);
    lane.writing.catch(() => {}); // awaited by the lane's next flush or at the end
  };
  const allErrors: RowProblem[] = [];
  /** A prepared batch, row by row in the order read: into its lane, or reported. */
  const consume = async (b: PreparedBatch, onThisThread: boolean) => {
    const data = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
    for (const item of b.items) {
      if (isRejected(item)) {
        const e: RowProblem = { rowNo: item.rowNo, externalId: item.externalId, field: item.field, message: item.message };
        totals.rejected++;
        if (errors.length < MAX_ERRORS_RETURNED) errors.push(e);
        allErrors.push(e);
      } else {
        const ready = item as Ready;
        ready.data = data;
        if (firstOfId) {
          const hash = parseInt(ready.hash.slice(0, 7), 16);
          const first = firstOfId.get(ready.externalId);
          if (first === undefined) {
            // prepared on this thread, the id may be a slice of a whole chunk of the file's text, which the map would
            // keep: a copy (from a worker thread it is a string of its own)
            const id = onThisThread ? Buffer.from(ready.externalId, 'utf16le').toString('utf16le') : ready.externalId;
            firstOfId.set(id, Math.min(ready.rowNo, 2 ** 25 - 1) * 2 ** 28 + hash);
          } else if (first % 2 ** 28 !== hash && !changedOnce.has(ready.externalId)) {
            changedOnce.add(ready.externalId);
            if (++changedIds <= 3) changedExamples.push(`第${Math.floor(first / 2 ** 28)}行与第${ready.rowNo}行（编号 ${ready.externalId}）`);
          }
        }
        opts.onRecord?.(ready.rowNo, ready.externalId);
        const lane = laneOf(ready.externalId);
        lane.pending.push(ready);
        if (lane.pending.length >= CHUNK) await flush(lane);
      }
    }
    for (const k of b.unknownKeys) unknownKeys.add(k);
  };

  // Rows are prepared in batches, on this thread or on worker threads; results are taken in the order read.
  let session: PrepareSession | null = null;
  const prepared: Promise<PreparedBatch>[] = [];
  let batch: SourceRow[] = [];
  const submit = async () => {
    const rows = batch;
    batch = [];
    if (!rows.length) return;
    if (keyHex && !session && (opts.workers || (opts.fileBytes ?? 0) >= WORKERS_FILE_BYTES || read >= WORKERS_AFTER)) {
      session = preparePool.open(opts.workers ?? defaultWorkers(), setup, keyHex);
      if (opts.workers) await session.whenReady().catch(() => {}); // threads that cannot start: prepared here
    }
    if (session?.ready) {
      const p = session.run(rows);
      p.catch(() => {}); // awaited below, unless the import fails first
      prepared.push(p);
      while (prepared.length > session.capacity) await consume(await prepared.shift()!, false);
    } else {
      while (prepared.length) await consume(await prepared.shift()!, false);
      await consume(preparer.run(rows), true);
    }
  };
  const heartbeat = outer ? null : setInterval(() => reportProgress(true), HEARTBEAT_MS);
  heartbeat?.unref();
  const settle = () => Promise.all(lanes.map((l) => l.writing.catch(() => []))).then(() => {});
  /** The file breaking off part-way (bad bytes, a damaged sheet): what was read before it is stored all the same. */
  let brokeOff: FileError | null = null;
  try {
    try {
      for await (const src of opts.rows) {
        read++;
        batch.push(src);
        if (batch.length >= (session ? BATCH : 1)) await submit();
      }
    } catch (e) {
      if (outer || !(e instanceof FileError)) throw e;
      brokeOff = e;
    }
    await submit();
    while (prepared.length) await consume(await prepared.shift()!, false);
    for (const lane of lanes) await flush(lane);
    for (const lane of lanes) {
      for (let carried = await lane.writing; carried.length; carried = await lane.writing) lane.writing = store(carried);
    }
    await intakeRepo.insertErrors(db, batchId, allErrors.map((e) => ({ row_no: e.rowNo, external_id: e.externalId, field: e.field, message: e.message })));
    if (outsideVisible) late.push(`其中 ${outsideVisible} 条所在区域不在本单位的范围内（或未能识别区域），导入后本单位看不到，由市级分拣处理`);
    await finish(brokeOff ? 'failed' : 'done', brokeOff ? brokeOff.message.slice(0, 1000) : null);
    // triage runs after the commit, in the job runner, not as part of the import
    if (totals.inserted) await enqueueJob(db, 'triage.pending', {}, { uniqueKey: `triage-after-import-${batchId}` });
    if (brokeOff) throw brokeOff;
  } catch (e) {
    if (outer || e === brokeOff) throw e; // the caller's transaction rolls back the batch with the rest
    await settle(); // let chunks already being written finish (or roll back) first
    await finish('failed', (e as Error).message.slice(0, 1000));
    throw e;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    (session as PrepareSession | null)?.close();
  }
  unknownColumns = [...new Set([...unknownColumns, ...unknownKeys])];
  return { batchId, read, ...totals, errors, unknownColumns, notices: notices() };
}
