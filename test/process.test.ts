import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { sql } from 'kysely';
import { DataDirBusyError, lockDataDir } from '../src/db/lock.ts';
import { loadConfig } from '../src/lib/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { childEnv, REPO_ROOT, tempDir } from './helpers.ts';

const run = promisify(execFile);
const ZHD = path.join(REPO_ROOT, 'bin', 'zhd.js');

test('a data folder has one holder; a second gets a Chinese message naming it; a stale lock is cleared', () => {
  const dir = tempDir();
  const release = lockDataDir(dir, '测试');
  assert.throws(() => lockDataDir(dir, '另一个'), (e: unknown) => e instanceof DataDirBusyError && e.message.includes(String(process.pid)) && e.message.includes('正被进程'));
  release();
  // a lock left by a process that no longer exists
  fs.writeFileSync(path.join(dir, 'zhd.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), purpose: 'x', startedAt: '2026-01-01' }));
  const again = lockDataDir(dir, '测试');
  again();
  assert.equal(fs.existsSync(path.join(dir, 'zhd.lock')), false);
});


async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ZHD, 'serve'], { env: childEnv({ DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', HOST: '127.0.0.1' }), cwd: REPO_ROOT });
  let out = '';
  return new Promise((resolve, reject) => {
    // a first start seeds the demo city: about 15 s alone, several times that on a loaded machine
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a server left running would keep the whole test file from ending
      reject(new Error(`server did not start in 180 s:\n${out}`));
    }, 180_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('智慧督已启动')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

test('SIGTERM closes cleanly so a CLI command can open the folder; after SIGKILL the server starts again', { timeout: 480_000 }, async () => {
  const dataDir = tempDir();
  const port = await freePort();
  const env = childEnv({ DATA_DIR: dataDir });

  const first = await startServer(dataDir, port);
  const health = await fetch(`http://127.0.0.1:${port}/api/health`);
  assert.equal(health.status, 200);
  // while the server holds the folder, the CLI says who holds it
  const busy = await run(process.execPath, [ZHD, 'audit', 'verify'], { env, cwd: REPO_ROOT }).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.ok(busy, 'CLI should refuse while the server runs');
  assert.equal(busy.code, 3);
  assert.match(busy.stderr, new RegExp(`进程 ${first.pid}`));

  first.kill('SIGTERM');
  assert.equal(await exited(first), 0);
  assert.equal(fs.existsSync(path.join(dataDir, 'zhd.lock')), false);
  // the server asked at start for the check of next year's calendar, not only at the next 9:00
  const rt = await openRuntime(loadConfig(env), { purpose: 'test' });
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from job where kind = 'calendar.checkNextYear' and unique_key like 'calendar-check-at-start:%'`.execute(rt.ctx.db);
  await rt.close();
  assert.equal(rows[0]!.n, 1);
  const verified = await run(process.execPath, [ZHD, 'audit', 'verify'], { env, cwd: REPO_ROOT });
  assert.match(verified.stdout, /^OK/);

  const second = await startServer(dataDir, port);
  // write something, then die without any chance to clean up
  await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'Zhd@2026demo' }) });
  second.kill('SIGKILL');
  await exited(second);
  assert.equal(fs.existsSync(path.join(dataDir, 'zhd.lock')), true, 'the killed server leaves its lock behind');

  const third = await startServer(dataDir, port);
  const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'Zhd@2026demo' }) });
  assert.equal(login.status, 200);
  third.kill('SIGTERM');
  assert.equal(await exited(third), 0);
  const after = await run(process.execPath, [ZHD, 'audit', 'verify'], { env, cwd: REPO_ROOT });
  assert.match(after.stdout, /^OK/);
});
