import type { Db } from '../../db/client.ts';
import { rateLimitRepo } from './repo.ts';

type Callback = (err: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store kept in the database, so that every server instance counts the same hits.
 * The plugin constructs it with `new`, so the database comes in through a factory.
 */
export function databaseRateLimitStore(db: Db) {
  return class DatabaseStore {
    constructor(_options?: unknown, private readonly prefix = 'global') {}
    incr(key: string, cb: Callback, timeWindow: number) {
      rateLimitRepo.hit(db, `${this.prefix}|${key}`, timeWindow).then(
        (r) => cb(null, { current: r.hits, ttl: r.ttlMs }),
        (err: Error) => cb(err),
      );
    }
    child(routeOptions: object) {
      const route = (routeOptions as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      return new DatabaseStore(undefined, route ? `${route.method} ${route.url}` : this.prefix);
    }
  };
}
