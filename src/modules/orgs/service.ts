import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import type { UnitKind } from '../../db/types.ts';
import { maskPhone, normalizePhone } from '../../lib/crypto.ts';
import { AppError, conflict, fieldError, forbidden, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, assertOnUnit, canOnUnit, isTopUnit, scopePaths, type Actor } from '../auth/access.ts';
import { assertPasswordAllowed, hashPassword } from '../auth/password.ts';
import { sessionCacheOf } from '../auth/session-cache.ts';
import { orgsRepo } from './repo.ts';

export type UnitInput = { name: string; kind: UnitKind; parentId: number | null; regionCode?: string | null; domains?: string[]; sort?: number };
export type UnitPatch = Partial<Omit<UnitInput, 'parentId'>> & { parentId?: number; active?: boolean };
export type UserInput = { username: string; displayName: string; unitId: number; phone?: string | null; password: string };
export type UserPatch = { displayName?: string; unitId?: number; phone?: string | null; active?: boolean; unlock?: boolean };

export function createOrgsService(ctx: AppContext) {
  const { db, cipher, config } = ctx;
  const sessions = sessionCacheOf(db, config.session.cacheMs);
  /** A change to units, users or grants: sessions checked before it are checked again (this instance at once). */
  const changingAccess = async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    try {
      return await db.transaction().execute(work);
    } finally {
      sessions.clear();
    }
  };

  async function unitOrFail(id: number) {
    const unit = await orgsRepo.findUnit(db, id);
    if (!unit) throw notFound(`单位 ${id} `);
    return unit;
  }

  async function checkRegion(code: string | null | undefined) {
    if (code && !(await orgsRepo.findRegion(db, code))) throw fieldError('regionCode', `行政区划代码 ${code} 不存在`);
  }

  function sealPhone(phone: string | null | undefined) {
    if (phone === undefined) return {};
    if (phone === null || phone === '') return { phone_enc: null, phone_mask: null };
    const normalized = normalizePhone(phone);
    if (!normalized) throw fieldError('phone', '手机号或固定电话格式不正确');
    return { phone_enc: cipher.encrypt(normalized), phone_mask: maskPhone(normalized) };
  }

  /** Users the actor may read: those whose unit is inside the actor's org.read scope. */
  async function readableUser(actor: Actor, id: number) {
    const user = await orgsRepo.findUserWithUnit(db, id);
    if (!user || !canOnUnit(actor.principal, 'org.read', user.unit_path)) throw notFound(`用户 ${id} `);
    return user;
  }

  return {
    listRegions: () => orgsRepo.listRegions(db),

    /**
     * The names a region was known by before (芜湖县 for 湾沚区), which intake matches in districts and addresses like
     * its name. A name may belong to one region only, as its name or a former one: otherwise a report would be matched
     * to whichever came first. Takes effect for the next import (each import reads the regions when it starts).
     */
    async setRegionFormerNames(actor: Actor, code: string, written: string[]) {
      const names = [...new Set(written.map((n) => n.trim()).filter(Boolean))];
      return db.transaction().execute(async (tx) => {
        const regions = await orgsRepo.listRegions(tx);
        const region = regions.find((r) => r.code === code);
        if (!region) throw notFound(`行政区划 ${code} `);
        for (const name of names) {
          if (name === region.name) throw fieldError('formerNames', `“${name}”是这个区划现在的名称，不必作为旧名`);
          const other = regions.find((r) => r.code !== code && (r.name === name || r.former_names.includes(name)));
          if (other) throw fieldError('formerNames', `“${name}”已是“${other.name}”的${other.name === name ? '名称' : '旧名'}，同一个名称只能属于一个区划`);
        }
        await orgsRepo.setRegionFormerNames(tx, code, names);
        await recordAudit(tx, actor, { action: 'region.former_names', targetType: 'region', targetId: code, summary: { name: region.name, before: region.former_names, after: names } });
        return { code, name: region.name, former_names: names };
      });
    },
    listRoles: () => orgsRepo.listRoles(db),

    listUnits(actor: Actor) {
      return orgsRepo.listUnitsUnder(db, scopePaths(actor.principal, 'org.read'));
    },

    async getUnit(actor: Actor, id: number) {
      const unit = await orgsRepo.findUnit(db, id);
      if (!unit || !canOnUnit(actor.principal, 'org.read', unit.path)) throw notFound(`单位 ${id} `);
      return unit;
    },

    async createUnit(actor: Actor, input: UnitInput) {
      if (input.parentId === null) {
        // A new root is a new tree: only someone who manages a root may add one.
        if (!scopePaths(actor.principal, 'org.manage').some(isTopUnit)) throw forbidden('只有市级管理员可以新建顶级单位');
      }
      const parent = input.parentId === null ? null : await unitOrFail(input.parentId);
      if (parent) assertOnUnit(actor, 'org.manage', parent.path, '上级单位');
      await checkRegion(input.regionCode);
      if (await orgsRepo.findUnitByName(db, input.parentId, input.name)) throw conflict(`同一上级单位下已有名为“${input.name}”的单位`, [{ field: 'name', message: '名称重复' }]);
      return db.transaction().execute(async (tx) => {
        const created = await orgsRepo.insertUnit(tx, {
          name: input.name,
          kind: input.kind,
          parentId: input.parentId,
          parentPath: parent?.path ?? '/',
          regionCode: input.regionCode ?? parent?.region_code ?? null,
          domains: input.domains ?? [],
          sort: input.sort ?? 0,
        });
        await recordAudit(tx, actor, { action: 'unit.create', targetType: 'unit', targetId: created.id, unitId: created.id, summary: { name: input.name, parentId: input.parentId } });
        return created;
      });
    },

    async updateUnit(actor: Actor, id: number, patch: UnitPatch) {
      const unit = await unitOrFail(id);
      assertOnUnit(actor, 'org.manage', unit.path);
      await checkRegion(patch.regionCode);
      let newParentPath: string | null = null;
      if (patch.parentId !== undefined && patch.parentId !== unit.parent_id) {
        const parent = await unitOrFail(patch.parentId);
        assertOnUnit(actor, 'org.manage', parent.path, '新的上级单位');
        if (parent.path.startsWith(unit.path)) throw fieldError('parentId', '不能把单位移到它自己或它的下级单位之下');
        newParentPath = parent.path;
      }
      if (patch.active === false) {
        const { n } = await orgsRepo.countActiveUsersUnder(db, unit.path);
        if (n > 0) throw conflict(`该单位及其下级还有 ${n} 名在用人员，请先调出或停用`);
      }
      if (patch.name && patch.name !== unit.name && (await orgsRepo.findUnitByName(db, patch.parentId ?? unit.parent_id, patch.name))) {
        throw conflict(`同一上级单位下已有名为“${patch.name}”的单位`, [{ field: 'name', message: '名称重复' }]);
      }
      await changingAccess(async (tx) => {
        await orgsRepo.updateUnit(tx, id, {
          name: patch.name,
          kind: patch.kind,
          region_code: patch.regionCode,
          domains: patch.domains,
          sort: patch.sort,
          active: patch.active,
          parent_id: newParentPath ? patch.parentId : undefined,
        });
        if (newParentPath) await orgsRepo.movePaths(tx, unit.path, `${newParentPath}${id}/`);
        await recordAudit(tx, actor, { action: 'unit.update', targetType: 'unit', targetId: id, unitId: id, summary: { before: { name: unit.name, parentId: unit.parent_id, active: unit.active }, changes: patch } });
      });
      return orgsRepo.findUnit(db, id);
    },

    listUsers(actor: Actor, f: { unitId?: number; q?: string; limit: number; offset: number }) {
      return orgsRepo.listUsersUnder(db, scopePaths(actor.principal, 'org.read'), f);
    },

    async getUser(actor: Actor, id: number) {
      const user = await readableUser(actor, id);
      const grants = await orgsRepo.grantsOfUser(db, id);
      const { phone_enc: _sealed, unit_path: _path, ...visible } = user;
      return { ...visible, grants: grants.map(({ unit_path: _p, ...g }) => g) };
    },

    async createUser(actor: Actor, input: UserInput) {
      const unit = await unitOrFail(input.unitId);
      assertOnUnit(actor, 'org.manage', unit.path, '所属单位');
      if (await orgsRepo.usernameTaken(db, input.username)) throw conflict(`用户名 ${input.username} 已被使用`, [{ field: 'username', message: '用户名已被使用' }]);
      assertPasswordAllowed(input.password, config.password, 'password', input.username);
      const sealed = sealPhone(input.phone);
      const passwordHash = await hashPassword(input.password);
      return db.transaction().execute(async (tx) => {
        const { id } = await orgsRepo.insertUser(tx, {
          username: input.username,
          displayName: input.displayName,
          unitId: input.unitId,
          phoneEnc: sealed.phone_enc ?? null,
          phoneMask: sealed.phone_mask ?? null,
          passwordHash,
          mustChange: true,
        });
        await recordAudit(tx, actor, { action: 'user.create', targetType: 'app_user', targetId: id, unitId: input.unitId, summary: { username: input.username, displayName: input.displayName } });
        return { id };
      });
    },

    async updateUser(actor: Actor, id: number, patch: UserPatch) {
      const user = await readableUser(actor, id);
      assertOnUnit(actor, 'org.manage', user.unit_path, '该人员所在单位');
      if (patch.unitId !== undefined && patch.unitId !== user.unit_id) {
        const target = await unitOrFail(patch.unitId);
        assertOnUnit(actor, 'org.manage', target.path, '调入单位');
      }
      if (patch.active === false && actor.principal?.kind === 'user' && actor.principal.userId === id) throw fieldError('active', '不能停用自己的账号');
      const sealed = sealPhone(patch.phone);
      await changingAccess(async (tx) => {
        await orgsRepo.updateUser(tx, id, {
          display_name: patch.displayName,
          unit_id: patch.unitId,
          active: patch.active,
          ...sealed,
          ...(patch.unlock ? { locked_until: null, failed_logins: 0 } : {}),
        });
        const { phone, ...loggable } = patch;
        await recordAudit(tx, actor, {
          action: 'user.update',
          targetType: 'app_user',
          targetId: id,
          unitId: patch.unitId ?? user.unit_id,
          summary: { changes: { ...loggable, ...(phone !== undefined ? { phone: sealed.phone_mask } : {}) } },
        });
      });
      return this.getUser(actor, id);
    },

    /** An admin sets a temporary password; the user must change it at next login. */
    async resetPassword(actor: Actor, id: number, password: string) {
      const user = await readableUser(actor, id);
      assertOnUnit(actor, 'org.manage', user.unit_path, '该人员所在单位');
      assertPasswordAllowed(password, config.password, 'password', user.username);
      const hash = await hashPassword(password);
      await changingAccess(async (tx) => {
        await tx.updateTable('app_user').set({ password_hash: hash, must_change_password: true, failed_logins: 0, locked_until: null, password_changed_at: new Date() }).where('id', '=', id).execute();
        await tx.deleteFrom('user_session').where('user_id', '=', id).execute();
        await recordAudit(tx, actor, { action: 'user.reset_password', targetType: 'app_user', targetId: id, unitId: user.unit_id });
      });
    },

    async addGrant(actor: Actor, userId: number, role: string, unitId: number) {
      // separation of duties: an admin does not give itself what its role lacks (the contact permission, 督办)
      if (actorUserId(actor) === userId) throw forbidden('不能给自己授权，请由其他管理员办理');
      const user = await readableUser(actor, userId);
      assertOnUnit(actor, 'org.manage', user.unit_path, '该人员所在单位');
      const unit = await unitOrFail(unitId);
      assertOnUnit(actor, 'org.manage', unit.path, '授权范围单位');
      if (!(await orgsRepo.findRole(db, role))) throw fieldError('role', `角色 ${role} 不存在`);
      return changingAccess(async (tx) => {
        const row = await orgsRepo.insertGrant(tx, { userId, role, unitId, grantedBy: actor.principal?.kind === 'user' ? actor.principal.userId : null });
        if (!row) throw conflict('该人员已有此授权');
        await recordAudit(tx, actor, { action: 'grant.add', targetType: 'app_user', targetId: userId, unitId: user.unit_id, summary: { role, unitId, unitName: unit.name } });
        return row;
      });
    },

    async removeGrant(actor: Actor, userId: number, grantId: number) {
      const user = await readableUser(actor, userId);
      assertOnUnit(actor, 'org.manage', user.unit_path, '该人员所在单位');
      const grant = await orgsRepo.findGrant(db, grantId);
      if (!grant || grant.user_id !== userId) throw notFound(`授权 ${grantId} `);
      assertOnUnit(actor, 'org.manage', grant.unit_path, '授权范围单位');
      if (actor.principal?.kind === 'user' && actor.principal.userId === userId && grant.role === 'admin') throw new AppError(400, 'VALIDATION', '不能撤销自己的管理员授权');
      await changingAccess(async (tx) => {
        await orgsRepo.deleteGrant(tx, grantId);
        await recordAudit(tx, actor, { action: 'grant.remove', targetType: 'app_user', targetId: userId, unitId: user.unit_id, summary: { role: grant.role, unitId: grant.unit_id } });
      });
    },

    async unitName(id: number): Promise<string> {
      return (await unitOrFail(id)).name;
    },
  };
}

export type OrgsService = ReturnType<typeof createOrgsService>;
