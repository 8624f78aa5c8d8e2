import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';

export type JobRow = { id: number; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number };

export const jobsRepo = {
  enqueue(db: Queryable, j: { kind: string; payload: Record<string, unknown>; runAt: Date; uniqueKey: string | null; maxAttempts: number }) {
    return db
      .insertInto('job')
      .values({ kind: j.kind, payload: j.payload, run_at: j.runAt, unique_key: j.uniqueKey, max_attempts: j.maxAttempts })
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .returning('id')
      .executeTakeFirst();
  },

  /** Claims due jobs (and running ones whose lease ran out) so no other instance takes them. */
  async claim(db: Queryable, worker: string, limit: number, leaseMs: number): Promise<JobRow[]> {
    const { rows } = await sql<JobRow>`
      update job set state = 'running', attempts = attempts + 1, locked_by = ${worker},
             locked_until = now() + ${leaseMs} * interval '1 millisecond'
      where id in (
        select id from job
        where (state = 'queued' and run_at <= now()) or (state = 'running' and locked_until < now())
        order by run_at
        limit ${limit}
        for update skip locked)
      returning id, kind, payload, attempts, max_attempts`.execute(db);
    return rows;
  },

  /** Renews the lease of jobs this worker still holds; returns the ids it still held. */
  async extendLease(db: Queryable, ids: number[], worker: string, leaseMs: number): Promise<number[]> {
    const { rows } = await sql<{ id: number }>`
      update job set locked_until = now() + ${leaseMs} * interval '1 millisecond'
      where id = any(${ids}::bigint[]) and state = 'running' and locked_by = ${worker}
      returning id`.execute(db);
    return rows.map((r) => Number(r.id));
  },

  /** Whether the job was still this worker's to complete. */
  async complete(db: Queryable, id: number, worker: string): Promise<boolean> {
    const r = await db.updateTable('job').set({ state: 'done', finished_at: new Date(), locked_by: null, locked_until: null, last_error: null }).where('id', '=', id).where('locked_by', '=', worker).where('state', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /**
   * Hands a count on to the next run of a kind: added to payload[key] of a job of that kind already queued and due,
   * or in a new job queued to run now.
   */
  async handOn(db: Queryable, kind: string, key: string, n: number, maxAttempts: number) {
    const { rows } = await sql<{ id: number }>`
      update job set payload = jsonb_set(payload, array[${key}::text], to_jsonb(coalesce((payload ->> ${key})::bigint, 0) + ${n}))
      where id = (select id from job where kind = ${kind} and state = 'queued' and run_at <= now() order by run_at limit 1 for update skip locked)
      returning id`.execute(db);
    if (!rows.length) await db.insertInto('job').values({ kind, payload: { [key]: n }, max_attempts: maxAttempts }).execute();
  },

  fail(db: Queryable, id: number, worker: string, error: string, retryAt: Date | null) {
    return db
      .updateTable('job')
      .set(retryAt
        ? { state: 'queued', run_at: retryAt, locked_by: null, locked_until: null, last_error: error }
        : { state: 'failed', finished_at: new Date(), locked_by: null, locked_until: null, last_error: error })
      .where('id', '=', id)
      .where('locked_by', '=', worker)
      .execute();
  },

  lockDueSchedules(tx: Tx) {
    return tx
      .selectFrom('job_schedule')
      .selectAll()
      .where('active', '=', true)
      .where((eb) => eb.or([eb('next_run_at', 'is', null), eb('next_run_at', '<=', new Date())]))
      .forUpdate()
      .skipLocked()
      .execute();
  },

  advanceSchedule(tx: Tx, name: string, nextRunAt: Date | null, ranAt: Date | null) {
    return tx
      .updateTable('job_schedule')
      .set({ next_run_at: nextRunAt, ...(ranAt ? { last_run_at: ranAt } : {}) })
      .where('name', '=', name)
      .execute();
  },

  async deleteFinishedBefore(db: Queryable, before: Date): Promise<number> {
    const r = await db.deleteFrom('job').where('state', 'in', ['done', 'failed']).where('finished_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  get(db: Queryable, id: number) {
    return db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
  },
};
