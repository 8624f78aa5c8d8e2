import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Kysely over embedded PGlite. PGlite is one connection, so a mutex hands it to one Kysely
 * connection at a time: a transaction holds it from BEGIN to COMMIT.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

/**
 * PGlite runs each query on this thread and settles its promise without any I/O, so a job issuing query after query
 * (triage of a large import: tens of minutes) would run as one unbroken chain of microtasks and no request would be
 * read meanwhile. After this long without a turn of the event loop, the next query waits for one.
 */
const MAX_BUSY_MS = 20;
let busySince = performance.now();
const turnOfEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
async function letOthersIn(): Promise<void> {
  if (performance.now() - busySince < MAX_BUSY_MS) return;
  await turnOfEventLoop();
  busySince = performance.now();
}

class PgliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    await letOthersIn();
    if (compiled.parameters.length === 0 && /;\s*\S/.test(compiled.sql)) {
      // A script of several statements (migrations): simple protocol, last result wins.
      const results = await this.pg.exec(compiled.sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], numAffectedRows: BigInt(last?.affectedRows ?? 0) };
    }
    const result = await this.pg.query<R>(compiled.sql, compiled.parameters as unknown[]);
    return { rows: result.rows, numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite 不支持流式查询');
  }
}

class PgliteDriver implements Driver {
  readonly #connection: PgliteConnection;
  readonly #releases = new WeakMap<DatabaseConnection, () => void>();
  constructor(pg: PGlite, private readonly mutex: Mutex) {
    this.#connection = new PgliteConnection(pg);
  }
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.mutex.acquire();
    // One object per checkout so a release always matches its acquire.
    const connection = Object.create(this.#connection) as PgliteConnection;
    this.#releases.set(connection, release);
    return connection;
  }
  async beginTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(c: DatabaseConnection) {
    this.#releases.get(c)?.();
    this.#releases.delete(c);
  }
  async destroy() {}
}

export class PgliteDialect implements Dialect {
  constructor(private readonly pg: PGlite, private readonly mutex: Mutex) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return new PgliteDriver(this.pg, this.mutex);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
