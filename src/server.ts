import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, createServices } from './app.ts';
import type { Config } from './lib/config.ts';
import { jobHandlers } from './jobs.ts';
import { createJobRunner, enqueueJob } from './modules/jobs/runner.ts';
import { cityDay } from './lib/calendar.ts';
import { startAuditSealer } from './modules/audit/sealer.ts';
import { startUserDictionarySync, syncUserDictionary } from './modules/triage/dictionary.ts';
import { demoLoginHelp, isEmptyOrganization, seedDemo } from './modules/seed/service.ts';
import { openRuntime } from './runtime.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

/** `npm start`: lock (embedded), migrate, seed the demo city on first start, serve API + web, run jobs. */
export async function serve(config: Config): Promise<void> {
  const runtime = await openRuntime(config, { purpose: '智慧督服务器', port: config.port });
  const { ctx } = runtime;
  const log = ctx.log;
  let firstStart = false;
  if (config.demoSeed && (await isEmptyOrganization(ctx))) {
    log.info('首次启动：正在导入演示城市与示例数据…');
    await seedDemo(ctx);
    firstStart = true;
  }
  await syncUserDictionary(ctx);
  const stopDictionarySync = startUserDictionarySync(ctx);
  const app = await buildApp(ctx, { webDir: WEB_DIST });
  const runner = createJobRunner(ctx.db, jobHandlers(ctx, createServices(ctx)), log);
  const sealer = startAuditSealer(ctx.db, log);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`收到 ${signal}，正在停止…`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      stopDictionarySync();
      await app.close();
      await runner.stop();
      await sealer.stop();
      await runtime.close(); // CHECKPOINT and close the embedded database, then release the lock
      log.info('已安全停止');
      process.exit(0);
    } catch (err) {
      log.error({ err }, '停止时出错');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  // the daily check for next year's calendar also runs at start (once a day), so a server installed or restarted in
  // November or December warns its admins now rather than at the next 9:00
  await enqueueJob(ctx.db, 'calendar.checkNextYear', {}, { uniqueKey: `calendar-check-at-start:${cityDay(new Date())}` });
  runner.start(config.jobPollMs);
  log.info(`智慧督已启动：http://localhost:${config.port}（数据库：${ctx.database.label}）`);
  if (firstStart) process.stdout.write(`\n${demoLoginHelp(config.port)}\n\n`);
}
