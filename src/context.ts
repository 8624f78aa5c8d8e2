import type { Logger } from 'pino';
import type { Database, Db } from './db/client.ts';
import type { Config } from './lib/config.ts';
import type { FieldCipher } from './lib/crypto.ts';

/** What every service needs: the database, the validated settings, the field cipher and the logger. */
export interface AppContext {
  database: Database;
  db: Db;
  config: Config;
  cipher: FieldCipher;
  log: Logger;
}
