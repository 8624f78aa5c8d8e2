import type { Services } from './app.ts';
import type { AppContext } from './context.ts';
import type { JobHandler } from './modules/jobs/runner.ts';
import { jobsRepo } from './modules/jobs/repo.ts';
import { intakeRepo } from './modules/intake/repo.ts';
import { STALE_IMPORT_MS } from './modules/intake/pipeline.ts';
import { normalizeReporterPhones } from './modules/intake/service.ts';
import { problemsRepo } from './modules/problems/repo.ts';
import { rateLimitRepo } from './modules/ratelimit/repo.ts';
import { createTriageService } from './modules/triage/service.ts';
import { syncUserDictionary } from './modules/triage/dictionary.ts';
import { SYSTEM_ACTOR } from './modules/auth/access.ts';
import { cityDay } from './lib/calendar.ts';

const KEEP_FINISHED_JOBS_DAYS = 30;
/**
 * Problems triaged per transaction. The embedded database is one connection: every request waits for the batch in
 * hand, which after a large import takes some 30 ms a problem there, so its batches are small.
 */
const TRIAGE_BATCH = { postgres: 500, pglite: 50 } as const;
/**
 * How long one triage job works before it leaves the rest to a follow-up job: the runner runs one job at a time, and
 * the jobs due meanwhile (the stale-import sweep every minute, work-order sweeps) wait for it.
 */
const TRIAGE_BUDGET_MS = 30_000;
/** A search-index pass that rewrote this many problems refreshes the planner's statistics. */
const STATISTICS_AFTER_ROWS = 200;

/** Every job kind the runner knows, by the name stored in job.kind and job_schedule.kind. */
export function jobHandlers(ctx: AppContext, services: Services, opts: { triageBudgetMs?: number; triageBatch?: number } = {}): Record<string, JobHandler> {
  return {
    'auth.cleanupSessions': async () => {
      await services.auth.cleanupSessions();
    },
    'ratelimit.cleanup': async () => {
      await rateLimitRepo.deleteExpired(ctx.db);
    },
    // payload.triaged: how many the runs before this one (of the same backlog) triaged
    'triage.pending': async (payload, run) => {
      // another instance may have changed the user dictionary: segment (search index, hot topics) with the current one
      await syncUserDictionary(ctx);
      const triage = createTriageService(ctx);
      const batch = opts.triageBatch ?? TRIAGE_BATCH[ctx.database.kind];
      const until = Date.now() + (opts.triageBudgetMs ?? TRIAGE_BUDGET_MS);
      let triaged = 0;
      let n: number;
      do {
        n = await triage.triagePending(batch);
        triaged += n;
      } while (n === batch && Date.now() < until && !run?.signal.aborted);
      await services.workOrders.autoDispatch();
      await services.search.indexPending();
      const total = triaged + (Number(payload.triaged) || 0);
      if (n === batch) {
        // more left: a follow-up job, behind the jobs already due; the statistics and rollups wait for the last run
        await jobsRepo.handOn(ctx.db, 'triage.pending', 'triaged', total, 5);
        return;
      }
      if (total > 0) {
        // lists estimate their totals from the planner's statistics: after an import they are out of date
        await problemsRepo.refreshStatistics(ctx.db);
        // what was just imported counts in the rollups, and the risk rules see it
        await services.analytics.refresh();
        await services.risk.detect();
      }
    },
    'search.index': async () => {
      await syncUserDictionary(ctx);
      const indexed = await services.search.indexPending();
      // problems indexed before topic words were stored (after an upgrade), a few thousand a minute
      const backfilled = await services.search.backfillTopicTerms();
      // indexing rewrites each row once: without fresh statistics the planner reads the grown table as twice the rows,
      // and 问题库's "约 N 条" beyond the exact count doubles (the embedded database has no autovacuum)
      if (indexed + backfilled >= STATISTICS_AFTER_ROWS) await problemsRepo.refreshStatistics(ctx.db);
    },
    'search.reindexAll': async () => {
      // after a change of the user dictionary (分拣配置 → 重建检索索引) or of what is indexed (0031): every problem
      // is indexed again, batch by batch, keeping its old index until then
      await syncUserDictionary(ctx);
      await services.search.reindexAll();
    },
    'intake.normalizePhones': async () => {
      // reporters' phones stored before intake normalized them (0033), as `npx zhd db normalize-phones` does
      const counts = await normalizeReporterPhones(ctx);
      ctx.log.info(counts, '反映人电话规范化完成');
    },
    'stats.refresh': async () => {
      await services.analytics.refresh();
    },
    'risk.detect': async () => {
      await services.analytics.refresh();
      await services.risk.detect();
    },
    'report.monthly': async () => {
      await syncUserDictionary(ctx);
      await services.reports.monthlyIfDue();
    },
    'triage.retrain': async (payload) => {
      const target = payload.target === 'kind' ? 'kind' : 'domain';
      await createTriageService(ctx).train(SYSTEM_ACTOR, null, { target, sources: ['网页重新训练'] });
    },
    'intake.failStaleBatches': async () => {
      await intakeRepo.failStale(ctx.db, new Date(Date.now() - STALE_IMPORT_MS), '导入中断（服务停止或进程退出）：重新导入同一文件即可补齐，已入库的记录不会重复');
    },
    'workorder.sweep': async () => {
      await services.workOrders.sweep();
    },
    'outbox.deliver': async () => {
      await services.notifications.deliver();
    },
    // payload.at: the moment to check as (tests); by default now
    'calendar.checkNextYear': async (payload) => {
      const at = typeof payload.at === 'string' ? new Date(payload.at) : new Date();
      const warning = await services.calendar.nextYearWarning(at);
      const nextYear = Number(cityDay(at).slice(0, 4)) + 1;
      if (warning) await services.notifications.notifyAdmins('calendar_missing', '请添加下一年的节假日安排', warning, `calendar-missing:${nextYear}`);
    },
    'jobs.cleanupFinished': async () => {
      await jobsRepo.deleteFinishedBefore(ctx.db, new Date(Date.now() - KEEP_FINISHED_JOBS_DAYS * 86_400_000));
    },
  };
}
