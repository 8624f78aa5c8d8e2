import type { Queryable, Tx } from '../../db/client.ts';

export const settingsRepo = {
  list(db: Queryable, keys: string[]) {
    return db.selectFrom('app_setting').select(['key', 'value', 'updated_at']).where('key', 'in', keys).execute();
  },

  async get(db: Queryable, key: string): Promise<unknown> {
    return (await db.selectFrom('app_setting').select('value').where('key', '=', key).executeTakeFirst())?.value;
  },

  put(tx: Tx, key: string, value: unknown) {
    return tx
      .insertInto('app_setting')
      .values({ key, value: JSON.stringify(value), updated_at: new Date() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
      .execute();
  },
};
