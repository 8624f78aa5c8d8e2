import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { WEB_DIST } from '../src/server.ts';
import { buildApp } from '../src/app.ts';
import { seedDemoCity } from '../src/modules/seed/service.ts';
import { DEMO_PASSWORD } from '../src/modules/seed/wuhu.ts';
import { createTestContext, type TestContext } from './helpers.ts';

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

/** A new page that has submitted the login form and received the answer (the caller waits for what it expects next). */
export async function submitLogin(browser: Browser, base: string, username: string, password = DEMO_PASSWORD, options: { timezoneId?: string; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const page = await browser.newPage(options);
  await page.goto(base);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  // the session cookie comes with the login's answer: a test that navigates straight on must not cut that request off
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await answered;
  return page;
}

/**
 * The demo city in a fresh test database (then whatever `prepare` adds), behind the real server with the built web
 * pages, and a chromium to drive them; `close` takes it all down again.
 */
export async function startWebApp(prepare: (ctx: TestContext) => Promise<void> = async () => {}) {
  assertWebBuilt();
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const ctx = await createTestContext();
    cleanups.push(() => ctx.close());
    await seedDemoCity(ctx);
    await prepare(ctx);
    const app = await buildApp(ctx, { webDir: WEB_DIST });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    return { ctx, base, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Waits until an element and everything in it have stopped moving (antd's dialogs zoom in): a click on a button of a
 * dialog still opening can be lost on a busy machine. Reads the page's running CSS animations and transitions.
 */
export async function settled(scope: Locator): Promise<void> {
  // first until the motion classes (ant-zoom-appear…) are gone — an animation about to start is not running yet —
  // then until whatever still runs has finished
  // (no named function inside: the test's compiler would wrap it in a helper the page does not have)
  await scope.evaluate(async (el) => {
    for (let frames = 0; /-(appear|enter)(-prepare|-start|-active)?(\s|$)/.test(el.className) && frames < 120; frames++) await new Promise((r) => requestAnimationFrame(r));
    await Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished.catch(() => undefined)));
  });
}
