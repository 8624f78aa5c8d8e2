import type { Queryable } from '../../db/client.ts';

export const referenceRepo = {
  domains: (db: Queryable) => db.selectFrom('enforcement_domain').select(['code', 'name', 'sort', 'builtin', 'active']).orderBy('sort').execute(),
  kinds: (db: Queryable) => db.selectFrom('report_kind').select(['code', 'name']).orderBy('sort').execute(),
  channels: (db: Queryable) => db.selectFrom('channel').select(['code', 'name', 'adapter', 'active']).orderBy('code').execute(),
};
