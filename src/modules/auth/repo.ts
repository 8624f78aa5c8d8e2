import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';
import type { Grant } from './access.ts';

export const authRepo = {
  findUserByUsername(db: Queryable, username: string) {
    return db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
  },

  findUserById(db: Queryable, id: number) {
    return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async grantsOf(db: Queryable, userId: number): Promise<Grant[]> {
    const rows = await db
      .selectFrom('role_grant')
      .innerJoin('role', 'role.code', 'role_grant.role')
      .innerJoin('unit', 'unit.id', 'role_grant.unit_id')
      .select(['role_grant.role', 'role_grant.unit_id', 'unit.path', 'unit.name', 'role.permissions'])
      .where('role_grant.user_id', '=', userId)
      .where('unit.active', '=', true)
      .orderBy('role_grant.id')
      .execute();
    return rows.map((r) => ({ role: r.role, unitId: r.unit_id, unitPath: r.path, unitName: r.name, permissions: r.permissions }));
  },

  recordFailure(db: Queryable, userId: number, failures: number, lockedUntil: Date | null) {
    return db.updateTable('app_user').set({ failed_logins: failures, locked_until: lockedUntil }).where('id', '=', userId).execute();
  },

  recordSuccess(db: Queryable, userId: number, at: Date) {
    return db.updateTable('app_user').set({ failed_logins: 0, locked_until: null, last_login_at: at }).where('id', '=', userId).execute();
  },

  setPassword(db: Queryable, userId: number, hash: string, mustChange: boolean) {
    return db
      .updateTable('app_user')
      .set({ password_hash: hash, password_changed_at: new Date(), must_change_password: mustChange, failed_logins: 0, locked_until: null, updated_at: new Date() })
      .where('id', '=', userId)
      .execute();
  },

  insertSession(db: Queryable, s: { id: string; userId: number; expiresAt: Date; ip: string | null; userAgent: string | null }) {
    return db.insertInto('user_session').values({ id: s.id, user_id: s.userId, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent, last_seen_at: new Date() }).execute();
  },

  /** A session with its active user and the user's grants, in one round trip (every request asks this). */
  async sessionWithPrincipal(db: Queryable, id: string) {
    const r = await sql<{ last_seen_at: Date; expires_at: Date; user_id: number; username: string; display_name: string; unit_id: number; must_change_password: boolean; active: boolean; grants: { role: string; unit_id: number; path: string; name: string; permissions: string[] }[] }>`
      select s.last_seen_at, s.expires_at, u.id as user_id, u.username, u.display_name, u.unit_id, u.must_change_password, u.active,
             coalesce((select json_agg(json_build_object('role', g.role, 'unit_id', g.unit_id, 'path', un.path, 'name', un.name, 'permissions', r.permissions) order by g.id)
                       from role_grant g join role r on r.code = g.role join unit un on un.id = g.unit_id
                       where g.user_id = u.id and un.active), '[]') as grants
      from user_session s join app_user u on u.id = s.user_id
      where s.id = ${id}`.execute(db);
    const row = r.rows[0];
    if (!row) return undefined;
    return { ...row, last_seen_at: new Date(row.last_seen_at), expires_at: new Date(row.expires_at), grants: row.grants.map((g) => ({ role: g.role, unitId: g.unit_id, unitPath: g.path, unitName: g.name, permissions: g.permissions })) as Grant[] };
  },

  touchSession(db: Queryable, id: string, at: Date) {
    return db.updateTable('user_session').set({ last_seen_at: at }).where('id', '=', id).execute();
  },

  deleteSession(db: Queryable, id: string) {
    return db.deleteFrom('user_session').where('id', '=', id).execute();
  },

  deleteSessionsOf(db: Queryable, userId: number, exceptId?: string) {
    let q = db.deleteFrom('user_session').where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return q.execute();
  },

  async deleteStaleSessions(db: Queryable, now: Date, idleMinutes: number): Promise<number> {
    const idleBefore = new Date(now.getTime() - idleMinutes * 60_000);
    const r = await db
      .deleteFrom('user_session')
      .where((eb) => eb.or([eb('expires_at', '<', now), eb('last_seen_at', '<', idleBefore)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  insertApiKey(db: Queryable, k: { name: string; channel: string; prefix: string; hash: string; createdBy: number | null }) {
    return db
      .insertInto('api_key')
      .values({ name: k.name, channel_code: k.channel, prefix: k.prefix, key_hash: k.hash, created_by: k.createdBy })
      .returning(['id', 'name', 'channel_code', 'prefix', 'created_at'])
      .executeTakeFirstOrThrow();
  },

  findApiKeyByHash(db: Queryable, hash: string) {
    return db.selectFrom('api_key').selectAll().where('key_hash', '=', hash).executeTakeFirst();
  },

  findApiKey(db: Queryable, id: number) {
    return db.selectFrom('api_key').selectAll().where('id', '=', id).executeTakeFirst();
  },

  listApiKeys(db: Queryable) {
    return db
      .selectFrom('api_key')
      .innerJoin('channel', 'channel.code', 'api_key.channel_code')
      .select(['api_key.id', 'api_key.name', 'api_key.channel_code', 'channel.name as channel_name', 'api_key.prefix', 'api_key.created_at', 'api_key.last_used_at', 'api_key.revoked_at'])
      .orderBy('api_key.id', 'desc')
      .execute();
  },

  revokeApiKey(db: Queryable, id: number, at: Date) {
    return db.updateTable('api_key').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  },

  touchApiKey(db: Queryable, id: number, at: Date) {
    return db.updateTable('api_key').set({ last_used_at: at }).where('id', '=', id).execute();
  },

  channelExists(db: Queryable, code: string) {
    return db.selectFrom('channel').select('code').where('code', '=', code).executeTakeFirst();
  },
};
