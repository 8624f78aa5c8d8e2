import type { Queryable, Tx } from '../../db/client.ts';
import type { PeriodKind } from '../../db/types.ts';

export const reportsRepo = {
  insert(tx: Tx, r: { period: string; period_kind: PeriodKind; title: string; docx: Buffer; xlsx: Buffer; summary: object; generated_by: number | null }) {
    return tx.insertInto('analysis_report').values({ ...r, summary: JSON.stringify(r.summary) }).returning(['id', 'generated_at']).executeTakeFirstOrThrow();
  },

  list(db: Queryable, limit: number, offset: number) {
    return db
      .selectFrom('analysis_report')
      .leftJoin('app_user', 'app_user.id', 'analysis_report.generated_by')
      .select(['analysis_report.id', 'analysis_report.period', 'analysis_report.period_kind', 'analysis_report.title', 'analysis_report.summary', 'analysis_report.generated_at', 'app_user.display_name as generated_by_name'])
      .orderBy('analysis_report.generated_at', 'desc')
      .orderBy('analysis_report.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
  },

  count(db: Queryable) {
    return db.selectFrom('analysis_report').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  },

  file(db: Queryable, id: number, format: 'docx' | 'xlsx') {
    return db.selectFrom('analysis_report').select(['title', 'period', format === 'docx' ? 'docx as data' : 'xlsx as data']).where('id', '=', id).executeTakeFirst();
  },

  exists(db: Queryable, period: string) {
    return db.selectFrom('analysis_report').select('id').where('period', '=', period).limit(1).executeTakeFirst();
  },

  cityName(db: Queryable) {
    return db.selectFrom('region').select('name').where('level', '=', 'city').orderBy('code').limit(1).executeTakeFirst();
  },

  rootUnitName(db: Queryable) {
    return db.selectFrom('unit').select('name').where('parent_id', 'is', null).orderBy('sort').orderBy('id').limit(1).executeTakeFirst();
  },
};
