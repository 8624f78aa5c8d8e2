import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';

export const seedRepo = {
  userByName(db: Queryable, username: string) {
    return db.selectFrom('app_user').select(['id', 'username', 'display_name', 'unit_id']).where('username', '=', username).executeTakeFirstOrThrow();
  },

  /** Triaged problems waiting in the queue, spread over the demo's months, food and drug ones first. */
  async dispatchableProblems(db: Queryable, limit: number) {
    const r = await sql<{ id: number; title: string; target_text: string | null; address: string | null; domain_code: string | null; reported_at: Date; route_unit_id: number | null }>`
      select id, title, target_text, address, domain_code, reported_at, (triage -> 'route' ->> 'unitId')::int as route_unit_id
      from (
        select p.*, row_number() over (order by (p.domain_code = 'food_drug') desc nulls last, p.id) as n
        from problem p
        where p.status = 'new' and p.triaged_at is not null and p.reported_at < now() - interval '2 days'
          and cardinality(p.misconduct) = 0 and p.kind_code is distinct from 'praise' and p.domain_code is not null
      ) ranked
      where n <= ${limit}
      order by reported_at`.execute(db);
    return r.rows;
  },
};
