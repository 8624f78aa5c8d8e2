import { sql, type SelectQueryBuilder } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { DB } from '../../db/types.ts';
import type { ProblemColumn, SourceColumn } from './prepare.ts';

/** A raw record to store (its payload goes separately, in a JSON array of all the chunk's payloads). */
export type RawInsert = { external_id: string; version: number; content_hash: string };
/** problem_source's ids for each source (the rest comes from the record: SourceColumn). */
export type SourceLinks = { problem_id: number[]; raw_record_id: number[]; version: number[]; link_reason: ('origin' | 'version')[] };
/**
 * A JSON text: UTF-8 bytes for PostgreSQL (a Buffer parameter is sent in binary format, which for json is the text
 * itself: nothing to encode or escape on the way), a string for PGlite.
 */
export type JsonText = Buffer | string;

const JSONB_OID = 3802;
const TEXT_OID = 25;

/** The header of a one-dimensional PostgreSQL binary array of `count` elements of type `oid`, at the start of `out`. */
function arrayHeader(out: Buffer, oid: number, count: number, hasNull: boolean) {
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(hasNull ? 1 : 0, 4);
  out.writeUInt32BE(oid, 8);
  out.writeInt32BE(count, 12);
  out.writeInt32BE(1, 16); // lower bound
}

/** One column's values for all rows of a statement: a binary text[] for PostgreSQL, a list for PGlite. */
export type ColumnValues = Buffer | (string | null)[];

/**
 * The values of `names` for each row, one array per column. Each row's values are stored from `from` in its buffer as
 * prepare.ts writes them (a 32-bit big-endian byte length, -1 for null, then UTF-8) — the element format of PostgreSQL's
 * binary arrays, so for PostgreSQL each value is copied as it is; for PGlite each becomes a string.
 */
export function textColumns<C extends string>(rows: { data: Buffer; from: number }[], names: readonly C[], binary: boolean): Record<C, ColumnValues> {
  const width = names.length;
  /** Where each value starts, and its byte length, row by row. */
  const starts = new Int32Array(rows.length * width);
  const lengths = new Int32Array(rows.length * width);
  const sizes = new Array<number>(width).fill(0);
  const nulls = new Array<boolean>(width).fill(false);
  for (let i = 0; i < rows.length; i++) {
    const { data, from } = rows[i]!;
    let at = from;
    for (let c = 0; c < width; c++) {
      const n = (data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!;
      starts[i * width + c] = at;
      lengths[i * width + c] = n;
      if (n < 0) nulls[c] = true;
      const size = 4 + Math.max(n, 0);
      at += size;
      sizes[c] += size;
    }
  }
  const out = {} as Record<C, ColumnValues>;
  for (let c = 0; c < width; c++) {
    if (!binary) {
      out[names[c]!] = rows.map(({ data }, i) => {
        const at = starts[i * width + c]!;
        const n = lengths[i * width + c]!;
        return n < 0 ? null : data.toString('utf8', at + 4, at + 4 + n);
      });
      continue;
    }
    const buf = Buffer.allocUnsafe(20 + sizes[c]!);
    arrayHeader(buf, TEXT_OID, rows.length, nulls[c]!);
    let to = 20;
    for (let i = 0; i < rows.length; i++) {
      const data = rows[i]!.data;
      const at = starts[i * width + c]!;
      const end = at + 4 + Math.max(lengths[i * width + c]!, 0);
      // most values are short (codes, masks, times): a loop costs less than a call to copy
      if (end - at <= 64) for (let k = at; k < end; k++) buf[to++] = data[k]!;
      else to += data.copy(buf, to, at, end);
    }
    out[names[c]!] = buf;
  }
  return out;
}

/** Strings as a binary text[] (PostgreSQL parses a text literal of them character by character, and pg writes one). */
function binaryTextArray(values: string[]): Buffer {
  let size = 20;
  for (const v of values) size += 4 + v.length * 3;
  const out = Buffer.allocUnsafe(size);
  arrayHeader(out, TEXT_OID, values.length, false);
  let at = 20;
  for (const v of values) {
    const n = out.write(v, at + 4, 'utf8');
    out.writeInt32BE(n, at);
    at += 4 + n;
  }
  return out.subarray(0, at);
}

const INT8_OID = 20;
/** Whole numbers as a binary bigint[]. */
function binaryBigintArray(values: number[]): Buffer {
  const out = Buffer.allocUnsafe(20 + values.length * 12);
  arrayHeader(out, INT8_OID, values.length, false);
  let at = 20;
  for (const v of values) {
    out.writeInt32BE(8, at);
    out.writeBigInt64BE(BigInt(v), at + 4);
    at += 12;
  }
  return out;
}

/** An import's counts: rows read, what became of them, and how far into the file (null without a file). */
export type BatchCounts = { read: number; inserted: number; changed: number; repeats: number; rejected: number; bytesRead: number | null };
const countColumns = (p: BatchCounts) => ({ read: p.read, inserted: p.inserted, changed: p.changed, repeats: p.repeats, rejected: p.rejected, bytes_read: p.bytesRead });

/**
 * JSON texts as a jsonb[] in PostgreSQL's binary array format (a header, then each element's length and bytes; a
 * binary jsonb is a version byte, 1, and the text). PostgreSQL parses each text once, straight into jsonb, where a
 * json array text would be validated, split and parsed again.
 */
export function jsonbArray(texts: { data: Buffer; from: number; to: number }[]): Buffer {
  let size = 20;
  for (const t of texts) size += 5 + t.to - t.from;
  const out = Buffer.allocUnsafe(size);
  arrayHeader(out, JSONB_OID, texts.length, false);
  let at = 20;
  for (const t of texts) {
    out.writeInt32BE(1 + t.to - t.from, at);
    out[at + 4] = 1;
    at += 5 + t.data.copy(out, at + 5, t.from, t.to);
  }
  return out;
}

/** The people of these units and the units below them. */
const usersUnder = (db: Queryable, unitPaths: string[]) =>
  db.selectFrom('app_user').innerJoin('unit', 'unit.id', 'app_user.unit_id').select('app_user.id')
    .where((eb) => eb.or(unitPaths.length ? unitPaths.map((p) => eb('unit.path', 'like', `${p}%`)) : [eb.val(false)]));

/** A batch's columns for people, with who started it: a person's name, or for a push the name of its API key. */
const withStarter = (q: SelectQueryBuilder<DB, 'import_batch', object>) =>
  q.leftJoin('app_user', 'app_user.id', 'import_batch.created_by')
    .leftJoin('api_key', 'api_key.id', 'import_batch.api_key_id')
    .select([
      'import_batch.id', 'import_batch.channel', 'import_batch.origin', 'import_batch.file_name', 'import_batch.state', 'import_batch.read',
      'import_batch.inserted', 'import_batch.changed', 'import_batch.repeats', 'import_batch.rejected', 'import_batch.bytes_total',
      'import_batch.bytes_read', 'import_batch.error', 'import_batch.unknown_columns', 'import_batch.notices', 'import_batch.started_at',
      'import_batch.finished_at', sql<string | null>`coalesce(app_user.display_name, api_key.name)`.as('started_by'),
    ]);

export const intakeRepo = {
  createBatch(db: Queryable, b: { channel: string; origin: 'cli' | 'api' | 'web' | 'form' | 'seed'; fileName: string | null; bytesTotal: number | null; createdBy: number | null; apiKeyId: number | null }) {
    return db
      .insertInto('import_batch')
      .values({ channel: b.channel, origin: b.origin, file_name: b.fileName, bytes_total: b.bytesTotal, created_by: b.createdBy, api_key_id: b.apiKeyId })
      .returning('id')
      .executeTakeFirstOrThrow();
  },

  /** The counts so far of a running batch (absolute, so a late write cannot count twice). */
  setProgress(db: Queryable, id: number, p: BatchCounts) {
    return db
      .updateTable('import_batch')
      .set({ ...countColumns(p), progress_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  },

  finishBatch(db: Queryable, id: number, state: 'done' | 'failed', error: string | null, p: BatchCounts, unknownColumns: string[], notices: string[]) {
    return db
      .updateTable('import_batch')
      .set({ ...countColumns(p), state, error, unknown_columns: unknownColumns, notices, progress_at: new Date(), finished_at: new Date() })
      .where('id', '=', id)
      .execute();
  },

  /** Batches left 'running' by a process that died: no progress for a while. */
  async failStale(db: Queryable, before: Date, message: string): Promise<number> {
    const r = await db.updateTable('import_batch').set({ state: 'failed', error: message, finished_at: new Date() }).where('state', '=', 'running').where('progress_at', '<', before).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  insertErrors(db: Queryable, batchId: number, errors: { row_no: number | null; external_id: string | null; field: string | null; message: string }[]) {
    if (!errors.length) return Promise.resolve();
    return db.insertInto('import_error').values(errors.map((e) => ({ ...e, batch_id: batchId }))).execute();
  },

  // Looking up a chunk's records probes the index once per record (a lateral subquery behind OFFSET 0, which the planner
  // cannot turn into anything else). A plain `external_id = any(…)` is planned from table statistics, which a bulk
  // import outruns: with none yet, PostgreSQL read every record of the channel for each chunk.

  /** Every stored version of these records: which content is known, and the highest version. */
  async knownVersions(db: Queryable, channel: string, externalIds: string[]) {
    if (!externalIds.length) return [];
    const { rows } = await sql<{ external_id: string; version: number; content_hash: string }>`
      select i.external_id, r.version, r.content_hash
      from unnest(${externalIds}::text[]) as i (external_id)
      cross join lateral (select version, content_hash from raw_record where channel = ${channel} and external_id = i.external_id offset 0) as r`.execute(db);
    return rows;
  },

  // Bulk inserts pass a chunk's rows in a few parameters: arrays through unnest(), and the texts prepared for each row
  // (prepare.ts) as they are, so that nothing is converted value by value on the way.

  /**
   * Versions already stored are skipped by their number alone (one index checked before each row, not both unique
   * ones): a version is only ever stored as the one after the highest a look-up saw, so versions have no gaps, and the
   * same content under another number would have been seen and counted as a repeat.
   * payloads, in the order of rows: for PostgreSQL a binary jsonb[] (jsonbArray below: each record is parsed once, into
   * jsonb), for PGlite a JSON array text.
   */
  async insertRaw(tx: Tx, channel: string, batchId: number, rows: RawInsert[], payloads: JsonText) {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.external_id);
    const versions = rows.map((r) => r.version);
    const hashes = rows.map((r) => r.content_hash);
    const { rows: out } = await (Buffer.isBuffer(payloads)
      ? sql<{ id: number; external_id: string; version: number }>`
      insert into raw_record (channel, external_id, version, content_hash, payload, batch_id)
      select ${channel}::text, t.external_id, t.version, t.content_hash, t.payload, ${batchId}::bigint
      from unnest(${binaryTextArray(ids)}::text[], ${versions}::int[], ${binaryTextArray(hashes)}::text[], ${payloads}::jsonb[]) as t (external_id, version, content_hash, payload)
      on conflict (channel, external_id, version) do nothing
      returning id, external_id, version`
      : sql<{ id: number; external_id: string; version: number }>`
      insert into raw_record (channel, external_id, version, content_hash, payload, batch_id)
      select ${channel}::text, t.external_id, t.version, t.content_hash, p.payload::jsonb, ${batchId}::bigint
      from unnest(${ids}::text[], ${versions}::int[], ${hashes}::text[]) with ordinality as t (external_id, version, content_hash, n)
      join json_array_elements(${payloads}::json) with ordinality as p (payload, n) using (n)
      on conflict (channel, external_id, version) do nothing
      returning id, external_id, version`
    ).execute(tx);
    return out;
  },

  /** New problems, a column at a time (textColumns); channel is the import's. */
  async insertProblems(tx: Tx, channel: string, count: number, p: Record<ProblemColumn, ColumnValues>) {
    if (!count) return [];
    const { rows: out } = await sql<{ id: number; tracking_code: string; region_code: string | null }>`
      insert into problem (tracking_code, channel, title, body, kind_code, kind_text, reported_at, address, region_text, region_code,
                           target_text, unit_text, reporter_name_enc, reporter_name_mask, reporter_phone_enc, reporter_phone_mask,
                           reporter_phone_index, confidential, flags)
      select t.tracking_code, ${channel}::text, t.title, t.body, t.kind_code, t.kind_text, t.reported_at::timestamptz, t.address, t.region_text,
             t.region_code, t.target_text, t.unit_text, t.reporter_name_enc, t.reporter_name_mask, t.reporter_phone_enc, t.reporter_phone_mask,
             t.reporter_phone_index, t.confidential::boolean, t.flags::text[]
      from unnest(${p.tracking_code}::text[], ${p.title}::text[], ${p.body}::text[], ${p.kind_code}::text[], ${p.kind_text}::text[],
                  ${p.reported_at}::text[], ${p.address}::text[], ${p.region_text}::text[], ${p.region_code}::text[], ${p.target_text}::text[],
                  ${p.unit_text}::text[], ${p.reporter_name_enc}::text[], ${p.reporter_name_mask}::text[], ${p.reporter_phone_enc}::text[],
                  ${p.reporter_phone_mask}::text[], ${p.reporter_phone_index}::text[], ${p.confidential}::text[], ${p.flags}::text[])
           as t (tracking_code, title, body, kind_code, kind_text, reported_at, address, region_text, region_code, target_text, unit_text,
                 reporter_name_enc, reporter_name_mask, reporter_phone_enc, reporter_phone_mask, reporter_phone_index, confidential, flags)
      returning id, tracking_code, region_code`.execute(tx);
    return out;
  },

  /** Sources: the links, and the record's columns (textColumns) in the same order. */
  async insertSources(tx: Tx, channel: string, links: SourceLinks, s: Record<SourceColumn, ColumnValues>) {
    if (!links.problem_id.length) return;
    const binary = Buffer.isBuffer(s.external_id);
    await sql`
      insert into problem_source (problem_id, raw_record_id, channel, external_id, version, link_reason, source_state, handled_by, reply, replied_at, satisfaction)
      select t.problem_id, t.raw_record_id, ${channel}::text, t.external_id, t.version, t.link_reason, t.source_state, t.handled_by, t.reply,
             t.replied_at::timestamptz, t.satisfaction
      from unnest(${binary ? binaryBigintArray(links.problem_id) : links.problem_id}::bigint[], ${binary ? binaryBigintArray(links.raw_record_id) : links.raw_record_id}::bigint[], ${links.version}::int[], ${links.link_reason}::text[],
                  ${s.external_id}::text[], ${s.source_state}::text[], ${s.handled_by}::text[], ${s.reply}::text[], ${s.replied_at}::text[],
                  ${s.satisfaction}::text[])
           as t (problem_id, raw_record_id, version, link_reason, external_id, source_state, handled_by, reply, replied_at, satisfaction)`.execute(tx);
  },

  /** The problem each record was first linked to. */
  async problemsOfRecords(db: Queryable, channel: string, externalIds: string[]) {
    if (!externalIds.length) return [];
    const { rows } = await sql<{ external_id: string; problem_id: number }>`
      select i.external_id, s.problem_id
      from unnest(${externalIds}::text[]) as i (external_id)
      cross join lateral (select s.problem_id from raw_record r join problem_source s on s.raw_record_id = r.id
                          where r.channel = ${channel} and r.external_id = i.external_id order by r.version limit 1 offset 0) as s`.execute(db);
    return rows;
  },

  markConfidential(tx: Tx, ids: number[]) {
    if (!ids.length) return Promise.resolve();
    return tx.updateTable('problem').set({ confidential: true }).where('id', 'in', ids).where('confidential', '=', false).execute();
  },

  /** The versions of a record an import stored, locked for markRefused (pushed-files.ts). */
  rawOfBatch(tx: Tx, channel: string, externalId: string, batchId: number) {
    return tx.selectFrom('raw_record').select(['id', 'payload']).where('channel', '=', channel).where('external_id', '=', externalId).where('batch_id', '=', batchId).forUpdate().execute();
  },

  setRawPayload(tx: Tx, id: number, payload: Record<string, unknown>) {
    return tx.updateTable('raw_record').set({ payload: JSON.stringify(payload) }).where('id', '=', id).execute();
  },

  /** Problems with a reporter's phone, by id after `afterId`: a page for normalizePhones (service.ts). */
  reporterPhones(db: Queryable, afterId: number, limit: number) {
    return db.selectFrom('problem').select(['id', 'reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index'])
      .where('reporter_phone_enc', 'is not', null).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  },

  /** A reporter's phone replaced, unless it has changed since it was read. */
  setReporterPhone(tx: Tx, id: number, was: string, p: { reporter_phone_enc: string | null; reporter_phone_mask: string | null; reporter_phone_index: string | null }) {
    return tx.updateTable('problem').set(p).where('id', '=', id).where('reporter_phone_enc', '=', was).executeTakeFirst();
  },

  touchProblems(tx: Tx, ids: number[]) {
    if (!ids.length) return Promise.resolve();
    return tx
      .updateTable('problem')
      .set({ updated_at: new Date(), source_count: sql`(select count(*) from problem_source s where s.problem_id = problem.id)` as never, search_tsv: null })
      .where('id', 'in', ids)
      .execute();
  },

  /** Problems whose district or address matched no region when they came in, by id after `afterId`. */
  unmatchedRegions(db: Queryable, afterId: number, limit: number) {
    return db.selectFrom('problem').select(['id', 'region_text', 'address', 'title', 'body', 'status', 'triaged_at', 'domain_code', 'kind_code'])
      .where(sql<boolean>`'region_unmatched' = any(flags)`).where('status', '!=', 'merged').where('id', '>', afterId)
      .orderBy('id').limit(limit).execute();
  },

  /**
   * The region found for problems that had none: the flag goes (region_from_text comes when it was found in the text);
   * with `route`, the routing suggestion of a triaged problem is replaced as well (JSON, or null for none). The rest of
   * the problem stays.
   */
  async setMatchedRegions(tx: Tx, matches: { id: number; region_code: string; from_text: boolean; route: string | null | undefined }[]) {
    if (!matches.length) return;
    await sql`
      update problem p
      set region_code = m.code,
          flags = array_remove(p.flags, 'region_unmatched') || case when m.from_text and not 'region_from_text' = any(p.flags) then array['region_from_text'] else array[]::text[] end,
          triage = case when m.reroute and p.triage is not null then jsonb_set(p.triage, '{route}', coalesce(m.route::jsonb, 'null'::jsonb)) else p.triage end,
          updated_at = now()
      from unnest(${matches.map((m) => m.id)}::bigint[], ${matches.map((m) => m.region_code)}::text[], ${matches.map((m) => m.from_text)}::boolean[],
                  ${matches.map((m) => m.route !== undefined)}::boolean[], ${matches.map((m) => m.route ?? null)}::text[]) as m (id, code, from_text, reroute, route)
      where p.id = m.id and 'region_unmatched' = any(p.flags)`.execute(tx);
  },

  regionNames(db: Queryable) {
    return db.selectFrom('region').select(['code', 'name', 'level', 'former_names']).execute();
  },

  unitNames(db: Queryable) {
    return db.selectFrom('unit').select(['name']).where('active', '=', true).execute();
  },

  batchErrors(db: Queryable, batchId: number, limit?: number) {
    const q = db.selectFrom('import_error').selectAll().where('batch_id', '=', batchId).orderBy('row_no').orderBy('id');
    return (limit ? q.limit(limit) : q).execute();
  },

  /**
   * Imports of files and pushes, newest first (a report sent through a form is a batch of its own, not listed); with
   * unit paths, only those started by people of those units.
   */
  async listBatches(db: Queryable, f: { limit: number; offset: number; creatorUnitPaths: string[] | null }) {
    let q = db.selectFrom('import_batch').where('import_batch.origin', '<>', 'form');
    if (f.creatorUnitPaths) q = q.where('import_batch.created_by', 'in', usersUnder(db, f.creatorUnitPaths));
    const [rows, total] = await Promise.all([
      withStarter(q).orderBy('import_batch.id', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },

  /** One batch as the import page shows it. */
  batchView(db: Queryable, id: number) {
    return withStarter(db.selectFrom('import_batch').where('import_batch.id', '=', id)).executeTakeFirst();
  },

  /** Whether a batch was started by someone of these units. */
  async batchStartedUnder(db: Queryable, id: number, unitPaths: string[]) {
    const row = await db.selectFrom('import_batch').select('id').where('id', '=', id).where('created_by', 'in', usersUnder(db, unitPaths)).executeTakeFirst();
    return !!row;
  },

  listMappings(db: Queryable) {
    return db.selectFrom('column_mapping').select(['id', 'channel', 'name', 'mapping']).orderBy('channel').orderBy('name').execute();
  },

  findMapping(db: Queryable, channel: string, name: string) {
    return db.selectFrom('column_mapping').select('mapping').where('channel', '=', channel).where('name', '=', name).executeTakeFirst();
  },

  upsertMapping(tx: Tx, m: { channel: string; name: string; mapping: Record<string, string>; createdBy: number | null }) {
    return tx
      .insertInto('column_mapping')
      .values({ channel: m.channel, name: m.name, mapping: JSON.stringify(m.mapping), created_by: m.createdBy })
      .onConflict((oc) => oc.columns(['channel', 'name']).doUpdateSet({ mapping: JSON.stringify(m.mapping) }))
      .returning('id')
      .executeTakeFirstOrThrow();
  },

  async channelName(db: Queryable, code: string) {
    return (await db.selectFrom('channel').select('name').where('code', '=', code).executeTakeFirst())?.name ?? null;
  },

  getBatch(db: Queryable, id: number) {
    return db.selectFrom('import_batch').selectAll().where('id', '=', id).executeTakeFirst();
  },
};
