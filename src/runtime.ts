import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { AppContext } from './context.ts';
import { openPglite, openPostgres, type Database } from './db/client.ts';
import { lockDataDir } from './db/lock.ts';
import { migrate } from './db/migrate.ts';
import type { Config } from './lib/config.ts';
import { FieldCipher, generateSm4KeyHex } from './lib/crypto.ts';
import { loggerOptions } from './lib/logger.ts';
import { sealAuditChain } from './modules/audit/service.ts';

export type Runtime = { ctx: AppContext; close(): Promise<void> };

/** In embedded mode the key is generated once into the data folder, so the CLI and the server share it. */
function embeddedKey(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${generateSm4KeyHex()}\n`, { mode: 0o600, flag: 'wx' });
  return fs.readFileSync(file, 'utf8').trim();
}

/** Opens the configured database (locking an embedded folder), migrates it, and builds the service context. */
export async function openRuntime(config: Config, opts: { purpose: string; port?: number; logger?: Logger; migrate?: boolean }): Promise<Runtime> {
  const log = opts.logger ?? pino(loggerOptions(config.logLevel));
  let database: Database;
  let release = () => {};
  let keyHex: string;
  if (config.databaseUrl) {
    if (!config.sm4KeyHex) throw new Error('使用 PostgreSQL 时必须设置 ZHD_SM4_KEY（32 位十六进制的 SM4 密钥，用于加密个人信息）；服务拒绝在没有密钥的情况下启动。');
    keyHex = config.sm4KeyHex;
    database = await openPostgres(config.databaseUrl, { prepare: config.pgPrepare, poolSize: config.pgPoolSize });
  } else {
    release = lockDataDir(config.dataDir, opts.purpose, opts.port);
    try {
      keyHex = config.sm4KeyHex ?? embeddedKey(config.dataDir);
      database = await openPglite(config.dataDir);
    } catch (err) {
      release();
      throw err;
    }
  }
  try {
    if (opts.migrate !== false) await migrate(database.db, (line) => log.info(line));
  } catch (err) {
    await database.close();
    release();
    throw err;
  }
  const ctx: AppContext = { database, db: database.db, config, cipher: new FieldCipher(keyHex), log };
  let closed = false;
  return {
    ctx,
    async close() {
      if (closed) return;
      closed = true;
      try {
        // what this process wrote to the audit log is chained before it goes (the CLI has no sealer of its own)
        await sealAuditChain(ctx.db).catch((err: unknown) => log.warn({ err }, '退出前封存审计日志失败，将由运行中的服务封存'));
        await database.close();
      } finally {
        release();
      }
    },
  };
}
