import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../src/modules/auth/access.ts';
import { createTriageService } from '../src/modules/triage/service.ts';
import { skipBrowser, startWebApp, submitLogin } from './browser.ts';
import type { TestContext } from './helpers.ts';

// 分拣配置 in the browser, as the city's administrator uses it: map a label the trained model knows but the map does
// not, add a keyword and a misconduct term, add place names to the user dictionary, and create and retire a routing rule;
// a dispatcher sees only the routing rules, read-only.

const skip = skipBrowser;
let ctx: TestContext;
let browser: Browser;
let base: string;
let close = async () => {};

before(async () => {
  if (skip) return;
  ({ base, browser, close } = await startWebApp(async (c) => {
    ctx = c;
    // a history with one label of the city's own (劳动纠纷) that the label map does not know
    const docs = ['镜湖区', '弋江区', '鸠江区', '湾沚区'].flatMap((p) => [
      ...['工厂夜里排放刺鼻废气', '河道被倾倒垃圾发黑发臭', '烧烤店油烟直排扰民'].map((s) => ({ text: p + s, label: '环境保护' })),
      ...['公司拖欠工人三个月工资', '老板不签劳动合同也不交社保', '工厂加班不给加班费'].map((s) => ({ text: p + s, label: '劳动纠纷' })),
    ]);
    await createTriageService(ctx).train(SYSTEM_ACTOR, docs, { target: 'domain', sources: ['browser test'] });
  }));
});
after(() => close());

async function loginAs(username: string): Promise<Page> {
  const page = await submitLogin(browser, base, username);
  await page.getByTestId('main-menu').waitFor();
  return page;
}

/**
 * antd puts a space between the two characters of a two-character button label (保 存); after a save the button's
 * loading icon (named "loading") sometimes lingers in the page with its leave animation, so the name may start with it.
 */
const button = (scope: Page | Locator, label: string) => scope.getByRole('button', { name: new RegExp(`^(loading )?${[...label].join('\\s*')}$`) });
const modal = (page: Page) => page.getByRole('dialog');
/** Picks an option of an antd Select (with search) by typing its text. */
async function choose(scope: Locator, label: string, text: string) {
  await scope.getByLabel(label).click();
  await scope.getByLabel(label).fill(text);
  await scope.page().keyboard.press('Enter');
}
/**
 * Picks a node of an antd TreeSelect by typing and clicking its title, until the field shows it: on a loaded machine a
 * click can land while the filtered tree is still being redrawn and select nothing.
 */
async function chooseInTree(scope: Locator, label: string, text: string) {
  const page = scope.page();
  const field = scope.locator('.ant-form-item').filter({ has: page.getByLabel(label) });
  const chosen = field.locator(`.ant-select-content[title="${text}"]`);
  for (let attempt = 1; ; attempt++) {
    await scope.getByLabel(label).click();
    await scope.getByLabel(label).fill(text);
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-title', { hasText: new RegExp(`^${text}$`) }).click();
    try {
      await chosen.waitFor({ timeout: 3000 });
      return;
    } catch (e) {
      if (attempt === 3) throw new Error(`“${label}”没能选中“${text}”：${(e as Error).message}`);
    }
  }
}

test('分拣配置: the admin maps an unmapped label, adds a keyword and a misconduct term, adds user words, creates and retires a routing rule', { skip }, async () => {
  const page = await loginAs('admin');
  const menu = page.getByTestId('main-menu');
  await menu.getByText('分拣配置').waitFor();

  // 标签映射: the model's unmapped label is shown; clicking it opens the form with the label filled in
  await menu.getByText('标签映射').click();
  await page.waitForURL(/\/triage-config\/labels$/);
  const unmapped = page.getByTestId('unmapped-labels');
  await unmapped.getByText(/劳动纠纷/).click();
  const labelForm = modal(page);
  assert.equal(await labelForm.getByLabel('历史数据中的标签').inputValue(), '劳动纠纷');
  await choose(labelForm, '对应领域', '劳动保障');
  await button(labelForm, '保存').click();
  await page.getByText('已保存“劳动纠纷”的映射').waitFor();
  await unmapped.waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: '劳动纠纷', exact: true }).waitFor();
  const mapped = await ctx.db.selectFrom('triage_label_map').select('code').where('label', '=', '劳动纠纷').executeTakeFirst();
  assert.equal(mapped?.code, 'labor');

  // 关键词词典: search, add a keyword; a duplicate is refused on its field
  await menu.getByText('关键词词典').click();
  await page.waitForURL(/\/triage-config\/lexicon$/);
  await page.getByLabel('搜索关键词').fill('占道');
  await page.getByLabel('搜索关键词').press('Enter');
  await page.getByRole('cell', { name: '占道', exact: true }).waitFor();
  await button(page, '新增关键词').click();
  let form = modal(page);
  await choose(form, '领域', '城市管理');
  await form.getByLabel('关键词').fill('占道');
  await button(form, '添加').click();
  await form.getByText('词语已存在').waitFor();
  await form.getByLabel('关键词').fill('共享单车');
  await button(form, '添加').click();
  await page.getByText('已添加“共享单车”').waitFor();
  assert.ok(await ctx.db.selectFrom('triage_lexicon').select('term').where('term', '=', '共享单车').where('code', '=', 'urban_mgmt').executeTakeFirst());

  // 作风与引导词典: a new term for 乱罚款
  await menu.getByText('作风与引导词典').click();
  await page.waitForURL(/\/triage-config\/terms$/);
  await button(page, '新增词语').click();
  form = modal(page);
  await form.getByLabel('类别').fill('乱罚款');
  await form.getByLabel('词语').fill('罚款不给收据');
  await button(form, '添加').click();
  await page.getByText('已把“罚款不给收据”加入“乱罚款”').waitFor();

  // 分词用户词典: several words at once, one per line
  await menu.getByText('分词用户词典').click();
  await page.waitForURL(/\/triage-config\/user-words$/);
  // the demo city brings its road names
  await page.getByRole('cell', { name: '九华山路', exact: true }).waitFor();
  await button(page, '添加词语').click();
  form = modal(page);
  await form.getByLabel('词语').fill('澛港街道\n鸠江区城市管理局');
  await button(form, '添加').click();
  const added = page.locator('.ant-modal-confirm', { hasText: '已添加 2 个词语' });
  await added.waitFor();
  // a click during the dialog's opening animation can be lost on a busy machine: click until it has closed
  for (let tries = 1; ; tries++) {
    await added.getByRole('button').click();
    const closed = await added.waitFor({ state: 'hidden', timeout: 5_000 }).then(() => true, () => false);
    if (closed) break;
    if (tries === 3) throw new Error('“已添加”提示框点了三次仍未关闭');
  }
  await page.getByRole('cell', { name: '澛港街道', exact: true }).waitFor();

  // 区划旧名: the demo city's renamed counties are listed; a name goes to one region only
  await menu.getByText('区划旧名').click();
  await page.waitForURL(/\/triage-config\/regions$/);
  await page.getByRole('row', { name: /湾沚区/ }).getByText('芜湖县').waitFor();
  await page.getByRole('row', { name: /镜湖区/ }).getByText('编辑旧名').click();
  form = modal(page);
  await form.getByLabel('旧名').fill('芜湖县');
  await form.getByLabel('旧名').press('Enter');
  await button(form, '保存').click();
  await form.getByText(/已是“湾沚区”的旧名/).waitFor();
  await form.locator('.ant-select-selection-item-remove').click();
  await form.getByLabel('旧名').fill('镜湖老城区');
  await form.getByLabel('旧名').press('Enter');
  await button(form, '保存').click();
  await page.getByRole('row', { name: /镜湖区/ }).getByText('镜湖老城区').waitFor();
  const jinghu = await ctx.db.selectFrom('region').select('former_names').where('name', '=', '镜湖区').executeTakeFirstOrThrow();
  assert.deepEqual(jinghu.former_names, ['镜湖老城区']);
  await button(page, '重新匹配未对上区域的问题').click();
  await button(page, '重新匹配').last().click();
  await page.getByText(/没有未对上区域的问题|检查了 \d+ 条没对上区域的问题/).waitFor();

  // 路由规则: create one for 鸠江区 城市管理, then retire it (it stays in the history)
  await menu.getByText('路由规则').click();
  await page.waitForURL(/\/triage-config\/routing$/);
  await button(page, '新增规则').click();
  form = modal(page);
  await choose(form, '领域', '城市管理');
  await chooseInTree(form, '区域', '鸠江区');
  await chooseInTree(form, '承办单位', '鸠江区城市管理局');
  await form.getByLabel('说明').fill('鸠江区占道经营由区城管局承办');
  await button(form, '保存').click();
  // the lasting outcome (the new row), not the three-second toast; if it never comes, say what the page said instead
  const row = page.getByRole('row', { name: /鸠江区占道经营由区城管局承办/ });
  await row.getByText('有效').waitFor().catch(async (e: Error) => {
    const said = await page.locator('.ant-message, .ant-form-item-explain-error').allInnerTexts();
    throw new Error(`${e.message}\n页面上的提示：${said.join(' | ') || '（无）'}`);
  });
  await row.getByText('停用').click();
  await button(page, '停用').click();
  await page.getByText('已停用，规则保留在历史中').waitFor();
  await page.getByText(/^已停用（1）$/).click();
  await page.getByRole('row', { name: /鸠江区占道经营由区城管局承办/ }).getByText('张敏').first().waitFor();
  const rule = await ctx.db.selectFrom('routing_rule').select(['region_code', 'retired_at']).where('note', '=', '鸠江区占道经营由区城管局承办').executeTakeFirstOrThrow();
  assert.equal(rule.region_code, '340207');
  assert.ok(rule.retired_at);
  await page.close();
});

test('分拣配置 for a dispatcher: only the routing rules, without the buttons that change them', { skip }, async () => {
  const page = await loginAs('dispatcher');
  const menu = page.getByTestId('main-menu');
  await menu.getByText('路由规则').click();
  await page.waitForURL(/\/triage-config\/routing$/);
  await page.getByText(/^已停用（\d+）$/).waitFor();
  assert.equal(await menu.getByText('标签映射').count(), 0);
  assert.equal(await button(page, '新增规则').count(), 0);
  await page.close();
});
