import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { Insertable } from 'kysely';
import type { WorkEventTable, WorkOrderState, WorkOrderTable, Satisfaction } from '../../db/types.ts';

export const OPEN_STATES: WorkOrderState[] = ['pending_sign', 'handling'];
export const ACTIVE_STATES: WorkOrderState[] = ['pending_sign', 'handling', 'replied', 'follow_up'];

const ORDER_COLUMNS = [
  'work_order.id', 'work_order.problem_id', 'work_order.unit_id', 'unit.name as unit_name', 'unit.path as unit_path', 'work_order.role', 'work_order.lead_order_id',
  'work_order.previous_order_id', 'work_order.state', 'work_order.urgency', 'work_order.instructions', 'work_order.dispatched_at', 'work_order.sign_deadline',
  'work_order.signed_at', 'work_order.clock_started_at', 'work_order.deadline', 'work_order.deadline_amount', 'work_order.deadline_unit', 'work_order.deadline_provisional',
  'work_order.replied_at', 'work_order.closed_at', 'work_order.redo_count', 'work_order.units_passed', 'work_order.reminded_at', 'work_order.sign_overdue_at',
  'work_order.overdue_at', 'work_order.listed_at', 'work_order.listed_deadline', 'work_order.listed_reason', 'work_order.listed_overdue_at', 'work_order.escalated_at', 'work_order.escalation_reason',
  'work_order.extension_request', 'work_order.version', 'work_order.updated_at',
] as const;

/** What a list row carries: what the inbox, the board and a problem's orders show (the order page has the rest). */
const LIST_COLUMNS = [
  'work_order.id', 'work_order.problem_id', 'work_order.unit_id', 'unit.name as unit_name', 'work_order.role', 'work_order.state', 'work_order.urgency',
  'work_order.dispatched_at', 'work_order.deadline', 'work_order.deadline_provisional', 'work_order.redo_count', 'work_order.overdue_at',
  'work_order.listed_at', 'work_order.listed_deadline', 'work_order.escalated_at', 'work_order.extension_request', 'work_order.version',
] as const;

export type OrderFilter = {
  /** The units whose orders the reader may see: the unit paths of the reader's grants, or the whole city. */
  scope: UnitScope;
  unitId?: number;
  states?: WorkOrderState[];
  role?: 'lead' | 'assist';
  /** open orders whose deadline falls before this instant but has not passed `now` */
  dueBefore?: Date;
  overdue?: boolean;
  listed?: boolean;
  escalated?: boolean;
  extensionRequested?: boolean;
  /** returned lead orders whose problem still waits for a new unit */
  awaitingRedispatch?: boolean;
  problemId?: number;
  now: Date;
  limit: number;
  offset: number;
};

export type OrderCounts = Record<'pending_sign' | 'handling' | 'replied' | 'follow_up' | 'due_soon' | 'overdue' | 'listed' | 'escalated' | 'extension' | 'returned', number>;

export type UnitScope = 'all' | { paths: string[] };

/**
 * Orders of units under the scope's paths (and under one unit, when asked: a district government's filter takes its
 * departments' orders), as one SQL condition: no extra round trip.
 */
function unitCondition(scope: UnitScope, unitId?: number) {
  const under = scope === 'all' ? sql`true` : sql`unit_id in (select scope_unit.id from unit scope_unit where scope_unit.path like any(${scope.paths.map((p) => `${p}%`)}::text[]))`;
  return unitId
    ? sql`(${under} and unit_id in (select sub.id from unit sub, unit chosen where chosen.id = ${unitId} and sub.path like chosen.path || '%'))`
    : under;
}

/** States as literals: they come from the code, and a literal lets the planner use the partial indexes on state. */
const states = (xs: readonly WorkOrderState[]) => sql.join(xs.map((x) => sql.lit(x)));

/** A page size or offset written into the SQL text (checked: it comes from a request). */
function pageNumber(value: number, name: string) {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} 必须是非负整数：${value}`);
  return sql.lit(value);
}

/**
 * The states to read one by one from the (unit, state, deadline) index: the filter's own, or the open states of a
 * deadline range. Empty for the rest (flags such as 挂牌 have partial indexes of their own).
 */
function filterStates(f: OrderFilter): readonly WorkOrderState[] {
  if (f.states?.length) return f.states;
  if (f.dueBefore || f.overdue) return OPEN_STATES;
  return [];
}

/** A filter's conditions on `work_order` other than the unit scope, as one SQL condition. */
function orderFilters(f: OrderFilter) {
  const c = [sql`true`];
  if (f.problemId) c.push(sql`work_order.problem_id = ${f.problemId}`);
  if (f.states?.length) c.push(sql`work_order.state in (${states(f.states)})`);
  if (f.role) c.push(sql`work_order.role = ${f.role}`);
  if (f.dueBefore) c.push(sql`work_order.state in (${states(OPEN_STATES)}) and work_order.deadline > ${f.now} and work_order.deadline <= ${f.dueBefore}`);
  if (f.overdue) c.push(sql`work_order.state in (${states(OPEN_STATES)}) and work_order.deadline <= ${f.now}`);
  if (f.listed) c.push(sql`work_order.listed_at is not null and work_order.state in (${states(ACTIVE_STATES)})`);
  if (f.escalated) c.push(sql`work_order.escalated_at is not null and work_order.state in (${states(ACTIVE_STATES)})`);
  if (f.extensionRequested) c.push(sql`work_order.extension_request is not null`);
  if (f.awaitingRedispatch) {
    c.push(sql`work_order.state = 'returned' and work_order.role = 'lead'
      and exists (select 1 from problem waiting where waiting.id = work_order.problem_id and waiting.status = 'triaged')`);
  }
  return sql.join(c, sql` and `);
}

export const workOrdersRepo = {
  get(db: Queryable, id: number) {
    return db.selectFrom('work_order').innerJoin('unit', 'unit.id', 'work_order.unit_id').select(ORDER_COLUMNS).where('work_order.id', '=', id).executeTakeFirst();
  },

  /**
   * One page of orders, soonest deadline first; `total` only when asked (the tabs already carry their counts).
   * A reader scoped to units walks each unit's own (unit, state, deadline) index for at most a page's worth and merges
   * them, instead of sorting every order of the state (a unit has thousands waiting to be signed for).
   */
  async list(db: Queryable, f: OrderFilter, withTotal: boolean) {
    if (f.scope !== 'all' && !f.scope.paths.length) return { rows: [], total: 0 };
    const filters = orderFilters(f);
    // page sizes as literals: with LIMIT parameters PostgreSQL's generic plan looks dearer than a plan made for the
    // values, so it planned every call again (~1 ms); with literals it settles on one plan after a few calls
    const limit = pageNumber(f.limit, 'limit');
    const offset = pageNumber(f.offset, 'offset');
    const n = pageNumber(f.limit + f.offset, 'limit + offset');
    const unitPage = (state: WorkOrderState | null) => sql`(
            select work_order.id, work_order.deadline from work_order
            where work_order.unit_id = scope_unit.id and ${state ? sql`work_order.state = ${sql.lit(state)} and ` : sql``}${filters}
            order by work_order.deadline, work_order.id limit ${n})`;
    // a filter over several states reads each state's stretch of the (unit, state, deadline) index and merges them;
    // with one `state in (…)` PostgreSQL reads every order of those states to sort them
    const split = filterStates(f);
    const pageIds = f.scope !== 'all' && !f.unitId
      ? sql`
          select unit_page.id from unit scope_unit
          cross join lateral (
            ${split.length > 1 ? sql`select * from (${sql.join(split.map(unitPage), sql` union all `)}) merged order by deadline, id limit ${n}` : unitPage(null)}
          ) unit_page
          where scope_unit.path like any(${f.scope.paths.map((p) => `${p}%`)}::text[])
          order by unit_page.deadline, unit_page.id limit ${limit} offset ${offset}`
      : sql`
          select work_order.id from work_order where ${unitCondition(f.scope, f.unitId)} and ${filters}
          order by work_order.deadline, work_order.id limit ${limit} offset ${offset}`;
    // the rows as one JSON text built by the database: on a busy server, turning 20 rows of 40 columns into typed
    // values costs Node more than the whole query costs PostgreSQL
    const [rows, total] = await Promise.all([
      sql<{ rows: string }>`
        select coalesce(json_agg(page order by page.deadline, page.id), '[]')::text as rows from (
          select ${sql.raw(LIST_COLUMNS.join(', '))}, problem.title, problem.tracking_code, problem.kind_code, problem.domain_code, problem.misconduct, problem.confidential
          from work_order
          join unit on unit.id = work_order.unit_id
          join problem on problem.id = work_order.problem_id
          where work_order.id in (${pageIds})
        ) page`.execute(db).then((r) => JSON.parse(r.rows[0]!.rows) as OrderListRow[]),
      withTotal
        ? sql<{ n: number }>`select count(*)::int as n from work_order where ${unitCondition(f.scope, f.unitId)} and ${filters}`.execute(db).then((r) => r.rows[0]!.n)
        : Promise.resolve(null),
    ]);
    return { rows, total };
  },

  /**
   * Everything the work-order page shows, in one round trip: the order, its problem, every order on the problem,
   * the problem's timeline, the replies of this order and of the orders around it, and its follow-ups.
   */
  async page(db: Queryable, id: number) {
    const r = await sql<{ order: AsJson<WorkOrderRow>; problem: PageProblem; orders: PageOrder[]; events: PageEvent[]; replies: Record<string, unknown>[] | null; follow_ups: Record<string, unknown>[] | null }>`
      with o as (
        select wo.*, u.name as unit_name, u.path as unit_path from work_order wo join unit u on u.id = wo.unit_id where wo.id = ${id}
      ), around as (
        select wo.id from work_order wo, o where wo.id = o.id or wo.lead_order_id = o.id or wo.id = o.lead_order_id
      )
      select to_jsonb(o) - 'created_at' as "order",
        (select to_jsonb(x) from (
           select p.id, p.tracking_code, p.title, p.body, c.name as channel_name, p.kind_code, p.domain_code, rg.name as region_name, p.address, p.reported_at, p.target_text, p.misconduct, p.confidential
           from problem p join channel c on c.code = p.channel left join region rg on rg.code = p.region_code where p.id = o.problem_id) x) as problem,
        (select coalesce(jsonb_agg(x order by x.id), '[]') from (
           select wo.id, wo.role, wo.state, wo.deadline, wo.dispatched_at, wo.lead_order_id, u.name as unit_name
           from work_order wo join unit u on u.id = wo.unit_id where wo.problem_id = o.problem_id) x) as orders,
        (select coalesce(jsonb_agg(x order by x.at, x.id), '[]') from (
           select e.id, e.work_order_id, e.kind, e.from_state, e.to_state, e.actor_label, e.note, e.data, e.at, u.name as unit_name, wo.role
           from work_event e join work_order wo on wo.id = e.work_order_id join unit u on u.id = wo.unit_id where e.problem_id = o.problem_id) x) as events,
        (select coalesce(jsonb_agg(to_jsonb(r) order by r.id), '[]') from work_reply r where r.work_order_id in (select id from around)) as replies,
        (select coalesce(jsonb_agg(x order by x.id), '[]') from (
           select f.id, f.work_order_id, f.satisfaction, f.comment, f.method, f.at from follow_up f where f.work_order_id = o.id) x) as follow_ups
      from o`.execute(db);
    return r.rows[0];
  },

  /** Open counts per bucket for the inbox tabs and the supervisor's board, each from an index. */
  async counts(db: Queryable, scope: UnitScope, unitId: number | undefined, now: Date, dueSoon: Date): Promise<OrderCounts> {
    const zero: OrderCounts = { pending_sign: 0, handling: 0, replied: 0, follow_up: 0, due_soon: 0, overdue: 0, listed: 0, escalated: 0, extension: 0, returned: 0 };
    if (scope !== 'all' && !scope.paths.length) return zero;
    const units = unitCondition(scope, unitId);
    const active = sql`state in ('pending_sign', 'handling', 'replied', 'follow_up') and ${units}`;
    const open = sql`state in ('pending_sign', 'handling') and ${units}`;
    // one statement, each figure from its own index: state counts, the deadline range, the partial flag indexes
    const r = await sql<OrderCounts>`
      select (select count(*) from work_order where state = 'pending_sign' and ${units}) as pending_sign,
             (select count(*) from work_order where state = 'handling' and ${units}) as handling,
             (select count(*) from work_order where state = 'replied' and ${units}) as replied,
             (select count(*) from work_order where state = 'follow_up' and ${units}) as follow_up,
             (select count(*) from work_order where ${open} and deadline > ${now} and deadline <= ${dueSoon}) as due_soon,
             (select count(*) from work_order where ${open} and deadline <= ${now}) as overdue,
             (select count(*) from work_order where listed_at is not null and ${active}) as listed,
             (select count(*) from work_order where escalated_at is not null and ${active}) as escalated,
             (select count(*) from work_order where extension_request is not null and ${open}) as extension,
             (select count(*) from work_order o where state = 'returned' and role = 'lead' and ${units}
                and exists (select 1 from problem p where p.id = o.problem_id and p.status = 'triaged')) as returned`.execute(db);
    return r.rows[0] ?? zero;
  },

  insert(tx: Tx, row: Insertable<WorkOrderTable>) {
    return tx.insertInto('work_order').values(row).returning(['id']).executeTakeFirstOrThrow();
  },

  /** Applies a change only if nobody changed the order since `version` was read; undefined when someone did. */
  update(tx: Tx, id: number, version: number, set: Partial<Record<keyof WorkOrderTable, unknown>>, at: Date) {
    return tx
      .updateTable('work_order')
      .set({ ...(set as object), version: version + 1, updated_at: at })
      .where('id', '=', id)
      .where('version', '=', version)
      .returning(['id', 'state', 'version', 'redo_count', 'units_passed', 'escalated_at'])
      .executeTakeFirst();
  },

  /**
   * A step's change in one statement: the order (only while its version holds), the step's event and, when given and
   * different, the problem's status (签收 leaves the problem 已派发: its row, indexes and rollups are not touched). The problem row is updated only after the order's (its condition reads the order's result), as in
   * every step, so that two steps at once never deadlock. Returns nothing when the version no longer holds.
   */
  async applyStep(tx: Tx, p: { id: number; version: number; set: Partial<Record<keyof WorkOrderTable, unknown>>; event: Omit<Insertable<WorkEventTable>, 'work_order_id'> & { data: string; at: Date }; problemStatus: ProblemStatus | null }) {
    const e = p.event;
    const changed = tx
      .with('changed', (db) => db.updateTable('work_order').set({ ...(p.set as object), version: p.version + 1, updated_at: e.at }).where('id', '=', p.id).where('version', '=', p.version)
        .returning(['id', 'state', 'version', 'redo_count', 'units_passed', 'escalated_at']))
      .with('logged', (db) => db.insertInto('work_event')
        .columns(['work_order_id', 'problem_id', 'kind', 'from_state', 'to_state', 'actor_user_id', 'actor_label', 'note', 'data', 'at'])
        .expression(sql`select changed.id, ${e.problem_id}::bigint, ${e.kind}::text, ${e.from_state}::text, ${e.to_state}::text, ${e.actor_user_id}::bigint, ${e.actor_label}::text, ${e.note ?? ''}::text, ${e.data}::jsonb, ${e.at}::timestamptz from changed`));
    const status = p.problemStatus;
    const q = status
      ? (changed.with('problem_changed', (db) => db.updateTable('problem').set({ status, updated_at: e.at }).where('id', '=', e.problem_id).where('status', '<>', status).where(sql<boolean>`exists (select 1 from changed)`)) as unknown as typeof changed)
      : changed;
    return q.selectFrom('changed').selectAll().executeTakeFirst();
  },

  insertEvent(tx: Tx, e: Insertable<WorkEventTable>) {
    return tx.insertInto('work_event').values(e).execute();
  },

  events(db: Queryable, problemId: number) {
    return db
      .selectFrom('work_event')
      .innerJoin('work_order', 'work_order.id', 'work_event.work_order_id')
      .innerJoin('unit', 'unit.id', 'work_order.unit_id')
      .select(['work_event.id', 'work_event.work_order_id', 'work_event.kind', 'work_event.from_state', 'work_event.to_state', 'work_event.actor_label', 'work_event.note', 'work_event.data', 'work_event.at', 'unit.name as unit_name', 'work_order.role'])
      .where('work_event.problem_id', '=', problemId)
      .orderBy('work_event.at')
      .orderBy('work_event.id')
      .execute();
  },

  ordersOfProblem(db: Queryable, problemId: number) {
    return db.selectFrom('work_order').innerJoin('unit', 'unit.id', 'work_order.unit_id').select(ORDER_COLUMNS).where('work_order.problem_id', '=', problemId).orderBy('work_order.id').execute();
  },

  insertReply(tx: Tx, r: { work_order_id: number; content: string; measures: string; basis: string; result: string; replied_by: number | null; quality: Record<string, unknown>; replied_at: Date }) {
    return tx.insertInto('work_reply').values({ ...r, quality: JSON.stringify(r.quality) }).returning('id').executeTakeFirstOrThrow();
  },

  /** The problem is indexed again for search (its replies changed). */
  reindexProblem(tx: Tx, problemId: number) {
    return tx.updateTable('problem').set({ search_tsv: null }).where('id', '=', problemId).execute();
  },

  replies(db: Queryable, orderIds: number[]) {
    if (!orderIds.length) return Promise.resolve([]);
    return db.selectFrom('work_reply').selectAll().where('work_order_id', 'in', orderIds).orderBy('id').execute();
  },

  latestReply(db: Queryable, orderId: number) {
    return db.selectFrom('work_reply').selectAll().where('work_order_id', '=', orderId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  },

  reviewReply(tx: Tx, replyId: number, review: 'accepted' | 'rejected', reason: string | null, by: number | null, at: Date) {
    return tx.updateTable('work_reply').set({ review, review_reason: reason, reviewed_by: by, reviewed_at: at }).where('id', '=', replyId).where('review', 'is', null).executeTakeFirst();
  },

  insertFollowUp(tx: Tx, f: { work_order_id: number; problem_id: number; unit_id: number; satisfaction: Satisfaction; comment: string; method: 'phone' | 'sms' | 'visit' | 'public_page'; recorded_by: number | null; at: Date }) {
    return tx.insertInto('follow_up').values(f).execute();
  },

  followUps(db: Queryable, orderIds: number[]) {
    if (!orderIds.length) return Promise.resolve([]);
    return db.selectFrom('follow_up').select(['id', 'work_order_id', 'satisfaction', 'comment', 'method', 'at']).where('work_order_id', 'in', orderIds).orderBy('id').execute();
  },

  setProblemStatus(tx: Tx, problemId: number, status: ProblemStatus, at: Date) {
    return tx.updateTable('problem').set({ status, updated_at: at }).where('id', '=', problemId).execute();
  },

  /** Open assist orders under a lead order. */
  openAssists(db: Queryable, leadId: number) {
    return db.selectFrom('work_order').select(['id', 'version', 'state']).where('lead_order_id', '=', leadId).where('state', 'in', OPEN_STATES).execute();
  },

  /** Active users holding a permission through a grant on this unit or one above it. */
  async usersWithPermissionOver(db: Queryable, unitPath: string, permission: string) {
    const r = await sql<{ id: number }>`
      select distinct u.id
      from app_user u
      join role_grant g on g.user_id = u.id
      join role r on r.code = g.role
      join unit gu on gu.id = g.unit_id
      where u.active and ${permission} = any(r.permissions) and ${unitPath} like gu.path || '%'`.execute(db);
    return r.rows.map((x) => x.id);
  },

  /** Orders whose deadline was computed on an unpublished year, to recompute when the year is added. */
  provisional(tx: Tx) {
    return tx.selectFrom('work_order').select(['id', 'clock_started_at', 'deadline_amount', 'deadline_unit']).where('deadline_provisional', '=', true).where('state', 'in', ACTIVE_STATES).forUpdate().execute();
  },

  setDeadline(tx: Tx, id: number, deadline: Date, provisional: boolean) {
    return tx.updateTable('work_order').set({ deadline, deadline_provisional: provisional, version: sql`version + 1`, updated_at: new Date() } as never).where('id', '=', id).execute();
  },

  /** Locks up to `limit` orders matching a sweep condition that no other sweeper holds; the caller re-checks in its update. */
  claim(tx: Tx, where: ReturnType<typeof sql>, limit: number) {
    return sql<{ id: number; problem_id: number; unit_id: number; unit_path: string; unit_name: string; state: WorkOrderState; deadline: Date; redo_count: number; units_passed: number; title: string }>`
      select o.id, o.problem_id, o.unit_id, u.path as unit_path, u.name as unit_name, o.state, o.deadline, o.redo_count, o.units_passed, p.title
      from work_order o join unit u on u.id = o.unit_id join problem p on p.id = o.problem_id
      where ${where}
      order by o.id
      limit ${limit}
      for update of o skip locked`.execute(tx).then((r) => r.rows);
  },

  /** Triaged problems waiting in the queue that a trained model placed confidently and a rule routes. */
  async autoDispatchable(db: Queryable, minConfidence: number, limit: number) {
    const r = await sql<{ id: number; unit_id: number; rule_id: number; confidence: number; domain_label: string }>`
      select p.id, (p.triage -> 'route' ->> 'unitId')::int as unit_id, (p.triage -> 'route' ->> 'ruleId')::int as rule_id,
             (p.triage -> 'domain' ->> 'confidence')::float8 as confidence, p.triage -> 'domain' ->> 'label' as domain_label
      from problem p
      where p.status = 'new' and p.triaged_at is not null
        and jsonb_typeof(p.triage -> 'route' -> 'ruleId') = 'number'
        and p.triage -> 'domain' ->> 'source' = 'model'
        and (p.triage -> 'domain' ->> 'confidence')::float8 >= ${minConfidence}
        and cardinality(p.misconduct) = 0
        and coalesce(jsonb_typeof(p.triage -> 'exclusion'), 'null') = 'null'
      order by p.id
      limit ${limit}`.execute(db);
    return r.rows;
  },
};

type ProblemStatus = 'triaged' | 'dispatched' | 'replied' | 'closed';
export type WorkOrderRow = NonNullable<Awaited<ReturnType<typeof workOrdersRepo.get>>>;
/** An inbox row, built as JSON by the database. */
export type OrderListRow = AsJson<Pick<WorkOrderRow, ListColumn>> & { title: string; tracking_code: string; kind_code: string | null; domain_code: string | null; misconduct: string[]; confidential: boolean };
type ListColumn = (typeof LIST_COLUMNS)[number] extends infer C ? C extends `${string}.${string} as ${infer Alias}` ? Alias : C extends `${string}.${infer Name}` ? Name : never : never;
/** A row as it comes back inside JSON: timestamps as ISO strings. */
type AsJson<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
type PageProblem = { id: number; tracking_code: string; title: string; body: string; channel_name: string; kind_code: string | null; domain_code: string | null; region_name: string | null; address: string | null; reported_at: string; target_text: string | null; misconduct: string[]; confidential: boolean };
type PageOrder = { id: number; role: 'lead' | 'assist'; state: WorkOrderState; deadline: string; dispatched_at: string; lead_order_id: number | null; unit_name: string };
type PageEvent = { id: number; work_order_id: number; kind: string; from_state: string | null; to_state: string | null; actor_label: string; note: string; data: Record<string, unknown>; at: string; unit_name: string; role: 'lead' | 'assist' };
