import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Queryable, Tx } from '../../db/client.ts';
import type { Satisfaction, WorkOrderState } from '../../db/types.ts';
import { maskPersonalNumbers } from '../../lib/crypto.ts';
import { formatCityTime, type WorkCalendar } from '../../lib/calendar.ts';
import { AppError, conflict, fieldError, forbidden, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { actorLabelAtWork, actorUserId, canOnUnit, hasPermission, isTopUnit, scopePaths, type Actor, type Permission } from '../auth/access.ts';
import { deadlineRules, loadCalendar } from '../calendar/service.ts';
import { notify } from '../notifications/service.ts';
import { orgsRepo } from '../orgs/repo.ts';
import { PROBLEM_STATUS_NAMES } from '../problems/labels.ts';
import { maskedForViewer } from '../problems/masking.ts';
import { problemsRepo } from '../problems/repo.ts';
import { settingsRepo } from '../settings/repo.ts';
import { unitKpis } from './kpi.ts';
import { publicText, PUBLIC_STATUS, PUBLIC_STEP_TEXT, trackingCodeAsTyped } from './public.ts';
import { assessReply } from './reply-quality.ts';
import { ACTIVE_STATES, OPEN_STATES, workOrdersRepo, type OrderCounts, type OrderFilter, type UnitScope, type WorkOrderRow } from './repo.ts';
import { STATE_NAMES, STEPS, stepsFrom, type Step, type StepActor } from './steps.ts';

export type DispatchInput = { unitId: number; assistUnitIds?: number[]; urgency?: 'normal' | 'urgent'; instructions?: string };
export type ReplyInput = { content: string; measures?: string; basis?: string; result?: string };
export type Tab = 'pending_sign' | 'handling' | 'due_soon' | 'overdue' | 'replied' | 'follow_up' | 'listed' | 'escalated' | 'extension' | 'returned' | 'closed' | 'all';

const SWEEP_BATCH = 200;
/** Settings are read at most once a minute per instance: a change applies everywhere within a minute. */
const SETTING_CACHE_MS = 60_000;
/** Tab counts are recomputed at most every few seconds per scope and instance. */
const COUNTS_CACHE_MS = 5_000;
export const SATISFACTION_NAMES: Record<Satisfaction, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unrated: '未评价' };

const PERMISSION_OF: Record<StepActor, Permission[]> = {
  unit: ['workorder.handle'],
  supervisor: ['workorder.supervise'],
  dispatcher: ['problem.triage', 'workorder.supervise'],
};

/** Whether an open order's deadline has passed or is near, by the city's own 即将超期 setting. */
function dueOf(o: { state: WorkOrderState; deadline: Date | string }, now: Date, dueSoon: Date): 'overdue' | 'due_soon' | null {
  if (!OPEN_STATES.includes(o.state)) return null;
  const deadline = new Date(o.deadline).getTime();
  return deadline <= now.getTime() ? 'overdue' : deadline <= dueSoon.getTime() ? 'due_soon' : null;
}

function problemStatusOf(state: WorkOrderState): 'triaged' | 'dispatched' | 'replied' | 'closed' {
  if (state === 'replied' || state === 'follow_up') return 'replied';
  if (state === 'closed') return 'closed';
  if (state === 'returned') return 'triaged';
  return 'dispatched';
}

export function createWorkOrdersService(ctx: AppContext, opts: { now?: () => Date } = {}) {
  const { db } = ctx;
  const now = opts.now ?? (() => new Date());
  const settingCache = new Map<string, { value: number; at: number }>();
  const countsCache = new Map<string, { at: number; counts: Promise<OrderCounts> }>();

  /** The tab counts of a scope, shared by everyone reading that scope for a few seconds (the lists stay live). */
  function cachedCounts(scope: UnitScope, unitId: number | undefined, at: Date, dueSoon: Date): Promise<OrderCounts> {
    const key = JSON.stringify([scope, unitId ?? null]);
    const hit = countsCache.get(key);
    if (hit && Date.now() - hit.at < COUNTS_CACHE_MS) return hit.counts;
    const counts = workOrdersRepo.counts(db, scope, unitId, at, dueSoon);
    countsCache.set(key, { at: Date.now(), counts });
    counts.catch(() => countsCache.delete(key));
    if (countsCache.size > 1000) countsCache.delete(countsCache.keys().next().value!);
    return counts;
  }

  const setting = async (key: string, fallback: number, q: Queryable = db) => {
    const hit = settingCache.get(key);
    if (hit && Date.now() - hit.at < SETTING_CACHE_MS) return hit.value;
    const value = Number((await settingsRepo.get(q, key)) ?? fallback);
    settingCache.set(key, { value, at: Date.now() });
    return value;
  };

  /** Whether the actor may take a step of this kind on an order of this unit. */
  const mayAct = (actor: Actor, by: StepActor, unitPath: string) => PERMISSION_OF[by].some((p) => canOnUnit(actor.principal, p, unitPath));

  const mayRead = (actor: Actor, unitPath: string) =>
    (['workorder.handle', 'workorder.supervise', 'problem.triage'] as Permission[]).some((p) => canOnUnit(actor.principal, p, unitPath));

  function readScope(actor: Actor): string[] {
    const paths = (['workorder.handle', 'workorder.supervise', 'problem.triage'] as Permission[]).flatMap((p) => scopePaths(actor.principal, p));
    return paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(q)));
  }

  /** Checks who may take the step, from which state, at which version; 403 and 409 say why not. */
  async function checkStep(actor: Actor, id: number, step: Step, version: number) {
    const o = await workOrdersRepo.get(db, id);
    if (!o) throw notFound(`工单 ${id} `);
    const def = STEPS[step];
    if (!mayAct(actor, def.by, o.unit_path)) {
      // another unit's order does not exist for it, whether it reads or acts (a 403 would tell that the number is in use)
      if (!mayRead(actor, o.unit_path)) throw notFound(`工单 ${id} `);
      throw forbidden(`您没有对该工单“${def.name}”的权限`);
    }
    const allowed = stepsFrom(o);
    if (!allowed.includes(step)) {
      throw new AppError(409, 'ILLEGAL_STEP', `工单当前状态为“${STATE_NAMES[o.state]}”，不能${def.name}；此状态下可以：${allowed.map((s) => STEPS[s].name).join('、') || '（无）'}`, [], {
        state: o.state,
        allowed,
      });
    }
    if (o.version !== version) throw stale(o);
    return o;
  }

  const stale = (o: WorkOrderRow) =>
    new AppError(409, 'VERSION_CONFLICT', `工单已被他人更新（现为“${STATE_NAMES[o.state]}”），请刷新后再操作`, [], { state: o.state, allowed: stepsFrom(o) });

  async function apply(tx: Tx, o: WorkOrderRow, set: Record<string, unknown>) {
    const updated = await workOrdersRepo.update(tx, o.id, o.version, set, now());
    if (!updated) throw stale((await workOrdersRepo.get(tx, o.id)) ?? o);
    return updated;
  }

  async function event(tx: Tx, actor: Actor, o: { id: number; problem_id: number }, kind: string, from: WorkOrderState | null, to: WorkOrderState | null, note = '', data: Record<string, unknown> = {}) {
    await workOrdersRepo.insertEvent(tx, { work_order_id: o.id, problem_id: o.problem_id, kind, from_state: from, to_state: to, actor_user_id: actorUserId(actor), actor_label: actorLabelAtWork(actor), note, data: JSON.stringify(data), at: now() });
  }

  const handlersOf = (tx: Tx, unitPath: string) => workOrdersRepo.usersWithPermissionOver(tx, unitPath, 'workorder.handle');
  const supervisorsOf = (tx: Tx, unitPath: string) => workOrdersRepo.usersWithPermissionOver(tx, unitPath, 'workorder.supervise');

  async function handlingDeadline(tx: Tx, problemId: number, urgency: 'normal' | 'urgent', from: Date, calendar: WorkCalendar) {
    const problem = await problemsRepo.get(tx, problemId);
    const rules = await deadlineRules(tx, problem?.kind_code ?? null, urgency);
    return { rules, handle: calendar.deadline(from, rules.handle), sign: calendar.deadline(from, rules.sign) };
  }

  /** Whether an order just changed could now be due for 提级督办 (saves a locking query on every ordinary step). */
  async function mayEscalate(tx: Tx, o: { redo_count: number; units_passed: number; escalated_at: Date | null }) {
    if (o.escalated_at) return false;
    return o.redo_count >= (await setting('workorder.escalate_redo_count', 3, tx)) || o.units_passed >= (await setting('workorder.escalate_units_passed', 3, tx));
  }

  /** 提级督办 when an order has been redone or passed around too often; once per order. */
  async function escalateIfDue(tx: Tx, ids: number[]) {
    if (!ids.length) return;
    const redo = await setting('workorder.escalate_redo_count', 3, tx);
    const units = await setting('workorder.escalate_units_passed', 3, tx);
    const rows = await workOrdersRepo.claim(tx, sql`o.id in (${sql.join(ids)}) and o.escalated_at is null and o.state in ('pending_sign', 'handling', 'replied', 'follow_up') and (o.redo_count >= ${redo} or o.units_passed >= ${units})`, ids.length);
    for (const r of rows) {
      const reason = r.redo_count >= redo ? `已重办 ${r.redo_count} 次（达到 ${redo} 次）` : `已在 ${r.units_passed} 个单位间流转（达到 ${units} 个）`;
      await tx.updateTable('work_order').set({ escalated_at: now(), escalation_reason: reason }).where('id', '=', r.id).where('escalated_at', 'is', null).execute();
      await event(tx, { principal: null, ip: null }, r, 'escalated', null, null, reason);
      await notify(tx, { userIds: await supervisorsOf(tx, r.unit_path), kind: 'escalated', title: `提级督办：${r.title}`, body: `${r.unit_name}：${reason}`, workOrderId: r.id, dedupeKey: `escalated:${r.id}`, sms: true });
    }
  }

  async function createOrder(tx: Tx, actor: Actor, p: { problemId: number; unitId: number; unitPath: string; unitName: string; title: string; role: 'lead' | 'assist'; leadOrderId: number | null; previousOrderId: number | null; urgency: 'normal' | 'urgent'; instructions: string; unitsPassed: number }, calendar: WorkCalendar) {
    const at = now();
    const { rules, handle, sign } = await handlingDeadline(tx, p.problemId, p.urgency, at, calendar);
    const { id } = await workOrdersRepo.insert(tx, {
      problem_id: p.problemId, unit_id: p.unitId, role: p.role, lead_order_id: p.leadOrderId, previous_order_id: p.previousOrderId, state: 'pending_sign', urgency: p.urgency,
      instructions: p.instructions, dispatched_at: at, dispatched_by: actorUserId(actor), sign_deadline: sign.at, clock_started_at: at, deadline: handle.at,
      deadline_amount: rules.handle.amount, deadline_unit: rules.handle.unit, deadline_provisional: handle.provisional || sign.provisional, units_passed: p.unitsPassed, updated_at: at,
    });
    await event(tx, actor, { id, problem_id: p.problemId }, 'dispatched', null, 'pending_sign', p.instructions, { unit: p.unitName, role: p.role, deadline: formatCityTime(handle.at), provisional: handle.provisional });
    await notify(tx, {
      userIds: await handlersOf(tx, p.unitPath), kind: 'dispatched', title: `新工单待签收：${p.title}`,
      body: `${p.role === 'lead' ? '主办' : '协办'}，请于 ${formatCityTime(sign.at).slice(0, 16).replace('T', ' ')} 前签收，${formatCityTime(handle.at).slice(0, 16).replace('T', ' ')} 前办结`,
      workOrderId: id, dedupeKey: `dispatched:${id}`, sms: p.urgency === 'urgent',
    });
    return id;
  }

  async function unitOrThrow(id: number, field: string, q: Queryable = db) {
    const u = await orgsRepo.findUnit(q, id);
    if (!u || !u.active) throw fieldError(field, `单位 ${id} 不存在或已停用`);
    return u;
  }

  /** Whether this actor may dispatch to this unit (for callers that must know before they create anything). */
  async function assertMayDispatchTo(actor: Actor, unitId: number, q: Queryable = db) {
    if (!hasPermission(actor.principal, 'problem.triage')) throw forbidden('没有派发工单的权限');
    const lead = await unitOrThrow(unitId, 'unitId', q);
    if (!canOnUnit(actor.principal, 'problem.triage', lead.path)) throw forbidden(`不能向${lead.name}派发工单（不在您的管辖范围内）`);
  }

  /** The state change every step shares: version check, event, problem status, audit. */
  async function step(actor: Actor, id: number, s: Step, version: number, run: (tx: Tx, o: WorkOrderRow, calendar: WorkCalendar) => Promise<{ to?: WorkOrderState; set?: Record<string, unknown>; note?: string; data?: Record<string, unknown>; kind?: string }>) {
    const o = await checkStep(actor, id, s, version);
    const calendar = await loadCalendar(db);
    await db.transaction().execute(async (tx) => {
      const r = await run(tx, o, calendar);
      const to = r.to ?? o.state;
      const updated = await workOrdersRepo.applyStep(tx, {
        id: o.id, version: o.version, set: { ...(r.set ?? {}), state: to },
        event: { problem_id: o.problem_id, kind: r.kind ?? s, from_state: o.state, to_state: to, actor_user_id: actorUserId(actor), actor_label: actorLabelAtWork(actor), note: r.note ?? '', data: JSON.stringify(r.data ?? {}), at: now() },
        problemStatus: o.role === 'lead' && to !== o.state ? problemStatusOf(to) : null,
      });
      if (!updated) throw stale((await workOrdersRepo.get(tx, o.id)) ?? o);
      if (ACTIVE_STATES.includes(to) && (await mayEscalate(tx, updated))) await escalateIfDue(tx, [o.id]);
      // the problem row is locked after the order's, in every step, so that two steps at once never deadlock
      if (s === 'reply') await workOrdersRepo.reindexProblem(tx, o.problem_id);
      await recordAudit(tx, actor, { action: `workorder.${r.kind ?? s}`, targetType: 'work_order', targetId: o.id, unitId: o.unit_id, summary: { from: o.state, to, note: r.note ?? '', ...(r.data ?? {}) } });
    });
    return get(actor, id);
  }

  /** 重办: the order goes back to the unit, the clock restarts, the redo count rises. */
  async function redo(tx: Tx, o: WorkOrderRow, reason: string, calendar: WorkCalendar) {
    const { handle } = await handlingDeadline(tx, o.problem_id, o.urgency, now(), calendar);
    await notify(tx, { userIds: await handlersOf(tx, o.unit_path), kind: 'redo', title: `工单需重办：${reason.slice(0, 40)}`, body: `新的办理期限：${formatCityTime(handle.at).slice(0, 16).replace('T', ' ')}`, workOrderId: o.id, dedupeKey: `redo:${o.id}:${o.redo_count + 1}`, sms: true });
    return {
      to: 'handling' as const,
      set: { redo_count: o.redo_count + 1, clock_started_at: now(), deadline: handle.at, deadline_provisional: handle.provisional, deadline_unit: o.deadline_unit === 'fixed' ? 'working_days' : o.deadline_unit, reminded_at: null, overdue_at: null, replied_at: null, extension_request: null },
      data: { redoCount: o.redo_count + 1, deadline: formatCityTime(handle.at) },
    };
  }

  /** The dispatch itself, for a person or the automatic rule: the caller has checked who may do it. */
  /** Dispatches in its own transaction, or in the caller's (`outer`), which then commits or rolls back the orders with its own work. */
  async function dispatchProblem(actor: Actor, problemId: number, input: DispatchInput, outer?: Tx): Promise<number> {
    const q = outer ?? db;
    const problem = await problemsRepo.get(q, problemId);
    if (!problem) throw notFound(`问题 ${problemId} `);
    if (!['new', 'triaged'].includes(problem.status)) throw conflict(`问题当前状态为“${PROBLEM_STATUS_NAMES[problem.status] ?? problem.status}”，不能派发（只有新收或已分拣的问题可以派发）`);
    const lead = await unitOrThrow(input.unitId, 'unitId', q);
    const assistIds = [...new Set(input.assistUnitIds ?? [])].filter((x) => x !== lead.id);
    const assists = await Promise.all(assistIds.map((aid, i) => unitOrThrow(aid, `assistUnitIds[${i}]`, q)));
    const previous = (await workOrdersRepo.ordersOfProblem(q, problemId)).filter((x) => x.role === 'lead');
    const unitsPassed = new Set([...previous.map((x) => x.unit_id), lead.id]).size;
    const calendar = await loadCalendar(q);
    const urgency = input.urgency ?? 'normal';
    const instructions = input.instructions?.trim() ?? '';
    const work = async (tx: Tx) => {
      const claimed = await tx.updateTable('problem').set({ status: 'dispatched', updated_at: now() }).where('id', '=', problemId).where('status', 'in', ['new', 'triaged']).executeTakeFirst();
      if (!Number(claimed.numUpdatedRows)) throw conflict('该问题刚刚已被他人派发或处理，请刷新');
      const leadId = await createOrder(tx, actor, { problemId, unitId: lead.id, unitPath: lead.path, unitName: lead.name, title: problem.title, role: 'lead', leadOrderId: null, previousOrderId: previous.at(-1)?.id ?? null, urgency, instructions, unitsPassed }, calendar);
      for (const a of assists) {
        await createOrder(tx, actor, { problemId, unitId: a.id, unitPath: a.path, unitName: a.name, title: problem.title, role: 'assist', leadOrderId: leadId, previousOrderId: null, urgency, instructions, unitsPassed: 1 }, calendar);
      }
      await recordAudit(tx, actor, { action: actor.principal ? 'workorder.dispatch' : 'workorder.auto_dispatch', targetType: 'problem', targetId: problemId, unitId: lead.id, summary: { order: leadId, unit: lead.name, assists: assists.map((a) => a.name), urgency } });
      await escalateIfDue(tx, [leadId]);
      return leadId;
    };
    return outer ? work(outer) : db.transaction().execute(work);
  }

  async function get(actor: Actor, id: number) {
    const page = await workOrdersRepo.page(db, id);
    if (!page || !mayRead(actor, page.order.unit_path)) throw notFound(`工单 ${id} `);
    const o = page.order;
    const steps = stepsFrom({ ...o, listed_at: o.listed_at ? new Date(o.listed_at) : null }).filter((s) => mayAct(actor, STEPS[s].by, o.unit_path));
    const at = now();
    const dueSoon = new Date(at.getTime() + (await setting('workorder.due_soon_hours', 24)) * 3_600_000);
    return {
      order: { ...o, due: dueOf(o, at, dueSoon) },
      stateName: STATE_NAMES[o.state],
      steps: steps.map((s) => ({ step: s, name: STEPS[s].name })),
      problem: maskedForViewer(page.problem, hasPermission(actor.principal, 'problem.contact')),
      related: page.orders.filter((x) => x.id !== o.id && (x.lead_order_id === o.id || x.id === o.lead_order_id)).map((x) => ({ id: x.id, unit_name: x.unit_name, role: x.role, state: x.state, deadline: x.deadline })),
      history: page.orders.filter((x) => x.role === 'lead' && x.id !== o.id).map((x) => ({ id: x.id, unit_name: x.unit_name, state: x.state, dispatched_at: x.dispatched_at })),
      events: page.events,
      replies: page.replies ?? [],
      followUps: page.follow_ups ?? [],
    };
  }

  return {
    get,

    async list(actor: Actor, f: { tab: Tab; unitId?: number; problemId?: number; limit: number; offset: number }) {
      const at = now();
      const dueSoon = new Date(at.getTime() + (await setting('workorder.due_soon_hours', 24)) * 3_600_000);
      const paths = readScope(actor);
      const scope: UnitScope = paths.some(isTopUnit) ? 'all' : { paths };
      const filter: OrderFilter = { scope, unitId: f.unitId, problemId: f.problemId, now: at, limit: f.limit, offset: f.offset };
      const byTab: Record<Tab, Partial<OrderFilter>> = {
        pending_sign: { states: ['pending_sign'] },
        handling: { states: ['handling'] },
        due_soon: { dueBefore: dueSoon },
        overdue: { overdue: true },
        replied: { states: ['replied'] },
        follow_up: { states: ['follow_up'] },
        listed: { listed: true },
        escalated: { escalated: true },
        extension: { extensionRequested: true, states: OPEN_STATES },
        returned: { awaitingRedispatch: true },
        closed: { states: ['closed'] },
        all: {},
      };
      const counted = f.tab !== 'all' && f.tab !== 'closed' && !f.unitId && !f.problemId;
      const [page, counts] = await Promise.all([workOrdersRepo.list(db, { ...filter, ...byTab[f.tab] }, !counted), cachedCounts(scope, f.unitId, at, dueSoon)]);
      const seesContact = hasPermission(actor.principal, 'problem.contact');
      return { rows: page.rows.map((r) => maskedForViewer({ ...r, due: dueOf(r, at, dueSoon) }, seesContact)), total: page.total ?? counts[f.tab as keyof typeof counts], counts };
    },

    /** 派发: a lead order (and any 协办 orders) for a triaged problem, deadlines from the policy and the calendar. */
    async dispatch(actor: Actor, problemId: number, input: DispatchInput) {
      await assertMayDispatchTo(actor, input.unitId);
      return get(actor, await dispatchProblem(actor, problemId, input));
    },

    assertMayDispatchTo,

    /** 派发 as part of the caller's transaction (e.g. 交办 of a risk warning); returns the lead order's id. */
    async dispatchWithin(tx: Tx, actor: Actor, problemId: number, input: DispatchInput): Promise<number> {
      await assertMayDispatchTo(actor, input.unitId, tx);
      return dispatchProblem(actor, problemId, input, tx);
    },

    /**
     * 自动派发: problems a trained model placed with at least the set confidence and a routing rule names a unit for;
     * misconduct reports and likely redirections always wait for a person. Returns how many were dispatched.
     */
    async autoDispatch(limit = 200): Promise<number> {
      const cfg = (await settingsRepo.get(db, 'triage.auto_dispatch')) as { enabled?: boolean; minConfidence?: number } | undefined;
      if (!cfg?.enabled || typeof cfg.minConfidence !== 'number') return 0;
      const candidates = await workOrdersRepo.autoDispatchable(db, cfg.minConfidence, limit);
      let n = 0;
      for (const c of candidates) {
        const note = `自动派发：领域“${c.domain_label}”置信度 ${c.confidence.toFixed(2)}（门槛 ${cfg.minConfidence}），依据路由规则 #${c.rule_id}`;
        try {
          await dispatchProblem({ principal: null, ip: null }, c.id, { unitId: c.unit_id, instructions: note });
          n++;
        } catch (e) {
          if (!(e instanceof AppError) || e.status >= 500) throw e;
          ctx.log.warn({ problemId: c.id, reason: e.message }, '自动派发跳过');
        }
      }
      return n;
    },

    sign: (actor: Actor, id: number, version: number) =>
      step(actor, id, 'sign', version, async () => ({ to: 'handling', set: { signed_at: now() } })),

    /** 退回: the unit says the matter is not theirs; the problem goes back to the dispatcher with the reason. */
    return: (actor: Actor, id: number, version: number, reason: string) =>
      step(actor, id, 'return', version, async (tx, o) => {
        if (o.role === 'lead') {
          for (const a of await workOrdersRepo.openAssists(tx, o.id)) await tx.updateTable('work_order').set({ state: 'returned', version: a.version + 1, updated_at: now() }).where('id', '=', a.id).execute();
          await notify(tx, { userIds: await workOrdersRepo.usersWithPermissionOver(tx, o.unit_path, 'problem.triage'), kind: 'returned', title: `工单被退回，请重新派发`, body: `${o.unit_name}：${reason}`, workOrderId: o.id, dedupeKey: `returned:${o.id}` });
        }
        return { to: 'returned', set: { closed_at: now(), extension_request: null }, note: reason };
      }),

    /** 答复: the lead unit answers the citizen (to review); an assisting unit answers the lead unit. */
    reply: (actor: Actor, id: number, version: number, input: ReplyInput) =>
      step(actor, id, 'reply', version, async (tx, o, calendar) => {
        const problem = (await problemsRepo.get(tx, o.problem_id))!;
        const quality = assessReply({
          reportTitle: problem.title, reportBody: problem.body, reply: input.content, measures: input.measures, basis: input.basis, result: input.result,
          workingDaysTaken: calendar.workingDaysBetween(o.clock_started_at, now()), workingDaysAllowed: o.deadline_unit === 'working_days' ? o.deadline_amount : null,
        });
        const reply = await workOrdersRepo.insertReply(tx, { work_order_id: o.id, content: input.content, measures: input.measures ?? '', basis: input.basis ?? '', result: input.result ?? '', replied_by: actorUserId(actor), quality: quality as unknown as Record<string, unknown>, replied_at: now() });
        if (o.role === 'assist') {
          const lead = await workOrdersRepo.get(tx, o.lead_order_id!);
          if (lead) await notify(tx, { userIds: await handlersOf(tx, lead.unit_path), kind: 'assist_replied', title: `协办单位已答复：${problem.title}`, body: o.unit_name, workOrderId: lead.id, dedupeKey: `assist_replied:${reply.id}` });
          return { to: 'closed', set: { replied_at: now(), closed_at: now() }, kind: 'assist_replied', data: { replyId: reply.id } };
        }
        await notify(tx, { userIds: await supervisorsOf(tx, o.unit_path), kind: 'replied', title: `答复待审核：${problem.title}`, body: `${o.unit_name}已答复，答复质量 ${quality.score} 分`, workOrderId: o.id, dedupeKey: `replied:${reply.id}` });
        return { to: 'replied', set: { replied_at: now(), extension_request: null }, data: { replyId: reply.id, qualityScore: quality.score } };
      }),

    /** 申请延期: the new deadline must be later than the current one. */
    requestExtension: (actor: Actor, id: number, version: number, deadline: Date, reason: string) =>
      step(actor, id, 'request_extension', version, async (tx, o) => {
        if (deadline.getTime() <= new Date(o.deadline).getTime()) throw fieldError('deadline', `申请的期限必须晚于当前期限 ${formatCityTime(new Date(o.deadline)).slice(0, 16).replace('T', ' ')}`);
        await notify(tx, { userIds: await supervisorsOf(tx, o.unit_path), kind: 'extension_requested', title: `延期申请待审批：${o.unit_name}`, body: reason, workOrderId: o.id, dedupeKey: `extension:${o.id}:${o.version}` });
        return { set: { extension_request: JSON.stringify({ deadline: deadline.toISOString(), reason, byUserId: actorUserId(actor), byLabel: actorLabelAtWork(actor), at: now().toISOString() }) }, note: reason, data: { deadline: formatCityTime(deadline) } };
      }),

    approveExtension: (actor: Actor, id: number, version: number, deadline: Date | undefined, note: string) =>
      step(actor, id, 'approve_extension', version, async (tx, o) => {
        const requested = new Date((o.extension_request as { deadline: string }).deadline);
        const granted = deadline ?? requested;
        if (granted.getTime() <= new Date(o.deadline).getTime()) throw fieldError('deadline', '批准的期限必须晚于当前期限');
        await notify(tx, { userIds: await handlersOf(tx, o.unit_path), kind: 'extension_approved', title: '延期申请已批准', body: `新的办理期限：${formatCityTime(granted).slice(0, 16).replace('T', ' ')}`, workOrderId: o.id, dedupeKey: `extension_approved:${o.id}:${o.version}` });
        return { set: { deadline: granted, deadline_unit: 'fixed', deadline_provisional: false, extension_request: null, reminded_at: null, overdue_at: null }, note, data: { deadline: formatCityTime(granted), previous: formatCityTime(new Date(o.deadline)) } };
      }),

    refuseExtension: (actor: Actor, id: number, version: number, reason: string) =>
      step(actor, id, 'refuse_extension', version, async (tx, o) => {
        await notify(tx, { userIds: await handlersOf(tx, o.unit_path), kind: 'extension_refused', title: '延期申请未批准', body: reason, workOrderId: o.id, dedupeKey: `extension_refused:${o.id}:${o.version}` });
        return { set: { extension_request: null }, note: reason };
      }),

    /** Review: accepted replies go to follow-up; rejected ones back to the unit (重办). */
    review: (actor: Actor, id: number, version: number, accepted: boolean, reason: string) =>
      step(actor, id, accepted ? 'accept' : 'reject', version, async (tx, o, calendar) => {
        const reply = await workOrdersRepo.latestReply(tx, o.id);
        if (!reply || reply.review) throw conflict('没有待审核的答复');
        await workOrdersRepo.reviewReply(tx, reply.id, accepted ? 'accepted' : 'rejected', reason || null, actorUserId(actor), now());
        if (accepted) return { to: 'follow_up', note: reason, data: { replyId: reply.id } };
        const r = await redo(tx, o, reason, calendar);
        return { ...r, note: reason, data: { ...r.data, replyId: reply.id } };
      }),

    /** 回访: 满意 / 基本满意 / 未评价 close the order; 不满意 sends it back for 重办. */
    followUp: (actor: Actor, id: number, version: number, f: { satisfaction: Satisfaction; comment: string; method: 'phone' | 'sms' | 'visit' | 'public_page' }) =>
      step(actor, id, 'follow_up', version, async (tx, o, calendar) => {
        await workOrdersRepo.insertFollowUp(tx, { work_order_id: o.id, problem_id: o.problem_id, unit_id: o.unit_id, satisfaction: f.satisfaction, comment: f.comment, method: f.method, recorded_by: actorUserId(actor), at: now() });
        const data = { satisfaction: f.satisfaction, method: f.method };
        if (f.satisfaction === 'unsatisfied') {
          const r = await redo(tx, o, `群众不满意：${f.comment || '未说明'}`, calendar);
          return { ...r, kind: 'redo', note: f.comment, data: { ...r.data, ...data } };
        }
        return { to: 'closed', set: { closed_at: now() }, kind: 'closed', note: f.comment, data };
      }),

    /** 转办: the order moves to another unit; the new unit's clock starts afresh. */
    async transfer(actor: Actor, id: number, version: number, unitId: number, reason: string) {
      const o = await checkStep(actor, id, 'transfer', version);
      const target = await unitOrThrow(unitId, 'unitId');
      if (target.id === o.unit_id) throw fieldError('unitId', '不能转办给原承办单位');
      // as for a dispatch: only to a unit within the dispatcher's reach
      if (!canOnUnit(actor.principal, 'problem.triage', target.path)) throw forbidden(`不能转办给${target.name}（不在您的管辖范围内）`);
      const problem = (await problemsRepo.get(db, o.problem_id))!;
      const calendar = await loadCalendar(db);
      const previous = (await workOrdersRepo.ordersOfProblem(db, o.problem_id)).filter((x) => x.role === 'lead');
      const newId = await db.transaction().execute(async (tx) => {
        await apply(tx, o, { state: 'transferred', closed_at: now(), extension_request: null });
        await event(tx, actor, o, 'transferred', o.state, 'transferred', reason, { to: target.name });
        const created = await createOrder(tx, actor, { problemId: o.problem_id, unitId: target.id, unitPath: target.path, unitName: target.name, title: problem.title, role: 'lead', leadOrderId: null, previousOrderId: o.id, urgency: o.urgency, instructions: reason, unitsPassed: new Set([...previous.map((x) => x.unit_id), target.id]).size }, calendar);
        await tx.updateTable('work_order').set({ lead_order_id: created }).where('lead_order_id', '=', o.id).where('state', 'in', ACTIVE_STATES).execute();
        await workOrdersRepo.setProblemStatus(tx, o.problem_id, 'dispatched', now());
        await recordAudit(tx, actor, { action: 'workorder.transfer', targetType: 'work_order', targetId: o.id, unitId: o.unit_id, summary: { to: target.name, newOrder: created, reason } });
        await escalateIfDue(tx, [created]);
        return created;
      });
      return get(actor, newId);
    },

    /** 挂牌督办: a supervisor lists the order with its own deadline. */
    setListed: (actor: Actor, id: number, version: number, deadline: Date, reason: string) =>
      step(actor, id, 'list', version, async (tx, o) => {
        if (deadline.getTime() <= now().getTime()) throw fieldError('deadline', '挂牌督办的期限必须晚于现在');
        await notify(tx, { userIds: await handlersOf(tx, o.unit_path), kind: 'listed', title: `挂牌督办：${reason.slice(0, 40)}`, body: `督办期限：${formatCityTime(deadline).slice(0, 16).replace('T', ' ')}`, workOrderId: o.id, dedupeKey: `listed:${o.id}`, sms: true });
        return { set: { listed_at: now(), listed_deadline: deadline, listed_reason: reason }, note: reason, data: { deadline: formatCityTime(deadline) } };
      }),

    remind: (actor: Actor, id: number, version: number, note: string) =>
      step(actor, id, 'remind', version, async (tx, o) => {
        await notify(tx, { userIds: await handlersOf(tx, o.unit_path), kind: 'reminded', title: `催办：请尽快办理`, body: note, workOrderId: o.id, dedupeKey: `remind-manual:${o.id}:${o.version}`, sms: true });
        return { set: {}, note };
      }),

    /**
     * The supervision sweep, in every instance: 催办 at the set share of the time, 签收超时, 逾期 with a 督办 notice,
     * 提级督办. Rows are claimed with FOR UPDATE SKIP LOCKED and each step re-checks its own flag, so two sweepers
     * never send the same reminder twice.
     */
    async sweep(): Promise<{ reminded: number; signOverdue: number; overdue: number; listedOverdue: number; escalated: number }> {
      const at = now();
      const share = await setting('workorder.remind_share', 0.8);
      const counts = { reminded: 0, signOverdue: 0, overdue: 0, listedOverdue: 0, escalated: 0 };
      const system: Actor = { principal: null, ip: null };
      const run = async (where: ReturnType<typeof sql>, each: (tx: Tx, r: Awaited<ReturnType<typeof workOrdersRepo.claim>>[number]) => Promise<boolean>) => {
        let n = 0;
        for (;;) {
          const batch = await db.transaction().execute(async (tx) => {
            const rows = await workOrdersRepo.claim(tx, where, SWEEP_BATCH);
            for (const r of rows) if (await each(tx, r)) n++;
            return rows.length;
          });
          if (batch < SWEEP_BATCH) return n;
        }
      };
      counts.reminded = await run(
        sql`o.state in ('pending_sign', 'handling') and o.reminded_at is null and o.deadline > ${at} and o.clock_started_at + (o.deadline - o.clock_started_at) * ${share}::float8 <= ${at}`,
        async (tx, r) => {
          const done = await tx.updateTable('work_order').set({ reminded_at: at }).where('id', '=', r.id).where('reminded_at', 'is', null).executeTakeFirst();
          if (!Number(done.numUpdatedRows)) return false;
          await event(tx, system, r, 'reminded', null, null, `已用去 ${Math.round(share * 100)}% 的办理时间`, { deadline: formatCityTime(new Date(r.deadline)) });
          await notify(tx, { userIds: await handlersOf(tx, r.unit_path), kind: 'reminded', title: `催办：${r.title}`, body: `办理期限 ${formatCityTime(new Date(r.deadline)).slice(0, 16).replace('T', ' ')}，请抓紧办理`, workOrderId: r.id, dedupeKey: `remind:${r.id}:${r.redo_count}:${new Date(r.deadline).getTime()}`, sms: true });
          return true;
        },
      );
      counts.signOverdue = await run(sql`o.state = 'pending_sign' and o.sign_overdue_at is null and o.sign_deadline <= ${at}`, async (tx, r) => {
        await tx.updateTable('work_order').set({ sign_overdue_at: at }).where('id', '=', r.id).execute();
        await event(tx, system, r, 'sign_overdue', null, null, '超过签收时限未签收');
        await notify(tx, { userIds: await handlersOf(tx, r.unit_path), kind: 'sign_overdue', title: `签收超时：${r.title}`, body: '请立即签收', workOrderId: r.id, dedupeKey: `sign_overdue:${r.id}`, sms: true });
        return true;
      });
      counts.overdue = await run(sql`o.state in ('pending_sign', 'handling') and o.overdue_at is null and o.deadline <= ${at}`, async (tx, r) => {
        await tx.updateTable('work_order').set({ overdue_at: at }).where('id', '=', r.id).execute();
        await event(tx, system, r, 'overdue', null, null, '已超过办理期限，发出督办通知', { deadline: formatCityTime(new Date(r.deadline)) });
        const users = [...(await handlersOf(tx, r.unit_path)), ...(await supervisorsOf(tx, r.unit_path))];
        await notify(tx, { userIds: users, kind: 'overdue', title: `督办通知：工单已逾期`, body: `${r.unit_name}：${r.title}（期限 ${formatCityTime(new Date(r.deadline)).slice(0, 16).replace('T', ' ')}）。逾期单位须书面说明原因。`, workOrderId: r.id, dedupeKey: `overdue:${r.id}:${r.redo_count}:${new Date(r.deadline).getTime()}`, sms: true });
        return true;
      });
      counts.listedOverdue = await run(sql`o.state in ('pending_sign', 'handling') and o.listed_at is not null and o.listed_overdue_at is null and o.listed_deadline <= ${at}`, async (tx, r) => {
        await tx.updateTable('work_order').set({ listed_overdue_at: at }).where('id', '=', r.id).execute();
        await event(tx, system, r, 'listed_overdue', null, null, '挂牌督办期限已到仍未办结');
        const users = [...(await handlersOf(tx, r.unit_path)), ...(await supervisorsOf(tx, r.unit_path))];
        await notify(tx, { userIds: users, kind: 'listed_overdue', title: `挂牌督办到期未办结：${r.title}`, body: r.unit_name, workOrderId: r.id, dedupeKey: `listed_overdue:${r.id}`, sms: true });
        return true;
      });
      const redo = await setting('workorder.escalate_redo_count', 3);
      const units = await setting('workorder.escalate_units_passed', 3);
      const due = await db.selectFrom('work_order').select('id').where('escalated_at', 'is', null).where('state', 'in', ACTIVE_STATES).where((eb) => eb.or([eb('redo_count', '>=', redo), eb('units_passed', '>=', units)])).limit(1000).execute();
      if (due.length) {
        await db.transaction().execute((tx) => escalateIfDue(tx, due.map((d) => d.id)));
        counts.escalated = (await db.selectFrom('work_order').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', due.map((d) => d.id)).where('escalated_at', 'is not', null).executeTakeFirstOrThrow()).n;
      }
      return counts;
    },

    /** Recomputes deadlines that ran into a year without a calendar, once the year has been added. */
    async recomputeProvisional(tx: Tx, calendar: WorkCalendar): Promise<number> {
      const rows = await workOrdersRepo.provisional(tx);
      for (const r of rows) {
        if (r.deadline_unit === 'fixed') continue;
        const d = calendar.deadline(new Date(r.clock_started_at), { amount: r.deadline_amount, unit: r.deadline_unit });
        await workOrdersRepo.setDeadline(tx, r.id, d.at, d.provisional);
      }
      return rows.length;
    },

    /** KPIs of the units the actor supervises, handles or reports on. */
    kpis(actor: Actor, from: Date, to: Date) {
      const perms: Permission[] = ['workorder.supervise', 'report.read', 'workorder.handle'];
      const paths = perms.flatMap((p) => scopePaths(actor.principal, p));
      return unitKpis(db, from, to, paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(q))), now());
    },

    /**
     * What the citizen sees with the tracking code: steps in plain words, the accepted reply (numbers and named people
     * masked), no handler's name. A report merged into another follows the one it was merged into; a redirected one
     * says where to turn.
     */
    async track(code: string) {
      const own = await problemsRepo.publicFacts(db, { code: trackingCodeAsTyped(code) });
      if (!own) throw notFound('该查询码对应的反映');
      const into = own.status === 'merged' && own.merged_into ? await problemsRepo.publicFacts(db, { id: own.merged_into }) : undefined;
      const p = into ?? own;
      const orders = (await workOrdersRepo.ordersOfProblem(db, p.id)).filter((o) => o.role === 'lead');
      const events = (await workOrdersRepo.events(db, p.id)).filter((e) => e.role === 'lead' && PUBLIC_STEP_TEXT[e.kind]);
      const current = orders.at(-1);
      const answer = current ? (await workOrdersRepo.replies(db, [current.id])).filter((r) => r.review === 'accepted').at(-1) : undefined;
      const rating = current ? (await workOrdersRepo.followUps(db, [current.id])).at(-1) : undefined;
      const steps = events.map((e) => ({ at: e.at, text: PUBLIC_STEP_TEXT[e.kind]!(e) }));
      const timeline = [
        { at: own.reported_at, text: '已受理您的反映' },
        ...(into ? [{ at: own.updated_at, text: '您反映的问题与他人反映的同一事项合并办理，以下是合并后的办理进度' }] : []),
        ...steps,
        ...(p.status === 'redirected' ? [{ at: p.updated_at, text: p.redirect_reason ? `已告知办理途径：${publicText(p.redirect_reason)}` : '已告知其他办理途径' }] : []),
      ].sort((a, b) => a.at.getTime() - b.at.getTime());
      const open = !!current && ['pending_sign', 'handling'].includes(current.state);
      const last = timeline.at(-1)!.at;
      return {
        // whoever holds the code reads the page: a number the citizen wrote into the title is masked there too
        trackingCode: own.tracking_code, title: maskPersonalNumbers(own.title), kind: own.kind_name, status: p.status,
        statusText: into ? `已合并办理：${PUBLIC_STATUS[p.status] ?? p.status}` : PUBLIC_STATUS[p.status] ?? p.status,
        reportedAt: own.reported_at, updatedAt: p.updated_at > last ? p.updated_at : last,
        deadline: open ? current.deadline : null,
        overdue: open && current.deadline.getTime() < now().getTime(),
        timeline,
        // after 不满意 the order is handled again: the earlier answer is shown as such
        answer: answer ? { content: publicText(answer.content), at: answer.replied_at, superseded: !!current && !['follow_up', 'closed'].includes(current.state) } : null,
        rating: rating && rating.satisfaction !== 'unrated' && current?.state === 'closed' ? SATISFACTION_NAMES[rating.satisfaction] : null,
        canRate: current?.state === 'follow_up',
      };
    },

    /** The citizen's own rating from the tracking page counts as the follow-up (a merged report rates the one it joined). */
    async rateByCitizen(code: string, satisfaction: Exclude<Satisfaction, 'unrated'>, comment: string, ip: string | null) {
      const own = await problemsRepo.publicFacts(db, { code: trackingCodeAsTyped(code) });
      if (!own) throw notFound('该查询码对应的反映');
      if (satisfaction === 'unsatisfied' && !comment.trim()) throw fieldError('comment', '选择“不满意”时，请说明不满意的原因');
      const p = own.status === 'merged' && own.merged_into ? { id: own.merged_into } : own;
      const current = (await workOrdersRepo.ordersOfProblem(db, p.id)).filter((o) => o.role === 'lead').at(-1);
      if (current?.state === 'closed') throw conflict('该反映已评价并办结，感谢您的参与');
      if (!current || current.state !== 'follow_up') throw conflict('当前没有待评价的答复（答复审核通过后才能评价）');
      const citizen: Actor = { principal: null, ip };
      const calendar = await loadCalendar(db);
      await db.transaction().execute(async (tx) => {
        const o = (await workOrdersRepo.get(tx, current.id))!;
        await workOrdersRepo.insertFollowUp(tx, { work_order_id: o.id, problem_id: o.problem_id, unit_id: o.unit_id, satisfaction, comment, method: 'public_page', recorded_by: null, at: now() });
        const r = satisfaction === 'unsatisfied' ? await redo(tx, o, `群众不满意：${comment || '未说明'}`, calendar) : { to: 'closed' as const, set: { closed_at: now() }, data: {} };
        await apply(tx, o, { ...r.set, state: r.to });
        await workOrdersRepo.insertEvent(tx, { work_order_id: o.id, problem_id: o.problem_id, kind: satisfaction === 'unsatisfied' ? 'redo' : 'closed', from_state: o.state, to_state: r.to, actor_user_id: null, actor_label: '反映人（查询页评价）', note: comment, data: JSON.stringify({ satisfaction, method: 'public_page', ...r.data }), at: now() });
        await workOrdersRepo.setProblemStatus(tx, o.problem_id, problemStatusOf(r.to), now());
        await recordAudit(tx, citizen, { action: 'workorder.citizen_rating', targetType: 'work_order', targetId: o.id, unitId: o.unit_id, summary: { satisfaction } });
      });
    },

  };
}

export type WorkOrdersService = ReturnType<typeof createWorkOrdersService>;
