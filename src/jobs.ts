import type { Services } from './app.ts';
import type { AppContext } from './context.ts';
import type { JobHandler } from './modules/jobs/runner.ts';
import { jobsRepo } from './modules/jobs/repo.ts';
import { rateLimitRepo } from './modules/ratelimit/repo.ts';

const KEEP_FINISHED_JOBS_DAYS = 30;

/** Every job kind the runner knows, by the name stored in job.kind and job_schedule.kind. */
export function jobHandlers(ctx: AppContext, services: Services): Record<string, JobHandler> {
  return {
    'auth.cleanupSessions': async () => {
      await services.auth.cleanupSessions();
    },
    'ratelimit.cleanup': async () => {
      await rateLimitRepo.deleteExpired(ctx.db);
    },
    'jobs.cleanupFinished': async () => {
      await jobsRepo.deleteFinishedBefore(ctx.db, new Date(Date.now() - KEEP_FINISHED_JOBS_DAYS * 86_400_000));
    },
  };
}
