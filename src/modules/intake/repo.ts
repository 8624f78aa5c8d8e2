import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';

export type RawInsert = { channel: string; external_id: string; version: number; content_hash: string; payload: string; batch_id: number | null };
export type ProblemInsert = {
  tracking_code: string; channel: string; title: string; body: string; kind_code: string | null; kind_text: string | null;
  reported_at: Date; address: string | null; region_text: string | null; region_code: string | null; target_text: string | null; unit_text: string | null;
  reporter_name_enc: string | null; reporter_name_mask: string | null; reporter_phone_enc: string | null; reporter_phone_mask: string | null; reporter_phone_index: string | null;
  confidential: boolean; flags: string[];
};
export type SourceInsert = {
  problem_id: number; raw_record_id: number; channel: string; external_id: string; version: number; link_reason: 'origin' | 'version' | 'merged';
  source_state: string | null; handled_by: string | null; reply: string | null; replied_at: Date | null; satisfaction: string | null;
};

export const intakeRepo = {
  createBatch(db: Queryable, b: { channel: string; origin: 'cli' | 'api' | 'web' | 'form' | 'seed'; fileName: string | null; createdBy: number | null; apiKeyId: number | null }) {
    return db.insertInto('import_batch').values({ channel: b.channel, origin: b.origin, file_name: b.fileName, created_by: b.createdBy, api_key_id: b.apiKeyId }).returning('id').executeTakeFirstOrThrow();
  },

  addToBatch(db: Queryable, id: number, c: { read: number; inserted: number; changed: number; repeats: number; rejected: number }) {
    return db
      .updateTable('import_batch')
      .set((eb) => ({
        read: eb('read', '+', c.read),
        inserted: eb('inserted', '+', c.inserted),
        changed: eb('changed', '+', c.changed),
        repeats: eb('repeats', '+', c.repeats),
        rejected: eb('rejected', '+', c.rejected),
        progress_at: new Date(),
      }))
      .where('id', '=', id)
      .execute();
  },

  finishBatch(db: Queryable, id: number, state: 'done' | 'failed', error: string | null) {
    return db.updateTable('import_batch').set({ state, error, finished_at: new Date() }).where('id', '=', id).execute();
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

  /** Every stored version of these records: which content is known, and the highest version. */
  knownVersions(db: Queryable, channel: string, externalIds: string[]) {
    if (!externalIds.length) return Promise.resolve([]);
    return db
      .selectFrom('raw_record')
      .select(['external_id', 'version', 'content_hash'])
      .where('channel', '=', channel)
      .where('external_id', 'in', externalIds)
      .execute();
  },

  // Bulk inserts pass one array per column through unnest(): a handful of parameters instead of thousands.
  async insertRaw(tx: Tx, rows: RawInsert[]) {
    if (!rows.length) return [];
    const col = <K extends keyof RawInsert>(k: K) => rows.map((r) => r[k]);
    const { rows: out } = await sql<{ id: number; external_id: string; version: number }>`
      insert into raw_record (channel, external_id, version, content_hash, payload, batch_id)
      select t.channel, t.external_id, t.version, t.content_hash, p.payload, t.batch_id
      from unnest(${col('channel')}::text[], ${col('external_id')}::text[], ${col('version')}::int[],
                  ${col('content_hash')}::text[], ${col('batch_id')}::bigint[]) with ordinality as t (channel, external_id, version, content_hash, batch_id, n)
      join jsonb_array_elements(${`[${col('payload').join(',')}]`}::jsonb) with ordinality as p (payload, n) using (n)
      on conflict do nothing
      returning id, external_id, version`.execute(tx);
    return out;
  },

  async insertProblems(tx: Tx, rows: ProblemInsert[]) {
    if (!rows.length) return [];
    const col = <K extends keyof ProblemInsert>(k: K) => rows.map((r) => r[k]);
    const { rows: out } = await sql<{ id: number; tracking_code: string }>`
      insert into problem (tracking_code, channel, title, body, kind_code, kind_text, reported_at, address, region_text, region_code,
                           target_text, unit_text, reporter_name_enc, reporter_name_mask, reporter_phone_enc, reporter_phone_mask,
                           reporter_phone_index, confidential, flags)
      select t.tracking_code, t.channel, t.title, t.body, t.kind_code, t.kind_text, t.reported_at, t.address, t.region_text, t.region_code,
             t.target_text, t.unit_text, t.name_enc, t.name_mask, t.phone_enc, t.phone_mask, t.phone_index, t.confidential, t.flags::text[]
      from unnest(${col('tracking_code')}::text[], ${col('channel')}::text[], ${col('title')}::text[], ${col('body')}::text[],
                  ${col('kind_code')}::text[], ${col('kind_text')}::text[], ${rows.map((r) => r.reported_at.toISOString())}::timestamptz[],
                  ${col('address')}::text[], ${col('region_text')}::text[], ${col('region_code')}::text[], ${col('target_text')}::text[],
                  ${col('unit_text')}::text[], ${col('reporter_name_enc')}::text[], ${col('reporter_name_mask')}::text[],
                  ${col('reporter_phone_enc')}::text[], ${col('reporter_phone_mask')}::text[], ${col('reporter_phone_index')}::text[],
                  ${col('confidential')}::boolean[], ${rows.map((r) => `{${r.flags.join(',')}}`)}::text[])
        with ordinality as t (tracking_code, channel, title, body, kind_code, kind_text, reported_at, address, region_text, region_code,
                              target_text, unit_text, name_enc, name_mask, phone_enc, phone_mask, phone_index, confidential, flags, n)
      order by t.n
      returning id, tracking_code`.execute(tx);
    return out;
  },

  async insertSources(tx: Tx, rows: SourceInsert[]) {
    if (!rows.length) return;
    const col = <K extends keyof SourceInsert>(k: K) => rows.map((r) => r[k]);
    await sql`
      insert into problem_source (problem_id, raw_record_id, channel, external_id, version, link_reason, source_state, handled_by, reply, replied_at, satisfaction)
      select * from unnest(${col('problem_id')}::bigint[], ${col('raw_record_id')}::bigint[], ${col('channel')}::text[], ${col('external_id')}::text[],
                           ${col('version')}::int[], ${col('link_reason')}::text[], ${col('source_state')}::text[], ${col('handled_by')}::text[],
                           ${col('reply')}::text[], ${rows.map((r) => r.replied_at?.toISOString() ?? null)}::timestamptz[], ${col('satisfaction')}::text[])`.execute(tx);
  },

  problemsOfRecords(db: Queryable, channel: string, externalIds: string[]) {
    if (!externalIds.length) return Promise.resolve([]);
    return db
      .selectFrom('problem_source')
      .select(['external_id', 'problem_id'])
      .distinctOn('external_id')
      .where('channel', '=', channel)
      .where('external_id', 'in', externalIds)
      .orderBy('external_id')
      .orderBy('version')
      .execute();
  },

  touchProblems(tx: Tx, ids: number[]) {
    if (!ids.length) return Promise.resolve();
    return tx
      .updateTable('problem')
      .set({ updated_at: new Date(), source_count: sql`(select count(*) from problem_source s where s.problem_id = problem.id)` as never })
      .where('id', 'in', ids)
      .execute();
  },

  regionNames(db: Queryable) {
    return db.selectFrom('region').select(['code', 'name', 'level']).execute();
  },

  unitNames(db: Queryable) {
    return db.selectFrom('unit').select(['name']).where('active', '=', true).execute();
  },

  batchErrors(db: Queryable, batchId: number) {
    return db.selectFrom('import_error').selectAll().where('batch_id', '=', batchId).orderBy('row_no').orderBy('id').execute();
  },

  listBatches(db: Queryable, limit: number, offset: number) {
    return db
      .selectFrom('import_batch')
      .select(['id', 'channel', 'origin', 'file_name', 'state', 'read', 'inserted', 'changed', 'repeats', 'rejected', 'error', 'started_at', 'finished_at'])
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
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

  getBatch(db: Queryable, id: number) {
    return db.selectFrom('import_batch').selectAll().where('id', '=', id).executeTakeFirst();
  },
};
