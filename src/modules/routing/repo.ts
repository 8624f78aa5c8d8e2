import type { Queryable, Tx } from '../../db/client.ts';

import { sql } from 'kysely';

export const routingRepo = {
  /** Who took each domain's problems in each region as 主办 over the last months, not counting returns and transfers. */
  async dispatchHistory(db: Queryable, days: number) {
    const r = await sql<{ domain_code: string; region_code: string; unit_id: number; unit_name: string; n: number }>`
      select p.domain_code, p.region_code, o.unit_id, u.name as unit_name, count(*)::int as n
      from work_order o join problem p on p.id = o.problem_id join unit u on u.id = o.unit_id
      where o.role = 'lead' and o.state not in ('returned', 'transferred') and u.active
        and o.dispatched_at > now() - make_interval(days => ${days})
        and p.domain_code is not null and p.region_code is not null
      group by p.domain_code, p.region_code, o.unit_id, u.name`.execute(db);
    return r.rows;
  },

  liveRules(db: Queryable) {
    return db
      .selectFrom('routing_rule')
      .innerJoin('unit', 'unit.id', 'routing_rule.unit_id')
      .select(['routing_rule.id', 'routing_rule.domain_code', 'routing_rule.region_code', 'routing_rule.kind_code', 'routing_rule.unit_id', 'unit.name as unit_name', 'routing_rule.created_at'])
      .where('routing_rule.retired_at', 'is', null)
      .where('unit.active', '=', true)
      .execute();
  },

  history(db: Queryable) {
    return db
      .selectFrom('routing_rule')
      .innerJoin('unit', 'unit.id', 'routing_rule.unit_id')
      .leftJoin('enforcement_domain', 'enforcement_domain.code', 'routing_rule.domain_code')
      .leftJoin('region', 'region.code', 'routing_rule.region_code')
      .leftJoin('report_kind', 'report_kind.code', 'routing_rule.kind_code')
      .leftJoin('app_user as creator', 'creator.id', 'routing_rule.created_by')
      .leftJoin('app_user as retirer', 'retirer.id', 'routing_rule.retired_by')
      .select([
        'routing_rule.id', 'routing_rule.domain_code', 'enforcement_domain.name as domain_name', 'routing_rule.region_code', 'region.name as region_name',
        'routing_rule.kind_code', 'report_kind.name as kind_name', 'routing_rule.unit_id', 'unit.name as unit_name', 'unit.active as unit_active', 'routing_rule.note',
        'routing_rule.created_at', 'creator.display_name as created_by_name', 'routing_rule.retired_at', 'retirer.display_name as retired_by_name',
      ])
      .orderBy('routing_rule.retired_at', (ob) => ob.desc().nullsFirst())
      .orderBy('routing_rule.id', 'desc')
      .execute();
  },

  insert(tx: Tx, r: { domain: string; region: string | null; kind: string | null; unitId: number; note: string; by: number | null }) {
    return tx.insertInto('routing_rule').values({ domain_code: r.domain, region_code: r.region, kind_code: r.kind, unit_id: r.unitId, note: r.note, created_by: r.by }).returning('id').executeTakeFirstOrThrow();
  },

  retire(tx: Tx, id: number, by: number | null) {
    return tx.updateTable('routing_rule').set({ retired_at: new Date(), retired_by: by }).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
  },
};
