import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../src/modules/seed/wuhu.ts';
import { settled, skipBrowser, startWebApp, submitLogin } from './browser.ts';
import { REPO_ROOT, type TestContext } from './helpers.ts';
import { SYSTEM_ACTOR } from '../src/modules/auth/access.ts';
import { importFile } from '../src/modules/intake/service.ts';
import { intakeRepo } from '../src/modules/intake/repo.ts';
import { createProblemsService } from '../src/modules/problems/service.ts';
import { createTriageService } from '../src/modules/triage/service.ts';

const skip = skipBrowser;

let ctx: TestContext;
let browser: Browser;
let base: string;
let close = async () => {};

before(async () => {
  if (skip) return;
  ({ base, browser, close } = await startWebApp(async (c) => {
    ctx = c;
    await importFile(ctx, SYSTEM_ACTOR, { channel: 'wanshitong', file: path.join(REPO_ROOT, 'docs', 'examples', 'wanshitong.json'), origin: 'cli' });
    await createProblemsService(ctx).submitForm('web_form', { title: '城管未亮证', content: '湾沚区六郎镇城管执法人员未出示执法证就罚款，还态度恶劣。', address: '湾沚区六郎镇' }, SYSTEM_ACTOR);
    await createTriageService(ctx).triagePending(100);
  }));
});
after(() => close());

const loginAs = (username: string, password = DEMO_PASSWORD): Promise<Page> => submitLogin(browser, base, username, password);

async function menuTexts(page: Page): Promise<string[]> {
  const menu = page.getByTestId('main-menu');
  await menu.waitFor();
  return (await menu.locator('.ant-menu-title-content').allInnerTexts()).map((s) => s.trim());
}

test('a wrong password shows a Chinese error on the login page', { skip }, async () => {
  const page = await loginAs('admin', 'Wrong-pass-1');
  await page.getByTestId('login-error').waitFor();
  assert.match(await page.getByTestId('login-error').innerText(), /用户名或密码错误/);
  await page.close();
});

test('a session that ended under someone at work says so on the login page, and logging in again goes on where they were', { skip }, async () => {
  const page = await loginAs('dispatcher');
  await page.getByTestId('main-menu').waitFor();
  // the page opened afresh without a session is a first visit: no claim that something expired
  await page.context().clearCookies();
  await page.reload();
  await page.getByLabel('用户名').waitFor();
  assert.equal(await page.getByTestId('login-expired').count(), 0);
  await page.getByLabel('用户名').fill('dispatcher');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('main-menu').waitFor();
  // the session ends while the page is open: the next request is refused, and the login page says why
  await page.context().clearCookies();
  await page.getByTestId('main-menu').getByText('问题库').click();
  await page.getByTestId('login-expired').waitFor();
  assert.match(await page.getByTestId('login-expired').innerText(), /登录已过期/);
  await page.close();
});

test('the menu follows the roles: the admin sees system management, a handler only what it may read', { skip }, async () => {
  const admin = await loginAs('admin');
  const adminMenu = await menuTexts(admin);
  for (const item of ['工作台', '系统管理', '单位管理', '人员与授权', '接入密钥', '审计日志']) assert.ok(adminMenu.includes(item), `admin menu lacks ${item}: ${adminMenu}`);
  // from 1 November, a missing calendar for next year is on the admin's start page, with the way to add it
  const { warning } = await admin.evaluate(async () => (await fetch('/api/calendar/years')).json() as Promise<{ warning: string | null }>);
  if (warning) {
    await admin.getByTestId('calendar-warning').getByText(warning).waitFor();
    await admin.getByRole('button', { name: '去添加' }).click();
    await admin.getByText('办理与签收时限规则').waitFor();
  } else assert.equal(await admin.getByTestId('calendar-warning').count(), 0);
  await admin.getByText('单位管理').click();
  await admin.getByText('芜湖市市场监督管理局').first().waitFor();
  // a page whose address starts with /api (接入密钥: /api-keys) opens when typed or reloaded, not as an API answer
  await admin.goto(`${base}/api-keys`);
  await admin.getByRole('button', { name: '新建密钥' }).waitFor();
  await admin.close();

  const handler = await loginAs('handler');
  const handlerMenu = await menuTexts(handler);
  assert.ok(handlerMenu.includes('工作台'));
  assert.ok(handlerMenu.includes('单位管理'));
  assert.ok(!handlerMenu.includes('接入密钥'), `handler should not see 接入密钥: ${handlerMenu}`);
  assert.ok(!handlerMenu.includes('审计日志'), `handler should not see 审计日志: ${handlerMenu}`);
  // the handler's unit page shows its own unit only, without management buttons
  await handler.getByText('单位管理').click();
  await handler.getByText('芜湖市市场监督管理局').first().waitFor();
  assert.equal(await handler.getByText('芜湖市教育局').count(), 0);
  assert.equal(await handler.getByRole('button', { name: '新建单位' }).count(), 0);
  await handler.close();

  const supervisor = await loginAs('supervisor');
  const supMenu = await menuTexts(supervisor);
  assert.ok(supMenu.includes('审计日志'));
  assert.ok(!supMenu.includes('接入密钥'));
  assert.equal(await supervisor.getByTestId('coming-later').count(), 0);
  await supervisor.close();

  // a 评查人员, whose own work comes in a later version, is told so on the start page
  const reviewer = await loginAs('reviewer');
  assert.match(await reviewer.getByTestId('coming-later').innerText(), /案卷评查功能将在后续版本提供/);
  await reviewer.close();
});

test('logging out returns to the login page and the session no longer works', { skip }, async () => {
  const page = await loginAs('leader');
  await page.getByTestId('user-menu').hover();
  await page.getByText('退出登录').click();
  await page.getByRole('button', { name: /登\s*录/ }).waitFor();
  const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
  assert.equal(me, 401);
  await page.close();
});

test('问题库: the supervisor finds a problem, opens it, sees the masked source and reveals the contact', { skip }, async () => {
  const page = await loginAs('supervisor');
  await page.getByText('问题库').first().click();
  await page.getByText('企业拖欠工资').click();
  await page.getByText('全部来源').waitFor();
  const raw = page.getByText('原始记录（个人信息已打码）');
  await raw.click();
  // field by field, the phone under its meaning and masked; the text as received on request, masked too
  const phoneRow = page.locator('.ant-descriptions-row', { hasText: '联系电话' }).last();
  assert.match(await phoneRow.innerText(), /139\*\*\*\*0022/);
  // the panel has finished opening before its button is pressed (a click during the motion was lost once on a busy machine)
  await settled(page.locator('.ant-collapse').first());
  await page.getByRole('button', { name: '查看收到的原文' }).click();
  await page.getByRole('button', { name: '按字段查看' }).waitFor();
  const json = await page.locator('pre').innerText();
  assert.ok(json.includes('139****0022') && !json.includes('13955300022'), json);
  await page.getByRole('button', { name: /查看联系方式/ }).click();
  await page.getByText('13955300022').waitFor();
  await page.close();
});

test('问题库: times read as the city\'s clocks read them, whatever zone the computer is set to', { skip }, async () => {
  const page = await submitLogin(browser, base, 'supervisor', DEMO_PASSWORD, { timezoneId: 'America/New_York' });
  await page.getByText('问题库').first().click();
  await page.getByText('企业拖欠工资').click();
  const { reported_at } = await ctx.db.selectFrom('problem').select('reported_at').where('title', 'like', '%企业拖欠工资%').executeTakeFirstOrThrow();
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(reported_at)).map((p) => [p.type, p.value]));
  const shown = page.locator('.ant-descriptions-item', { hasText: '反映时间' }).first();
  assert.match(await shown.innerText(), new RegExp(`${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`));
  await page.close();
});

test('问题库 fits a 1366-wide office laptop screen: no sideways scrolling to reach 反映人', { skip }, async () => {
  const page = await submitLogin(browser, base, 'supervisor', DEMO_PASSWORD, { viewport: { width: 1366, height: 768 } });
  await page.getByText('问题库').first().click();
  await page.getByText('企业拖欠工资').waitFor();
  const table = page.locator('.ant-table-content, .ant-table-body').first();
  const { scrollWidth, clientWidth } = await table.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  assert.ok(scrollWidth <= clientWidth, `the table is ${scrollWidth}px wide in ${clientWidth}px`);
  await page.close();
});

test('数据导入: a dispatcher uploads a file and sees the counts, with the rejected rows to download', { skip }, async () => {
  const page = await loginAs('dispatcher');
  await page.getByText('数据导入').first().click();
  await page.locator('input[type=file]').setInputFiles(path.join(REPO_ROOT, 'docs', 'examples', 'hotline12345.csv'));
  const summary = page.getByTestId('import-summary');
  // the counts while it runs are partial: read them once the batch says it has finished
  await page.waitForFunction(() => document.querySelector('[data-testid=import-state]')?.textContent === '已完成');
  assert.match(await summary.innerText(), /已读取 5 条：新增 4.*拒收 1/);
  await page.getByText('下载拒收明细').first().waitFor();
  // the rejected row on the page: its number, the record's id, the field and why
  const rejected = page.getByTestId('rejected-rows').locator('.ant-table-row');
  await rejected.first().waitFor();
  assert.match(await rejected.first().innerText(), /6\s+WH12345-\S+\s+时间\s+.*无法识别为时间/);
  // the recent imports name who started each
  const { display_name } = await ctx.db.selectFrom('app_user').select('display_name').where('username', '=', 'dispatcher').executeTakeFirstOrThrow();
  await page.locator('.ant-card', { hasText: '最近导入' }).locator('.ant-table-row', { hasText: 'hotline12345.csv' }).first().getByText(display_name).waitFor();
  // later, the batch opens again from the list with its rejected rows
  await page.reload();
  await page.locator('.ant-card', { hasText: '最近导入' }).locator('.ant-table-row', { hasText: 'hotline12345.csv' }).first().click();
  assert.match(await summary.innerText(), /已读取 5 条：新增 4.*拒收 1/);
  await page.getByTestId('rejected-rows').locator('.ant-table-row').first().waitFor();
  await page.close();
});

test('数据导入: an import started elsewhere (the command line) shows as running in the list and moves on by itself', { skip }, async () => {
  const { id } = await intakeRepo.createBatch(ctx.db, { channel: 'hotline12345', origin: 'cli', fileName: '命令行导入-12345.csv', bytesTotal: 1000, createdBy: null, apiKeyId: null });
  const page = await loginAs('dispatcher');
  await page.getByText('数据导入').first().click();
  const row = page.locator('.ant-card', { hasText: '最近导入' }).locator('.ant-table-row', { hasText: '命令行导入-12345.csv' });
  await row.getByText('导入中').waitFor();
  await intakeRepo.finishBatch(ctx.db, id, 'done', null, { read: 7, inserted: 6, changed: 0, repeats: 1, rejected: 0, bytesRead: 1000 }, [], []);
  // no reload: the list asks again while something in it is running
  await row.getByText('已完成').waitFor({ timeout: 15_000 });
  await row.getByText('系统').waitFor();
  await page.close();
});

test('数据导入: a workbook whose first sheet is an instructions page is read from its data sheet, and the page says so', { skip }, async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('填表说明').getCell('A1').value = '工单编号必填';
  wb.addWorksheet('工单').addRows([['工单编号', '受理时间', '诉求内容'], ['WEBX-1', '2026-03-03 09:00', '网页上传的工作簿里的反映'], ['WEBX-1', '2026-03-03 09:00', '同一编号，补充了内容']]);
  const page = await loginAs('dispatcher');
  await page.getByText('数据导入').first().click();
  await page.locator('input[type=file]').setInputFiles({ name: 'sheets.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
  await page.waitForFunction(() => document.querySelector('[data-testid=import-state]')?.textContent === '已完成');
  assert.match(await page.getByTestId('import-summary').innerText(), /已读取 2 条：新增 1，更新 1/);
  const notices = await page.getByTestId('import-notices').innerText();
  assert.match(notices, /读取的是工作表“工单”（之前的工作表“填表说明”没有表头行，已跳过）/);
  assert.match(notices, /文件中有 1 个编号出现多次且内容不同，已按先后存为多个版本：例如 第2行与第3行（编号 WEBX-1）/);
  await page.close();
});

test('数据导入: a file whose columns are not understood gets a column mapping on the page, saved and used to import it', { skip }, async () => {
  const page = await loginAs('dispatcher');
  await page.getByText('数据导入').first().click();
  await page.getByLabel('渠道').click();
  await page.locator('.ant-select-item-option[title^="通用导入"]').click();
  await page.locator('input[type=file]').setInputFiles(path.join(REPO_ROOT, 'docs', 'examples', 'generic.csv'));
  const editor = page.getByTestId('mapping-editor');
  await editor.waitFor();
  assert.match(await page.getByTestId('import-error').innerText(), /缺少必需的列/);
  assert.match(await editor.innerText(), /还需要指定：内容、时间/);
  for (const [header, field] of [['反映时间', '时间'], ['反映内容', '内容'], ['反映标题', '标题'], ['来源编号', '记录编号'], ['地点', '地址']] as const) {
    const select = editor.getByLabel(`“${header}”对应的字段`);
    await select.click();
    await select.fill(field);
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: new RegExp(`^${field}$`) }).click();
  }
  await editor.getByLabel('映射名称').fill('街道来信（网页）');
  await editor.getByRole('button', { name: '保存映射并导入' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=import-state]')?.textContent === '已完成');
  assert.match(await page.getByTestId('import-summary').innerText(), /已读取 1 条：新增 1/);
  assert.equal(await editor.count(), 0);
  const saved = await page.evaluate(async () => (await fetch('/api/column-mappings')).json() as Promise<{ name: string; mapping: Record<string, string> }[]>);
  const mapping = saved.find((m) => m.name === '街道来信（网页）')?.mapping;
  assert.deepEqual(mapping && { ...mapping }, { 反映时间: 'time', 反映内容: 'body', 反映标题: 'title', 来源编号: 'id', 地点: 'address' });
  await page.close();
});

test('the public form names what to mend in Chinese, and refuses an oversized attachment when it is chosen', { skip }, async () => {
  const page = await browser.newPage();
  const sessionAsked: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/auth/me')) sessionAsked.push(r.url()); });
  await page.goto(`${base}/report`);
  await page.getByLabel('内容').fill('弋江区某工地夜间施工噪音扰民，请依法处理。');
  await page.getByLabel('联系电话').fill('12345');
  await page.locator('input[type=file]').setInputFiles([
    { name: '现场.png', mimeType: 'image/png', buffer: Buffer.alloc(2048, 1) },
    { name: '录像.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(11 * 1024 * 1024, 1) },
    { name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from('文字说明') },
  ]);
  await page.getByText('“录像.pdf”超过 10 MB，未添加').waitFor();
  await page.getByText(/“说明.txt”类型不支持，未添加/).waitFor();
  assert.equal(await page.locator('.ant-upload-list-item').count(), 1);
  await page.getByRole('button', { name: /提\s*交/ }).click();
  await page.getByText('请按提示修改标出的内容').waitFor();
  await page.getByText('请填写正确的手机号或固定电话').waitFor();
  assert.ok(!(await page.locator('body').innerText()).includes('contactPhone'));
  assert.deepEqual(sessionAsked, [], "a citizen's page does not ask for a session");
  await page.close();
});

test('a citizen reports without logging in and follows the report with the tracking code', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/report`);
  await page.getByLabel('内容').fill('繁昌区孙村镇执法人员罚款后不开票据，请核查处理。');
  await page.getByLabel('发生地点').fill('繁昌区孙村镇');
  // a file named as a picture that is not one: the server refuses it after the report is saved
  await page.locator('input[type=file]').setInputFiles({ name: '票据.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
  await page.getByRole('button', { name: /提\s*交/ }).click();
  const code = await page.getByTestId('tracking-code').innerText();
  assert.match(code, /^ZD[0-9A-Z]{10}/);
  assert.match(await page.getByTestId('attachment-warning').innerText(), /反映已提交；附件未全部上传：附件“票据.png”类型不允许/);
  assert.equal(await page.getByRole('button', { name: '重新上传附件' }).count(), 0, 'a refused file is not offered again: it would fail the same way');
  await page.getByRole('button', { name: '查看进度' }).click();
  await page.getByTestId('status-text').getByText('已受理，正在分办').waitFor();
  assert.ok(!(await page.locator('body').innerText()).includes('新收'), 'the staff\'s name for the state is not shown to the citizen');
  await page.close();
});

test('分拣队列: the dispatcher sees misconduct first with its evidence, and confirms a problem out of the queue', { skip }, async () => {
  const page = await loginAs('dispatcher');
  // the start page counts the queue
  assert.match(await page.getByTestId('home-queue').innerText(), /待确认分拣\s*\d+/);
  await page.getByText('分拣队列').first().click();
  await page.getByText('城管未亮证').waitFor();
  const first = page.locator('.ant-table-row').first();
  assert.match(await first.innerText(), /城管未亮证/);
  assert.match(await first.innerText(), /未亮证/);
  const header = page.getByText(/分拣队列（\d+ 条待确认）/);
  const before = Number((await header.innerText()).match(/（(\d+)/)![1]);
  await first.getByRole('button', { name: /确\s*认/ }).click();
  await page.getByText(`分拣队列（${before - 1} 条待确认）`).waitFor();
  await page.close();
});

test('录入线索: an officer who may not read the problem library saves a clue with its photo (a fake one refused alone); the code is masked, the number given, no page offered', { skip }, async () => {
  const page = await loginAs('officer');
  await page.goto(`${base}/entry`);
  await page.getByLabel('内容').fill('巡查发现镜湖区范罗山街道一家烧烤店占用人行道摆放桌椅，影响通行。');
  await page.getByLabel('地点').fill('镜湖区范罗山街道');
  // a file named as a photo that is not one, before the real photo: refused alone, the photo is kept
  await page.locator('input[type=file]').setInputFiles([
    { name: '假照片.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a picture at all') },
    { name: '现场.png', mimeType: 'image/png', buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 1)]) },
  ]);
  await page.getByRole('button', { name: /保\s*存/ }).click();
  await page.getByText('线索已保存，附件未全部上传').waitFor();
  const said = await page.locator('.ant-result-subtitle').innerText();
  assert.match(said, /查询码 ZD\w{2}\*{6}\w{2}/);
  assert.match(said, /附件“假照片.jpg”类型不允许.*其余 1 个已上传/);
  assert.match(await page.getByTestId('entry-number').innerText(), /问题编号 \d+/);
  assert.equal(await page.getByRole('button', { name: /查\s*看/ }).count(), 0);
  const stored = await ctx.db.selectFrom('attachment').innerJoin('problem', 'problem.id', 'attachment.problem_id').select(['attachment.file_name', 'problem.channel']).where('attachment.file_name', '=', '现场.png').execute();
  assert.deepEqual(stored.map((a) => [a.file_name, a.channel]), [['现场.png', 'staff']]);
  await page.close();
});
