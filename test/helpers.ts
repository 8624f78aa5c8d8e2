import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import type { AppContext } from '../src/context.ts';
import { openPglite, openPostgres, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { loadConfig, type Config } from '../src/lib/config.ts';
import { FieldCipher } from '../src/lib/crypto.ts';
import { sharedDataDir } from './shared-data.ts';

/** Tests run on in-process PGlite, or on PostgreSQL when DATABASE_URL names a server (a fresh database per test context). */
export const TEST_PG_URL = process.env.DATABASE_URL || '';
export const onPostgres = !!TEST_PG_URL;
export const TEST_SM4_KEY = '0123456789abcdef0123456789abcdef';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', ZHD_SM4_KEY: TEST_SM4_KEY }, overrides);
}

/** A fresh, empty database on the test server, and the function that drops it. */
export function createPgDatabase(prefix = 'zhd_t'): Promise<{ url: string; drop: () => Promise<void> }> {
  return createScratchDatabase(TEST_PG_URL, prefix);
}

export type TestContext = AppContext & { close(): Promise<void>; url: string | null };

/** A migrated, empty database and the service context over it. */
export async function createTestContext(overrides: Partial<Config> = {}): Promise<TestContext> {
  let database: Database;
  let drop = async () => {};
  let url: string | null = null;
  if (onPostgres) {
    const created = await createPgDatabase();
    url = created.url;
    drop = created.drop;
    database = await openPostgres(created.url, { poolSize: 4 });
  } else {
    database = await openPglite(null);
  }
  await migrate(database.db);
  const config = testConfig(overrides);
  return {
    database,
    db: database.db,
    config,
    cipher: new FieldCipher(TEST_SM4_KEY),
    log: pino({ level: process.env.ZHD_TEST_LOG ?? 'silent' }), // ZHD_TEST_LOG=error shows what a 500 was
    url,
    async close() {
      await database.close();
      await drop();
    },
  };
}

export type TestApp = { ctx: TestContext; app: FastifyInstance; close(): Promise<void> };

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const ctx = await createTestContext(overrides);
  const app = await buildApp(ctx, { webDir: null });
  await app.ready();
  return {
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

export function tempDir(prefix = 'zhd-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Logs in through the API and returns the Cookie header value for later requests. */
export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'zhd_session');
  return `zhd_session=${cookie!.value}`;
}

export const REPO_ROOT = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');

/** Environment for a child `zhd` process: never inherits the test's database unless given. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ZHD_DEMO_SEED: 'true' };
  delete env.DATABASE_URL;
  delete env.ZHD_SM4_KEY;
  delete env.NODE_TEST_CONTEXT;
  return { ...env, ...extra };
}

/**
 * A file of the real citizen messages in ZHD_SHARED_DATA (default ../shared/data). Tests and benchmarks read it
 * from there and never copy it; where it is absent they skip with this message.
 */
export function sharedDataFile(relative: string): { path: string; skip: false } | { path: null; skip: string } {
  const file = path.join(sharedDataDir(), relative);
  if (fs.existsSync(file)) return { path: file, skip: false };
  return { path: null, skip: `共享数据 ${file} 不存在（设置 ZHD_SHARED_DATA 指向 shared/data）：跳过` };
}
