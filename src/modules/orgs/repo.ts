import { sql } from 'kysely';
import type { Queryable } from '../../db/client.ts';
import type { UnitKind } from '../../db/types.ts';
import { contains } from '../../db/contains.ts';

const underAny = (paths: string[]) => (eb: any) => eb.or(paths.map((p) => eb('unit.path', 'like', `${p}%`)));

export const orgsRepo = {
  listRegions(db: Queryable) {
    return db.selectFrom('region').selectAll().orderBy('level').orderBy('sort').orderBy('code').execute();
  },

  findRegion(db: Queryable, code: string) {
    return db.selectFrom('region').selectAll().where('code', '=', code).executeTakeFirst();
  },

  setRegionFormerNames(db: Queryable, code: string, names: string[]) {
    return db.updateTable('region').set({ former_names: names }).where('code', '=', code).execute();
  },

  insertRegion(db: Queryable, r: { code: string; name: string; level: 'province' | 'city' | 'county' | 'township'; parent_code: string | null; sort?: number; former_names?: string[] }) {
    return db.insertInto('region').values(r).onConflict((oc) => oc.column('code').doNothing()).execute();
  },

  listUnitsUnder(db: Queryable, paths: string[]) {
    if (paths.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('unit')
      .leftJoin('region', 'region.code', 'unit.region_code')
      .select(['unit.id', 'unit.name', 'unit.kind', 'unit.parent_id', 'unit.path', 'unit.region_code', 'region.name as region_name', 'unit.domains', 'unit.sort', 'unit.active'])
      .where(underAny(paths))
      .orderBy('unit.path')
      .execute();
  },

  findUnit(db: Queryable, id: number) {
    return db.selectFrom('unit').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findUnitByName(db: Queryable, parentId: number | null, name: string) {
    let q = db.selectFrom('unit').selectAll().where('name', '=', name);
    q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
    return q.executeTakeFirst();
  },

  async insertUnit(db: Queryable, u: { name: string; kind: UnitKind; parentId: number | null; parentPath: string; regionCode: string | null; domains: string[]; sort: number }) {
    const row = await db
      .insertInto('unit')
      .values({ name: u.name, kind: u.kind, parent_id: u.parentId, region_code: u.regionCode, domains: u.domains, sort: u.sort, updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const path = `${u.parentPath}${row.id}/`;
    await db.updateTable('unit').set({ path }).where('id', '=', row.id).execute();
    return { id: row.id, path };
  },

  updateUnit(db: Queryable, id: number, patch: { name?: string; kind?: UnitKind; region_code?: string | null; domains?: string[]; sort?: number; active?: boolean; parent_id?: number | null }) {
    return db.updateTable('unit').set({ ...patch, updated_at: new Date() }).where('id', '=', id).execute();
  },

  /** Re-roots a subtree after a move: every path under oldPath starts with newPath instead. */
  movePaths(db: Queryable, oldPath: string, newPath: string) {
    return sql`update unit set path = ${newPath} || substr(path, ${oldPath.length + 1}) where path like ${oldPath + '%'}`.execute(db);
  },

  countActiveUsersUnder(db: Queryable, path: string) {
    return db
      .selectFrom('app_user')
      .innerJoin('unit', 'unit.id', 'app_user.unit_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('unit.path', 'like', `${path}%`)
      .where('app_user.active', '=', true)
      .executeTakeFirstOrThrow();
  },

  async listUsersUnder(db: Queryable, paths: string[], f: { unitId?: number; q?: string; limit: number; offset: number }) {
    if (paths.length === 0) return { rows: [], total: 0 };
    let q = db.selectFrom('app_user').innerJoin('unit', 'unit.id', 'app_user.unit_id').where(underAny(paths));
    if (f.unitId) q = q.where('app_user.unit_id', '=', f.unitId);
    if (f.q) q = q.where((eb) => eb.or([contains('app_user.username', f.q!), contains('app_user.display_name', f.q!)]));
    const [rows, total] = await Promise.all([
      q.select(['app_user.id', 'app_user.username', 'app_user.display_name', 'app_user.unit_id', 'unit.name as unit_name', 'app_user.phone_mask', 'app_user.active', 'app_user.locked_until', 'app_user.last_login_at', 'app_user.created_at'])
        .orderBy('unit.path').orderBy('app_user.id').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: total.n };
  },

  findUserWithUnit(db: Queryable, id: number) {
    return db
      .selectFrom('app_user')
      .innerJoin('unit', 'unit.id', 'app_user.unit_id')
      .select(['app_user.id', 'app_user.username', 'app_user.display_name', 'app_user.unit_id', 'unit.name as unit_name', 'unit.path as unit_path', 'app_user.phone_enc', 'app_user.phone_mask', 'app_user.active', 'app_user.locked_until', 'app_user.last_login_at', 'app_user.must_change_password', 'app_user.created_at'])
      .where('app_user.id', '=', id)
      .executeTakeFirst();
  },

  usernameTaken(db: Queryable, username: string) {
    return db.selectFrom('app_user').select('id').where('username', '=', username).executeTakeFirst();
  },

  insertUser(db: Queryable, u: { username: string; displayName: string; unitId: number; phoneEnc: string | null; phoneMask: string | null; passwordHash: string; mustChange: boolean }) {
    return db
      .insertInto('app_user')
      .values({ username: u.username, display_name: u.displayName, unit_id: u.unitId, phone_enc: u.phoneEnc, phone_mask: u.phoneMask, password_hash: u.passwordHash, must_change_password: u.mustChange, updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
  },

  updateUser(db: Queryable, id: number, patch: { display_name?: string; unit_id?: number; phone_enc?: string | null; phone_mask?: string | null; active?: boolean; locked_until?: Date | null; failed_logins?: number }) {
    return db.updateTable('app_user').set({ ...patch, updated_at: new Date() }).where('id', '=', id).execute();
  },

  grantsOfUser(db: Queryable, userId: number) {
    return db
      .selectFrom('role_grant')
      .innerJoin('unit', 'unit.id', 'role_grant.unit_id')
      .innerJoin('role', 'role.code', 'role_grant.role')
      .select(['role_grant.id', 'role_grant.role', 'role.name as role_name', 'role_grant.unit_id', 'unit.name as unit_name', 'unit.path as unit_path', 'role_grant.created_at'])
      .where('role_grant.user_id', '=', userId)
      .orderBy('role_grant.id')
      .execute();
  },

  findGrant(db: Queryable, id: number) {
    return db
      .selectFrom('role_grant')
      .innerJoin('unit', 'unit.id', 'role_grant.unit_id')
      .select(['role_grant.id', 'role_grant.user_id', 'role_grant.role', 'role_grant.unit_id', 'unit.path as unit_path'])
      .where('role_grant.id', '=', id)
      .executeTakeFirst();
  },

  insertGrant(db: Queryable, g: { userId: number; role: string; unitId: number; grantedBy: number | null }) {
    return db
      .insertInto('role_grant')
      .values({ user_id: g.userId, role: g.role, unit_id: g.unitId, granted_by: g.grantedBy })
      .onConflict((oc) => oc.columns(['user_id', 'role', 'unit_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
  },

  deleteGrant(db: Queryable, id: number) {
    return db.deleteFrom('role_grant').where('id', '=', id).execute();
  },

  listRoles(db: Queryable) {
    return db.selectFrom('role').selectAll().orderBy('sort').execute();
  },

  findRole(db: Queryable, code: string) {
    return db.selectFrom('role').selectAll().where('code', '=', code).executeTakeFirst();
  },
};
