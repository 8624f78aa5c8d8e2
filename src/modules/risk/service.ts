import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { cityDay } from '../../lib/calendar.ts';
import { AppError, forbidden, notFound } from '../../lib/errors.ts';
import type { WarningLevel, WarningState } from '../../db/types.ts';
import { recordAudit } from '../audit/service.ts';
import { actorLabel, actorUserId, hasPermission, scopePaths, SYSTEM_ACTOR, type Actor } from '../auth/access.ts';
import { loadCalendar } from '../calendar/service.ts';
import type { ProblemsService } from '../problems/service.ts';
import type { WorkOrdersService } from '../workorders/service.ts';
import { settingsRepo } from '../settings/repo.ts';
import { loadRiskData, OPEN_STATES, riskRepo } from './repo.ts';
import { LEVEL_NAMES, LEVELS, normalizeP, type Level } from './signals.ts';
import { addDays, evaluateRule, lookback, type Evaluated, type Names, type Rule } from './evaluate.ts';

const DETECT_LOCK = 7_160_002;
const DAY_MS = 86_400_000;
const higher = (a: Level, b: Level) => (LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b);

/** A signal that crossed a level, ready to become (or refresh) a warning. */
type Candidate = Evaluated & { level: Level };

/** The steps of a warning's life: which states each may start from. */
const STEPS: Record<'assess' | 'dispatch' | 'resolve' | 'dismiss', { from: WarningState[]; to: WarningState; name: string }> = {
  assess: { from: ['new'], to: 'assessed', name: '研判' },
  dispatch: { from: ['new', 'assessed'], to: 'dispatched', name: '交办' },
  resolve: { from: ['assessed', 'dispatched'], to: 'resolved', name: '化解' },
  dismiss: { from: ['new', 'assessed', 'dispatched'], to: 'dismissed', name: '排除' },
};

export function createRiskService(ctx: AppContext, deps: { problems: ProblemsService; workOrders: WorkOrdersService }) {
  const { db } = ctx;
  async function names(): Promise<Names> {
    const [calendar, regions, domains] = await Promise.all([
      loadCalendar(db),
      db.selectFrom('region').select(['code', 'name']).execute(),
      db.selectFrom('enforcement_domain').select(['code', 'name']).execute(),
    ]);
    const regionName = new Map(regions.map((r) => [r.code, r.name]));
    const domainName = new Map(domains.map((d) => [d.code, d.name]));
    return { region: (c) => regionName.get(c) ?? c, domain: (c) => domainName.get(c) ?? c, isWorkday: (d) => calendar.isWorkday(d) };
  }

  /** Every active rule's signals as of the end of `asOf` (a city day); those with a level are candidates for warnings. */
  async function evaluate(asOf: string, only?: Rule[]): Promise<Evaluated[]> {
    const rules = (only ?? (await riskRepo.currentRules(db))).filter((r) => r.active) as Rule[];
    const data = await loadRiskData(db, addDays(asOf, -lookback(rules)), asOf);
    const n = await names();
    return rules.flatMap((r) => evaluateRule(data, r, asOf, n));
  }
  const candidates = async (asOf: string) => (await evaluate(asOf)).filter((e): e is Candidate => e.level !== null);

  /** Turns candidates into warnings: a new one per event, an ongoing one refreshed (never raised twice). */
  async function record(asOf: string, found: Candidate[]) {
    const reraiseDays = Number((await settingsRepo.get(db, 'risk.reraise_days')) ?? 7);
    let raised = 0;
    let refreshed = 0;
    for (const c of found) {
      const score = Math.round(normalizeP(c.signal.pValue) * 1000) / 10;
      await db.transaction().execute(async (tx) => {
        const open = await riskRepo.openWarning(tx, c.ruleCode, c.scopeKey);
        if (open) {
          const level = higher(open.level, c.level);
          await riskRepo.updateSeen(tx, open.id, { level, score: Math.max(open.score, score), evidence: c.evidence, day: asOf });
          if (level !== open.level) await riskRepo.insertEvent(tx, { warning_id: open.id, kind: 'escalate', from_state: open.state, to_state: open.state, actor_user_id: null, actor_label: '系统', note: `升级为${LEVEL_NAMES[level]}` });
          refreshed++;
          return;
        }
        const closed = await riskRepo.lastClosed(tx, c.ruleCode, c.scopeKey);
        if (closed && Date.now() - closed.updated_at.getTime() < reraiseDays * DAY_MS && LEVELS.indexOf(c.level) <= LEVELS.indexOf(closed.level)) return;
        const row = await riskRepo.insertWarning(tx, {
          rule_id: c.ruleId, rule_code: c.ruleCode, level: c.level, scope_kind: c.scopeKind, scope_key: c.scopeKey, domain_code: c.domain, region_code: c.region,
          unit_id: c.unitId, target_key: c.targetKey, title: c.title, score, evidence: c.evidence, started_on: c.startedOn, raised_on: asOf,
        });
        if (!row) return;
        await riskRepo.insertEvent(tx, { warning_id: row.id, kind: 'raise', from_state: null, to_state: 'new', actor_user_id: null, actor_label: '系统', note: LEVEL_NAMES[c.level] });
        await recordAudit(tx, SYSTEM_ACTOR, { action: 'warning.raise', targetType: 'warning', targetId: row.id, summary: { rule: c.ruleCode, scope: c.scopeKey, level: c.level } });
        raised++;
      });
    }
    return { raised, refreshed };
  }

  async function visible(actor: Actor, id: number) {
    const w = await riskRepo.get(db, id);
    if (!w) throw notFound(`预警 ${id} `);
    if (cityWide(actor)) return w;
    const paths = scopePaths(actor.principal, 'workorder.handle');
    if (w.unit_path && paths.some((p) => w.unit_path!.startsWith(p))) return w;
    if (w.work_order_id) {
      const order = await db.selectFrom('work_order').innerJoin('unit', 'unit.id', 'work_order.unit_id').select('unit.path').where('work_order.id', '=', w.work_order_id).executeTakeFirst();
      if (order && paths.some((p) => order.path.startsWith(p))) return w;
    }
    throw notFound(`预警 ${id} `);
  }
  const cityWide = (actor: Actor) => actor === SYSTEM_ACTOR || (['report.read', 'workorder.supervise'] as const).some((perm) => scopePaths(actor.principal, perm).some((p) => p.split('/').filter(Boolean).length === 1));

  async function step(actor: Actor, id: number, version: number, name: keyof typeof STEPS, note: string, set: { problem_id?: number; work_order_id?: number; closing_reason?: string } = {}) {
    if (!hasPermission(actor.principal, 'workorder.supervise') && actor !== SYSTEM_ACTOR) throw forbidden('只有督办人员可以研判、交办和关闭预警');
    const w = await visible(actor, id);
    const s = STEPS[name];
    return db.transaction().execute(async (tx) => {
      const moved = await riskRepo.step(tx, id, version, s.from, s.to, set);
      if (!moved) {
        throw new AppError(409, 'CONFLICT', `预警当前状态为“${STATE_NAMES[w.state]}”，不能${s.name}${w.version !== version ? '（已被他人更新，请刷新）' : ''}`, [], { state: w.state, allowed: (Object.keys(STEPS) as (keyof typeof STEPS)[]).filter((k) => STEPS[k].from.includes(w.state)) });
      }
      await riskRepo.insertEvent(tx, { warning_id: id, kind: name, from_state: w.state, to_state: s.to, actor_user_id: actorUserId(actor), actor_label: actorLabel(actor), note, data: set });
      await recordAudit(tx, actor, { action: `warning.${name}`, targetType: 'warning', targetId: id, summary: { from: w.state, to: s.to, note } });
      return moved;
    });
  }

  return {
    /**
     * Runs every rule as of a city day (default today) and records warnings. One instance at a time (a try-lock);
     * the warning table's unique open key keeps it at one warning per ongoing event in any case.
     */
    async detect(asOf = cityDay(new Date())) {
      const got = await db.transaction().execute(async (tx) => (await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${DETECT_LOCK}) as ok`.execute(tx)).rows[0]?.ok);
      if (!got) return { raised: 0, refreshed: 0, candidates: 0 };
      const found = await candidates(asOf);
      return { ...(await record(asOf, found)), candidates: found.length };
    },

    candidates,

    async list(actor: Actor, f: { state?: WarningState | 'open'; level?: WarningLevel; domain?: string; limit: number; offset: number }) {
      return riskRepo.list(db, { ...f, unitPaths: cityWide(actor) ? null : scopePaths(actor.principal, 'workorder.handle') });
    },

    async get(actor: Actor, id: number) {
      const w = await visible(actor, id);
      return { ...w, events: await riskRepo.events(db, id) };
    },

    assess: (actor: Actor, id: number, version: number, note: string) => step(actor, id, version, 'assess', note),

    /** 交办: the warning becomes a problem and a work order to the responsible unit, followed through the loop. */
    async dispatch(actor: Actor, id: number, version: number, input: { unitId: number; instructions: string }) {
      const w = await visible(actor, id);
      if (!STEPS.dispatch.from.includes(w.state)) throw new AppError(409, 'CONFLICT', `预警当前状态为“${STATE_NAMES[w.state]}”，不能交办`);
      const problem = await deps.problems.submitForm('staff', {
        title: `风险预警交办：${w.title}`.slice(0, 100),
        content: `${LEVEL_NAMES[w.level]}（预警编号 ${w.id}）：${w.title}。请核查原因、采取措施并答复。${input.instructions ? `督办要求：${input.instructions}` : ''}`,
        kind: '举报', unitName: '风险预警',
      }, actor);
      const order = await deps.workOrders.dispatch(actor, problem.id, { unitId: input.unitId, instructions: input.instructions });
      return step(actor, id, version, 'dispatch', input.instructions, { problem_id: problem.id, work_order_id: order.order.id });
    },

    resolve: (actor: Actor, id: number, version: number, reason: string) => step(actor, id, version, 'resolve', reason, { closing_reason: reason }),
    dismiss: (actor: Actor, id: number, version: number, reason: string) => step(actor, id, version, 'dismiss', reason, { closing_reason: reason }),

    rules: () => riskRepo.currentRules(db),
  };
}

export const STATE_NAMES: Record<WarningState, string> = { new: '新预警', assessed: '已研判', dispatched: '已交办', resolved: '已化解', dismissed: '已排除' };
export { OPEN_STATES };
export type RiskService = ReturnType<typeof createRiskService>;
