import path from 'node:path';
import { z } from 'zod';

/** Every setting the platform reads, validated once. Nothing else reads process.env. */
const intFrom = (def: number) => z.coerce.number().int().positive().default(def);

const ConfigSchema = z.object({
  PORT: intFrom(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  /** 32 hex characters: the SM4 key that encrypts personal data. Generated into DATA_DIR in embedded mode. */
  ZHD_SM4_KEY: z.string().regex(/^[0-9a-fA-F]{32}$/, 'ZHD_SM4_KEY 必须是 32 位十六进制字符').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ZHD_LOGIN_MAX_FAILURES: intFrom(5),
  ZHD_LOGIN_LOCK_MINUTES: intFrom(15),
  ZHD_SESSION_IDLE_MINUTES: intFrom(30),
  ZHD_SESSION_MAX_HOURS: intFrom(12),
  /** How long an instance trusts a session it checked a moment ago (milliseconds; 0: check every request). */
  ZHD_SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  ZHD_PASSWORD_MIN_LENGTH: intFrom(8),
  ZHD_PASSWORD_MIN_CLASSES: intFrom(3),
  ZHD_BODY_LIMIT_BYTES: intFrom(1_048_576),
  ZHD_PUBLIC_RATE_LIMIT_PER_MINUTE: intFrom(30),
  ZHD_JOB_POLL_MS: intFrom(5000),
  ZHD_ATTACHMENT_MAX_BYTES: intFrom(10 * 1024 * 1024),
  ZHD_ATTACHMENTS_PER_PROBLEM: intFrom(9),
  ZHD_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /**
   * Behind a reverse proxy: whose X-Forwarded-For / -Proto to believe — `true` (any), a number of proxy hops, or
   * addresses and CIDR ranges separated by commas. Unset: none, the connection's own address counts.
   */
  ZHD_TRUST_PROXY: z.string().trim().regex(/^(true|false|\d+|[0-9a-fA-F.:/,\s]+)?$/, 'ZHD_TRUST_PROXY 应为 true、代理层数，或以逗号分隔的地址/网段').default(''),
  ZHD_DEMO_SEED: z.enum(['true', 'false']).default('true'),
  /** Who delivers SMS / WeChat / mail from the outbox: `log` writes them to the log, `webhook` POSTs them to a gateway. */
  ZHD_OUTBOX_SENDER: z.enum(['log', 'webhook']).default('log'),
  ZHD_OUTBOX_WEBHOOK_URL: z.url('ZHD_OUTBOX_WEBHOOK_URL 必须是网址').optional(),
  /** PostgreSQL: send repeated queries as named prepared statements (parsed and planned once per connection). */
  ZHD_PG_PREPARE: z.enum(['on', 'off']).default('on'),
  /** PostgreSQL: connections per server instance. */
  ZHD_PG_POOL_SIZE: intFrom(10),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  sm4KeyHex?: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  login: { maxFailures: number; lockMinutes: number };
  session: { idleMinutes: number; maxHours: number; cacheMs: number; cookieSecure: 'auto' | 'true' | 'false' };
  password: { minLength: number; minClasses: number };
  bodyLimitBytes: number;
  publicRateLimitPerMinute: number;
  jobPollMs: number;
  attachments: { maxBytes: number; perProblem: number };
  /** Fastify's trustProxy: false, true, a hop count, or a list of addresses and ranges. */
  trustProxy: boolean | number | string;
  demoSeed: boolean;
  outbox: { sender: 'log' | 'webhook'; webhookUrl?: string };
  pgPrepare: boolean;
  pgPoolSize: number;
};

function trustProxyOf(v: string): boolean | number | string {
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  return /^\d+$/.test(v) ? Number(v) : v.replace(/\s+/g, '');
}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`配置有误：\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.ZHD_OUTBOX_SENDER === 'webhook' && !e.ZHD_OUTBOX_WEBHOOK_URL) throw new Error('配置有误：\n  ZHD_OUTBOX_WEBHOOK_URL: 使用 webhook 发送时必须设置网关地址');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL || undefined,
    sm4KeyHex: e.ZHD_SM4_KEY,
    logLevel: e.LOG_LEVEL,
    login: { maxFailures: e.ZHD_LOGIN_MAX_FAILURES, lockMinutes: e.ZHD_LOGIN_LOCK_MINUTES },
    session: { idleMinutes: e.ZHD_SESSION_IDLE_MINUTES, maxHours: e.ZHD_SESSION_MAX_HOURS, cacheMs: e.ZHD_SESSION_CACHE_MS, cookieSecure: e.ZHD_COOKIE_SECURE },
    password: { minLength: e.ZHD_PASSWORD_MIN_LENGTH, minClasses: e.ZHD_PASSWORD_MIN_CLASSES },
    bodyLimitBytes: e.ZHD_BODY_LIMIT_BYTES,
    publicRateLimitPerMinute: e.ZHD_PUBLIC_RATE_LIMIT_PER_MINUTE,
    jobPollMs: e.ZHD_JOB_POLL_MS,
    attachments: { maxBytes: e.ZHD_ATTACHMENT_MAX_BYTES, perProblem: e.ZHD_ATTACHMENTS_PER_PROBLEM },
    trustProxy: trustProxyOf(e.ZHD_TRUST_PROXY),
    demoSeed: e.ZHD_DEMO_SEED === 'true',
    outbox: { sender: e.ZHD_OUTBOX_SENDER, webhookUrl: e.ZHD_OUTBOX_WEBHOOK_URL },
    pgPrepare: e.ZHD_PG_PREPARE === 'on',
    pgPoolSize: e.ZHD_PG_POOL_SIZE,
    ...overrides,
  };
}
