import { sql, type RawBuilder } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import { isReport } from '../problems/repo.ts';

/** Days are city days 'YYYY-MM-DD'; a range is [from, to] inclusive. */
export type DayRange = { from: string; to: string };
/** Region prefixes the reader may see, or the whole city (which also sees problems without a region). */
export type RegionScope = string[] | 'all';

const STATS_REFRESH_LOCK = 7_160_001;
/** Days recomputed per transaction. */
const REFRESH_CHUNK = 200;

/** The city day d as a [start, end) range of instants; every rollup query below joins the days this way. */
const dayStart = (d: RawBuilder<unknown>) => sql`(${d}::timestamp at time zone 'Asia/Shanghai')`;
const dayEnd = (d: RawBuilder<unknown>) => sql`((${d} + 1)::timestamp at time zone 'Asia/Shanghai')`;

function regionWhere(column: string, scope: RegionScope) {
  if (scope === 'all') return sql`true`;
  if (!scope.length) return sql`false`;
  return sql.join(scope.map((p) => sql`${sql.ref(column)} like ${`${p}%`}`), sql` or `);
}

const ORDER_COLUMNS = ['unit_id', 'region_code', 'dispatched', 'signed_on_time', 'closed', 'closed_on_time', 'rated', 'satisfied', 'unsatisfied', 'redone', 'overdue'] as const;

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonth = (day: string) => {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

/** A range as the whole months inside it (read from the month tables) and the days before and after them. */
export function splitRange(range: DayRange): { days: DayRange[]; months: DayRange | null } {
  const firstFull = range.from === monthStart(range.from) ? range.from : nextMonth(range.from);
  const afterLastFull = monthStart(addDays(range.to, 1));
  if (firstFull >= afterLastFull) return { days: [range], months: null };
  const days: DayRange[] = [];
  if (range.from < firstFull) days.push({ from: range.from, to: addDays(firstFull, -1) });
  if (afterLastFull <= range.to) days.push({ from: afterLastFull, to: range.to });
  return { days, months: { from: firstFull, to: monthStart(addDays(afterLastFull, -1)) } };
}

const dayIn = (ranges: DayRange[]) =>
  ranges.length ? sql`(${sql.join(ranges.map((r) => sql`day between ${r.from}::date and ${r.to}::date`), sql` or `)})` : sql`false`;
const monthIn = (r: DayRange | null) => (r ? sql`month between ${r.from}::date and ${r.to}::date` : sql`false`);

export type CubeRow = { dim: 'status' | 'channel' | 'domain' | 'kind' | 'flagged' | 'misconduct'; value: string | null; region_code: string | null; n: number };
export type OrderCube = {
  unit_id: number; dispatched: number; signed_on_time: number; closed: number; closed_on_time: number; rated: number; satisfied: number; unsatisfied: number; redone: number; overdue: number;
  /** Dispatched in the range and neither signed nor past their sign-for limit yet (live): not yet on time or late. */
  awaiting_sign: number;
};

export const analyticsRepo = {
  /**
   * Takes the days marked dirty and recomputes their rollups, a chunk per transaction. One instance at a time (the
   * others return 0 and leave it to the one at work). Returns the number of days recomputed.
   */
  async refresh(db: Queryable, maxDays = Number.POSITIVE_INFINITY): Promise<number> {
    let done = 0;
    while (done < maxDays) {
      const n = await db.transaction().execute(async (tx) => {
        const { rows: [lock] } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${STATS_REFRESH_LOCK}) as ok`.execute(tx);
        if (!lock?.ok) return -1;
        const { rows } = await sql<{ day: string }>`
          with taken as (
            delete from stat_dirty_day where day in (select distinct day from stat_dirty_day order by day limit ${Math.min(REFRESH_CHUNK, maxDays - done)})
            returning day)
          select distinct day from taken order by day`.execute(tx);
        if (rows.length) await recompute(tx, rows.map((r) => r.day));
        return rows.length;
      });
      if (n <= 0) break;
      done += n;
    }
    return done;
  },

  dirtyDays(db: Queryable) {
    return sql<{ n: number }>`select count(distinct day) as n from stat_dirty_day`.execute(db).then((r) => r.rows[0]!.n);
  },

  /** Every dimension's figures over a range, per region: [{ dim, value, region_code, n }]. */
  async cube(db: Queryable, range: DayRange, scope: RegionScope) {
    const parts = splitRange(range);
    const { rows } = await sql<CubeRow>`
      select dim, value, region_code, sum(n)::int as n from (
        select dim, value, region_code, n from stat_problem_day where ${dayIn(parts.days)}
        union all
        select dim, value, region_code, n from stat_problem_month where ${monthIn(parts.months)}
      ) as c
      where ${regionWhere('region_code', scope)}
      group by dim, value, region_code`.execute(db);
    return rows;
  },

  /** Problems (merged duplicates left out) per day or per month of a range. */
  async trend(db: Queryable, range: DayRange, scope: RegionScope, unit: 'day' | 'month') {
    const parts = unit === 'day' ? { days: [range], months: null } : splitRange(range);
    const { rows } = await sql<{ bucket: string; n: number }>`
      select bucket, sum(n)::int as n from (
        select to_char(day, ${unit === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM'}) as bucket, n, region_code from stat_problem_day
        where dim = 'status' and value <> 'merged' and ${dayIn(parts.days)}
        union all
        select to_char(month, 'YYYY-MM'), n, region_code from stat_problem_month
        where dim = 'status' and value <> 'merged' and ${monthIn(parts.months)}
      ) as t
      where ${regionWhere('region_code', scope)}
      group by bucket order by bucket`.execute(db);
    return rows;
  },

  /** Work-order figures of a range per unit (each counted on the day its event happened). */
  async orders(db: Queryable, range: DayRange, scope: RegionScope) {
    const parts = splitRange(range);
    const { rows } = await sql<Omit<OrderCube, 'awaiting_sign'>>`
      select unit_id, sum(dispatched)::int as dispatched, sum(signed_on_time)::int as signed_on_time, sum(closed)::int as closed,
             sum(closed_on_time)::int as closed_on_time, sum(rated)::int as rated, sum(satisfied)::int as satisfied,
             sum(unsatisfied)::int as unsatisfied, sum(redone)::int as redone, sum(overdue)::int as overdue
      from (
        select ${sql.join(ORDER_COLUMNS.map((c) => sql.ref(c)))} from stat_order_day where ${dayIn(parts.days)}
        union all
        select ${sql.join(ORDER_COLUMNS.map((c) => sql.ref(c)))} from stat_order_month where ${monthIn(parts.months)}
      ) as o
      where ${regionWhere('region_code', scope)}
      group by unit_id`.execute(db);
    const { rows: awaiting } = await sql<{ unit_id: number; n: number }>`
      select o.unit_id, count(*)::int as n from work_order o join problem p on p.id = o.problem_id
      where o.signed_at is null and o.sign_deadline > now()
        and o.dispatched_at >= ${dayStart(sql`${range.from}::date`)} and o.dispatched_at < ${dayEnd(sql`${range.to}::date`)}
        and ${regionWhere('p.region_code', scope)}
      group by o.unit_id`.execute(db);
    const waiting = new Map(awaiting.map((a) => [a.unit_id, a.n]));
    return (rows as Omit<OrderCube, 'awaiting_sign'>[]).map((r) => ({ ...r, awaiting_sign: Math.min(r.dispatched, waiting.get(r.unit_id) ?? 0) }));
  },

  /** Orders open right now that are overdue, listed or escalated: the live part of the dashboard, from partial indexes. */
  async openFlags(db: Queryable, scope: RegionScope) {
    const { rows } = await sql<{ overdue: number; listed: number; escalated: number }>`
      select count(*) filter (where o.overdue_at is not null)::int as overdue,
             count(*) filter (where o.listed_at is not null)::int as listed,
             count(*) filter (where o.escalated_at is not null)::int as escalated
      from work_order o
      where o.state in ('pending_sign', 'handling', 'replied', 'follow_up')
        and (o.overdue_at is not null or o.listed_at is not null or o.escalated_at is not null)
        and ${scope === 'all' ? sql`true` : sql`exists (select 1 from problem p where p.id = o.problem_id and (${regionWhere('p.region_code', scope)}))`}`.execute(db);
    return rows[0]!;
  },

  names(db: Queryable) {
    return Promise.all([
      db.selectFrom('channel').select(['code', 'name']).execute(),
      db.selectFrom('enforcement_domain').select(['code', 'name']).orderBy('sort').execute(),
      db.selectFrom('report_kind').select(['code', 'name']).orderBy('sort').execute(),
      db.selectFrom('region').select(['code', 'name', 'level', 'parent_code']).execute(),
      db.selectFrom('unit').select(['id', 'name', 'path']).execute(),
    ]).then(([channels, domains, kinds, regions, units]) => ({ channels, domains, kinds, regions, units }));
  },

  /** A few problems of a range with misconduct flags, newest first, for a report's examples. */
  misconductExamples(db: Queryable, range: DayRange, scope: RegionScope, limit: number) {
    return sql<{ id: number; tracking_code: string; title: string; body: string; misconduct: string[]; confidential: boolean; region_code: string | null; reported_at: Date }>`
      select id, tracking_code, title, body, misconduct, confidential, region_code, reported_at from problem
      where reported_at >= ${dayStart(sql`${range.from}::date`)} and reported_at < ${dayEnd(sql`${range.to}::date`)}
        and cardinality(misconduct) > 0 and status <> 'merged' and ${isReport('problem')} and (${regionWhere('region_code', scope)})
      order by reported_at desc limit ${limit}`.execute(db).then((r) => r.rows);
  },
};

/** Recomputes every rollup row of these days from the source tables, then the months they fall in. */
async function recompute(tx: Tx, days: string[]) {
  const d = sql`d.day`;
  await sql`delete from stat_problem_day where day = any(${days}::date[])`.execute(tx);
  await sql`delete from stat_order_day where day = any(${days}::date[])`.execute(tx);
  await sql`
    insert into stat_problem_day (day, region_code, dim, value, n)
    with p as (
      select d.day, p.region_code, p.status, p.channel, p.domain_code, p.kind_code, p.misconduct
      from unnest(${days}::date[]) as d (day)
      join problem p on p.reported_at >= ${dayStart(d)} and p.reported_at < ${dayEnd(d)} and ${isReport('p')}
    ), live as (select * from p where status <> 'merged')
    select day, region_code, 'status', status, count(*) from p group by 1, 2, 4
    union all select day, region_code, 'channel', channel, count(*) from live group by 1, 2, 4
    union all select day, region_code, 'domain', domain_code, count(*) from live group by 1, 2, 4
    union all select day, region_code, 'kind', kind_code, count(*) from live group by 1, 2, 4
    union all select day, region_code, 'flagged', 'yes', count(*) from live where cardinality(misconduct) > 0 group by 1, 2
    union all select day, region_code, 'misconduct', c.category, count(*) from live cross join lateral unnest(live.misconduct) as c (category) group by 1, 2, 4`.execute(tx);
  await sql`
    insert into stat_order_day (day, unit_id, region_code, dispatched, signed_on_time, closed, closed_on_time, rated, satisfied, unsatisfied, redone, overdue)
    select e.day, e.unit_id, p.region_code,
           sum(e.dispatched), sum(e.signed_on_time), sum(e.closed), sum(e.closed_on_time), sum(e.rated), sum(e.satisfied), sum(e.unsatisfied), sum(e.redone), sum(e.overdue)
    from (
      select d.day, o.unit_id, o.problem_id, 1 as dispatched, (o.signed_at is not null and o.signed_at <= o.sign_deadline)::int as signed_on_time,
             0 as closed, 0 as closed_on_time, 0 as rated, 0 as satisfied, 0 as unsatisfied, 0 as redone, 0 as overdue
      from unnest(${days}::date[]) as d (day) join work_order o on o.dispatched_at >= ${dayStart(d)} and o.dispatched_at < ${dayEnd(d)}
      union all
      select d.day, o.unit_id, o.problem_id, 0, 0, 1, (o.replied_at <= o.deadline)::int, 0, 0, 0, 0, 0
      from unnest(${days}::date[]) as d (day) join work_order o on o.closed_at >= ${dayStart(d)} and o.closed_at < ${dayEnd(d)}
      where o.role = 'lead' and o.state = 'closed'
      union all
      select d.day, f.unit_id, f.problem_id, 0, 0, 0, 0, (f.satisfaction <> 'unrated')::int,
             (f.satisfaction in ('satisfied', 'basically_satisfied'))::int, (f.satisfaction = 'unsatisfied')::int, 0, 0
      from unnest(${days}::date[]) as d (day) join follow_up f on f.at >= ${dayStart(d)} and f.at < ${dayEnd(d)}
      union all
      select d.day, o.unit_id, o.problem_id, 0, 0, 0, 0, 0, 0, 0, (w.kind in ('reject', 'redo'))::int, (w.kind = 'overdue')::int
      from unnest(${days}::date[]) as d (day) join work_event w on w.at >= ${dayStart(d)} and w.at < ${dayEnd(d)} and w.kind in ('reject', 'redo', 'overdue')
      join work_order o on o.id = w.work_order_id
    ) as e
    join problem p on p.id = e.problem_id
    group by 1, 2, 3`.execute(tx);

  const months = [...new Set(days.map(monthStart))];
  await sql`delete from stat_problem_month where month = any(${months}::date[])`.execute(tx);
  await sql`delete from stat_order_month where month = any(${months}::date[])`.execute(tx);
  await sql`
    insert into stat_problem_month (month, region_code, dim, value, n)
    select m.month, s.region_code, s.dim, s.value, sum(s.n)
    from unnest(${months}::date[]) as m (month)
    join stat_problem_day s on s.day >= m.month and s.day < (m.month + interval '1 month')
    group by 1, 2, 3, 4`.execute(tx);
  await sql`
    insert into stat_order_month (month, unit_id, region_code, dispatched, signed_on_time, closed, closed_on_time, rated, satisfied, unsatisfied, redone, overdue)
    select m.month, s.unit_id, s.region_code, sum(s.dispatched), sum(s.signed_on_time), sum(s.closed), sum(s.closed_on_time), sum(s.rated),
           sum(s.satisfied), sum(s.unsatisfied), sum(s.redone), sum(s.overdue)
    from unnest(${months}::date[]) as m (month)
    join stat_order_day s on s.day >= m.month and s.day < (m.month + interval '1 month')
    group by 1, 2, 3`.execute(tx);
}
