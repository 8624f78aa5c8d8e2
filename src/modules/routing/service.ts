import type { AppContext } from '../../context.ts';
import type { Queryable } from '../../db/client.ts';
import { fieldError, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, type Actor } from '../auth/access.ts';
import { routingRepo } from './repo.ts';

export type Route = { unitId: number; unitName: string; ruleId: number | null; basis?: string };

/** What past dispatches teach: a unit that took at least this share of a domain's problems in a region, this often. */
const HISTORY_DAYS = 180;
const HISTORY_MIN_COUNT = 5;
const HISTORY_MIN_SHARE = 0.8;

/**
 * The most specific live rule for a problem: its domain, the longest region code that contains the problem's
 * region (a township's rule beats its district's, which beats a city-wide one), then a kind match; newest wins ties.
 * Without a rule, the unit that past dispatches show takes such matters (a proposal only: never auto-dispatched).
 */
export async function routeProposer(db: Queryable): Promise<(p: { domain: string | null; region: string | null; kind: string | null }) => Route | null> {
  const [rules, history] = await Promise.all([routingRepo.liveRules(db), routingRepo.dispatchHistory(db, HISTORY_DAYS)]);
  const learned = new Map<string, Route>();
  const byPlace = new Map<string, typeof history>();
  for (const h of history) {
    const key = `${h.domain_code}|${h.region_code}`;
    byPlace.set(key, [...(byPlace.get(key) ?? []), h]);
  }
  for (const [place, units] of byPlace) {
    const total = units.reduce((a, u) => a + u.n, 0);
    const top = units.reduce((a, b) => (b.n > a.n ? b : a));
    if (top.n >= HISTORY_MIN_COUNT && top.n / total >= HISTORY_MIN_SHARE) {
      learned.set(place, { unitId: top.unit_id, unitName: top.unit_name, ruleId: null, basis: `近 ${HISTORY_DAYS} 天同领域同区域的 ${total} 件中 ${top.n} 件由该单位主办` });
    }
  }
  return (p) => {
    let best: (typeof rules)[number] | null = null;
    let bestScore = -1;
    for (const r of rules) {
      if (r.domain_code !== p.domain) continue;
      if (r.region_code && !(p.region ?? '').startsWith(r.region_code)) continue;
      if (r.kind_code && r.kind_code !== p.kind) continue;
      const score = (r.region_code?.length ?? 0) * 2 + (r.kind_code ? 1 : 0);
      if (score > bestScore || (score === bestScore && best && r.created_at > best.created_at)) {
        best = r;
        bestScore = score;
      }
    }
    if (best) return { unitId: best.unit_id, unitName: best.unit_name, ruleId: best.id };
    return learned.get(`${p.domain}|${p.region}`) ?? null;
  };
}

export function createRoutingService(ctx: AppContext) {
  const { db } = ctx;
  return {
    history: () => routingRepo.history(db),

    async create(actor: Actor, r: { domain: string; region: string | null; kind: string | null; unitId: number; note: string }) {
      const [domain, unit, region, kind] = await Promise.all([
        db.selectFrom('enforcement_domain').select('code').where('code', '=', r.domain).executeTakeFirst(),
        db.selectFrom('unit').select(['id', 'active']).where('id', '=', r.unitId).executeTakeFirst(),
        r.region ? db.selectFrom('region').select('code').where('code', '=', r.region).executeTakeFirst() : Promise.resolve({ code: null }),
        r.kind ? db.selectFrom('report_kind').select('code').where('code', '=', r.kind).executeTakeFirst() : Promise.resolve({ code: null }),
      ]);
      if (!domain) throw fieldError('domain', `领域 ${r.domain} 不存在`);
      if (!unit?.active) throw fieldError('unitId', '承办单位不存在或已停用');
      if (!region) throw fieldError('region', `区划 ${r.region} 不存在`);
      if (!kind) throw fieldError('kind', `类型 ${r.kind} 不存在`);
      return db.transaction().execute(async (tx) => {
        const row = await routingRepo.insert(tx, { ...r, by: actorUserId(actor) });
        await recordAudit(tx, actor, { action: 'routing.create', targetType: 'routing_rule', targetId: row.id, unitId: r.unitId, summary: r });
        return row;
      });
    },

    /** Rules are never edited in place: retiring one keeps it in the history. */
    async retire(actor: Actor, id: number) {
      await db.transaction().execute(async (tx) => {
        const r = await routingRepo.retire(tx, id, actorUserId(actor));
        if (!Number(r.numUpdatedRows)) throw notFound('有效的路由规则');
        await recordAudit(tx, actor, { action: 'routing.retire', targetType: 'routing_rule', targetId: id });
      });
    },
  };
}
