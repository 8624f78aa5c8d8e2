import type { AppContext } from '../src/context.ts';
import type { UnitKind } from '../src/db/types.ts';
import { hashPassword } from '../src/modules/auth/password.ts';
import { orgsRepo } from '../src/modules/orgs/repo.ts';
import { createProblemsService } from '../src/modules/problems/service.ts';
import { SYSTEM_ACTOR } from '../src/modules/auth/access.ts';

export const FACTORY_PASSWORD = 'Test#Pass2026';
let seq = 0;
let cachedHash: string | null = null;

export async function makeUnit(ctx: AppContext, o: { name?: string; parent?: { id: number; path: string } | null; kind?: UnitKind; domains?: string[] } = {}) {
  seq++;
  const parent = o.parent ?? null;
  const created = await orgsRepo.insertUnit(ctx.db, {
    name: o.name ?? `测试单位${seq}`,
    kind: o.kind ?? (parent ? 'department' : 'government'),
    parentId: parent?.id ?? null,
    parentPath: parent?.path ?? '/',
    regionCode: null,
    domains: o.domains ?? [],
    sort: seq,
  });
  return { id: created.id, path: created.path, name: o.name ?? `测试单位${seq}` };
}

export async function makeUser(
  ctx: AppContext,
  o: { unit: { id: number }; username?: string; roles?: [role: string, unit: { id: number }][]; mustChange?: boolean; phone?: string },
) {
  seq++;
  cachedHash ??= await hashPassword(FACTORY_PASSWORD);
  const username = o.username ?? `user${seq}`;
  const { id } = await orgsRepo.insertUser(ctx.db, {
    username,
    displayName: `测试人员${seq}`,
    unitId: o.unit.id,
    phoneEnc: o.phone ? ctx.cipher.encrypt(o.phone) : null,
    phoneMask: o.phone ? `${o.phone.slice(0, 3)}****${o.phone.slice(-4)}` : null,
    passwordHash: cachedHash,
    mustChange: o.mustChange ?? false,
  });
  for (const [role, unit] of o.roles ?? []) await orgsRepo.insertGrant(ctx.db, { userId: id, role, unitId: unit.id, grantedBy: null });
  return { id, username, password: FACTORY_PASSWORD };
}

/** A small city: a root government with two departments, each with one handler, and a root admin. */
export async function makeCity(ctx: AppContext) {
  const city = await makeUnit(ctx, { name: '测试市人民政府' });
  const deptA = await makeUnit(ctx, { name: '测试市甲局', parent: city });
  const deptB = await makeUnit(ctx, { name: '测试市乙局', parent: city });
  const teamA = await makeUnit(ctx, { name: '测试市甲局执法大队', parent: deptA, kind: 'team' });
  const admin = await makeUser(ctx, { unit: city, roles: [['admin', city]] });
  const adminA = await makeUser(ctx, { unit: deptA, roles: [['admin', deptA]] });
  const handlerA = await makeUser(ctx, { unit: deptA, roles: [['handler', deptA]] });
  const handlerB = await makeUser(ctx, { unit: deptB, roles: [['handler', deptB]] });
  return { city, deptA, deptB, teamA, admin, adminA, handlerA, handlerB };
}

/** A citizen's report through the public form (the intake pipeline), with a reporter who gave a name and a number. */
export async function makeProblem(ctx: AppContext, o: { title?: string; content?: string; kind?: '投诉' | '举报' | '咨询' | '建议' | '求助'; phone?: string } = {}) {
  seq++;
  return createProblemsService(ctx).submitForm(
    'web_form',
    { title: o.title ?? `测试反映${seq}`, content: o.content ?? `第${seq}号：鸠江区某超市出售过期食品，多次反映无人处理，要求执法部门查处。`, kind: o.kind ?? '投诉', contactName: '王小明', contactPhone: o.phone ?? '13912345678' },
    SYSTEM_ACTOR,
  );
}
