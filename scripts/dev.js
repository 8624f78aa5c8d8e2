#!/usr/bin/env node
// Development: the API restarts on change (node --watch) and Vite serves the web app with hot reload at :5173.
import { spawn } from 'node:child_process';

const children = [
  spawn(process.execPath, ['--watch-path=src', 'bin/zhd.js', 'serve'], { stdio: 'inherit' }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--config', 'web/vite.config.ts'], { stdio: 'inherit' }),
];
console.log('开发模式：网页 http://localhost:5173（API 代理到 :3000）');
const stop = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', () => stop());
