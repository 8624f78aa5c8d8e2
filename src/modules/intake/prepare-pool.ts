import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceRow } from './files.ts';
import type { PreparedBatch, PrepareSetup } from './prepare.ts';

/**
 * Worker threads that prepare rows (prepare.ts) while the importing thread reads the file and writes to the database.
 * One pool per process, started by the first large import and shared by later ones; its threads end after a while
 * without imports. Each import opens a session on it: the channel's setup and the cipher key, sent once per thread.
 */

export type ToWorker =
  | { type: 'open'; session: number; setup: PrepareSetup; keyHex: string }
  | { type: 'batch'; session: number; id: number; rows: SourceRow[] }
  | { type: 'close'; session: number };
export type FromWorker = { type: 'ready' } | { type: 'batch'; id: number; batch: PreparedBatch } | { type: 'failed'; id: number; message: string };

/** Threads for a pool: one per core beyond the one the importing thread runs on, at least one, at most four. */
export const defaultWorkers = () => Math.max(1, Math.min(4, os.availableParallelism() - 1));

const IDLE_MS = 30_000;
/** Batches queued on one thread beyond the one it is working on. */
const QUEUE_PER_WORKER = 2;

type Waiter = { resolve: (b: PreparedBatch) => void; reject: (e: Error) => void };
type Slot = { worker: Worker; ready: boolean; queued: Map<number, Waiter>; opened: Set<number> };

export interface PrepareSession {
  /** True once at least one thread has started (loading takes a few hundred milliseconds). */
  readonly ready: boolean;
  /** Resolves when a thread has started, or rejects if none could. */
  whenReady(): Promise<void>;
  /** Batches that may be waiting for results at once before the importing thread should wait for the oldest. */
  readonly capacity: number;
  run(rows: SourceRow[]): Promise<PreparedBatch>;
  close(): void;
}

class PreparePool {
  #slots: Slot[] = [];
  #nextId = 1;
  #nextSession = 1;
  #openSessions = 0;
  #idle: NodeJS.Timeout | null = null;
  #readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  #spawn(): Slot {
    const worker = new Worker(new URL('./prepare-worker.js', import.meta.url), { execArgv: [] });
    const slot: Slot = { worker, ready: false, queued: new Map(), opened: new Set() };
    const fail = (err: Error) => {
      if (!this.#slots.includes(slot)) return;
      this.#slots = this.#slots.filter((s) => s !== slot);
      for (const w of slot.queued.values()) w.reject(err);
      slot.queued.clear();
      if (!this.#slots.length) for (const w of this.#readyWaiters.splice(0)) w.reject(err);
      void worker.terminate();
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        slot.ready = true;
        for (const w of this.#readyWaiters.splice(0)) w.resolve();
        return;
      }
      const waiter = slot.queued.get(m.id);
      slot.queued.delete(m.id);
      if (m.type === 'batch') waiter?.resolve(m.batch);
      else waiter?.reject(new Error(m.message));
    });
    worker.on('error', (e) => fail(new Error(`导入工作线程出错：${e.message}`)));
    worker.on('messageerror', (e) => fail(new Error(`导入工作线程消息无法解析：${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`导入工作线程意外退出（${code}）`)));
    if (!this.#openSessions) worker.unref();
    return slot;
  }

  open(size: number, setup: PrepareSetup, keyHex: string): PrepareSession {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    // while an import is running, its threads keep the process alive
    if (this.#openSessions++ === 0) for (const s of this.#slots) s.worker.ref();
    while (this.#slots.length < size) this.#slots.push(this.#spawn());
    const id = this.#nextSession++;
    const pool = this;
    let closed = false;
    return {
      get ready() {
        return pool.#slots.some((s) => s.ready);
      },
      whenReady() {
        if (this.ready) return Promise.resolve();
        if (!pool.#slots.length) return Promise.reject(new Error('导入工作线程无法启动'));
        return new Promise((resolve, reject) => pool.#readyWaiters.push({ resolve, reject }));
      },
      get capacity() {
        return Math.max(1, pool.#slots.filter((s) => s.ready).length) * (QUEUE_PER_WORKER + 1);
      },
      run(rows) {
        const ready = pool.#slots.filter((s) => s.ready);
        if (!ready.length) return Promise.reject(new Error('导入工作线程不可用'));
        const slot = ready.reduce((a, b) => (b.queued.size < a.queued.size ? b : a));
        if (!slot.opened.has(id)) {
          slot.opened.add(id);
          slot.worker.postMessage({ type: 'open', session: id, setup, keyHex } satisfies ToWorker);
        }
        const batchId = pool.#nextId++;
        return new Promise<PreparedBatch>((resolve, reject) => {
          slot.queued.set(batchId, { resolve, reject });
          try {
            slot.worker.postMessage({ type: 'batch', session: id, id: batchId, rows } satisfies ToWorker);
          } catch (e) {
            slot.queued.delete(batchId); // a value that cannot be sent to a thread
            reject(e);
          }
        });
      },
      close() {
        if (closed) return;
        closed = true;
        for (const s of pool.#slots) {
          if (s.opened.delete(id)) s.worker.postMessage({ type: 'close', session: id } satisfies ToWorker);
        }
        if (--pool.#openSessions === 0) pool.#idleSoon();
      },
    };
  }

  #idleSoon() {
    for (const s of this.#slots) s.worker.unref();
    this.#idle = setTimeout(() => {
      this.#idle = null;
      if (this.#openSessions) return;
      const slots = this.#slots;
      this.#slots = [];
      for (const s of slots) void s.worker.terminate();
    }, IDLE_MS);
    this.#idle.unref();
  }
}

export const preparePool = new PreparePool();
