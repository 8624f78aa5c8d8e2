import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { cityDay } from '../src/lib/calendar.ts';
import { createAnalyticsService } from '../src/modules/analytics/service.ts';
import { createProblemsService } from '../src/modules/problems/service.ts';
import { createRiskService } from '../src/modules/risk/service.ts';
import { createWorkOrdersService } from '../src/modules/workorders/service.ts';
import { skipBrowser, startWebApp, submitLogin } from './browser.ts';
import type { TestContext } from './helpers.ts';

// 风险预警 in the browser, as the supervision office uses it: a spike in 镜湖区 城市管理 becomes a warning; the supervisor
// finds it in the list, reads the evidence (chart and statistics), 研判 it, and sees the city's picture on 风险总览.

const skip = skipBrowser;
const DAY_MS = 86_400_000;
const today = cityDay(new Date());
const daysAgo = (n: number) => new Date(Date.parse(`${today}T12:00:00+08:00`) - n * DAY_MS + 8 * 3_600_000).toISOString().slice(0, 10);
const NOTE = '镜湖区夜市占道经营回潮，需城管部门专项整治';

let ctx: TestContext;
let browser: Browser;
let base: string;
let close = async () => {};

/** Problems reported on a city day, straight into the table like an import would leave them (as src/modules/risk/risk.test.ts does). */
async function reportedOn(day: string, n: number, o: { domain?: string; region?: string } = {}) {
  if (!n) return;
  await sql`
    insert into problem (tracking_code, channel, title, body, reported_at, region_code, domain_code, status, triaged_at)
    select ${`W${randomBytes(4).toString('hex')}`} || g, 'hotline12345', '占道经营', '夜市摊贩占道经营，影响通行', ${`${day}T10:00:00+08:00`}::timestamptz + (g || ' minutes')::interval,
           ${o.region ?? '340202'}, ${o.domain ?? 'urban_mgmt'}, 'triaged', now()
    from generate_series(1, ${n}) as g`.execute(ctx.db);
}

before(async () => {
  if (skip) return;
  ({ base, browser, close } = await startWebApp(async (c) => {
    ctx = c;
    // 镜湖区 城市管理: about 4 a day for nine weeks (fewer at weekends), then 18 a day for the last three days
    for (let i = 65; i >= 0; i--) {
      const day = daysAgo(i);
      const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
      await reportedOn(day, i < 3 ? 18 : weekend ? 2 : 4);
      await reportedOn(day, weekend ? 1 : 2, { region: '340209', domain: 'food_drug' });
    }
    const problems = createProblemsService(ctx);
    await createAnalyticsService(ctx, problems).refresh();
    const r = await createRiskService(ctx, { problems, workOrders: createWorkOrdersService(ctx) }).detect(today);
    assert.ok(r.raised >= 1, JSON.stringify(r));
  }));
});
after(() => close());

async function loginAs(username: string): Promise<Page> {
  const page = await submitLogin(browser, base, username);
  await page.getByTestId('main-menu').waitFor();
  return page;
}

/** antd puts a space between the two characters of a two-character button label (研 判). */
const button = (scope: Page | Locator, label: string) => scope.getByRole('button', { name: new RegExp(`^${[...label].join('\\s*')}$`) });

test('预警: the supervisor finds the spike in the list, reads its chart and statistics, 研判 it and sees the timeline; 风险总览 shows the domain', { skip }, async () => {
  const page = await loginAs('supervisor');
  const menu = page.getByTestId('main-menu');
  await menu.getByText('风险预警').waitFor();

  // the list: the 镜湖区 城市管理 spike among the open warnings
  await menu.getByText('预警列表').click();
  await page.waitForURL(/\/risk\/warnings$/);
  const title = page.getByTestId('warning-title').filter({ hasText: /镜湖区城市管理领域反映量异常上升/ });
  await title.waitFor();
  assert.match(await page.getByTestId('warnings-total').innerText(), /共 [1-9]\d* 条/);

  // the warning: level, chart of 实际 against 预期, the statistics in plain words
  await title.click();
  await page.waitForURL(/\/risk\/warnings\/\d+$/);
  await page.getByTestId('warning-heading').getByText(/镜湖区城市管理领域反映量异常上升/).waitFor();
  assert.match(await page.getByTestId('level-tag').first().innerText(), /^(黄色|橙色|红色)预警$/);
  assert.equal(await page.getByTestId('warning-state').innerText(), '新预警');
  await page.getByTestId('evidence-chart').locator('canvas').waitFor();
  const summary = await page.getByTestId('evidence-summary').innerText();
  assert.match(summary, /共反映问题 54 件/);
  assert.match(summary, /次中才有 1 次|不到万亿分之一/);
  const stats = await page.getByTestId('evidence-stats').innerText();
  for (const label of ['倍数（实际 ÷ 预期）', 'z 值', 'p 值', '检验方法']) assert.ok(stats.includes(label), `${label} in ${stats}`);
  assert.match(stats, /比预期高出 \d+(\.\d)? 个标准差/);
  // only the steps allowed from 新预警
  for (const step of ['研判', '交办', '排除']) await button(page, step).waitFor();
  assert.equal(await button(page, '化解').count(), 0);

  // 研判: a note under four characters is refused by the form, a real one moves the warning
  await button(page, '研判').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('研判意见').fill('好');
  await dialog.getByRole('button', { name: /提交研判/ }).click();
  await dialog.getByText('研判意见至少 4 个字').waitFor();
  await dialog.getByLabel('研判意见').fill(NOTE);
  await dialog.getByRole('button', { name: /提交研判/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="warning-state"]')?.textContent === '已研判');
  const timeline = page.getByTestId('warning-timeline');
  await timeline.getByText(NOTE).waitFor();
  const lines = await timeline.getByTestId('timeline-item').allInnerTexts();
  assert.equal(lines.length, 2, lines.join(' | '));
  assert.match(lines[0]!, /产生预警[\s\S]*系统/);
  assert.match(lines[1]!, /研判[\s\S]*李明[\s\S]*新预警 →[\s\S]*已研判/);
  await button(page, '化解').waitFor();
  assert.equal(await button(page, '研判').count(), 0, 'a warning is assessed once');

  // 风险总览: the risk map, the domain card with its traceable points, a click opens the domain's page
  await menu.getByText('风险总览').click();
  await page.waitForURL(/\/risk$/);
  await page.getByTestId('risk-map').locator('canvas').waitFor();
  const card = page.getByTestId('domain-card-urban_mgmt');
  await card.getByText('城市管理').waitFor();
  assert.match(await card.innerText(), /反映量异常：权重 30 × 取值 [\d.]+ = [\d.]+ 分/);
  await card.click();
  await page.waitForURL(/\/risk\/domains\/urban_mgmt$/);
  await page.getByTestId('domain-title').getByText('城市管理').waitFor();
  await page.getByTestId('decision-support').getByText('专项整治').waitFor();
  await page.getByTestId('domain-trend').locator('canvas').waitFor();

  // a district in the table opens the warnings of that district
  await page.goBack();
  await page.waitForURL(/\/risk$/);
  await page.getByTestId('region-table').getByText('镜湖区').click();
  await page.waitForURL(/\/risk\/warnings\?region=340202$/);
  await page.getByTestId('region-filter').getByText('区域：镜湖区').waitFor();
  await page.getByTestId('warning-title').filter({ hasText: /镜湖区城市管理领域反映量异常上升/ }).waitFor();
  await page.close();
});

test('预警规则: the rules with their parameters in Chinese, and a 回测 by month', { skip }, async () => {
  const page = await loginAs('supervisor');
  await page.getByTestId('main-menu').getByText('预警规则').click();
  await page.waitForURL(/\/risk\/rules$/);
  const row = page.locator('.ant-table-row', { hasText: '领域·区域反映量异常上升' });
  await row.getByText('统计窗口（天）：').waitFor();
  assert.match(await row.innerText(), /基线（天）：56[\s\S]*最少件数：5/);
  await button(row, '回测').click();
  await page.getByRole('button', { name: /按当前规则回测/ }).click();
  const result = page.getByTestId('backtest-result');
  await result.getByText(/这条规则会产生 \d+ 条预警/).waitFor({ timeout: 60_000 });
  await result.getByTestId('backtest-chart').locator('canvas').waitFor();
  await page.close();
});

test('复议诉讼结果: the supervisor imports a CSV; the bad row is named, the good one is listed as 败诉', { skip }, async () => {
  const page = await loginAs('supervisor');
  await page.getByTestId('main-menu').getByText('复议诉讼结果').click();
  await page.waitForURL(/\/risk\/cases$/);
  await page.getByTestId('cases-table').getByText('还没有复议诉讼结果').waitFor();
  const csv = `案号,类型,被申请人/被告单位,结案日期,结果\n芜复〔2026〕7号,行政复议,镜湖区城市管理局,${daysAgo(5)},撤销\n芜复〔2026〕8号,行政复议,没有这个局,${daysAgo(5)},维持\n`;
  await page.getByTestId('cases-upload').locator('input[type=file]').setInputFiles({ name: '复议结果.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const result = page.getByTestId('cases-import-result');
  await result.getByText('新增 1 件，更新 0 件，1 处错误（这些行未保存）').waitFor();
  await result.getByText(/第 3 行“被申请人\/被告单位”：单位“没有这个局”不存在/).waitFor();
  const row = page.getByTestId('cases-table').locator('.ant-table-row', { hasText: '芜复〔2026〕7号' });
  await row.getByText('撤销（败诉）').waitFor();
  assert.match(await row.innerText(), /镜湖区城市管理局/);
  await page.close();
});
