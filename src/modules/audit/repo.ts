import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { AuditRow } from '../../db/types.ts';

/** One chain head for every instance: this advisory lock is held until the writing transaction ends. */
const AUDIT_CHAIN_LOCK_KEY = 482_301_99;

export const auditRepo = {
  async lockChainHead(tx: Tx): Promise<string | null> {
    const r = await sql<{ head: string | null }>`select zhd_audit_chain_head(${AUDIT_CHAIN_LOCK_KEY}) as head`.execute(tx);
    return r.rows[0]?.head ?? null;
  },

  async insert(tx: Tx, row: Omit<AuditRow, 'id'>): Promise<number> {
    const { id } = await tx.insertInto('audit_log').values(row).returning('id').executeTakeFirstOrThrow();
    return id;
  },

  async batchAfter(db: Queryable, afterId: number, limit: number): Promise<AuditRow[]> {
    return db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  },

  async search(
    db: Queryable,
    f: { unitPaths: string[] | 'all'; from?: Date; to?: Date; action?: string; actor?: string; targetType?: string; targetId?: string; limit: number; offset: number },
  ) {
    let q = db.selectFrom('audit_log').leftJoin('unit', 'unit.id', 'audit_log.unit_id');
    if (f.unitPaths !== 'all') {
      const paths = f.unitPaths;
      q = q.where((eb) => eb.or(paths.map((p) => eb('unit.path', 'like', `${p}%`))));
    }
    if (f.from) q = q.where('audit_log.at', '>=', f.from);
    if (f.to) q = q.where('audit_log.at', '<', f.to);
    if (f.action) q = q.where('audit_log.action', 'like', `${f.action}%`);
    if (f.actor) q = q.where('audit_log.actor_label', 'like', `%${f.actor}%`);
    if (f.targetType) q = q.where('audit_log.target_type', '=', f.targetType);
    if (f.targetId) q = q.where('audit_log.target_id', '=', f.targetId);
    const [rows, total] = await Promise.all([
      q.select(['audit_log.id', 'audit_log.at', 'audit_log.actor_label', 'audit_log.action', 'audit_log.target_type', 'audit_log.target_id', 'audit_log.unit_id', 'unit.name as unit_name', 'audit_log.ip', 'audit_log.summary'])
        .orderBy('audit_log.id', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: total.n };
  },
};
