import type { Logger } from 'pino';
import type { Db } from '../../db/client.ts';
import { auditRepo } from './repo.ts';
import { sealAuditChain } from './service.ts';

/** How often each server instance looks for committed audit rows to seal: the longest a row stays unchained. */
export const AUDIT_SEAL_POLL_MS = 200;

/**
 * Every server instance runs one: it probes for unsealed rows (one index lookup) and seals them; instances take
 * turns through the sealer lock. `stop` waits for a seal in progress.
 */
export function startAuditSealer(db: Db, log: Logger, pollMs = AUDIT_SEAL_POLL_MS) {
  let running: Promise<void> | null = null;
  const tick = async () => {
    try {
      if (await auditRepo.hasUnsealed(db)) await sealAuditChain(db);
    } catch (err) {
      log.error({ err }, '审计日志封存失败，稍后重试');
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = null;
    });
  }, pollMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
