import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Named prepared statements for the queries the platform runs again and again (the session check, the inbox, the
 * work-order page…). Unnamed statements are parsed and planned on every call, which on a small machine costs more
 * than running them (a work-order page: about 1 ms of planning for 0.4 ms of work); a named one is parsed once per
 * connection and, after five runs, PostgreSQL keeps a generic plan when it is no worse than the custom ones.
 *
 * A statement is named on its second sighting, so one-off queries (migrations, backups, ad-hoc reports) never are,
 * and at most `limit` different texts are named per process, so a query built with varying text cannot fill the
 * server's memory. Only statements with parameters are named: they go through the extended protocol already,
 * which admits one statement per text.
 */
export class StatementNames {
  private readonly seen = new Map<string, number>();
  private readonly named = new Map<string, string>();

  constructor(private readonly limit = 400) {}

  nameFor(text: string): string | undefined {
    const known = this.named.get(text);
    if (known || this.named.size >= this.limit) return known;
    const count = (this.seen.get(text) ?? 0) + 1;
    if (count < 2) {
      if (this.seen.size >= this.limit * 10) this.seen.clear();
      this.seen.set(text, count);
      return undefined;
    }
    this.seen.delete(text);
    const name = `zhd_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    this.named.set(text, name);
    return name;
  }

  get size(): number {
    return this.named.size;
  }
}

type QueryFn = (...args: unknown[]) => unknown;

/** Makes every client of the pool send its repeated parameterised queries as named prepared statements. */
export function prepareRepeatedStatements(pool: pg.Pool, names = new StatementNames()): StatementNames {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
        const name = names.nameFor(text);
        if (name) return query({ name, text, values });
      }
      return query(...args);
    };
  });
  return names;
}
