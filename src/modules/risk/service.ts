import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { cityDay } from '../../lib/calendar.ts';
import { z } from 'zod';
import { AppError, fieldError, forbidden, notFound } from '../../lib/errors.ts';
import type { RiskSignalKind, WarningLevel, WarningState } from '../../db/types.ts';
import { recordAudit } from '../audit/service.ts';
import { actorLabelAtWork, actorUserId, hasPermission, isTopUnit, scopePaths, SYSTEM_ACTOR, type Actor } from '../auth/access.ts';
import { loadCalendar } from '../calendar/service.ts';
import { FROM_WARNING } from '../problems/repo.ts';
import type { ProblemsService } from '../problems/service.ts';
import type { WorkOrdersService } from '../workorders/service.ts';
import { settingsRepo } from '../settings/repo.ts';
import { loadRiskData, OPEN_STATES, riskRepo, scoreRepo } from './repo.ts';
import { LEVEL_NAMES, LEVELS, normalizeCount, normalizeP, normalizeRate, riskScore, type Level } from './signals.ts';
import { addDays, backtest, evaluateRule, lookback, type Evaluated, type Names, type Rule } from './evaluate.ts';

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
  async function riskWeights() {
    const w = (await settingsRepo.get(db, 'risk.weights')) as Record<string, number> | undefined;
    return { volume: 30, misconduct: 20, targets: 15, overdue_rate: 15, unsatisfied_rate: 10, redo: 5, lost_cases: 5, ...w };
  }

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

  /** The scores of today's signals, and the signals themselves. */
  async function scores(today: string) {
    const since = new Date(Date.parse(`${today}T00:00:00+08:00`) - 29 * DAY_MS);
    const weights = await riskWeights();
    const [signals, domains, unitFigures, unitMisconduct, lost, openRegion, openDomain, openTotal, n] = await Promise.all([
      evaluate(today), scoreRepo.domainFigures(db, since), scoreRepo.unitFigures(db, cityDay(since)), scoreRepo.unitMisconduct(db, since),
      scoreRepo.lostCases(db, addDays(today, -364)), scoreRepo.openByRegion(db), scoreRepo.openByDomain(db), scoreRepo.openTotal(db), names(),
    ]);
    // lost 复议/诉讼 cases count over a year: they are rare and slow
    const lostOf = (pick: (r: (typeof lost)[number]) => boolean) => lost.filter(pick).reduce((a, r) => a + Number(r.n), 0);
    const maxP = (xs: Evaluated[]) => xs.reduce((m, e) => Math.max(m, normalizeP(e.signal.pValue)), 0);
    const domainRows = domains.map((d) => {
      const own = signals.filter((e) => e.domain === d.domain_code);
      const score = riskScore([
        { key: 'volume', value: maxP(own.filter((e) => e.signalKind === 'volume')), weight: weights.volume },
        { key: 'misconduct', value: normalizeCount(d.misconduct, 20), weight: weights.misconduct },
        { key: 'targets', value: normalizeCount(own.filter((e) => e.signalKind === 'target' && e.level).length, 5), weight: weights.targets },
        { key: 'overdue_rate', value: normalizeRate(d.dispatched ? d.overdue / d.dispatched : 0), weight: weights.overdue_rate },
        { key: 'unsatisfied_rate', value: normalizeRate(d.rated ? d.unsatisfied / d.rated : 0), weight: weights.unsatisfied_rate },
        { key: 'redo', value: normalizeCount(d.redone, 20), weight: weights.redo },
        { key: 'lost_cases', value: normalizeCount(lostOf((r) => r.domain_code === d.domain_code), 5), weight: weights.lost_cases },
      ]);
      return { code: d.domain_code, name: n.domain(d.domain_code), ...score, open: openDomain.find((o) => o.domain_code === d.domain_code)?.n ?? 0 };
    });
    const regionCodes = [...new Set(signals.filter((e) => e.scopeKind === 'domain_region').map((e) => e.region!))];
    const regions = regionCodes.map((code) => {
      const own = signals.filter((e) => e.region === code && e.scopeKind === 'domain_region');
      const score = riskScore([
        { key: 'volume', value: maxP(own.filter((e) => e.signalKind === 'volume')), weight: weights.volume },
        { key: 'misconduct', value: maxP(own.filter((e) => e.signalKind === 'misconduct')), weight: weights.misconduct },
      ]);
      const levels = { red: 0, orange: 0, yellow: 0, blue: 0 };
      for (const o of openRegion.filter((r) => r.region === code)) levels[o.level] += o.n;
      return { code, name: n.region(code), score: score.score, contributions: score.contributions, open: Object.values(levels).reduce((a, b) => a + b, 0), levels };
    }).sort((a, b) => b.score - a.score);
    // every unit with work orders in the last 30 days (on the same 30 days as the domains; the rules' own windows are in
    // the warnings) or with a lost case in the last year
    const none = { dispatched: 0, overdue: 0, rated: 0, unsatisfied: 0, redone: 0 };
    const lostOnly = [...new Map(lost.filter((l) => !unitFigures.some((u) => u.unit_id === l.unit_id)).map((l) => [l.unit_id, { unit_id: l.unit_id, unit_name: l.unit_name, ...none }])).values()];
    const units = [...unitFigures, ...lostOnly].map((u) => {
      const score = riskScore([
        { key: 'misconduct', value: normalizeCount(unitMisconduct.find((m) => m.unit_id === u.unit_id)?.n ?? 0, 10), weight: weights.misconduct },
        { key: 'overdue_rate', value: normalizeRate(u.dispatched ? u.overdue / u.dispatched : 0), weight: weights.overdue_rate },
        { key: 'unsatisfied_rate', value: normalizeRate(u.rated ? u.unsatisfied / u.rated : 0), weight: weights.unsatisfied_rate },
        { key: 'redo', value: normalizeCount(u.redone, 10), weight: weights.redo },
        { key: 'lost_cases', value: normalizeCount(lostOf((r) => r.unit_id === u.unit_id), 3), weight: weights.lost_cases },
      ]);
      return { unit_id: u.unit_id, unit_name: u.unit_name, ...score, figures: { dispatched: u.dispatched, overdue: u.overdue, rated: u.rated, unsatisfied: u.unsatisfied, redone: u.redone } };
    }).sort((a, b) => b.score - a.score || a.unit_name.localeCompare(b.unit_name, 'zh'));
    return { asOf: today, weights, openTotal: openTotal.total, openWithoutRegion: openTotal.withoutRegion, regions, domains: domainRows.sort((a, b) => b.score - a.score), units, signals };
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
  const assertMayReadRules = (actor: Actor) => {
    if (!hasPermission(actor.principal, 'report.read') && !hasPermission(actor.principal, 'reference.manage')) throw forbidden('没有查看预警规则的权限');
  };
  const cityWide = (actor: Actor) => actor === SYSTEM_ACTOR || (['report.read', 'workorder.supervise'] as const).some((perm) => scopePaths(actor.principal, perm).some(isTopUnit));

  async function step(actor: Actor, id: number, version: number, name: keyof typeof STEPS, note: string, set: { problem_id?: number; work_order_id?: number; closing_reason?: string } = {}) {
    if (!hasPermission(actor.principal, 'workorder.supervise') && actor !== SYSTEM_ACTOR) throw forbidden('只有督办人员可以研判、交办和关闭预警');
    const w = await visible(actor, id);
    const s = STEPS[name];
    return db.transaction().execute(async (tx) => {
      const moved = await riskRepo.step(tx, id, version, s.from, s.to, set);
      if (!moved) {
        throw new AppError(409, 'CONFLICT', `预警当前状态为“${STATE_NAMES[w.state]}”，不能${s.name}${w.version !== version ? '（已被他人更新，请刷新）' : ''}`, [], { state: w.state, allowed: (Object.keys(STEPS) as (keyof typeof STEPS)[]).filter((k) => STEPS[k].from.includes(w.state)) });
      }
      await riskRepo.insertEvent(tx, { warning_id: id, kind: name, from_state: w.state, to_state: s.to, actor_user_id: actorUserId(actor), actor_label: actorLabelAtWork(actor), note, data: set });
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

    async list(actor: Actor, f: { state?: WarningState | 'open'; level?: WarningLevel; domain?: string; region?: string; limit: number; offset: number }) {
      return riskRepo.list(db, { ...f, unitPaths: cityWide(actor) ? null : scopePaths(actor.principal, 'workorder.handle') });
    },

    async get(actor: Actor, id: number) {
      const w = await visible(actor, id);
      return { ...w, events: await riskRepo.events(db, id) };
    },

    assess: (actor: Actor, id: number, version: number, note: string) => step(actor, id, version, 'assess', note),

    /**
     * 交办: the warning becomes a problem and a work order to the responsible unit, followed through the loop. One
     * transaction: the warning is claimed first (a stale page or a second dispatcher gets 409 before anything is
     * made), and if the problem or the order cannot be made nothing is kept.
     */
    async dispatch(actor: Actor, id: number, version: number, input: { unitId: number; instructions: string }) {
      if (!hasPermission(actor.principal, 'workorder.supervise') && actor !== SYSTEM_ACTOR) throw forbidden('只有督办人员可以研判、交办和关闭预警');
      const w = await visible(actor, id);
      const s = STEPS.dispatch;
      return db.transaction().execute(async (tx) => {
        const claimed = await riskRepo.step(tx, id, version, s.from, s.to);
        if (!claimed) {
          const now = await riskRepo.get(tx, id);
          const state = now?.state ?? w.state;
          throw new AppError(409, 'CONFLICT', `预警当前状态为“${STATE_NAMES[state]}”，不能交办${now && now.version !== version ? '（已被他人更新，请刷新）' : ''}`, [], { state, allowed: (Object.keys(STEPS) as (keyof typeof STEPS)[]).filter((k) => STEPS[k].from.includes(state)) });
        }
        const problem = await deps.problems.submitForm('staff', {
          title: `风险预警交办：${w.title}`.slice(0, 100),
          content: `${LEVEL_NAMES[w.level]}（预警编号 ${w.id}）：${w.title}。请核查原因、采取措施并答复。${input.instructions ? `督办要求：${input.instructions}` : ''}`,
          kind: '举报', unitName: '风险预警',
        }, actor, tx, { flags: [FROM_WARNING] });
        // checks that the actor may dispatch to the unit; a refusal rolls back the claim and the problem
        const orderId = await deps.workOrders.dispatchWithin(tx, actor, problem.id, { unitId: input.unitId, instructions: input.instructions });
        const linked = await riskRepo.link(tx, id, { problem_id: problem.id, work_order_id: orderId });
        await riskRepo.insertEvent(tx, { warning_id: id, kind: 'dispatch', from_state: w.state, to_state: s.to, actor_user_id: actorUserId(actor), actor_label: actorLabelAtWork(actor), note: input.instructions, data: { problem_id: problem.id, work_order_id: orderId } });
        await recordAudit(tx, actor, { action: 'warning.dispatch', targetType: 'warning', targetId: id, summary: { from: w.state, to: s.to, note: input.instructions, problemId: problem.id, workOrderId: orderId } });
        return linked;
      });
    },

    resolve: (actor: Actor, id: number, version: number, reason: string) => step(actor, id, version, 'resolve', reason, { closing_reason: reason }),
    dismiss: (actor: Actor, id: number, version: number, reason: string) => step(actor, id, version, 'dismiss', reason, { closing_reason: reason }),

    /** The rules are read by those who read the analysis and by the admins who edit them. */
    rules(actor: Actor) {
      assertMayReadRules(actor);
      return riskRepo.currentRules(db);
    },
    ruleHistory(actor: Actor, code: string) {
      assertMayReadRules(actor);
      return riskRepo.ruleHistory(db, code);
    },

    /** An edit is a new version of the rule; the old one stays in the history (open warnings keep theirs). */
    async updateRule(actor: Actor, code: string, input: { params: Record<string, unknown>; active: boolean; note: string }) {
      const current = (await riskRepo.currentRules(db)).find((r) => r.code === code);
      if (!current) throw notFound(`预警规则 ${code} `);
      const params = validateParams(current.signal, input.params);
      return db.transaction().execute(async (tx) => {
        const row = await riskRepo.replaceRule(tx, current, { params, active: input.active, note: input.note, created_by: actorUserId(actor) });
        await recordAudit(tx, actor, { action: 'risk.rule_update', targetType: 'risk_rule', targetId: row.id, summary: { code, version: row.version, params, active: input.active, was: current.params } });
        return row;
      });
    },

    /** “This rule over the past months would have raised these warnings”, with other parameters if given. */
    async backtestRule(code: string, o: { months: number; params?: Record<string, unknown> }, today = cityDay(new Date())) {
      const current = (await riskRepo.currentRules(db)).find((r) => r.code === code);
      if (!current) throw notFound(`预警规则 ${code} `);
      const rule = { ...current, active: true, params: o.params ? validateParams(current.signal, o.params) : current.params } as Rule;
      const from = addDays(today, -Math.round(o.months * 30.44));
      const data = await loadRiskData(db, addDays(from, -lookback([rule])), today);
      const reraise = Number((await settingsRepo.get(db, 'risk.reraise_days')) ?? 7);
      const warnings = backtest(data, rule, from, today, await names(), reraise);
      const perMonth = new Map<string, number>();
      for (let d = from; d <= today; d = addDays(d, 28)) perMonth.set(d.slice(0, 7), 0);
      for (const w of warnings) perMonth.set(w.raisedOn.slice(0, 7), (perMonth.get(w.raisedOn.slice(0, 7)) ?? 0) + 1);
      return { rule: { code: rule.code, name: rule.name, params: rule.params }, from, to: today, warnings, perMonth: [...perMonth].sort().map(([month, n]) => ({ month, n })) };
    },

    /** 全域感知: every domain's, district's and unit's risk score with the points of each signal. */
    async overview(today = cityDay(new Date())) {
      const { signals: _signals, ...overview } = await scores(today);
      return overview;
    },

    /** A domain's risk page and the leader's summary: what is rising, where, the likely causes, what to do. */
    async domainPage(actor: Actor, code: string, today = cityDay(new Date())) {
      const { signals: all, ...overview } = await scores(today);
      const d = overview.domains.find((x) => x.code === code);
      if (!d) throw notFound(`执法领域 ${code} `);
      const since = new Date(Date.parse(`${today}T00:00:00+08:00`) - 29 * DAY_MS);
      const [trend, topTargets, topUnits, topics, warnings] = await Promise.all([
        scoreRepo.domainTrend(db, code, addDays(today, -179), today),
        scoreRepo.topTargets(db, code, since, 10),
        scoreRepo.topUnits(db, code, since, 10),
        deps.problems.hotTopics(actor, { from: since, to: new Date(), domain: code, limit: 5 }),
        riskRepo.list(db, { state: 'open', domain: code, unitPaths: null, limit: 50, offset: 0 }),
      ]);
      const own = all.filter((e) => e.signalKind === 'volume' && e.domain === code).sort((a, b) => a.signal.pValue - b.signal.pValue);
      const topRegions = own.map((e) => ({ code: e.region!, name: overview.regions.find((r) => r.code === e.region)?.name ?? e.region!, n: e.signal.observed, ratio: Math.round(e.signal.ratio * 100) / 100, pValue: e.signal.pValue, level: e.level }));
      const rising = own.filter((e) => e.level || (e.signal.ratio >= 1.5 && e.signal.pValue < 0.01));
      const strained = topUnits.filter((u) => u.n >= 5 && ((u.overdue_rate ?? 0) >= 0.3 || (u.unsatisfied_rate ?? 0) >= 0.3));
      const misconduct = d.contributions.find((c) => c.key === 'misconduct')!.value * 20;
      const suggestions: { action: '专项整治' | '约谈' | '案卷抽查' | '持续关注'; reason: string }[] = [];
      if (rising.some((e) => e.level && e.level !== 'blue') || rising.length >= 2) suggestions.push({ action: '专项整治', reason: `${rising.map((e) => topRegions.find((r) => r.code === e.region)?.name).join('、')}反映量明显高于常态` });
      for (const u of strained) suggestions.push({ action: '约谈', reason: `${u.unit_name}近 30 天逾期率 ${pct(u.overdue_rate)}、不满意率 ${pct(u.unsatisfied_rate)}` });
      if (misconduct >= 3) suggestions.push({ action: '案卷抽查', reason: `近 30 天执法作风问题 ${Math.round(misconduct)} 件` });
      if (!suggestions.length) suggestions.push({ action: '持续关注', reason: '各项信号在常态范围内' });
      return {
        code, name: d.name, score: d.score, contributions: d.contributions, trend, topTargets, topRegions, topUnits,
        phrases: topics.topics.map((t) => ({ label: t.label, terms: t.terms, count: t.count })),
        warnings: warnings.rows,
        summary: {
          rising: rising.map((e) => e.title),
          causes: [...topics.topics.slice(0, 3).map((t) => `热点：${t.label}（${t.count} 件）`), ...topTargets.slice(0, 3).filter((t) => t.n >= 3).map((t) => `被反复投诉：${t.target}（${t.n} 次）`)],
          suggestions,
        },
      };
    },
  };
}

const pct = (r: number | null) => (r == null ? '—' : `${Math.round(r * 100)}%`);

const whole = (min: number, max: number) => z.number({ message: '应为数字' }).int('应为整数').min(min, `不小于 ${min}`).max(max, `不大于 ${max}`);
const PARAM_SCHEMAS = {
  volume: z.object({ windowDays: whole(1, 14), baselineDays: whole(14, 365), minCount: whole(1, 10_000) }),
  misconduct: z.object({ windowDays: whole(1, 30), baselineDays: whole(14, 365), minCount: whole(1, 10_000) }),
  target: z.object({ windowDays: whole(1, 90), historyDays: whole(7, 730), minCount: whole(2, 10_000) }),
  overdue_rate: z.object({ windowDays: whole(3, 180), baselineDays: whole(30, 730), minTrials: whole(1, 100_000) }),
  unsatisfied_rate: z.object({ windowDays: whole(3, 180), baselineDays: whole(30, 730), minTrials: whole(1, 100_000) }),
  redo: z.object({ windowDays: whole(3, 180), baselineDays: whole(30, 730), minCount: whole(1, 10_000) }),
  lost_cases: z.object({
    windowDays: whole(30, 365), baselineDays: whole(90, 1095), minCount: whole(1, 1000),
    expectedPerYear: z.number({ message: '应为数字' }).min(0.1, '不小于 0.1').max(100, '不大于 100'),
  }),
} as const;

/** A rule's parameters checked against its kind of signal; a wrong one is named in the error. */
function validateParams(signal: RiskSignalKind, params: Record<string, unknown>): Record<string, number> {
  const r = PARAM_SCHEMAS[signal].safeParse(params);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw fieldError(`params.${issue.path.join('.')}`, `参数 ${issue.path.join('.')} 不合要求：${issue.message}`);
  }
  return r.data;
}

export const STATE_NAMES: Record<WarningState, string> = { new: '新预警', assessed: '已研判', dispatched: '已交办', resolved: '已化解', dismissed: '已排除' };
export { OPEN_STATES };
export type RiskService = ReturnType<typeof createRiskService>;
