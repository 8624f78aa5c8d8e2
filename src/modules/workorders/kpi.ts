import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';

/**
 * The unit KPIs (考核评议 input), each defined once here with its formula as shown to people. A period is
 * [from, to) in city time; every figure counts what happened in the period.
 */
export const KPI_DEFINITIONS = {
  sign_on_time_rate: { name: '按时签收率', formula: '期内派发的工单中，在签收时限内签收的数量 ÷ 其中已签收或签收时限已过的工单数（仍在时限内待签收的不计）' },
  close_on_time_rate: { name: '按时办结率', formula: '期内办结的主办工单中，最后一次答复不晚于办理期限的数量 ÷ 期内办结的主办工单数' },
  satisfaction_rate: { name: '满意率', formula: '期内回访中（满意 + 基本满意）的数量 ÷ 期内已评价的回访数（不含未评价）' },
  redo_rate: { name: '重办率', formula: '期内发回重办的次数（审核退回与不满意重办） ÷ 期内办结的主办工单数' },
  overdue_count: { name: '超期数', formula: '期内发生逾期（超过办理期限仍未答复）的工单次数' },
} as const;

export type UnitKpi = {
  unit_id: number;
  unit_name: string;
  dispatched: number;
  signed_on_time: number;
  /** Dispatched in the period and neither signed nor past their sign-for limit yet: not counted either way. */
  awaiting_sign: number;
  /** dispatched − awaiting_sign: the orders the 按时签收率 is over. */
  sign_due: number;
  closed: number;
  closed_on_time: number;
  rated: number;
  satisfied: number;
  redone: number;
  overdue_count: number;
  sign_on_time_rate: number | null;
  close_on_time_rate: number | null;
  satisfaction_rate: number | null;
  redo_rate: number | null;
};

const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 10000 : null);

export async function unitKpis(db: Queryable, from: Date, to: Date, unitPaths: string[] | 'all', now = new Date()): Promise<UnitKpi[]> {
  if (unitPaths !== 'all' && !unitPaths.length) return [];
  const scope = unitPaths === 'all' ? sql`true` : sql.join(unitPaths.map((p) => sql`u.path like ${`${p}%`}`), sql` or `);
  const r = await sql<Omit<UnitKpi, 'sign_due' | 'sign_on_time_rate' | 'close_on_time_rate' | 'satisfaction_rate' | 'redo_rate'>>`
    with dispatched as (
      select unit_id, count(*) as dispatched, count(*) filter (where signed_at is not null and signed_at <= sign_deadline) as signed_on_time,
             count(*) filter (where signed_at is null and sign_deadline > ${now}) as awaiting_sign
      from work_order where dispatched_at >= ${from} and dispatched_at < ${to} group by unit_id
    ), closed as (
      select unit_id, count(*) as closed, count(*) filter (where replied_at <= deadline) as closed_on_time
      from work_order where role = 'lead' and state = 'closed' and closed_at >= ${from} and closed_at < ${to} group by unit_id
    ), rated as (
      select unit_id, count(*) filter (where satisfaction <> 'unrated') as rated, count(*) filter (where satisfaction in ('satisfied', 'basically_satisfied')) as satisfied
      from follow_up where at >= ${from} and at < ${to} group by unit_id
    ), events as (
      select o.unit_id, count(*) filter (where e.kind in ('reject', 'redo')) as redone, count(*) filter (where e.kind = 'overdue') as overdue_count
      from work_event e join work_order o on o.id = e.work_order_id
      where e.at >= ${from} and e.at < ${to} and e.kind in ('reject', 'redo', 'overdue') group by o.unit_id
    )
    select u.id as unit_id, u.name as unit_name,
           coalesce(d.dispatched, 0) as dispatched, coalesce(d.signed_on_time, 0) as signed_on_time, coalesce(d.awaiting_sign, 0) as awaiting_sign,
           coalesce(c.closed, 0) as closed, coalesce(c.closed_on_time, 0) as closed_on_time,
           coalesce(r.rated, 0) as rated, coalesce(r.satisfied, 0) as satisfied,
           coalesce(e.redone, 0) as redone, coalesce(e.overdue_count, 0) as overdue_count
    from unit u
    left join dispatched d on d.unit_id = u.id
    left join closed c on c.unit_id = u.id
    left join rated r on r.unit_id = u.id
    left join events e on e.unit_id = u.id
    where (${scope}) and (d.unit_id is not null or c.unit_id is not null or r.unit_id is not null or e.unit_id is not null)
    order by u.path`.execute(db);
  return r.rows.map((x) => ({
    ...x,
    sign_due: Number(x.dispatched) - Number(x.awaiting_sign),
    sign_on_time_rate: rate(x.signed_on_time, Number(x.dispatched) - Number(x.awaiting_sign)),
    close_on_time_rate: rate(x.closed_on_time, x.closed),
    satisfaction_rate: rate(x.satisfied, x.rated),
    redo_rate: rate(x.redone, x.closed),
  }));
}
