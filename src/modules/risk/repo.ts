import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { WarningLevel, WarningState } from '../../db/types.ts';

export type DailySeries = { key: string; domain_code: string | null; region_code: string; day: string; n: number };
export type UnitWindow = { unit_id: number; dispatched: number; overdue: number; rated: number; unsatisfied: number; redone: number; closed: number };

export const OPEN_STATES: WarningState[] = ['new', 'assessed', 'dispatched'];

export const riskRepo = {
  currentRules(db: Queryable) {
    return db.selectFrom('risk_rule').selectAll().where('replaced_by', 'is', null).orderBy('id').execute();
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

  /** Targets complained about at least minCount times in the window, with their count before it. */
  async targetCounts(db: Queryable, o: { historyStart: Date; windowStart: Date; end: Date; minCount: number }) {
    const { rows } = await sql<{ target_key: string; target_text: string; recent: number; history: number; problem_ids: number[]; domain_code: string | null; region_code: string | null; first_at: Date }>`
      select target_key, max(target_text) as target_text,
             count(*) filter (where reported_at >= ${o.windowStart})::int as recent,
             count(*) filter (where reported_at < ${o.windowStart})::int as history,
             (array_agg(id order by reported_at desc) filter (where reported_at >= ${o.windowStart}))[1:20] as problem_ids,
             mode() within group (order by domain_code) as domain_code,
             mode() within group (order by left(region_code, 6)) as region_code,
             min(reported_at) filter (where reported_at >= ${o.windowStart}) as first_at
      from problem
      where target_key is not null and status <> 'merged' and reported_at >= ${o.historyStart} and reported_at < ${o.end}
      group by target_key
      having count(*) filter (where reported_at >= ${o.windowStart}) >= ${o.minCount}`.execute(db);
    return rows;
  },

  /** Each unit's work-order figures in the recent window and in the baseline before it. */
  async unitWindows(db: Queryable, o: { baselineStart: string; windowStart: string; end: string }) {
    const { rows } = await sql<{ unit_id: number; unit_name: string; recent: UnitWindow; baseline: UnitWindow }>`
      select s.unit_id, u.name as unit_name,
             jsonb_build_object('dispatched', sum(dispatched) filter (where day >= ${o.windowStart}::date), 'overdue', sum(overdue) filter (where day >= ${o.windowStart}::date),
               'rated', sum(rated) filter (where day >= ${o.windowStart}::date), 'unsatisfied', sum(unsatisfied) filter (where day >= ${o.windowStart}::date),
               'redone', sum(redone) filter (where day >= ${o.windowStart}::date), 'closed', sum(closed) filter (where day >= ${o.windowStart}::date)) as recent,
             jsonb_build_object('dispatched', sum(dispatched) filter (where day < ${o.windowStart}::date), 'overdue', sum(overdue) filter (where day < ${o.windowStart}::date),
               'rated', sum(rated) filter (where day < ${o.windowStart}::date), 'unsatisfied', sum(unsatisfied) filter (where day < ${o.windowStart}::date),
               'redone', sum(redone) filter (where day < ${o.windowStart}::date), 'closed', sum(closed) filter (where day < ${o.windowStart}::date)) as baseline
      from stat_order_day s join unit u on u.id = s.unit_id
      where s.day between ${o.baselineStart}::date and ${o.end}::date
      group by s.unit_id, u.name`.execute(db);
    const zero = (w: Partial<Record<keyof UnitWindow, number | null>>) =>
      Object.fromEntries(Object.entries(w).map(([k, v]) => [k, Number(v ?? 0)])) as UnitWindow;
    return rows.map((r) => ({ ...r, recent: zero(r.recent), baseline: zero(r.baseline) }));
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
  list(db: Queryable, f: { state?: WarningState | 'open'; level?: WarningLevel; domain?: string; unitPaths: string[] | null; limit: number; offset: number }) {
    let q = db.selectFrom('warning')
      .leftJoin('unit', 'unit.id', 'warning.unit_id')
      .leftJoin('region', 'region.code', 'warning.region_code')
      .leftJoin('enforcement_domain', 'enforcement_domain.code', 'warning.domain_code');
    if (f.state === 'open') q = q.where('warning.state', 'in', OPEN_STATES);
    else if (f.state) q = q.where('warning.state', '=', f.state);
    if (f.level) q = q.where('warning.level', '=', f.level);
    if (f.domain) q = q.where('warning.domain_code', '=', f.domain);
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
