import { CompiledQuery, sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { DB as Database, ProblemStatus } from '../../db/types.ts';
import { cameThrough } from '../problems/repo.ts';
import type { ProblemScope } from '../problems/service.ts';
import { regionPrefix } from '../../lib/region.ts';

export type SearchFilter = {
  tsquery?: string | null;
  trackingCode?: string | null;
  /** the blind index of a reporter's phone (FieldCipher.blindIndex): the query was, or had, a phone number */
  reporterPhoneIndex?: string | null;
  /** the query had words beside the phone: that reporter's problems with those words (else the words, the code or the phone) */
  phoneAndWords?: boolean;
  /** any of the problem's sources came through it; with firstChannel only the first */
  channel?: string;
  firstChannel?: boolean;
  kind?: string;
  domain?: string;
  region?: string;
  unitId?: number;
  status?: ProblemStatus;
  /** 'any' for every misconduct flag, or one category */
  misconduct?: string;
  overdue?: boolean;
  listed?: boolean;
  escalated?: boolean;
  /** with overdue / listed / escalated: only orders still open (the dashboard's "now" figures) */
  openOnly?: boolean;
  satisfaction?: 'satisfied' | 'basically_satisfied' | 'unsatisfied' | 'unrated';
  /** a work order dispatched in [dispatchedFrom, dispatchedTo) (the dashboard's 派发) */
  dispatchedFrom?: Date;
  dispatchedTo?: Date;
  /** a follow-up (回访, or the citizen's rating) recorded in [ratedFrom, ratedTo), with `satisfaction` if given (the dashboard's 不满意) */
  ratedFrom?: Date;
  ratedTo?: Date;
  /** the lead order closed in [closedFrom, closedTo) (the dashboard's 办结) */
  closedFrom?: Date;
  closedTo?: Date;
  from?: Date;
  to?: Date;
  /** the words were only punctuation: nothing matches rather than everything */
  matchNothing?: boolean;
};

/**
 * An exact count stops here (counting every match of a common word costs hundreds of milliseconds at a million
 * problems); beyond it the total is the planner's estimate, shown as approximate.
 */
export const COUNT_CAP = 1_000;
/** Beyond COUNT_CAP a bare count (no ranking, no rows) is still cheap up to here. */
export const COUNT_REACH = 10_000;
/** Relevance ranks the newest matches, not all of them: ranking every match of a common word costs seconds. */
export const RANK_WINDOW = 1_000;
/** The planner's estimate may be this many times too high before an exact count is skipped as surely beyond the cap. */
const ESTIMATE_TRUST = 5;

const OPEN_STATES = ['pending_sign', 'handling', 'replied', 'follow_up'] as const;

type Q = SelectQueryBuilder<Database, 'problem', object>;

/**
 * A work order of the problem matching `where`. OFFSET 0 keeps it a probe per problem (through work_order's problem_id
 * index): turned into a join, the planner would read every flagged order (a third of a million) to count a few hundred.
 */
const orderExists = (eb: ExpressionBuilder<Database, 'problem'>, where: (q: SelectQueryBuilder<Database, 'work_order', object>) => SelectQueryBuilder<Database, 'work_order', object>) =>
  eb.exists(where(eb.selectFrom('work_order').select('work_order.id').whereRef('work_order.problem_id', '=', 'problem.id')).offset(0));

function filtered(db: Queryable, scope: ProblemScope, f: SearchFilter): Q | null {
  if (f.matchNothing) return null;
  let q = db.selectFrom('problem') as Q;
  if (scope.regionPrefixes !== 'all') {
    const prefixes = scope.regionPrefixes;
    if (!prefixes.length && !scope.orderUnitIds.length) return null;
    q = q.where((eb) => eb.or([
      ...prefixes.map((p) => eb('problem.region_code', 'like', `${p}%`)),
      ...(scope.orderUnitIds.length ? [orderExists(eb, (o) => o.where('work_order.unit_id', 'in', scope.orderUnitIds))] : []),
    ]));
  }
  if (f.phoneAndWords && f.reporterPhoneIndex && f.tsquery) {
    q = q.where('problem.reporter_phone_index', '=', f.reporterPhoneIndex).where(sql<boolean>`problem.search_tsv @@ ${f.tsquery}::tsquery`);
  } else if (f.tsquery || f.trackingCode || f.reporterPhoneIndex) {
    q = q.where((eb) => eb.or([
      ...(f.tsquery ? [eb(sql`problem.search_tsv`, '@@', sql`${f.tsquery}::tsquery`)] : []),
      ...(f.trackingCode ? [eb('problem.tracking_code', '=', f.trackingCode)] : []),
      ...(f.reporterPhoneIndex ? [eb('problem.reporter_phone_index', '=', f.reporterPhoneIndex)] : []),
    ]));
  }
  if (f.channel) q = f.firstChannel ? q.where('problem.channel', '=', f.channel) : q.where(cameThrough(f.channel));
  if (f.kind) q = q.where('problem.kind_code', '=', f.kind);
  if (f.domain) q = q.where('problem.domain_code', '=', f.domain);
  if (f.region) q = q.where('problem.region_code', 'like', `${regionPrefix(f.region)}%`);
  q = f.status ? q.where('problem.status', '=', f.status) : q.where('problem.status', '!=', 'merged');
  if (f.misconduct === 'any') q = q.where(sql<boolean>`cardinality(problem.misconduct) > 0`);
  else if (f.misconduct) q = q.where(sql<boolean>`${f.misconduct} = any(problem.misconduct)`);
  // a unit with the units under it (a district government: its departments)
  if (f.unitId) {
    q = q.where((eb) => orderExists(eb, (o) => o.where('work_order.unit_id', 'in', (u) =>
      u.selectFrom('unit as sub').innerJoin('unit as chosen', (j) => j.on('chosen.id', '=', f.unitId!)).select('sub.id').where(sql<boolean>`sub.path like chosen.path || '%'`))));
  }
  const flagged = (column: 'overdue_at' | 'listed_at' | 'escalated_at') => (eb: ExpressionBuilder<Database, 'problem'>) =>
    orderExists(eb, (o) => {
      const withFlag = o.where(`work_order.${column}`, 'is not', null);
      return f.openOnly ? withFlag.where('work_order.state', 'in', OPEN_STATES) : withFlag;
    });
  if (f.overdue) q = q.where(flagged('overdue_at'));
  if (f.listed) q = q.where(flagged('listed_at'));
  if (f.escalated) q = q.where(flagged('escalated_at'));
  if (f.satisfaction || f.ratedFrom || f.ratedTo) {
    q = q.where((eb) => {
      let rated = eb.selectFrom('follow_up').select('follow_up.id').whereRef('follow_up.problem_id', '=', 'problem.id');
      if (f.satisfaction) rated = rated.where('follow_up.satisfaction', '=', f.satisfaction);
      if (f.ratedFrom) rated = rated.where('follow_up.at', '>=', f.ratedFrom);
      if (f.ratedTo) rated = rated.where('follow_up.at', '<', f.ratedTo);
      return eb.exists(rated);
    });
  }
  if (f.dispatchedFrom || f.dispatchedTo) {
    q = q.where((eb) => orderExists(eb, (o) => {
      const since = f.dispatchedFrom ? o.where('work_order.dispatched_at', '>=', f.dispatchedFrom) : o;
      return f.dispatchedTo ? since.where('work_order.dispatched_at', '<', f.dispatchedTo) : since;
    }));
  }
  if (f.closedFrom || f.closedTo) {
    q = q.where((eb) => orderExists(eb, (o) => {
      const lead = o.where('work_order.role', '=', 'lead').where('work_order.state', '=', 'closed');
      const since = f.closedFrom ? lead.where('work_order.closed_at', '>=', f.closedFrom) : lead;
      return f.closedTo ? since.where('work_order.closed_at', '<', f.closedTo) : since;
    }));
  }
  if (f.from) q = q.where('problem.reported_at', '>=', f.from);
  if (f.to) q = q.where('problem.reported_at', '<', f.to);
  return q;
}

function withColumns(q: Q) {
  return q
    .innerJoin('channel', 'channel.code', 'problem.channel')
    .leftJoin('region', 'region.code', 'problem.region_code')
    .leftJoin('report_kind', 'report_kind.code', 'problem.kind_code')
    .leftJoin('enforcement_domain', 'enforcement_domain.code', 'problem.domain_code')
    .select([
      'problem.id', 'problem.tracking_code', 'problem.channel', 'channel.name as channel_name', 'problem.title', 'problem.body', 'problem.kind_code',
      'report_kind.name as kind_name', 'problem.domain_code', 'enforcement_domain.name as domain_name', 'problem.reported_at', 'problem.region_code',
      'region.name as region_name', 'problem.address', 'problem.target_text', 'problem.status', 'problem.misconduct', 'problem.source_count', 'problem.confidential',
      'problem.reporter_name_mask', 'problem.reporter_phone_mask',
    ])
    .select(sql<{ unit: string; state: string; deadline: string; overdue: boolean; listed: boolean } | null>`(
      select jsonb_build_object('unit', u.name, 'state', o.state, 'deadline', o.deadline, 'overdue', o.overdue_at is not null, 'listed', o.listed_at is not null)
      from work_order o join unit u on u.id = o.unit_id
      where o.problem_id = problem.id and o.role = 'lead' order by o.id desc limit 1)`.as('lead_order'))
    .select(sql<string | null>`(select f.satisfaction from follow_up f where f.problem_id = problem.id order by f.id desc limit 1)`.as('satisfaction'));
}

/** The planner's estimate of the rows a query returns (from EXPLAIN, not executed). */
async function estimate(db: Queryable, q: Q): Promise<number> {
  const compiled = q.select(sql`1`.as('one')).compile();
  const r = await db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]));
  const plan = r.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: { 'Plan Rows': number } }[];
  return Math.round(parsed[0]?.Plan['Plan Rows'] ?? 0);
}

export type SearchRow = Awaited<ReturnType<ReturnType<typeof withColumns>['execute']>>[number];

export const searchRepo = {
  /**
   * One page of matches. Few matches and many call for different plans, and the planner cannot tell a rare word from
   * a common one, so the page asks first: the planner's estimate; unless that is far beyond the cap, the matches
   * themselves, up to COUNT_CAP + 1 (id, time, rank: one scan that is the exact count too). Few are sorted here and
   * the page is read by id (a rare word is never looked for by walking a year of problems in time order); many are
   * walked newest first, which finds a page in the first few hundred rows.
   */
  async page(db: Queryable, scope: ProblemScope, f: SearchFilter, p: { sort: 'time' | 'relevance'; limit: number; offset: number }) {
    const base = filtered(db, scope, f);
    if (!base) return { rows: [] as SearchRow[], total: 0, capped: false };
    const ranked = p.sort === 'relevance' && !!f.tsquery;
    const guess = await estimate(db, base);
    if (guess <= COUNT_CAP * ESTIMATE_TRUST) {
      const rank = ranked ? sql<number>`ts_rank_cd(problem.search_tsv, ${f.tsquery}::tsquery)` : sql<number>`0`;
      const matches = await base.select(['problem.id', 'problem.reported_at', rank.as('rank')]).limit(COUNT_CAP + 1).execute();
      if (matches.length <= COUNT_CAP) {
        const at = (m: (typeof matches)[number]) => new Date(m.reported_at).getTime();
        matches.sort((a, b) => b.rank - a.rank || at(b) - at(a) || b.id - a.id);
        const ids = matches.slice(p.offset, p.offset + p.limit).map((m) => m.id);
        const rows = ids.length ? await withColumns(db.selectFrom('problem') as Q).where('problem.id', 'in', ids).execute() : [];
        const byId = new Map(rows.map((r) => [r.id, r]));
        return { rows: ids.map((id) => byId.get(id)!).filter(Boolean), total: matches.length, capped: false };
      }
    }
    let rows: SearchRow[];
    if (ranked) {
      const newest = base.select(['problem.id', sql<number>`ts_rank_cd(problem.search_tsv, ${f.tsquery}::tsquery)`.as('rank')]).orderBy('problem.reported_at', 'desc').limit(RANK_WINDOW);
      rows = await withColumns(db.selectFrom('problem') as Q)
        .innerJoin(newest.as('ranked'), 'ranked.id', 'problem.id')
        .orderBy('ranked.rank', 'desc').orderBy('problem.reported_at', 'desc').orderBy('problem.id', 'desc')
        .limit(p.limit).offset(p.offset).execute();
    } else {
      rows = await withColumns(base).orderBy('problem.reported_at', 'desc').orderBy('problem.id', 'desc').limit(p.limit).offset(p.offset).execute();
    }
    // the planner's guess can be twice the truth after a bulk update (pages of dead rows): where the truth is within
    // reach, count it, so that the pager does not offer pages with nothing on them
    if (guess <= COUNT_REACH * ESTIMATE_TRUST) {
      const { n } = await db.selectFrom(base.select(sql`1`.as('one')).limit(COUNT_REACH + 1).as('m')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      if (Number(n) <= COUNT_REACH) return { rows, total: Number(n), capped: false };
    }
    return { rows, total: Math.max(COUNT_REACH + 1, guess), capped: true };
  },

  /** The planner's estimate of the matches, as shown beyond the exact count. */
  estimate(db: Queryable, scope: ProblemScope, f: SearchFilter) {
    const base = filtered(db, scope, f);
    return base ? estimate(db, base) : Promise.resolve(0);
  },

  /** Newest first, for export. */
  async rows(db: Queryable, scope: ProblemScope, f: SearchFilter, limit: number, offset: number) {
    const base = filtered(db, scope, f);
    if (!base) return [];
    return withColumns(base).orderBy('problem.reported_at', 'desc').orderBy('problem.id', 'desc').limit(limit).offset(offset).execute();
  },

  /** The replies of these problems: what the channels carried back and what units answered here. */
  async replies(db: Queryable, problemIds: number[]) {
    if (!problemIds.length) return [];
    const { rows } = await sql<{ problem_id: number; text: string }>`
      select problem_id, reply as text from problem_source where problem_id = any(${problemIds}::bigint[]) and reply is not null
      union all
      select o.problem_id, r.content from work_reply r join work_order o on o.id = r.work_order_id where o.problem_id = any(${problemIds}::bigint[])`.execute(db);
    return rows;
  },

  /**
   * Problems waiting to be indexed, locked for this transaction (several instances share the work); or, for a reindex
   * of all, the next `limit` problems after `afterId` whatever their index (waiting for a row being changed).
   */
  async claimPending(tx: Tx, limit: number, afterId?: number) {
    const { rows } = await sql<{ id: number; title: string; body: string; target_text: string | null; address: string | null; confidential: boolean; replies: string | null }>`
      select p.id, p.title, p.body, p.target_text, p.address, p.confidential,
             (select string_agg(t, ' ') from (
                select s.reply as t from problem_source s where s.problem_id = p.id and s.reply is not null
                union all
                select r.content from work_reply r join work_order o on o.id = r.work_order_id where o.problem_id = p.id) as x) as replies
      from problem p
      where ${afterId === undefined ? sql`p.search_tsv is null` : sql`p.id > ${afterId}`}
      order by p.id limit ${limit} for update of p ${afterId === undefined ? sql`skip locked` : sql``}`.execute(tx);
    return rows;
  },

  /** The search vectors and the topic words (as JSON arrays of strings, one per problem). */
  async setVectors(tx: Tx, ids: number[], vectors: string[], topicTerms: string[][]) {
    if (!ids.length) return;
    await sql`
      update problem p set search_tsv = v.tsv::tsvector, topic_terms = array(select jsonb_array_elements_text(v.terms::jsonb))
      from unnest(${ids}::bigint[], ${vectors}::text[], ${topicTerms.map((t) => JSON.stringify(t))}::text[]) as v (id, tsv, terms) where p.id = v.id`.execute(tx);
  },

  /** Problems indexed before topic words were stored, locked for this transaction. */
  async claimWithoutTopicTerms(tx: Tx, limit: number) {
    const { rows } = await sql<{ id: number; title: string; body: string }>`
      select id, title, body from problem where topic_terms is null and search_tsv is not null order by id limit ${limit} for update skip locked`.execute(tx);
    return rows;
  },

  async setTopicTerms(tx: Tx, ids: number[], topicTerms: string[][]) {
    if (!ids.length) return;
    await sql`
      update problem p set topic_terms = array(select jsonb_array_elements_text(v.terms::jsonb))
      from unnest(${ids}::bigint[], ${topicTerms.map((t) => JSON.stringify(t))}::text[]) as v (id, terms) where p.id = v.id`.execute(tx);
  },

  pendingCount(db: Queryable) {
    return db.selectFrom('problem').select((eb) => eb.fn.countAll<number>().as('n')).where('search_tsv', 'is', null).executeTakeFirstOrThrow();
  },
};
