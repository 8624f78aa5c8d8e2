import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';

export const rateLimitRepo = {
  /** Counts one hit in the key's fixed window, opening a new window when the old one has ended. */
  async hit(db: Queryable, key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
    const { rows } = await sql<{ hits: number; ttl_ms: number }>`
      insert into rate_limit (key, hits, window_end)
      values (${key}, 1, now() + ${windowMs} * interval '1 millisecond')
      on conflict (key) do update set
        hits = case when rate_limit.window_end <= now() then 1 else rate_limit.hits + 1 end,
        window_end = case when rate_limit.window_end <= now() then excluded.window_end else rate_limit.window_end end
      returning hits, (extract(epoch from (window_end - now())) * 1000)::integer as ttl_ms`.execute(db);
    return { hits: rows[0]!.hits, ttlMs: Math.max(0, rows[0]!.ttl_ms) };
  },

  async deleteExpired(db: Queryable): Promise<number> {
    const r = await db.deleteFrom('rate_limit').where('window_end', '<', new Date()).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
