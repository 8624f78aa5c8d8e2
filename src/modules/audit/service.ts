import stringify from 'safe-stable-stringify';
import type { Db, Queryable, Tx } from '../../db/client.ts';
import type { AuditRow } from '../../db/types.ts';
import { sm3Hex } from '../../lib/crypto.ts';
import { actorLabel, actorUserId, hasPermission, isTopUnit, scopePaths, type Actor } from '../auth/access.ts';
import { forbidden } from '../../lib/errors.ts';
import { auditRepo } from './repo.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditEntry = {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  unitId?: number | null;
  summary?: Record<string, unknown>;
};

type HashedFields = Omit<AuditRow, 'id' | 'seq' | 'hash' | 'prev_hash'> & { prev_hash: string };

/** The SM3 over a canonical form of the row (sorted keys), chained through prev_hash. */
export function auditHash(row: HashedFields): string {
  const canonical = stringify([
    row.prev_hash,
    new Date(row.at).toISOString(),
    row.actor_user_id,
    row.actor_label,
    row.action,
    row.target_type,
    row.target_id,
    row.unit_id,
    row.ip,
    row.summary ?? {},
  ]);
  return sm3Hex(canonical ?? '');
}

/**
 * Writes one audit row inside the caller's transaction, so the change and its record commit together. The row is
 * chained (seq, prev_hash, SM3 hash) by `sealAuditChain` after it committed: a chain lock held until commit would
 * queue every writing transaction of every instance behind one another's commit.
 */
export async function recordAudit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await auditRepo.insert(tx, {
    at: new Date(),
    actor_user_id: actorUserId(actor),
    actor_label: actorLabel(actor),
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId == null ? null : String(entry.targetId),
    unit_id: entry.unitId ?? null,
    ip: actor.ip,
    summary: JSON.parse(JSON.stringify(entry.summary ?? {})),
  });
}

const SEAL_BATCH = 1000;

/**
 * Chains every committed row not yet sealed, in id order, after the chain's head; one sealer at a time across all
 * instances. Returns how many rows it sealed.
 */
export async function sealAuditChain(db: Db, batch = SEAL_BATCH): Promise<number> {
  let sealed = 0;
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      await auditRepo.lockSealer(tx);
      const rows = await auditRepo.unsealed(tx, batch);
      if (!rows.length) return 0;
      const head = await auditRepo.chainHead(tx);
      let prev = head?.hash ?? GENESIS_HASH;
      let seq = head?.seq ?? 0;
      await auditRepo.seal(tx, rows.map((row) => {
        const link = { id: row.id, seq: ++seq, prev_hash: prev, hash: auditHash({ ...row, prev_hash: prev }) };
        prev = link.hash;
        return link;
      }));
      return rows.length;
    });
    sealed += n;
    if (n < batch) return sealed;
  }
}

export type VerifyResult = { ok: true; rows: number } | { ok: false; rows: number; brokenId: number; reason: string };

/** Seals what has committed, then walks the whole chain in seal order; names the first row whose link or hash does not hold. */
export async function verifyAuditChain(db: Db, onProgress?: (checked: number) => void): Promise<VerifyResult> {
  await sealAuditChain(db);
  let prev = GENESIS_HASH;
  let afterSeq = 0;
  let checked = 0;
  for (;;) {
    const batch = await auditRepo.batchAfter(db, afterSeq, 2000);
    if (batch.length === 0) return { ok: true, rows: checked };
    for (const row of batch) {
      if (row.seq !== afterSeq + 1 || row.prev_hash !== prev) return { ok: false, rows: checked, brokenId: row.id, reason: '与上一行的哈希链接不符（上一行被删除或改动）' };
      if (auditHash({ ...row, prev_hash: row.prev_hash }) !== row.hash) return { ok: false, rows: checked, brokenId: row.id, reason: '内容与哈希不符（该行被改动）' };
      prev = row.hash;
      afterSeq = row.seq;
      checked++;
    }
    onProgress?.(checked);
  }
}

export async function searchAudit(db: Queryable, actor: Actor, filter: Omit<Parameters<typeof auditRepo.search>[1], 'unitPaths'>) {
  if (!hasPermission(actor.principal, 'audit.read')) throw forbidden('没有查看审计日志的权限');
  const paths = scopePaths(actor.principal, 'audit.read');
  // Only holders of audit.read at the root see rows without a unit (logins, system jobs).
  const unitPaths = paths.some(isTopUnit) ? 'all' : paths;
  return auditRepo.search(db, { ...filter, unitPaths });
}
