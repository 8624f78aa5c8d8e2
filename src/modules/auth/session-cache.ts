import type { UserPrincipal } from './access.ts';

/**
 * Sessions checked a moment ago, so that a burst of requests with one cookie costs one database lookup, not one each.
 * An entry lives at most `ttlMs` (config `ZHD_SESSION_CACHE_MS`, 0 turns it off) and never past the session's own
 * expiry. This instance forgets at once what it changes itself (logout, password, users, units, grants); a change
 * made through another instance is seen here within `ttlMs`.
 */
export class SessionCache {
  readonly #entries = new Map<string, { principal: UserPrincipal; until: number }>();
  /** Bumped by every change: a lookup that began before it must not store what it read. */
  #generation = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries = 10_000,
  ) {}

  get generation() {
    return this.#generation;
  }

  get(sessionId: string, now = Date.now()): UserPrincipal | null {
    const hit = this.#entries.get(sessionId);
    if (!hit) return null;
    if (hit.until > now) return hit.principal;
    this.#entries.delete(sessionId);
    return null;
  }

  /** Keeps a principal read from the database, unless something changed since `generation` was taken. */
  set(sessionId: string, principal: UserPrincipal, notAfter: number, generation: number, now = Date.now()) {
    if (this.ttlMs <= 0 || generation !== this.#generation) return;
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(sessionId, { principal, until: Math.min(now + this.ttlMs, notAfter) });
  }

  /** After a change to users, units, grants or sessions: nothing cached survives it. */
  clear() {
    this.#generation++;
    this.#entries.clear();
  }
}

const caches = new WeakMap<object, SessionCache>();

/** The cache of one database (tests run several in one process). */
export function sessionCacheOf(db: object, ttlMs: number): SessionCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new SessionCache(ttlMs)));
  return cache;
}
