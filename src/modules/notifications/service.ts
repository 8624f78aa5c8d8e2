import { CITY_WIDE_PERMISSIONS } from '../auth/access.ts';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { maskPersonalNumbers } from '../../lib/crypto.ts';
import { textMasker } from '../problems/masking.ts';
import { settingsRepo } from '../settings/repo.ts';
import { notificationsRepo } from './repo.ts';
import { senderFromConfig, type Sender } from './senders.ts';

export type Notice = { userIds: number[]; kind: string; title: string; body?: string; workOrderId?: number | null; dedupeKey?: string | null; sms?: boolean };

const DELIVER_BATCH = 50;
const BACKOFF_BASE_MS = 60_000;

/**
 * Puts a notice in each person's inbox and, when asked, an SMS in the outbox; both once per dedupe key. Phone and ID
 * numbers in its texts (a citizen's title, a reason quoting one) are masked, left out for a 保密 report's work order.
 */
export async function notify(tx: Tx, given: Notice): Promise<void> {
  const mask = textMasker(given.workOrderId != null && (await notificationsRepo.orderConfidential(tx, given.workOrderId)), false);
  const n = { ...given, title: mask(given.title), ...(given.body != null && { body: mask(given.body) }) };
  const userIds = [...new Set(n.userIds)];
  await notificationsRepo.insertNotifications(tx, userIds.map((user_id) => ({ user_id, kind: n.kind, title: n.title, body: n.body ?? '', work_order_id: n.workOrderId ?? null, dedupe_key: n.dedupeKey ?? null })));
  if (n.sms) {
    await notificationsRepo.insertOutbox(tx, userIds.map((user_id) => ({ channel: 'sms' as const, user_id, subject: n.title, body: n.body ?? n.title, dedupe_key: n.dedupeKey ? `${n.dedupeKey}:${user_id}` : null })));
  }
}

export function createNotificationsService(ctx: AppContext, sender: Sender = senderFromConfig(ctx.config, ctx.log)) {
  const { db } = ctx;
  return {
    // notices stored before notify() masked numbers are shown masked too
    inbox: async (userId: number, limit: number, offset: number, unreadOnly = false) => {
      const { rows, unread } = await notificationsRepo.inbox(db, userId, limit, offset, unreadOnly);
      return { rows: rows.map((r) => ({ ...r, title: maskPersonalNumbers(r.title), body: maskPersonalNumbers(r.body) })), unread };
    },
    markRead: (userId: number, ids: number[] | 'all') => notificationsRepo.markRead(db, userId, ids),
    /** A notice to every administrator, once per dedupe key. */
    async notifyAdmins(kind: string, title: string, body: string, dedupeKey: string) {
      // the admins who can act on it: reference data is city-wide (a district's admin cannot add a year)
      const userIds = await notificationsRepo.usersWithPermission(db, 'reference.manage', CITY_WIDE_PERMISSIONS.has('reference.manage'));
      await db.transaction().execute((tx) => notify(tx, { userIds, kind, title, body, dedupeKey }));
    },
    outbox: (state: 'pending' | 'sent' | 'failed' | undefined, limit: number) => notificationsRepo.outboxList(db, state, limit),

    /**
     * Sends what is due. Each message is locked while it is sent (SKIP LOCKED), so two instances never send one
     * message twice; a failure waits 1, 2, 4… minutes, and after the last attempt the message is marked failed.
     */
    async deliver(now = new Date()): Promise<{ sent: number; failed: number }> {
      const maxAttempts = Number((await settingsRepo.get(db, 'outbox.max_attempts')) ?? 8);
      let sent = 0;
      let failed = 0;
      for (;;) {
        const n = await db.transaction().execute(async (tx) => {
          const due = await notificationsRepo.claimDue(tx, now, DELIVER_BATCH);
          for (const m of due) {
            const user = m.user_id ? await notificationsRepo.userName(tx, m.user_id) : undefined;
            try {
              await sender.send({ id: m.id, channel: m.channel, userId: m.user_id, username: user?.username ?? null, address: user?.phone_enc ? ctx.cipher.decrypt(user.phone_enc) : null, subject: maskPersonalNumbers(m.subject), body: maskPersonalNumbers(m.body) }); // also for messages queued before notify() masked them
              await notificationsRepo.markSent(tx, m.id, now);
              sent++;
            } catch (e) {
              const attempts = m.attempts + 1;
              const next = attempts >= maxAttempts ? null : new Date(now.getTime() + BACKOFF_BASE_MS * 2 ** (attempts - 1));
              await notificationsRepo.markFailedAttempt(tx, m.id, (e as Error).message, next);
              failed++;
            }
          }
          return due.length;
        });
        if (n < DELIVER_BATCH) break;
      }
      return { sent, failed };
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
