import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WEB_DIST } from '../src/server.ts';
import { DEMO_PASSWORD } from '../src/modules/seed/wuhu.ts';

/** Browser tests drive Debian's chromium (installed by .ci/run); playwright's own download does not work here. */
export const CHROMIUM = '/usr/bin/chromium';
export const skipBrowser = fs.existsSync(CHROMIUM) ? false : `Debian chromium 不在 ${CHROMIUM}（apt-get install chromium）：跳过浏览器测试`;

export function assertWebBuilt(): void {
  assert.ok(fs.existsSync(path.join(WEB_DIST, 'index.html')), '网页尚未构建：运行 npm run build:web（npm install 时会自动构建）');
}

/** A headless chromium; playwright gives each launch a fresh, empty user-data dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new page that has submitted the login form (the caller waits for what it expects next). */
export async function submitLogin(browser: Browser, base: string, username: string, password = DEMO_PASSWORD): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(base);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  return page;
}
