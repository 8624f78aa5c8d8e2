import type { Queryable } from '../../db/client.ts';
import { regionPrefix } from '../../lib/region.ts';
import { isTopUnit, scopePaths, SYSTEM_ACTOR, type Actor, type Permission } from '../auth/access.ts';
import { problemsRepo } from './repo.ts';

/** Root-scope holders see the whole city; a district or township government's people see their region. */
export async function regionScope(db: Queryable, actor: Actor, permission: Permission): Promise<string[] | 'all'> {
  // the scheduler and the command line act for the whole city (a public request has its own actor, never this one)
  if (actor === SYSTEM_ACTOR) return 'all';
  const paths = scopePaths(actor.principal, permission);
  if (paths.some(isTopUnit)) return 'all';
  const regions = await problemsRepo.governmentRegions(db, paths);
  return regions.map((r) => regionPrefix(r.region_code!));
}
