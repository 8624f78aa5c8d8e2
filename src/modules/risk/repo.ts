import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { RiskSignalKind, WarningLevel, WarningState } from '../../db/types.ts';
import type { RiskData } from './evaluate.ts';
import { regionPrefix } from '../../lib/region.ts';
import { isReport } from '../problems/repo.ts';

export type DailySeries = { key: string; domain_code: string | null; region_code: string; day: string; n: number };

export const OPEN_STATES: WarningState[] = ['new', 'assessed', 'dispatched'];

export const riskRepo = {
  currentRules(db: Queryable) {
    return db.selectFrom('risk_rule').selectAll().where('replaced_by', 'is', null).orderBy('id').execute();
  },

  /** The rule's next version becomes current; the old one points to it (and stays in the history). */
  async replaceRule(tx: Tx, old: { id: number; code: string; name: string; signal: RiskSignalKind; version: number }, next: { params: object; active: boolean; note: string; created_by: number | null }) {
    // the old row leaves the "current" index first (pointing at itself for a moment), then at its successor
    await tx.updateTable('risk_rule').set({ replaced_by: old.id }).where('id', '=', old.id).execute();
    const row = await tx.insertInto('risk_rule').values({ code: old.code, name: old.name, signal: old.signal, params: JSON.stringify(next.params), active: next.active, version: old.version + 1, note: next.note, created_by: next.created_by })
      .returningAll().executeTakeFirstOrThrow();
    await tx.updateTable('risk_rule').set({ replaced_by: row.id }).where('id', '=', old.id).execute();
    return row;
  },

  async ruleHistory(db: Queryable, code: string) {
    return db.selectFrom('risk_rule').selectAll().where('code', '=', code).orderBy('version', 'desc').execute();
  },

  /** Daily counts per domain and district (the first six digits of a region code) from the rollups. */
  async domainDistrictSeries(db: Queryable, dim: 'domain' | 'flagged', from: string, to: string) {
    const { rows } = await sql<DailySeries>`
      select to_char(day, 'YYYY-MM-DD') as day, ${dim === 'domain' ? sql`value` : sql`null`} as domain_code, left(region_code, 6) as region_code,
             ${dim === 'domain' ? sql`value || '|' || left(region_code, 6)` : sql`left(region_code, 6)`} as key, sum(n)::int as n
      from stat_problem_day
      where dim = ${dim} and region_code is not null and day between ${from}::date and ${to}::date ${dim === 'domain' ? sql`and value is not null` : sql``}
      group by 1, 2, 3, 4`.execute(db);
    return rows;
  },

  /** Complaints per target and day, with the problems behind them. */
  async targetDays(db: Queryable, from: string, to: string) {
    const { rows } = await sql<{ target_key: string; day: string; n: number; text: string; domain_code: string | null; region_code: string | null; ids: number[] }>`
      select target_key, to_char(zhd_city_day(reported_at), 'YYYY-MM-DD') as day, count(*)::int as n, max(target_text) as text,
             mode() within group (order by domain_code) as domain_code, mode() within group (order by left(region_code, 6)) as region_code,
             (array_agg(id order by id desc))[1:20] as ids
      from problem
      where target_key is not null and status <> 'merged' and ${isReport('problem')}
        and reported_at >= (${from}::date::timestamp at time zone 'Asia/Shanghai') and reported_at < ((${to}::date + 1)::timestamp at time zone 'Asia/Shanghai')
      group by target_key, 2`.execute(db);
    return rows;
  },

  /** Each unit's work-order figures per day (from the rollups). */
  async unitDays(db: Queryable, from: string, to: string) {
    const { rows } = await sql<{ unit_id: number; unit_name: string; day: string; dispatched: number; overdue: number; rated: number; unsatisfied: number; redone: number; closed: number }>`
      select s.unit_id, u.name as unit_name, to_char(s.day, 'YYYY-MM-DD') as day, sum(dispatched)::int as dispatched, sum(overdue)::int as overdue,
             sum(rated)::int as rated, sum(unsatisfied)::int as unsatisfied, sum(redone)::int as redone, sum(closed)::int as closed
      from stat_order_day s join unit u on u.id = s.unit_id
      where s.day between ${from}::date and ${to}::date
      group by s.unit_id, u.name, s.day`.execute(db);
    return rows;
  },

  /** Each unit's lost reconsideration and litigation cases per day decided, over the rules' longest reach (4 years; they are few). */
  async lostCaseDays(db: Queryable, to: string) {
    const { rows } = await sql<{ unit_id: number; unit_name: string; day: string; n: number; case_nos: string[] }>`
      select c.unit_id, u.name as unit_name, to_char(c.decided_on, 'YYYY-MM-DD') as day, count(*)::int as n, array_agg(c.case_no order by c.case_no) as case_nos
      from case_outcome c join unit u on u.id = c.unit_id
      where c.lost and c.decided_on between (${to}::date - 1460) and ${to}::date
      group by c.unit_id, u.name, c.decided_on`.execute(db);
    return rows;
  },

  openWarning(tx: Queryable, ruleCode: string, scopeKey: string) {
    return tx.selectFrom('warning').selectAll().where('rule_code', '=', ruleCode).where('scope_key', '=', scopeKey).where('state', 'in', OPEN_STATES).executeTakeFirst();
  },

  lastClosed(tx: Queryable, ruleCode: string, scopeKey: string) {
    return tx.selectFrom('warning').select(['id', 'level', 'updated_at']).where('rule_code', '=', ruleCode).where('scope_key', '=', scopeKey).where('state', 'in', ['resolved', 'dismissed']).orderBy('updated_at', 'desc').limit(1).executeTakeFirst();
  },

  insertWarning(tx: Tx, w: {
    rule_id: number; rule_code: string; level: WarningLevel; scope_kind: 'domain_region' | 'target' | 'unit'; scope_key: string; domain_code: string | null; region_code: string | null;
    unit_id: number | null; target_key: string | null; title: string; score: number; evidence: object; started_on: string; raised_on: string;
  }) {
    return tx.insertInto('warning').values({ ...w, evidence: JSON.stringify(w.evidence), last_seen_on: w.raised_on })
      .onConflict((oc) => oc.columns(['rule_code', 'scope_key']).where('state', 'in', OPEN_STATES).doNothing())
      .returning('id').executeTakeFirst();
  },

  updateSeen(tx: Tx, id: number, w: { level: WarningLevel; score: number; evidence: object; day: string }) {
    return tx.updateTable('warning').set({ level: w.level, score: w.score, evidence: JSON.stringify(w.evidence), last_seen_on: w.day, updated_at: new Date() }).where('id', '=', id).execute();
  },

  insertEvent(tx: Tx, e: { warning_id: number; kind: string; from_state: string | null; to_state: string | null; actor_user_id: number | null; actor_label: string; note?: string; data?: object }) {
    return tx.insertInto('warning_event').values({ ...e, data: JSON.stringify(e.data ?? {}) }).execute();
  },

  /** Moves a warning from one of `from` to `to`, if its version is still `version`. */
  step(tx: Tx, id: number, version: number, from: WarningState[], to: WarningState, set: { problem_id?: number; work_order_id?: number; closing_reason?: string } = {}) {
    return tx.updateTable('warning').set({ ...set, state: to, version: sql`version + 1` as never, updated_at: new Date() })
      .where('id', '=', id).where('version', '=', version).where('state', 'in', from).returning(['id', 'state', 'version']).executeTakeFirst();
  },

  /** The problem and work order a dispatched warning became (part of the dispatch step: the version stays). */
  link(tx: Tx, id: number, set: { problem_id: number; work_order_id: number }) {
    return tx.updateTable('warning').set(set).where('id', '=', id).returning(['id', 'state', 'version']).executeTakeFirstOrThrow();
  },

  get(db: Queryable, id: number) {
    return db.selectFrom('warning')
      .leftJoin('unit', 'unit.id', 'warning.unit_id')
      .leftJoin('region', 'region.code', 'warning.region_code')
      .leftJoin('enforcement_domain', 'enforcement_domain.code', 'warning.domain_code')
      .selectAll('warning')
      .select(['unit.name as unit_name', 'unit.path as unit_path', 'region.name as region_name', 'enforcement_domain.name as domain_name'])
      .where('warning.id', '=', id).executeTakeFirst();
  },

  events(db: Queryable, id: number) {
    return db.selectFrom('warning_event').selectAll().where('warning_id', '=', id).orderBy('id').execute();
  },

  /** unitPaths null: the whole city. Otherwise the warnings about those units or dispatched to them. */
  list(db: Queryable, f: { state?: WarningState | 'open'; level?: WarningLevel; domain?: string; region?: string; unitPaths: string[] | null; limit: number; offset: number }) {
    let q = db.selectFrom('warning')
      .leftJoin('unit', 'unit.id', 'warning.unit_id')
      .leftJoin('region', 'region.code', 'warning.region_code')
      .leftJoin('enforcement_domain', 'enforcement_domain.code', 'warning.domain_code');
    if (f.state === 'open') q = q.where('warning.state', 'in', OPEN_STATES);
    else if (f.state) q = q.where('warning.state', '=', f.state);
    if (f.level) q = q.where('warning.level', '=', f.level);
    if (f.domain) q = q.where('warning.domain_code', '=', f.domain);
    if (f.region) q = q.where('warning.region_code', 'like', `${regionPrefix(f.region)}%`);
    if (f.unitPaths) {
      const paths = f.unitPaths;
      if (!paths.length) return Promise.resolve({ rows: [], total: 0 });
      q = q.where((eb) => eb.or([
        ...paths.map((p) => eb('unit.path', 'like', `${p}%`)),
        eb.exists(eb.selectFrom('work_order').innerJoin('unit as u2', 'u2.id', 'work_order.unit_id').select('work_order.id')
          .whereRef('work_order.id', '=', 'warning.work_order_id').where((e2) => e2.or(paths.map((p) => e2('u2.path', 'like', `${p}%`))))),
      ]));
    }
    return Promise.all([
      q.select(['warning.id', 'warning.rule_code', 'warning.level', 'warning.scope_kind', 'warning.title', 'warning.score', 'warning.state', 'warning.started_on', 'warning.raised_on',
        'warning.last_seen_on', 'warning.unit_id', 'warning.domain_code', 'warning.region_code', 'warning.work_order_id', 'unit.name as unit_name', 'region.name as region_name', 'enforcement_domain.name as domain_name'])
        .orderBy(sql`case warning.level when 'red' then 0 when 'orange' then 1 when 'yellow' then 2 else 3 end`).orderBy('warning.last_seen_on', 'desc').orderBy('warning.id', 'desc')
        .limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]).then(([rows, c]) => ({ rows, total: c.n }));
  },
};

/** Everything the rules read for the days [from, to], loaded once. */
export async function loadRiskData(db: Queryable, from: string, to: string): Promise<RiskData> {
  const [domainRows, flaggedRows, targetRows, unitRows, caseRows] = await Promise.all([
    riskRepo.domainDistrictSeries(db, 'domain', from, to),
    riskRepo.domainDistrictSeries(db, 'flagged', from, to),
    riskRepo.targetDays(db, from, to),
    riskRepo.unitDays(db, from, to),
    riskRepo.lostCaseDays(db, to),
  ]);
  const first = await sql<{ day: string | null }>`select to_char(zhd_city_day(min(reported_at)), 'YYYY-MM-DD') as day from problem`.execute(db);
  const cases = await sql<{ day: string | null; units: number }>`
    select to_char(min(decided_on), 'YYYY-MM-DD') as day, count(distinct unit_id) filter (where decided_on > ${to}::date - 1460)::int as units from case_outcome`.execute(db);
  const data: RiskData = {
    from, to, dataStart: first.rows[0]?.day ?? from, casesStart: cases.rows[0]?.day ?? null, caseUnits: cases.rows[0]?.units ?? 0,
    domainSeries: new Map(), flaggedSeries: new Map(), targets: new Map(), units: new Map(), lostCases: new Map(),
  };
  for (const r of caseRows) {
    const u = data.lostCases.get(r.unit_id) ?? { name: r.unit_name, days: new Map() };
    u.days.set(r.day, { n: r.n, caseNos: r.case_nos });
    data.lostCases.set(r.unit_id, u);
  }
  for (const r of domainRows) {
    const s = data.domainSeries.get(r.key) ?? { domain: r.domain_code!, region: r.region_code, days: [] };
    s.days.push({ day: r.day, n: r.n });
    data.domainSeries.set(r.key, s);
  }
  for (const r of flaggedRows) {
    const s = data.flaggedSeries.get(r.key) ?? { region: r.region_code, days: [] };
    s.days.push({ day: r.day, n: r.n });
    data.flaggedSeries.set(r.key, s);
  }
  for (const r of targetRows) {
    const t = data.targets.get(r.target_key) ?? { text: r.text, domain: r.domain_code, region: r.region_code, days: new Map() };
    // a target complained about from more than one district belongs to none of them (the warning is city-wide)
    if (t.region !== r.region_code) t.region = null;
    t.days.set(r.day, { n: r.n, ids: r.ids });
    data.targets.set(r.target_key, t);
  }
  for (const r of unitRows) {
    const u = data.units.get(r.unit_id) ?? { name: r.unit_name, days: new Map() };
    u.days.set(r.day, { dispatched: r.dispatched, overdue: r.overdue, rated: r.rated, unsatisfied: r.unsatisfied, redone: r.redone, closed: r.closed });
    data.units.set(r.unit_id, u);
  }
  return data;
}

/** Figures of the last days per enforcement domain and per unit, for the risk scores. */
export const scoreRepo = {
  async domainFigures(db: Queryable, since: Date) {
    const { rows } = await sql<{ domain_code: string; misconduct: number; dispatched: number; overdue: number; rated: number; unsatisfied: number; redone: number }>`
      with m as (
        select domain_code, count(*)::int as n from problem
        where reported_at >= ${since} and cardinality(misconduct) > 0 and status <> 'merged' and domain_code is not null and ${isReport('problem')} group by 1
      ), o as (
        select p.domain_code, count(*)::int as dispatched, count(*) filter (where o.overdue_at is not null)::int as overdue
        from work_order o join problem p on p.id = o.problem_id where o.dispatched_at >= ${since} and p.domain_code is not null group by 1
      ), f as (
        select p.domain_code, count(*) filter (where f.satisfaction <> 'unrated')::int as rated, count(*) filter (where f.satisfaction = 'unsatisfied')::int as unsatisfied
        from follow_up f join problem p on p.id = f.problem_id where f.at >= ${since} and p.domain_code is not null group by 1
      ), r as (
        select p.domain_code, count(*)::int as redone from work_event w join problem p on p.id = w.problem_id
        where w.at >= ${since} and w.kind in ('reject', 'redo') and p.domain_code is not null group by 1
      )
      select d.code as domain_code, coalesce(m.n, 0) as misconduct, coalesce(o.dispatched, 0) as dispatched, coalesce(o.overdue, 0) as overdue,
             coalesce(f.rated, 0) as rated, coalesce(f.unsatisfied, 0) as unsatisfied, coalesce(r.redone, 0) as redone
      from enforcement_domain d left join m on m.domain_code = d.code left join o on o.domain_code = d.code
      left join f on f.domain_code = d.code left join r on r.domain_code = d.code
      where d.active order by d.sort`.execute(db);
    return rows;
  },

  /** Each unit's work-order figures since a city day (from the rollups), for every unit that had any. */
  async unitFigures(db: Queryable, since: string) {
    const { rows } = await sql<{ unit_id: number; unit_name: string; dispatched: number; overdue: number; rated: number; unsatisfied: number; redone: number }>`
      select s.unit_id, u.name as unit_name, sum(dispatched)::int as dispatched, sum(overdue)::int as overdue, sum(rated)::int as rated,
             sum(unsatisfied)::int as unsatisfied, sum(redone)::int as redone
      from stat_order_day s join unit u on u.id = s.unit_id
      where s.day >= ${since}::date
      group by s.unit_id, u.name
      having sum(dispatched) + sum(rated) + sum(redone) + sum(overdue) > 0`.execute(db);
    return rows;
  },

  /** Lost 复议/诉讼 cases decided since a city day, per unit and per domain. */
  async lostCases(db: Queryable, since: string) {
    return db.selectFrom('case_outcome').innerJoin('unit', 'unit.id', 'case_outcome.unit_id')
      .select(['case_outcome.unit_id', 'unit.name as unit_name', 'case_outcome.domain_code', (eb) => eb.fn.countAll<number>().as('n')])
      .where('case_outcome.lost', '=', true).where('case_outcome.decided_on', '>=', since).groupBy(['case_outcome.unit_id', 'unit.name', 'case_outcome.domain_code']).execute();
  },

  async unitMisconduct(db: Queryable, since: Date) {
    const { rows } = await sql<{ unit_id: number; n: number }>`
      select o.unit_id, count(distinct p.id)::int as n from work_order o join problem p on p.id = o.problem_id
      where o.dispatched_at >= ${since} and cardinality(p.misconduct) > 0 group by 1`.execute(db);
    return rows;
  },

  async openByRegion(db: Queryable) {
    const { rows } = await sql<{ region: string; level: WarningLevel; n: number }>`
      select left(region_code, 6) as region, level, count(*)::int as n from warning
      where state in ('new', 'assessed', 'dispatched') and region_code is not null group by 1, 2`.execute(db);
    return rows;
  },

  /** Every open warning, whatever its scope (a region, a domain, a unit, the city), and how many have no region (not on the map). */
  async openTotal(db: Queryable) {
    const { rows } = await sql<{ n: number; no_region: number }>`
      select count(*)::int as n, count(*) filter (where region_code is null)::int as no_region from warning where state in ('new', 'assessed', 'dispatched')`.execute(db);
    return { total: rows[0]?.n ?? 0, withoutRegion: rows[0]?.no_region ?? 0 };
  },

  async openByDomain(db: Queryable) {
    const { rows } = await sql<{ domain_code: string; n: number }>`
      select domain_code, count(*)::int as n from warning where state in ('new', 'assessed', 'dispatched') and domain_code is not null group by 1`.execute(db);
    return rows;
  },

  async domainTrend(db: Queryable, domain: string, from: string, to: string) {
    const { rows } = await sql<{ day: string; n: number }>`
      select to_char(day, 'YYYY-MM-DD') as day, sum(n)::int as n from stat_problem_day
      where dim = 'domain' and value = ${domain} and day between ${from}::date and ${to}::date group by day order by day`.execute(db);
    return rows;
  },

  async topTargets(db: Queryable, domain: string, since: Date, limit: number) {
    const { rows } = await sql<{ target: string; n: number }>`
      select max(target_text) as target, count(*)::int as n from problem
      where domain_code = ${domain} and target_key is not null and reported_at >= ${since} and status <> 'merged' and ${isReport('problem')}
      group by target_key order by n desc limit ${limit}`.execute(db);
    return rows;
  },

  async topUnits(db: Queryable, domain: string, since: Date, limit: number) {
    const { rows } = await sql<{ unit_id: number; unit_name: string; n: number; overdue_rate: number | null; unsatisfied_rate: number | null }>`
      select o.unit_id, u.name as unit_name, count(*)::int as n,
             round(count(*) filter (where o.overdue_at is not null)::numeric / nullif(count(*), 0), 4)::float8 as overdue_rate,
             (select round(count(*) filter (where f.satisfaction = 'unsatisfied')::numeric / nullif(count(*) filter (where f.satisfaction <> 'unrated'), 0), 4)::float8
                from follow_up f join problem p2 on p2.id = f.problem_id where f.unit_id = o.unit_id and p2.domain_code = ${domain} and f.at >= ${since}) as unsatisfied_rate
      from work_order o join problem p on p.id = o.problem_id join unit u on u.id = o.unit_id
      where p.domain_code = ${domain} and o.dispatched_at >= ${since}
      group by o.unit_id, u.name order by n desc limit ${limit}`.execute(db);
    return rows;
  },
};
