import type { AppContext } from '../../context.ts';
import { randomToken, sm3Hex } from '../../lib/crypto.ts';
import { AppError, badRequest, forbidden, notFound, unauthorized } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { hasPermission, userPrincipal, type Actor, type ApiKeyPrincipal, type UserPrincipal } from './access.ts';
import { assertPasswordAllowed, burnVerifyTime, hashPassword, verifyPassword } from './password.ts';
import { authRepo } from './repo.ts';
import { sessionCacheOf } from './session-cache.ts';

const SESSION_TOUCH_EVERY_MS = 60_000;

function formatShanghaiTime(d: Date): string {
  return d.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function createAuthService(ctx: AppContext) {
  const { db, config } = ctx;
  const sessions = sessionCacheOf(db, config.session.cacheMs);

  async function principalFor(userId: number, sessionId: string): Promise<UserPrincipal | null> {
    const user = await authRepo.findUserById(db, userId);
    if (!user || !user.active) return null;
    return {
      kind: 'user',
      userId: user.id,
      username: user.username,
      displayName: user.display_name,
      unitId: user.unit_id,
      mustChangePassword: user.must_change_password,
      sessionId,
      grants: await authRepo.grantsOf(db, user.id),
    };
  }

  // the same words whether or not the user exists: a login form does not tell which usernames are real
  const wrongCredentials = `用户名或密码错误（连续输错 ${config.login.maxFailures} 次将锁定 ${config.login.lockMinutes} 分钟）`;

  return {
    async login(username: string, password: string, ip: string | null, userAgent: string | null) {
      const now = new Date();
      const user = await authRepo.findUserByUsername(db, username);
      if (!user || !user.active) {
        await burnVerifyTime(password);
        throw unauthorized(wrongCredentials);
      }
      if (user.locked_until && user.locked_until > now) {
        throw new AppError(423, 'ACCOUNT_LOCKED', `密码连续错误次数过多，账号已锁定，请于 ${formatShanghaiTime(user.locked_until)} 后再试`);
      }
      const actor: Actor = { principal: null, ip };
      if (!(await verifyPassword(user.password_hash, password))) {
        const failures = user.failed_logins + 1;
        const lock = failures >= config.login.maxFailures;
        const lockedUntil = lock ? new Date(now.getTime() + config.login.lockMinutes * 60_000) : null;
        await db.transaction().execute(async (tx) => {
          await authRepo.recordFailure(tx, user.id, lock ? 0 : failures, lockedUntil);
          await recordAudit(tx, actor, {
            action: lock ? 'auth.lockout' : 'auth.login_failed',
            targetType: 'app_user',
            targetId: user.id,
            unitId: user.unit_id,
            summary: { username: user.username, failures },
          });
        });
        if (lock) throw new AppError(423, 'ACCOUNT_LOCKED', `密码连续错误 ${failures} 次，账号已锁定 ${config.login.lockMinutes} 分钟`);
        throw unauthorized(wrongCredentials);
      }
      const token = randomToken();
      const sessionId = sm3Hex(token);
      await db.transaction().execute(async (tx) => {
        await authRepo.recordSuccess(tx, user.id, now);
        await authRepo.insertSession(tx, {
          id: sessionId,
          userId: user.id,
          expiresAt: new Date(now.getTime() + config.session.maxHours * 3_600_000),
          ip,
          userAgent: userAgent?.slice(0, 300) ?? null,
        });
        // the person who logged in is the one who acted (grants are not needed for the audit row)
        const self: Actor = { principal: { kind: 'user', userId: user.id, username: user.username, displayName: user.display_name, unitId: user.unit_id, mustChangePassword: user.must_change_password, sessionId, grants: [] }, ip };
        await recordAudit(tx, self, { action: 'auth.login', targetType: 'app_user', targetId: user.id, unitId: user.unit_id, summary: { username: user.username } });
      });
      const principal = await principalFor(user.id, sessionId);
      return { token, principal: principal! };
    },

    /** The principal behind a session cookie, or null when the session is unknown, expired or idle too long. */
    async authenticateSession(token: string): Promise<UserPrincipal | null> {
      const id = sm3Hex(token);
      const cached = sessions.get(id);
      if (cached) return cached;
      const generation = sessions.generation;
      const session = await authRepo.sessionWithPrincipal(db, id);
      if (!session) return null;
      const now = Date.now();
      const idleLimit = session.last_seen_at.getTime() + config.session.idleMinutes * 60_000;
      if (session.expires_at.getTime() <= now || idleLimit <= now) {
        await authRepo.deleteSession(db, id);
        return null;
      }
      if (!session.active) return null;
      if (now - session.last_seen_at.getTime() > SESSION_TOUCH_EVERY_MS) await authRepo.touchSession(db, id, new Date(now));
      const principal: UserPrincipal = {
        kind: 'user', userId: session.user_id, username: session.username, displayName: session.display_name, unitId: session.unit_id,
        mustChangePassword: session.must_change_password, sessionId: id, grants: session.grants,
      };
      sessions.set(id, principal, Math.min(session.expires_at.getTime(), now + config.session.idleMinutes * 60_000), generation, now);
      return principal;
    },

    async authenticateApiKey(key: string): Promise<ApiKeyPrincipal | null> {
      const row = await authRepo.findApiKeyByHash(db, sm3Hex(key));
      if (!row || row.revoked_at) return null;
      await authRepo.touchApiKey(db, row.id, new Date());
      return { kind: 'apiKey', keyId: row.id, name: row.name, channel: row.channel_code };
    },

    async logout(actor: Actor) {
      const p = userPrincipal(actor);
      await db.transaction().execute(async (tx) => {
        await authRepo.deleteSession(tx, p.sessionId);
        await recordAudit(tx, actor, { action: 'auth.logout', targetType: 'app_user', targetId: p.userId, unitId: p.unitId });
      });
      sessions.clear();
    },

    async changeOwnPassword(actor: Actor, oldPassword: string, newPassword: string) {
      const p = userPrincipal(actor);
      const user = await authRepo.findUserById(db, p.userId);
      if (!user) throw notFound('用户');
      if (!(await verifyPassword(user.password_hash, oldPassword))) throw new AppError(400, 'VALIDATION', '原密码不正确', [{ field: 'oldPassword', message: '原密码不正确' }]);
      if (oldPassword === newPassword) throw new AppError(400, 'VALIDATION', '新密码不能与原密码相同', [{ field: 'newPassword', message: '新密码不能与原密码相同' }]);
      assertPasswordAllowed(newPassword, config.password, 'newPassword', user.username);
      const hash = await hashPassword(newPassword);
      await db.transaction().execute(async (tx) => {
        await authRepo.setPassword(tx, user.id, hash, false);
        await authRepo.deleteSessionsOf(tx, user.id, p.sessionId);
        await recordAudit(tx, actor, { action: 'auth.password_changed', targetType: 'app_user', targetId: user.id, unitId: user.unit_id });
      });
      sessions.clear();
    },

    async listApiKeys(actor: Actor) {
      if (!hasPermission(actor.principal, 'apikey.manage')) throw forbidden();
      return authRepo.listApiKeys(db);
    },

    /** Returns the key once; only its SM3 hash is stored. */
    async createApiKey(actor: Actor, name: string, channel: string) {
      if (!hasPermission(actor.principal, 'apikey.manage')) throw forbidden();
      if (!(await authRepo.channelExists(db, channel))) throw new AppError(400, 'VALIDATION', `渠道 ${channel} 不存在`, [{ field: 'channel', message: '渠道不存在' }]);
      const key = `zhd_${randomToken(24)}`;
      const row = await db.transaction().execute(async (tx) => {
        const created = await authRepo.insertApiKey(tx, { name, channel, prefix: key.slice(0, 10), hash: sm3Hex(key), createdBy: actor.principal?.kind === 'user' ? actor.principal.userId : null });
        await recordAudit(tx, actor, { action: 'apikey.create', targetType: 'api_key', targetId: created.id, summary: { name, channel } });
        return created;
      });
      return { ...row, key };
    },

    async revokeApiKey(actor: Actor, id: number) {
      if (!hasPermission(actor.principal, 'apikey.manage')) throw forbidden();
      const row = await authRepo.findApiKey(db, id);
      if (!row) throw notFound('接入密钥');
      if (row.revoked_at) throw badRequest('该密钥已吊销');
      await db.transaction().execute(async (tx) => {
        await authRepo.revokeApiKey(tx, id, new Date());
        await recordAudit(tx, actor, { action: 'apikey.revoke', targetType: 'api_key', targetId: id, summary: { name: row.name } });
      });
    },

    cleanupSessions: () => authRepo.deleteStaleSessions(db, new Date(), config.session.idleMinutes),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
