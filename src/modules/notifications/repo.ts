import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';

export type OutboxMessage = { id: number; channel: 'sms' | 'wechat' | 'mail'; user_id: number | null; subject: string; body: string; attempts: number };

export const notificationsRepo = {
  /** Whether the problem of a work order is a 保密 report. */
  async orderConfidential(tx: Tx, workOrderId: number) {
    const r = await tx.selectFrom('work_order').innerJoin('problem', 'problem.id', 'work_order.problem_id').select('problem.confidential').where('work_order.id', '=', workOrderId).executeTakeFirst();
    return r?.confidential ?? false;
  },

  insertNotifications(tx: Tx, rows: { user_id: number; kind: string; title: string; body: string; work_order_id: number | null; dedupe_key: string | null }[]) {
    if (!rows.length) return Promise.resolve();
    return tx.insertInto('notification').values(rows).onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing()).execute();
  },

  insertOutbox(tx: Tx, rows: { channel: 'sms' | 'wechat' | 'mail'; user_id: number; subject: string; body: string; dedupe_key: string | null }[]) {
    if (!rows.length) return Promise.resolve();
    return tx.insertInto('outbox').values(rows).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
  },

  inbox(db: Queryable, userId: number, limit: number, offset: number, unreadOnly: boolean) {
    let q = db.selectFrom('notification').where('user_id', '=', userId);
    if (unreadOnly) q = q.where('read_at', 'is', null);
    return Promise.all([
      q.select(['id', 'kind', 'title', 'body', 'work_order_id', 'created_at', 'read_at']).orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      db.selectFrom('notification').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirstOrThrow(),
    ]).then(([rows, unread]) => ({ rows, unread: unread.n }));
  },

  markRead(db: Queryable, userId: number, ids: number[] | 'all') {
    let q = db.updateTable('notification').set({ read_at: new Date() }).where('user_id', '=', userId).where('read_at', 'is', null);
    if (ids !== 'all') q = q.where('id', 'in', ids.length ? ids : [0]);
    return q.executeTakeFirst();
  },

  /** Locks due messages no other instance is sending. */
  claimDue(tx: Tx, now: Date, limit: number) {
    return sql<OutboxMessage>`
      select id, channel, user_id, subject, body, attempts from outbox
      where state = 'pending' and next_attempt_at <= ${now}
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked`.execute(tx).then((r) => r.rows);
  },

  markSent(tx: Tx, id: number, now: Date) {
    return tx.updateTable('outbox').set({ state: 'sent', sent_at: now, attempts: sql`attempts + 1` as never, last_error: null }).where('id', '=', id).execute();
  },

  markFailedAttempt(tx: Tx, id: number, error: string, next: Date | null) {
    return tx
      .updateTable('outbox')
      .set({ attempts: sql`attempts + 1` as never, last_error: error.slice(0, 500), ...(next ? { next_attempt_at: next } : { state: 'failed' as const }) })
      .where('id', '=', id)
      .execute();
  },

  outboxList(db: Queryable, state: 'pending' | 'sent' | 'failed' | undefined, limit: number) {
    let q = db.selectFrom('outbox').select(['id', 'channel', 'user_id', 'subject', 'state', 'attempts', 'next_attempt_at', 'last_error', 'sent_at', 'created_at']);
    if (state) q = q.where('state', '=', state);
    return q.orderBy('id', 'desc').limit(limit).execute();
  },

  /** Active users holding a permission; a city-wide one (auth/access.ts) only through a grant on a top unit. */
  async usersWithPermission(db: Queryable, permission: string, cityWide: boolean) {
    const r = await sql<{ id: number }>`
      select distinct u.id from app_user u join role_grant g on g.user_id = u.id join role r on r.code = g.role join unit un on un.id = g.unit_id
      where u.active and ${permission} = any(r.permissions)
        and (${!cityWide} or cardinality(array_remove(string_to_array(un.path, '/'), '')) = 1)`.execute(db);
    return r.rows.map((x) => x.id);
  },

  userName(db: Queryable, id: number) {
    return db.selectFrom('app_user').select(['username', 'display_name', 'phone_enc']).where('id', '=', id).executeTakeFirst();
  },
};
