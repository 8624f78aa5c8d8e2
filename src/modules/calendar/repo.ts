import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';

export const calendarRepo = {
  overrides(db: Queryable) {
    return db.selectFrom('calendar_day').select(['day', 'is_workday', 'note']).orderBy('day').execute();
  },

  async years(db: Queryable) {
    const r = await sql<{ year: number; source: string; published_at: string | null; holidays: number; workdays: number }>`
      select y.year, y.source, y.published_at,
             count(d.day) filter (where not d.is_workday) as holidays,
             count(d.day) filter (where d.is_workday) as workdays
      from calendar_year y
      left join calendar_day d on extract(year from d.day) = y.year
      group by y.year, y.source, y.published_at
      order by y.year`.execute(db);
    return r.rows;
  },

  async replaceYear(tx: Tx, year: { year: number; source: string; publishedAt: string | null; days: { day: string; isWorkday: boolean; note: string }[] }) {
    await tx.deleteFrom('calendar_day').where('day', '>=', `${year.year}-01-01`).where('day', '<=', `${year.year}-12-31`).execute();
    if (year.days.length) await tx.insertInto('calendar_day').values(year.days.map((d) => ({ day: d.day, is_workday: d.isWorkday, note: d.note }))).execute();
    await tx
      .insertInto('calendar_year')
      .values({ year: year.year, source: year.source, published_at: year.publishedAt })
      .onConflict((oc) => oc.column('year').doUpdateSet({ source: year.source, published_at: year.publishedAt }))
      .execute();
  },

  policies(db: Queryable) {
    return db.selectFrom('deadline_policy').selectAll().orderBy('purpose').orderBy('urgency').orderBy('kind_code').execute();
  },

  policy(db: Queryable, id: number) {
    return db.selectFrom('deadline_policy').selectAll().where('id', '=', id).executeTakeFirst();
  },

  updatePolicy(tx: Tx, id: number, amount: number, unit: 'working_days' | 'hours', note: string) {
    return tx.updateTable('deadline_policy').set({ amount, amount_unit: unit, note }).where('id', '=', id).returningAll().executeTakeFirst();
  },
};
