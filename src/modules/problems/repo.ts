import { sql, type ExpressionBuilder } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { DB, ProblemStatus } from '../../db/types.ts';
import { regionPrefix } from '../../lib/region.ts';
import { contains } from '../../db/contains.ts';

export type ProblemFilter = {
  regionPrefixes: string[] | 'all';
  /** Also visible: problems with a work order to one of these units (a department sees what it was given). */
  orderUnitIds?: number[];
  channel?: string;
  kind?: string;
  region?: string;
  status?: ProblemStatus;
  from?: Date;
  to?: Date;
  q?: string;
  /** q as a tracking code would be typed (see trackingCodeAsTyped) */
  code?: string;
  /** The triage queue: new problems already triaged, misconduct first. */
  queue?: boolean;
  misconductOnly?: boolean;
  limit: number;
  offset: number;
};

const LIST_COLUMNS = [
  'problem.id', 'problem.tracking_code', 'problem.channel', 'channel.name as channel_name', 'problem.title', 'problem.kind_code', 'problem.kind_text',
  'problem.reported_at', 'problem.region_code', 'region.name as region_name', 'problem.region_text', 'problem.address', 'problem.status', 'problem.flags',
  'problem.source_count', 'problem.confidential', 'problem.reporter_name_mask', 'problem.reporter_phone_mask',
  'problem.domain_code', 'problem.misconduct', 'problem.triage',
] as const;

/**
 * Problems that came through a channel: their first source's (problem.channel), or any other source of theirs, such as
 * a duplicate merged in from it. Only problems with more than one source (index problem_multi_source) are looked up in
 * problem_source.
 */
export const cameThrough = (channel: string) => (eb: ExpressionBuilder<DB, 'problem'>) =>
  eb.or([
    eb('problem.channel', '=', channel),
    eb.and([
      eb('problem.source_count', '>', 1),
      // OFFSET 0: probed row by row through problem_source_problem; unhashed, a sequential scan of all sources
      eb.exists(eb.selectFrom('problem_source').select('problem_source.id').whereRef('problem_source.problem_id', '=', 'problem.id').where('problem_source.channel', '=', channel).offset(0)),
    ]),
  ]);

/**
 * The flag of a problem made by a risk warning's 交办 (risk/service.ts): work for a unit, not a report from anyone. It
 * is listed and followed like any problem, but the figures of what was reported (rollups, risk signals, hot topics)
 * leave it out: the reports behind the warning are counted already.
 */
export const FROM_WARNING = 'from_warning';
/** SQL: the problem under `alias` is a report (not made by a warning). */
export const isReport = (alias: string) => sql<boolean>`not (${FROM_WARNING} = any(${sql.ref(`${alias}.flags`)}))`;

export const problemsRepo = {
  /** Adds flags a problem does not have yet. */
  addFlags(db: Queryable, id: number, flags: string[]) {
    return sql`update problem set flags = flags || array(select f from unnest(${flags}::text[]) as f where not f = any(flags)) where id = ${id}`.execute(db);
  },

  /**
   * Fresh planner statistics for the tables lists count and search: the totals shown beyond an exact count are the
   * planner's estimates. The embedded database has no autovacuum to do this; on PostgreSQL it comes sooner than it would.
   */
  async refreshStatistics(db: Queryable) {
    await sql`analyze problem, problem_source, work_order`.execute(db);
  },

  async list(db: Queryable, f: ProblemFilter) {
    let q = db.selectFrom('problem').innerJoin('channel', 'channel.code', 'problem.channel').leftJoin('region', 'region.code', 'problem.region_code');
    if (f.regionPrefixes !== 'all') {
      const prefixes = f.regionPrefixes;
      const units = f.orderUnitIds ?? [];
      if (!prefixes.length && !units.length) return { rows: [], total: 0 };
      q = q.where((eb) =>
        eb.or([
          ...prefixes.map((p) => eb('problem.region_code', 'like', `${p}%`)),
          ...(units.length ? [eb.exists(eb.selectFrom('work_order').select('work_order.id').whereRef('work_order.problem_id', '=', 'problem.id').where('work_order.unit_id', 'in', units))] : []),
        ]),
      );
    }
    if (f.channel) q = q.where(cameThrough(f.channel));
    if (f.kind) q = q.where('problem.kind_code', '=', f.kind);
    if (f.region) q = q.where('problem.region_code', 'like', `${regionPrefix(f.region)}%`);
    q = f.status ? q.where('problem.status', '=', f.status) : q.where('problem.status', '!=', 'merged');
    if (f.from) q = q.where('problem.reported_at', '>=', f.from);
    if (f.to) q = q.where('problem.reported_at', '<', f.to);
    if (f.q) q = q.where((eb) => eb.or([contains('problem.title', f.q!), contains('problem.body', f.q!), eb('problem.tracking_code', '=', f.code ?? f.q!)]));
    if (f.queue) q = q.where('problem.status', '=', 'new').where('problem.triaged_at', 'is not', null);
    if (f.misconductOnly) q = q.where(sql<boolean>`cardinality(problem.misconduct) > 0`);
    let ordered = q.select(LIST_COLUMNS);
    if (f.queue) ordered = ordered.orderBy(sql`cardinality(problem.misconduct) > 0`, 'desc');
    const [rows, total] = await Promise.all([
      ordered.orderBy('problem.reported_at', 'desc').orderBy('problem.id', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: total.n };
  },

  get(db: Queryable, id: number) {
    return db
      .selectFrom('problem')
      .innerJoin('channel', 'channel.code', 'problem.channel')
      .leftJoin('region', 'region.code', 'problem.region_code')
      .select([...LIST_COLUMNS, 'problem.body', 'problem.target_text', 'problem.unit_text', 'problem.domain_code', 'problem.reporter_name_enc', 'problem.reporter_phone_enc', 'problem.created_at', 'problem.updated_at'])
      .where('problem.id', '=', id)
      .executeTakeFirst();
  },

  sources(db: Queryable, problemId: number) {
    return db
      .selectFrom('problem_source')
      .innerJoin('raw_record', 'raw_record.id', 'problem_source.raw_record_id')
      .innerJoin('channel', 'channel.code', 'problem_source.channel')
      .select([
        'problem_source.id', 'problem_source.channel', 'channel.name as channel_name', 'problem_source.external_id', 'problem_source.version', 'problem_source.link_reason',
        'problem_source.source_state', 'problem_source.handled_by', 'problem_source.reply', 'problem_source.replied_at', 'problem_source.satisfaction',
        'problem_source.linked_at', 'raw_record.payload', 'raw_record.received_at',
      ])
      .where('problem_source.problem_id', '=', problemId)
      .orderBy('problem_source.channel')
      .orderBy('problem_source.external_id')
      .orderBy('problem_source.version')
      .execute();
  },

  confirmTriage(tx: Tx, id: number, domain: string, kind: string) {
    return tx.updateTable('problem').set({ domain_code: domain, kind_code: kind, status: 'triaged', updated_at: new Date() }).where('id', '=', id).where('status', '=', 'new').executeTakeFirst();
  },

  redirect(tx: Tx, id: number, reason: string) {
    return tx.updateTable('problem').set({ status: 'redirected', redirect_reason: reason, updated_at: new Date() }).where('id', '=', id).where('status', '=', 'new').executeTakeFirst();
  },

  insertFeedback(tx: Tx, rows: { problem_id: number; target: 'domain' | 'kind'; predicted: string | null; chosen: string; user_id: number | null }[]) {
    return tx.insertInto('triage_feedback').values(rows).execute();
  },

  /** Moves every source of one problem to another and marks the first as merged into it. */
  async mergeInto(tx: Tx, fromId: number, intoId: number): Promise<number[]> {
    const moved = await tx.updateTable('problem_source').set({ problem_id: intoId, link_reason: 'merged' }).where('problem_id', '=', fromId).returning('id').execute();
    await tx.updateTable('problem').set({ status: 'merged', merged_into: intoId, updated_at: new Date() }).where('id', '=', fromId).execute();
    await tx.deleteFrom('problem_lsh').where('problem_id', '=', fromId).execute();
    await this.recount(tx, [intoId, fromId]);
    return moved.map((r) => r.id);
  },

  carryConfidential(tx: Tx, fromId: number, intoId: number) {
    return sql`update problem set confidential = true where id = ${intoId} and not confidential
      and exists (select 1 from problem f where f.id = ${fromId} and f.confidential)`.execute(tx);
  },

  recount(tx: Tx, ids: number[]) {
    return tx
      .updateTable('problem')
      .set({ source_count: sql`(select count(*) from problem_source s where s.problem_id = problem.id)` as never, search_tsv: null })
      .where('id', 'in', ids)
      .execute();
  },

  insertMerge(tx: Tx, m: { from: number; into: number; sourceIds: number[]; fromStatus: string; similarity: number; reason: string; by: number | null }) {
    return tx.insertInto('problem_merge').values({ from_problem_id: m.from, into_problem_id: m.into, source_ids: m.sourceIds, from_status: m.fromStatus, similarity: m.similarity, reason: m.reason, merged_by: m.by }).returning('id').executeTakeFirstOrThrow();
  },

  merges(db: Queryable, problemId: number) {
    return db
      .selectFrom('problem_merge')
      .innerJoin('problem as f', 'f.id', 'problem_merge.from_problem_id')
      .innerJoin('problem as i', 'i.id', 'problem_merge.into_problem_id')
      .select(['problem_merge.id', 'problem_merge.from_problem_id', 'f.title as from_title', 'f.confidential as from_confidential', 'i.confidential as into_confidential', 'problem_merge.into_problem_id', 'problem_merge.source_ids', 'problem_merge.similarity', 'problem_merge.reason', 'problem_merge.merged_at', 'problem_merge.split_at'])
      .where((eb) => eb.or([eb('problem_merge.into_problem_id', '=', problemId), eb('problem_merge.from_problem_id', '=', problemId)]))
      .orderBy('problem_merge.id')
      .execute();
  },

  getMerge(db: Queryable, id: number) {
    return db.selectFrom('problem_merge').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /**
   * Undoes a merge: its records go back, the problem comes back with the status it had. Every version of the records
   * the merge moved goes back, also those that arrived after it (linked to the problem holding the record then).
   */
  async split(tx: Tx, m: { id: number; from_problem_id: number; into_problem_id: number; source_ids: number[]; from_status: string }, by: number | null) {
    const { rows: sources } = await sql<{ id: number; problem_id: number }>`
      select s.id, s.problem_id from problem_source s
      where s.raw_record_id in (select r.id from problem_source m join raw_record r on r.channel = m.channel and r.external_id = m.external_id
                                where m.id = any(${m.source_ids}::bigint[]))
      for update`.execute(tx);
    const ids = sources.map((s) => s.id);
    await sql`
      update problem_source set problem_id = ${m.from_problem_id}, link_reason = case when version = 1 then 'origin' else 'version' end
      where id = any(${ids}::bigint[])`.execute(tx);
    await tx.updateTable('problem').set({ status: m.from_status as never, merged_into: null, updated_at: new Date() }).where('id', '=', m.from_problem_id).execute();
    await tx.updateTable('problem_merge').set({ split_at: new Date(), split_by: by }).where('id', '=', m.id).execute();
    await this.recount(tx, [...new Set([m.from_problem_id, m.into_problem_id, ...sources.map((s) => Number(s.problem_id))])]);
  },

  /** What the public tracking page starts from: a problem by its tracking code, or (a merged one's) by id. */
  publicFacts(db: Queryable, by: { code: string } | { id: number }) {
    const q = db
      .selectFrom('problem')
      .leftJoin('report_kind', 'report_kind.code', 'problem.kind_code')
      .select(['problem.id', 'problem.tracking_code', 'problem.title', 'problem.status', 'problem.reported_at', 'problem.updated_at', 'problem.redirect_reason', 'problem.merged_into', 'report_kind.name as kind_name']);
    return ('code' in by ? q.where('problem.tracking_code', '=', by.code) : q.where('problem.id', '=', by.id)).executeTakeFirst();
  },

  /** The period's problems for hot topics, with the attention their sources drew (likes, reposts, comments, 收藏). */
  async topicDocs(db: Queryable, f: { from: Date; to: Date; domain?: string; regionPrefixes: string[] | 'all'; limit: number }) {
    const num = (k: string) => sql`case when r.payload ->> ${k} ~ '^[0-9]{1,9}$' then (r.payload ->> ${k})::int else 0 end`;
    const scope = f.regionPrefixes === 'all' ? sql`true` : f.regionPrefixes.length ? sql.join(f.regionPrefixes.map((p) => sql`p.region_code like ${`${p}%`}`), sql` or `) : sql`false`;
    // the texts only where the topic words are not stored yet
    const r = await sql<{ id: number; title: string; body: string; at: Date; attention: number; terms: string[] | null }>`
      select p.id, p.topic_terms as terms, case when p.topic_terms is null then p.title else '' end as title,
             case when p.topic_terms is null then p.body else '' end as body, p.reported_at as at,
             coalesce((select sum(${num('likes')} + ${num('reposts')} + ${num('comments')} + ${num('favNum')})
                       from problem_source s join raw_record r on r.id = s.raw_record_id where s.problem_id = p.id), 0)::int as attention
      from problem p
      where p.reported_at >= ${f.from} and p.reported_at < ${f.to} and p.status <> 'merged' and ${isReport('p')}
        and (${f.domain ? sql`p.domain_code = ${f.domain}` : sql`true`}) and (${scope})
      order by p.reported_at desc
      limit ${f.limit}`.execute(db);
    return r.rows.map((x) => ({ ...x, at: new Date(x.at) }));
  },

  /** Whether one of these units holds (or held) a work order on the problem. */
  async hasOrderFor(db: Queryable, problemId: number, unitIds: number[]) {
    if (!unitIds.length) return false;
    return !!(await db.selectFrom('work_order').select('id').where('problem_id', '=', problemId).where('unit_id', 'in', unitIds).limit(1).executeTakeFirst());
  },

  /** Units under any of these paths. */
  async unitIdsUnder(db: Queryable, paths: string[]) {
    if (!paths.length) return [];
    return (await db.selectFrom('unit').select('id').where((eb) => eb.or(paths.map((p) => eb('path', 'like', `${p}%`)))).execute()).map((r) => r.id);
  },

  /** Region codes of the governments in the user's scope: a district's people see the district's problems. */
  governmentRegions(db: Queryable, unitPaths: string[]) {
    if (!unitPaths.length) return Promise.resolve([]);
    return db
      .selectFrom('unit')
      .select('region_code')
      .where('kind', 'in', ['government', 'township'])
      .where('region_code', 'is not', null)
      .where((eb) => eb.or(unitPaths.map((p) => eb('path', '=', p))))
      .execute();
  },
};
