import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Who holds an embedded data folder. PGlite can be opened by one process only. */
export type LockHolder = { pid: number; host: string; purpose: string; startedAt: string; port?: number };

export class DataDirBusyError extends Error {
  constructor(readonly dataDir: string, readonly holder: LockHolder) {
    const what = holder.port ? `${holder.purpose}（端口 ${holder.port}）` : holder.purpose;
    super(
      `数据目录 ${dataDir} 正被进程 ${holder.pid}（${what}，主机 ${holder.host}，启动于 ${holder.startedAt}）使用。` +
        `嵌入式数据库同一时间只能由一个进程打开：请先停止该进程（Ctrl+C 或 kill ${holder.pid}），再运行本命令；` +
        `或改用 PostgreSQL（设置 DATABASE_URL）。`,
    );
    this.name = 'DataDirBusyError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/**
 * Takes the folder's lock file, clearing a stale one whose process is gone.
 * Returns the function that releases it.
 */
export function lockDataDir(dataDir: string, purpose: string, port?: number): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'zhd.lock');
  const me: LockHolder = { pid: process.pid, host: os.hostname(), purpose, startedAt: new Date().toISOString(), port };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      const sameHost = !holder || holder.host === os.hostname();
      if (holder && sameHost && alive(holder.pid)) throw new DataDirBusyError(dataDir, holder);
      if (holder && !sameHost) throw new DataDirBusyError(dataDir, holder);
      fs.rmSync(file, { force: true }); // stale: its process is gone (or the file is unreadable)
    }
  }
  throw new Error(`无法获取数据目录锁：${file}`);
}
