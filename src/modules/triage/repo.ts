import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { TriageResult } from '../../db/types.ts';

export type Target = 'domain' | 'kind';

const asBytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
/** bytea back to Float32Array, copied so that the array is aligned. */
export const asFloats = (b: Uint8Array) => {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
};

export const triageRepo = {
  async nextVersion(tx: Tx, target: Target): Promise<number> {
    const r = await tx.selectFrom('triage_model').select((eb) => eb.fn.max('version').as('v')).where('target', '=', target).executeTakeFirst();
    return ((r?.v as number | null) ?? 0) + 1;
  },

  async insertActive(tx: Tx, m: { target: Target; version: number; labels: string[]; buckets: number; weights: Float32Array; bias: Float32Array; idf: Float32Array; metrics: object; trainedOn: object }) {
    await tx.updateTable('triage_model').set({ active: false }).where('target', '=', m.target).where('active', '=', true).execute();
    return tx
      .insertInto('triage_model')
      .values({
        target: m.target, version: m.version, labels: m.labels, buckets: m.buckets,
        weights: asBytes(m.weights), bias: asBytes(m.bias), idf: asBytes(m.idf),
        metrics: JSON.stringify(m.metrics), trained_on: JSON.stringify(m.trainedOn), active: true,
      })
      .returning(['id', 'version'])
      .executeTakeFirstOrThrow();
  },

  activeId(db: Queryable, target: Target) {
    return db.selectFrom('triage_model').select(['id', 'version']).where('target', '=', target).where('active', '=', true).executeTakeFirst();
  },

  load(db: Queryable, id: number) {
    return db.selectFrom('triage_model').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  },

  labelMap(db: Queryable, target: Target) {
    return db.selectFrom('triage_label_map').select(['label', 'code']).where('target', '=', target).execute();
  },

  lexicon(db: Queryable, target: Target) {
    return db.selectFrom('triage_lexicon').select(['code', 'term', 'weight']).where('target', '=', target).execute();
  },

  misconductTerms(db: Queryable) {
    return db.selectFrom('misconduct_term').select(['category', 'term']).orderBy('category').execute();
  },

  /** Problems waiting for triage, claimed so that another instance's sweep skips them. */
  lockUntriaged(tx: Tx, limit: number) {
    return tx
      .selectFrom('problem')
      .select(['id', 'title', 'body', 'kind_code'])
      .where('triaged_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },

  saveResult(tx: Tx, id: number, result: TriageResult, codes: { domain: string | null; kind: string | null }) {
    return tx
      .updateTable('problem')
      .set({
        triage: JSON.stringify(result),
        triaged_at: new Date(),
        domain_code: codes.domain,
        kind_code: codes.kind,
        misconduct: result.misconduct.map((m) => m.category),
      })
      .where('id', '=', id)
      .execute();
  },

  listModels(db: Queryable) {
    return sql<{ id: number; target: string; version: number; labels: string[]; metrics: Record<string, unknown>; active: boolean; created_at: Date }>`
      select id, target, version, labels, metrics, active, created_at from triage_model order by target, version desc`.execute(db);
  },
};
