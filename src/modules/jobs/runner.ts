import os from 'node:os';
import { Cron } from 'croner';
import type { Db } from '../../db/client.ts';
import type { Logger } from 'pino';
import { jobsRepo } from './repo.ts';

export const CITY_TIMEZONE = 'Asia/Shanghai';
const LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 60 * 60_000;

/** What a handler is told about its run: signal aborts when the runner has lost the job's lease (another instance may take it). */
export type JobRun = { id: number; signal: AbortSignal };
export type JobHandler = (payload: Record<string, unknown>, run?: JobRun) => Promise<void>;

export function enqueueJob(db: Db, kind: string, payload: Record<string, unknown> = {}, opts: { runAt?: Date; uniqueKey?: string; maxAttempts?: number } = {}) {
  return jobsRepo.enqueue(db, { kind, payload, runAt: opts.runAt ?? new Date(), uniqueKey: opts.uniqueKey ?? null, maxAttempts: opts.maxAttempts ?? 5 });
}

/** 30 s, 1 min, 2 min, … capped at an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 30_000 * 2 ** Math.max(0, attempts - 1));
}

export function nextCronRun(cron: string, after: Date): Date | null {
  return new Cron(cron, { timezone: CITY_TIMEZONE, paused: true }).nextRun(after);
}

/**
 * The database-backed runner every server instance runs: schedules become jobs once per slot
 * (unique key), jobs are claimed with FOR UPDATE SKIP LOCKED and retried with back-off. A claimed job's lease is
 * renewed while it waits and runs; a job whose lease could not be renewed is told (run.signal) and logged.
 */
export function createJobRunner(db: Db, handlers: Record<string, JobHandler>, log: Logger, worker = `${os.hostname()}:${process.pid}`, opts: { leaseMs?: number } = {}) {
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function enqueueDueSchedules(now = new Date()) {
    await db.transaction().execute(async (tx) => {
      for (const s of await jobsRepo.lockDueSchedules(tx)) {
        if (s.next_run_at) {
          await jobsRepo.enqueue(tx, { kind: s.kind, payload: s.payload, runAt: s.next_run_at, uniqueKey: `${s.name}@${s.next_run_at.toISOString()}`, maxAttempts: 3 });
        }
        await jobsRepo.advanceSchedule(tx, s.name, nextCronRun(s.cron, now), s.next_run_at ? now : null);
      }
    });
  }

  async function runDueJobs(limit = 5): Promise<number> {
    const jobs = await jobsRepo.claim(db, worker, limit, leaseMs);
    if (!jobs.length) return 0;
    /** The jobs claimed and not finished yet, with what tells each that its lease is gone. */
    const held = new Map(jobs.map((j) => [j.id, new AbortController()]));
    let renewing: Promise<void> = Promise.resolve();
    const renew = async () => {
      const ids = [...held.keys()];
      if (!ids.length) return;
      const kept = new Set(await jobsRepo.extendLease(db, ids, worker, leaseMs));
      for (const id of ids) {
        const lost = held.get(id);
        if (kept.has(id) || !lost || lost.signal.aborted) continue;
        lost.abort();
        log.error({ jobId: id }, '任务租约已失去：其他实例可能已接手该任务');
      }
    };
    const heartbeat = setInterval(() => {
      renewing = renewing.then(renew).catch((err) => log.warn({ err }, '任务租约续期失败'));
    }, Math.max(10, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    try {
      for (const job of jobs) {
        const handler = handlers[job.kind];
        const controller = held.get(job.id)!;
        if (controller.signal.aborted) {
          held.delete(job.id); // lost while it waited its turn: another instance has it
          continue;
        }
        try {
          if (!handler) throw new Error(`没有处理 ${job.kind} 的任务处理器`);
          await handler(job.payload, { id: job.id, signal: controller.signal });
          if (!(await jobsRepo.complete(db, job.id, worker))) log.error({ jobId: job.id, kind: job.kind }, '任务已完成，但租约已失去，结果未记录');
        } catch (err) {
          const message = (err as Error).message ?? String(err);
          const retryAt = job.attempts < job.max_attempts ? new Date(Date.now() + retryDelayMs(job.attempts)) : null;
          await jobsRepo.fail(db, job.id, worker, message.slice(0, 2000), retryAt);
          log.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, willRetry: !!retryAt }, `任务失败：${message}`);
        } finally {
          held.delete(job.id);
        }
      }
    } finally {
      clearInterval(heartbeat);
      await renewing;
    }
    return jobs.length;
  }

  async function tick() {
    try {
      // one job at a time, looking at the schedules before each: a job due meanwhile is not left behind a long queue
      do await enqueueDueSchedules();
      while ((await runDueJobs(1)) > 0 && timer);
    } catch (err) {
      log.error({ err }, '任务轮询出错');
    }
  }

  return {
    enqueueDueSchedules,
    runDueJobs,
    start(pollMs: number) {
      if (timer) return;
      timer = setInterval(() => {
        if (!running) running = tick().finally(() => (running = null));
      }, pollMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
