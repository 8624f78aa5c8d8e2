import type { AppContext } from '../../context.ts';
import type { Queryable } from '../../db/client.ts';
import { fieldError, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, type Actor } from '../auth/access.ts';
import { routingRepo } from './repo.ts';

export type Route = { unitId: number; unitName: string; ruleId: number };

/**
 * The most specific live rule for a problem: its domain, the longest region code that contains the problem's
 * region (a township's rule beats its district's, which beats a city-wide one), then a kind match; newest wins ties.
 */
export async function routeProposer(db: Queryable): Promise<(p: { domain: string | null; region: string | null; kind: string | null }) => Route | null> {
  const rules = await routingRepo.liveRules(db);
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
    return best ? { unitId: best.unit_id, unitName: best.unit_name, ruleId: best.id } : null;
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
