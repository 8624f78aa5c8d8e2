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

  /** Our own codes for a target: a model trained on them needs no label map. */
  codes(db: Queryable, target: Target) {
    return target === 'domain' ? db.selectFrom('enforcement_domain').select('code').execute() : db.selectFrom('report_kind').select('code').execute();
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

  exclusionTerms(db: Queryable) {
    return db.selectFrom('exclusion_term').select(['category', 'term']).orderBy('category').execute();
  },

  /** Problems waiting for triage, claimed so that another instance's sweep skips them. */
  lockUntriaged(tx: Tx, limit: number) {
    return tx
      .selectFrom('problem')
      .select(['id', 'title', 'body', 'kind_code', 'reported_at', 'region_code', 'status', 'target_text'])
      .where('triaged_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },

  saveResult(tx: Tx, id: number, result: TriageResult, signature: number[] | null, codes: { domain: string | null; kind: string | null }) {
    return tx
      .updateTable('problem')
      .set({
        triage: JSON.stringify(result),
        minhash: signature,
        triaged_at: new Date(),
        domain_code: codes.domain,
        kind_code: codes.kind,
        misconduct: result.misconduct.map((m) => m.category),
        target_text: result.target?.text ?? null,
        target_key: result.target?.key ?? null,
      })
      .where('id', '=', id)
      .execute();
  },

  async duplicateSettings(db: Queryable) {
    const row = await db.selectFrom('app_setting').select('value').where('key', '=', 'triage.duplicates').executeTakeFirst();
    return row!.value as { windowDays: number; mergeSimilarity: number; mergeSimilaritySameRegion: number; candidateSimilarity: number };
  },

  /** Problems sharing an LSH bucket with the given ones, reported within the window around `at`. */
  lshCandidates(tx: Tx, buckets: number[], at: Date, windowDays: number, exclude: number) {
    const from = new Date(at.getTime() - windowDays * 86_400_000);
    const to = new Date(at.getTime() + windowDays * 86_400_000);
    return tx
      .selectFrom('problem_lsh')
      .innerJoin('problem', 'problem.id', 'problem_lsh.problem_id')
      .select(['problem.id', 'problem.minhash', 'problem.region_code', 'problem.status'])
      .distinct()
      .where((eb) => eb.or(buckets.map((bucket, band) => eb.and([eb('problem_lsh.band', '=', band), eb('problem_lsh.bucket', '=', bucket)]))))
      .where('problem_lsh.reported_at', '>=', from)
      .where('problem_lsh.reported_at', '<=', to)
      .where('problem.id', '!=', exclude)
      .where('problem.status', '!=', 'merged')
      .execute();
  },

  insertLsh(tx: Tx, problemId: number, reportedAt: Date, buckets: number[]) {
    return tx.insertInto('problem_lsh').values(buckets.map((bucket, band) => ({ band, bucket, problem_id: problemId, reported_at: reportedAt }))).onConflict((oc) => oc.doNothing()).execute();
  },

  async replaceExamples(tx: Tx, target: Target, docs: { text: string; label: string }[]) {
    await tx.deleteFrom('triage_example').where('target', '=', target).execute();
    for (let i = 0; i < docs.length; i += 2000) {
      const chunk = docs.slice(i, i + 2000);
      await sql`insert into triage_example (target, text, label) select ${target}, * from unnest(${chunk.map((d) => d.text)}::text[], ${chunk.map((d) => d.label)}::text[])`.execute(tx);
    }
  },

  async hasExamples(db: Queryable, target: Target): Promise<boolean> {
    return !!(await db.selectFrom('triage_example').select('id').where('target', '=', target).limit(1).executeTakeFirst());
  },

  examples(db: Queryable, target: Target) {
    return db.selectFrom('triage_example').select(['text', 'label']).where('target', '=', target).orderBy('id').execute();
  },

  /** What dispatchers chose for problems, latest choice per problem: training data in our codes. */
  async feedback(db: Queryable, target: Target) {
    const { rows } = await sql<{ text: string; label: string }>`
      select distinct on (f.problem_id) p.title || ' ' || p.body as text, f.chosen as label
      from triage_feedback f join problem p on p.id = f.problem_id
      where f.target = ${target}
      order by f.problem_id, f.id desc`.execute(db);
    return rows;
  },

  listModels(db: Queryable) {
    return sql<{ id: number; target: string; version: number; labels: string[]; metrics: Record<string, unknown>; active: boolean; created_at: Date }>`
      select id, target, version, labels, metrics, active, created_at from triage_model order by target, version desc`.execute(db);
  },
};
