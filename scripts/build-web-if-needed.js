#!/usr/bin/env node
// Runs at `npm install` (prepare): builds the web app once so that `npm start` never rebuilds it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

if (process.env.ZHD_SKIP_WEB_BUILD === '1') process.exit(0);
if (!fs.existsSync('web/index.html')) process.exit(0);
if (!fs.existsSync('node_modules/vite')) {
  console.warn('未安装 vite（可能使用了 --omit=dev），跳过网页构建；请在完整安装后运行 npm run build:web');
  process.exit(0);
}
console.log('构建网页（web/dist）…');
const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
