import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';

export type NewAttachment = { problem_id: number; file_name: string; content_type: string; size_bytes: number; digest: string; data: Buffer; uploaded_by: number | null };

/** The problem and those merged into it (and not split off again). */
const withMerged = (db: Queryable, problemId: number) =>
  db.selectFrom('problem_merge').select('from_problem_id as id').where('into_problem_id', '=', problemId).where('split_at', 'is', null)
    .union(db.selectNoFrom(sql<number>`${problemId}::bigint`.as('id')));

export const attachmentsRepo = {
  /**
   * The problem's files, with its row locked until the transaction ends: requests adding files to one problem take
   * turns, so each sees the files the others stored (the count limit and one copy per file hold).
   */
  async lockFiles(tx: Tx, problemId: number) {
    await tx.selectFrom('problem').select('id').where('id', '=', problemId).forUpdate().execute();
    return tx.selectFrom('attachment').select(['id', 'file_name', 'content_type', 'size_bytes', 'digest']).where('problem_id', '=', problemId).orderBy('id').execute();
  },

  insert(tx: Tx, a: NewAttachment) {
    return tx.insertInto('attachment').values(a).returning(['id', 'file_name', 'content_type', 'size_bytes']).executeTakeFirstOrThrow();
  },

  /** A problem's files, with those of the reports merged into it (they came with the matter). */
  list: (db: Queryable, problemId: number) =>
    db.selectFrom('attachment').select(['id', 'file_name', 'content_type', 'size_bytes', 'created_at']).where('problem_id', 'in', withMerged(db, problemId)).orderBy('id').execute(),

  get: (db: Queryable, problemId: number, id: number) =>
    db.selectFrom('attachment').select(['file_name', 'content_type', 'data']).where('problem_id', 'in', withMerged(db, problemId)).where('id', '=', id).executeTakeFirst(),
};
