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
      }))
      .where('id', '=', id)
      .execute();
  },

  finishBatch(db: Queryable, id: number, state: 'done' | 'failed', error: string | null) {
    return db.updateTable('import_batch').set({ state, error, finished_at: new Date() }).where('id', '=', id).execute();
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

  insertRaw(tx: Tx, rows: RawInsert[]) {
    if (!rows.length) return Promise.resolve([]);
    return tx
      .insertInto('raw_record')
      .values(rows.map((r) => ({ ...r, payload: sql`${r.payload}::jsonb` as never })))
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'external_id', 'version'])
      .execute();
  },

  insertProblems(tx: Tx, rows: ProblemInsert[]) {
    if (!rows.length) return Promise.resolve([]);
    return tx.insertInto('problem').values(rows).returning(['id', 'tracking_code']).execute();
  },

  insertSources(tx: Tx, rows: SourceInsert[]) {
    if (!rows.length) return Promise.resolve();
    return tx.insertInto('problem_source').values(rows).execute();
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

  getBatch(db: Queryable, id: number) {
    return db.selectFrom('import_batch').selectAll().where('id', '=', id).executeTakeFirst();
  },
};
