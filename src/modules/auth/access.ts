import { forbidden } from '../../lib/errors.ts';

/** What a role can do. Roles map to permissions in the `role` table; code checks permissions only. */
export const PERMISSIONS = {
  'org.read': '查看单位与人员',
  'org.manage': '管理单位、人员与授权',
  'apikey.manage': '管理接入密钥',
  'audit.read': '查看审计日志',
  'reference.manage': '管理参考数据',
  'problem.read': '查看问题',
  'problem.triage': '分拣与派发',
  'problem.contact': '查看举报人联系方式',
  'problem.import': '导入数据',
  'workorder.supervise': '督办',
  'workorder.handle': '承办',
  'report.read': '查看分析报告',
  'casefile.review': '案卷评查',
  'enforcement.act': '执法记录',
} as const;
export type Permission = keyof typeof PERMISSIONS;

export type Grant = { role: string; unitId: number; unitPath: string; unitName: string; permissions: string[] };

export type UserPrincipal = {
  kind: 'user';
  userId: number;
  username: string;
  displayName: string;
  unitId: number;
  mustChangePassword: boolean;
  sessionId: string;
  grants: Grant[];
};
export type ApiKeyPrincipal = { kind: 'apiKey'; keyId: number; name: string; channel: string };
export type Principal = UserPrincipal | ApiKeyPrincipal;

/** Who is acting, for services and the audit trail. */
export type Actor = { principal: Principal | null; ip: string | null };

export const SYSTEM_ACTOR: Actor = { principal: null, ip: null };

export function actorLabel(actor: Actor): string {
  const p = actor.principal;
  if (!p) return '系统';
  return p.kind === 'user' ? `${p.displayName}（${p.username}）` : `接入密钥 ${p.name}`;
}

/** Who did a step, as colleagues read it in a timeline: the person and their unit (the login name is for the audit log). */
export function actorLabelAtWork(actor: Actor): string {
  const p = actor.principal;
  if (p?.kind !== 'user') return actorLabel(actor);
  const unit = p.grants.find((g) => g.unitId === p.unitId)?.unitName;
  return unit ? `${p.displayName}（${unit}）` : p.displayName;
}

export function actorUserId(actor: Actor): number | null {
  return actor.principal?.kind === 'user' ? actor.principal.userId : null;
}

/** Unit paths ('/1/4/') under which the principal holds the permission; a grant covers its unit and all sub-units. */
export function scopePaths(principal: Principal | null, permission: Permission): string[] {
  if (!principal || principal.kind !== 'user') return [];
  const paths = principal.grants.filter((g) => g.permissions.includes(permission)).map((g) => g.unitPath);
  // Drop paths already covered by a shorter one.
  return paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(q)));
}

/**
 * Permissions over configuration that holds for the whole city — settings, calendars and deadline rules, routing rules,
 * triage lexicons, risk rules, outbox, channel keys: they count only through a grant on a top unit. A district's
 * admin holds them for nothing (the role is the same; its reach is not).
 */
export const CITY_WIDE_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>(['reference.manage', 'apikey.manage']);
/** A unit at the top of the tree ('/1/'): a grant there reaches the whole city. */
export const isTopUnit = (path: string) => path.split('/').filter(Boolean).length === 1;

export function hasPermission(principal: Principal | null, permission: Permission): boolean {
  const paths = scopePaths(principal, permission);
  return CITY_WIDE_PERMISSIONS.has(permission) ? paths.some(isTopUnit) : paths.length > 0;
}

export function canOnUnit(principal: Principal | null, permission: Permission, unitPath: string): boolean {
  return scopePaths(principal, permission).some((p) => unitPath.startsWith(p));
}

export function assertOnUnit(actor: Actor, permission: Permission, unitPath: string, what = '该单位'): void {
  if (!canOnUnit(actor.principal, permission, unitPath)) {
    throw forbidden(`没有对${what}“${PERMISSIONS[permission]}”的权限`);
  }
}

export function userPrincipal(actor: Actor): UserPrincipal {
  if (actor.principal?.kind !== 'user') throw forbidden('此操作需要以人员身份登录');
  return actor.principal;
}
