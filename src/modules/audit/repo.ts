import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { AuditRow } from '../../db/types.ts';
import { contains } from '../../db/contains.ts';

/** One sealer at a time across every instance: this advisory lock is held until the sealing transaction ends. */
const AUDIT_SEAL_LOCK_KEY = 482_301_99;

export type UnsealedRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

export const auditRepo = {
  async insert(tx: Tx, row: Omit<AuditRow, 'id' | 'seq' | 'prev_hash' | 'hash'>): Promise<number> {
    const { id } = await tx.insertInto('audit_log').values(row).returning('id').executeTakeFirstOrThrow();
    return id;
  },

  /** Whether any committed row waits to be sealed (one probe of the partial index). */
  async hasUnsealed(db: Queryable): Promise<boolean> {
    return (await db.selectFrom('audit_log').select('id').where('seq', 'is', null).limit(1).executeTakeFirst()) !== undefined;
  },

  /** Waits for any other sealer; the statements after it see what that sealer committed (READ COMMITTED). */
  async lockSealer(tx: Tx): Promise<void> {
    await sql`select pg_advisory_xact_lock(${AUDIT_SEAL_LOCK_KEY})`.execute(tx);
  },

  async chainHead(tx: Tx): Promise<{ seq: number; hash: string } | undefined> {
    const head = await tx.selectFrom('audit_log').select(['seq', 'hash']).where('seq', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return head ? { seq: head.seq!, hash: head.hash! } : undefined;
  },

  unsealed(tx: Tx, limit: number): Promise<UnsealedRow[]> {
    return tx.selectFrom('audit_log')
      .select(['id', 'at', 'actor_user_id', 'actor_label', 'action', 'target_type', 'target_id', 'unit_id', 'ip', 'summary'])
      .where('seq', 'is', null).orderBy('id').limit(limit).execute();
  },

  async seal(tx: Tx, rows: { id: number; seq: number; prev_hash: string; hash: string }[]): Promise<void> {
    if (!rows.length) return;
    await sql`
      update audit_log a set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
      from (select unnest(${rows.map((r) => r.id)}::bigint[]) as id, unnest(${rows.map((r) => r.seq)}::bigint[]) as seq,
                   unnest(${rows.map((r) => r.prev_hash)}::text[]) as prev_hash, unnest(${rows.map((r) => r.hash)}::text[]) as hash) v
      where a.id = v.id and a.seq is null`.execute(tx);
  },

  /** Sealed rows in chain order. */
  async batchAfter(db: Queryable, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  },

  async countUnsealed(db: Queryable): Promise<number> {
    return (await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('seq', 'is', null).executeTakeFirstOrThrow()).n;
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
    // a code (auth.login, not auth.login_failed) or a kind of them (workorder, workorder.: every step of an order)
    const action = f.action?.replace(/[%_\\]/g, '\\$&');
    if (action) q = action.endsWith('.') ? q.where('audit_log.action', 'like', `${action}%`) : q.where((eb) => eb.or([eb('audit_log.action', '=', f.action!), eb('audit_log.action', 'like', `${action}.%`)]));
    if (f.actor) q = q.where(contains('audit_log.actor_label', f.actor));
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
