import type { Queryable, Tx } from '../../db/client.ts';
import type { CaseKind, CaseResult } from '../../db/types.ts';

export type CaseRow = {
  kind: CaseKind; case_no: string; unit_id: number; domain_code: string | null; filed_on: string | null; decided_on: string; result: CaseResult; summary: string;
};

export const casesRepo = {
  /** Inserts or replaces by (kind, case_no); tells which it was. */
  async upsert(tx: Tx, row: CaseRow, userId: number | null) {
    const r = await tx.insertInto('case_outcome').values({ ...row, created_by: userId })
      .onConflict((oc) => oc.columns(['kind', 'case_no']).doUpdateSet((eb) => ({
        unit_id: eb.ref('excluded.unit_id'), domain_code: eb.ref('excluded.domain_code'), filed_on: eb.ref('excluded.filed_on'),
        decided_on: eb.ref('excluded.decided_on'), result: eb.ref('excluded.result'), summary: eb.ref('excluded.summary'), updated_at: new Date(),
      })))
      .returning(['id', 'created_at', 'updated_at']).executeTakeFirstOrThrow();
    return { id: r.id, inserted: r.created_at.getTime() === r.updated_at.getTime() };
  },

  /** Units by exact name, for matching the respondent column. */
  units(db: Queryable) {
    return db.selectFrom('unit').select(['id', 'name', 'path', 'active']).execute();
  },

  domains(db: Queryable) {
    return db.selectFrom('enforcement_domain').select(['code', 'name']).execute();
  },

  /** unitPaths null: the whole city. */
  async list(db: Queryable, f: { unitPaths: string[] | null; kind?: CaseKind; lostOnly?: boolean; unitId?: number; limit: number; offset: number }) {
    let q = db.selectFrom('case_outcome').innerJoin('unit', 'unit.id', 'case_outcome.unit_id')
      .leftJoin('enforcement_domain', 'enforcement_domain.code', 'case_outcome.domain_code');
    if (f.unitPaths) {
      const paths = f.unitPaths;
      if (!paths.length) return { rows: [], total: 0 };
      q = q.where((eb) => eb.or(paths.map((p) => eb('unit.path', 'like', `${p}%`))));
    }
    if (f.kind) q = q.where('case_outcome.kind', '=', f.kind);
    if (f.lostOnly) q = q.where('case_outcome.lost', '=', true);
    if (f.unitId) q = q.where('case_outcome.unit_id', '=', f.unitId);
    const [rows, total] = await Promise.all([
      q.select(['case_outcome.id', 'case_outcome.kind', 'case_outcome.case_no', 'case_outcome.unit_id', 'unit.name as unit_name', 'case_outcome.domain_code',
        'enforcement_domain.name as domain_name', 'case_outcome.filed_on', 'case_outcome.decided_on', 'case_outcome.result', 'case_outcome.lost', 'case_outcome.summary'])
        .orderBy('case_outcome.decided_on', 'desc').orderBy('case_outcome.id', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },
};
