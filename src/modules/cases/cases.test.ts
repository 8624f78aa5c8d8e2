import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { cityDay } from '../../lib/calendar.ts';
import { addDays } from '../risk/evaluate.ts';
import { createProblemsService } from '../problems/service.ts';
import { createRiskService } from '../risk/service.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';
import { createWorkOrdersService } from '../workorders/service.ts';
import { parseDay, parseKind, parseResult } from './service.ts';

let t: TestApp;
const cookie: Record<string, string> = {};
const today = cityDay(new Date());
const CGJ = '镜湖区城市管理局';

async function api(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const r = await t.app.inject({ method, url, headers: { cookie: cookie[who]! }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
}
const row = (o: Record<string, unknown>) => ({ 案号: '芜复〔2026〕1号', 类型: '行政复议', '被申请人/被告单位': CGJ, 结案日期: addDays(today, -10), 结果: '维持', ...o });

before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  for (const who of ['supervisor', 'handler', 'leader']) cookie[who] = await login(t.app, who, DEMO_PASSWORD);
});
after(() => t.close());

test('results, kinds and dates are read as people write them', () => {
  assert.equal(parseResult('撤销原行政行为'), 'revoked');
  assert.equal(parseResult('确认被诉行政行为违法'), 'unlawful');
  assert.equal(parseResult('驳回原告诉讼请求'), 'dismissed');
  assert.equal(parseResult('原告撤诉'), 'withdrawn');
  assert.equal(parseResult('责令被申请人限期履行法定职责'), 'ordered');
  assert.equal(parseResult('维持'), 'upheld');
  assert.equal(parseResult('altered'), 'altered');
  assert.equal(parseResult('不知道'), null);
  assert.equal(parseKind('行政诉讼一审'), 'litigation');
  assert.equal(parseKind('复议'), 'reconsideration');
  assert.equal(parseKind('信访'), null);
  assert.equal(parseDay('2026年3月5日'), '2026-03-05');
  assert.equal(parseDay('2026/10/5'), '2026-10-05');
  assert.equal(parseDay('2026-02-30'), null);
  assert.equal(parseDay(new Date('2026-10-04T16:00:00Z')), '2026-10-05', 'a spreadsheet date is a city day');
  assert.equal(parseDay(46300), '2026-10-05', 'or its day number');
  assert.equal(parseDay(12), null);
});

test('an import keeps every valid row, names each bad row and column, updates a case seen again, and is audited', async () => {
  const rows = [
    row({ 案号: 'A-1', 结果: '撤销' }),
    row({ 案号: 'A-2', 类型: '行政诉讼', 结果: '驳回诉讼请求', 领域: '城市管理', 收案日期: addDays(today, -60) }),
    row({ 案号: 'A-3', '被申请人/被告单位': '不存在的局' }),
    row({ 案号: 'A-4', 结案日期: '上个月' }),
    row({ 案号: 'A-5', 结果: '不清楚' }),
    row({ 案号: 'A-6', 结案日期: addDays(today, 5) }),
    row({ 案号: 'A-1', 结果: '维持' }),
    { 案号: 'A-7', 类型: '行政复议', 多余的列: 'x' },
  ];
  const r = await api('supervisor', 'POST', '/api/case-outcomes', { rows });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.inserted, r.body.updated], [2, 0]);
  const byRow = (n: number) => r.body.errors.filter((e: { row: number }) => e.row === n).map((e: { field: string }) => e.field);
  assert.deepEqual(byRow(3), ['被申请人/被告单位']);
  assert.deepEqual(byRow(4), ['结案日期']);
  assert.deepEqual(byRow(5), ['结果']);
  assert.deepEqual(byRow(6), ['结案日期']);
  assert.deepEqual(byRow(7), ['案号'], 'the same case twice in one file');
  assert.deepEqual(byRow(8).sort(), ['被申请人/被告单位', '结案日期', '结果'].sort());
  assert.match(r.body.errors[0].message, /^第 3 行“被申请人\/被告单位”：单位“不存在的局”不存在/);
  assert.deepEqual(r.body.unknownColumns, ['多余的列']);

  const again = await api('supervisor', 'POST', '/api/case-outcomes', { rows: [row({ 案号: 'A-1', 结果: '变更' })] });
  assert.deepEqual([again.body.inserted, again.body.updated], [0, 1]);
  const listed = (await api('leader', 'GET', '/api/case-outcomes?lost=true')).body;
  assert.deepEqual(listed.rows.map((c: { case_no: string; result: string }) => [c.case_no, c.result]), [['A-1', 'altered']]);
  const audit = await t.ctx.db.selectFrom('audit_log').select('summary').where('action', '=', 'case_outcome.import').execute();
  assert.equal(audit.length, 2);
});

test('only the supervision office records cases; a unit reads its own', async () => {
  assert.equal((await api('handler', 'POST', '/api/case-outcomes', { rows: [row({ 案号: 'H-1' })] })).status, 403);
  const scjg = await api('supervisor', 'POST', '/api/case-outcomes', { rows: [row({ 案号: 'S-1', '被申请人/被告单位': '芜湖市市场监督管理局' })] });
  assert.equal(scjg.body.inserted, 1);
  const mine = (await api('handler', 'GET', '/api/case-outcomes')).body;
  assert.deepEqual(mine.rows.map((c: { case_no: string }) => c.case_no), ['S-1'], 'the 市场监管局 handler sees its own case only');
  assert.ok((await api('leader', 'GET', '/api/case-outcomes')).body.total >= 3);
});

test('an XLSX with other header words and spreadsheet dates is imported, from its data sheet after a 说明 page, saying so', async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('说明').getCell('A1').value = '每行一个案件';
  const ws = wb.addWorksheet('复议诉讼');
  // an export's title and its 导出时间 line above the header are passed over
  ws.addRow(['芜湖市行政复议诉讼案件统计']);
  ws.addRow(['导出时间：2026-03-31 17:00', '导出人：张三']);
  ws.addRow(['案件编号', '案件类型', '被告', '判决日期', '判决结果', '案由']);
  ws.addRow(['X-1', '行政诉讼', CGJ, new Date(`${addDays(today, -3)}T00:00:00Z`), '确认违法', '强制拆除广告牌程序违法']);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await wb.xlsx.writeBuffer())]), '复议诉讼.xlsx');
  const r = await t.app.inject({ method: 'POST', url: '/api/case-outcomes/import', headers: { cookie: cookie.supervisor! }, payload: form });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json().errors, []);
  assert.deepEqual(r.json().notices, ['读取的是工作表“复议诉讼”（之前的工作表“说明”没有表头行，已跳过）'], 'the page says which sheet was read');
  const c = await t.ctx.db.selectFrom('case_outcome').selectAll().where('case_no', '=', 'X-1').executeTakeFirstOrThrow();
  assert.deepEqual([c.kind, c.result, c.lost, c.decided_on], ['litigation', 'unlawful', true, addDays(today, -3)]);
  const empty = new FormData();
  empty.append('file', new Blob(['']), 'empty.csv');
  const bad = await t.app.inject({ method: 'POST', url: '/api/case-outcomes/import', headers: { cookie: cookie.supervisor! }, payload: empty });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /空/);
});

test('a unit losing case after case warns, and lost cases count in its risk score', async () => {
  // one lost case a year ago (the history starts there), then five in the last two months
  const rows = [row({ 案号: 'L-0', 结果: '撤销', 结案日期: addDays(today, -300) })];
  for (let i = 1; i <= 5; i++) rows.push(row({ 案号: `L-${i}`, 类型: i % 2 ? '行政复议' : '行政诉讼', 结果: i % 2 ? '撤销' : '确认违法', 结案日期: addDays(today, -8 * i) }));
  assert.equal((await api('supervisor', 'POST', '/api/case-outcomes', { rows })).body.inserted, 6);
  const problems = createProblemsService(t.ctx);
  const risk = createRiskService(t.ctx, { problems, workOrders: createWorkOrdersService(t.ctx) });
  const found = (await risk.candidates(today)).filter((c) => c.ruleCode === 'unit_lost_cases');
  assert.equal(found.length, 1, JSON.stringify(found.map((c) => c.title)));
  assert.equal(found[0]!.scopeName, CGJ);
  assert.ok((found[0]!.evidence as { caseNos: string[] }).caseNos.includes('L-3'));
  const overview = await risk.overview(today);
  const cgj = overview.units.find((u) => u.unit_name === CGJ);
  assert.ok(cgj, 'a unit with lost cases is scored even without work orders');
  const part = cgj.contributions.find((c) => c.key === 'lost_cases')!;
  assert.equal(part.value, 1, 'six lost cases in a year: the full share');
  assert.ok(Math.abs(cgj.score - part.points) < 1e-9, 'and it is the only part');
  const domain = overview.domains.find((d) => d.code === 'urban_mgmt')!;
  assert.ok(domain.contributions.some((c) => c.key === 'lost_cases'));
});
