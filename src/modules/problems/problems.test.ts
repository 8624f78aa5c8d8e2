import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { createTestApp, login, REPO_ROOT, type TestApp } from '../../../test/helpers.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';

const EXAMPLES = path.join(REPO_ROOT, 'docs', 'examples');
let t: TestApp;
let admin: string;
let supervisor: string;
before(async () => {
  t = await createTestApp({ publicRateLimitPerMinute: 5 });
  await seedDemoCity(t.ctx);
  admin = await login(t.app, 'admin', DEMO_PASSWORD);
  supervisor = await login(t.app, 'supervisor', DEMO_PASSWORD);
});
after(() => t.close());

async function apiKey(channel: string) {
  const r = await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: { cookie: admin }, payload: { name: `${channel} 推送`, channel } });
  return r.json().key as string;
}

test('a channel pushes records with its own key; another channel\'s key is refused; a repeat push adds nothing', async () => {
  const key = await apiKey('wanshitong');
  const records = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'wanshitong.json'), 'utf8'));
  const push = (url: string, k: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: { 'x-api-key': k }, payload: payload as object });
  const first = await push('/api/intake/wanshitong', key, records);
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual([first.json().inserted, first.json().rejected], [2, 0]);
  assert.equal((await push('/api/intake/wanshitong', key, records[0])).json().repeats, 1);
  assert.equal((await push('/api/intake/hotline12345', key, records[0])).statusCode, 403);
  const tooMany = await push('/api/intake/wanshitong', key, Array.from({ length: 1001 }, () => records[0]));
  assert.equal(tooMany.statusCode, 400);
  assert.match(tooMany.json().message, /一次最多推送 1000 条，本次 1001 条/);
  const broken = await push('/api/intake/wanshitong', key, [{ orderId: 'X', content: '没有时间的一条' }]);
  assert.equal(broken.json().rejected, 1);
  assert.match(broken.json().errors[0].message, /缺少时间/);
  assert.equal(broken.json().errors[0].externalId, 'X');
  // elements that are not records are listed by position; the good ones are kept
  const mixed = await push('/api/intake/wanshitong', key, [{ orderId: 'MIX-1', submitTime: '2026-03-05 10:00', content: '混在坏数据里的一条好记录' }, 'x', null, 42]);
  assert.equal(mixed.statusCode, 200, mixed.body);
  assert.deepEqual([mixed.json().inserted, mixed.json().rejected], [1, 3]);
  assert.deepEqual(mixed.json().errors.map((e: { rowNo: number }) => e.rowNo), [2, 3, 4]);
  // a person cannot push with a session
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/intake/wanshitong', headers: { cookie: admin }, payload: records[0] })).statusCode, 403);
});

test('a file uploaded on the import page is imported in the background with progress and an error report', async () => {
  const form = new FormData();
  form.append('channel', 'hotline12345');
  form.append('file', new Blob([fs.readFileSync(path.join(EXAMPLES, 'hotline12345.csv'))]), 'hotline12345.csv');
  const res = await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: supervisor }, payload: form });
  assert.equal(res.statusCode, 202, res.body);
  const { batchId } = res.json();
  let batch;
  for (let i = 0; i < 50; i++) {
    batch = (await t.app.inject({ url: `/api/imports/${batchId}`, headers: { cookie: supervisor } })).json();
    if (batch.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(batch.state, 'done');
  assert.deepEqual([batch.read, batch.inserted, batch.rejected], [5, 4, 1]);
  const csv = await t.app.inject({ url: `/api/imports/${batchId}/errors.csv`, headers: { cookie: supervisor } });
  assert.match(csv.body, /^\uFEFF行号,记录编号,字段,原因/);
  assert.match(csv.body, /\n6,/);
  // a file that is not what it claims is one clear 400
  const bad = new FormData();
  bad.append('channel', 'hotline12345');
  bad.append('file', new Blob(['not a spreadsheet']), 'x.xlsx');
  const r = await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: supervisor }, payload: bad });
  assert.equal(r.statusCode, 400);
  assert.match(r.json().message, /XLSX/);
  // a handler may not import
  const handler = await login(t.app, 'handler', DEMO_PASSWORD);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: handler }, payload: form })).statusCode, 403);
  // a district's import page lists the district's own imports: not the city's, nor a citizen's form
  const district = await login(t.app, 'jjadmin', DEMO_PASSWORD);
  const theirs = (await t.app.inject({ url: '/api/imports', headers: { cookie: district } })).json().rows;
  assert.ok(!theirs.some((b: { id: number }) => b.id === batchId), JSON.stringify(theirs));
  assert.equal((await t.app.inject({ url: `/api/imports/${batchId}`, headers: { cookie: district } })).statusCode, 404);
  assert.equal((await t.app.inject({ url: `/api/imports/${batchId}/errors.csv`, headers: { cookie: district } })).statusCode, 404);
  const own = await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: district }, payload: form });
  assert.equal(own.statusCode, 202, own.body);
  const listed = (await t.app.inject({ url: '/api/imports', headers: { cookie: district } })).json();
  assert.deepEqual(listed.rows.map((b: { id: number }) => b.id), [own.json().batchId]);
  assert.equal(listed.total, 1);
  // who started it, by name; the rejected rows' file named in Chinese
  const districtName = (await t.ctx.db.selectFrom('app_user').select('display_name').where('username', '=', 'jjadmin').executeTakeFirstOrThrow()).display_name;
  assert.equal(listed.rows[0].started_by, districtName);
  const errorsCsv = await t.app.inject({ url: `/api/imports/${own.json().batchId}/errors.csv`, headers: { cookie: district } });
  assert.match(errorsCsv.headers['content-disposition'] as string, new RegExp(`filename\\*=UTF-8''${encodeURIComponent(`拒收明细-第${own.json().batchId}批.csv`)}`));
  // rows of other districts in a district's file: stored, and the district told it will not see them
  const mixed = new FormData();
  mixed.append('channel', 'hotline12345');
  mixed.append('file', new Blob([[
    '工单编号,受理时间,诉求内容,事发地址,所属区县',
    'JJ-OWN-1,2026-03-02 09:00,湾里街道菜市场门口长期占道经营，影响通行。,鸠江区湾里街道,鸠江区',
    'JJ-OTHER-1,2026-03-02 10:00,范罗山街道一家烧烤店油烟扰民，请处理。,镜湖区范罗山街道,镜湖区',
  ].join('\n')]), 'mixed.csv');
  const mixedId = (await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: district }, payload: mixed })).json().batchId;
  let mixedBatch;
  for (let i = 0; i < 50; i++) {
    mixedBatch = (await t.app.inject({ url: `/api/imports/${mixedId}`, headers: { cookie: district } })).json();
    if (mixedBatch.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual([mixedBatch.state, mixedBatch.inserted], ['done', 2]);
  assert.ok(mixedBatch.notices.some((n: string) => /其中 1 条所在区域不在本单位的范围内/.test(n)), JSON.stringify(mixedBatch.notices));
  assert.ok(!batch.notices.some((n: string) => /不在本单位的范围内/.test(n)), 'the city sees every row');
  const paged = (await t.app.inject({ url: '/api/imports?limit=1&offset=1', headers: { cookie: supervisor } })).json();
  const cityWide = (await t.app.inject({ url: '/api/imports', headers: { cookie: supervisor } })).json().rows;
  assert.deepEqual([paged.rows.length, paged.rows[0].id, paged.total], [1, cityWide[1].id, cityWide.length]);
  assert.ok(cityWide.some((b: { id: number }) => b.id === batchId) && cityWide.some((b: { id: number }) => b.id === own.json().batchId));
  assert.ok(cityWide.every((b: { origin: string }) => b.origin !== 'form'));
});

test('an uploaded workbook\'s batch says which worksheet was read, for the import page', async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('填表说明').getCell('A1').value = '工单编号必填';
  wb.addWorksheet('工单').addRows([['工单编号', '受理时间', '诉求内容'], ['UPX-1', '2026-03-03 09:00', '上传的工作簿中第二个工作表里的反映']]);
  const form = new FormData();
  form.append('channel', 'hotline12345');
  form.append('file', new Blob([new Uint8Array(await wb.xlsx.writeBuffer())]), 'sheets.xlsx');
  const res = await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: supervisor }, payload: form });
  assert.equal(res.statusCode, 202, res.body);
  let batch = { id: 0, state: 'running', inserted: 0, notices: [] as string[] };
  for (let i = 0; i < 50; i++) {
    batch = (await t.app.inject({ url: `/api/imports/${res.json().batchId}`, headers: { cookie: supervisor } })).json();
    if (batch.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual([batch.state, batch.inserted, batch.notices], ['done', 1, ['读取的是工作表“工单”（之前的工作表“填表说明”没有表头行，已跳过）']]);
  const listed = (await t.app.inject({ url: '/api/imports', headers: { cookie: supervisor } })).json().rows;
  assert.deepEqual(listed.find((b: { id: number }) => b.id === batch.id)?.notices, batch.notices);
});

test('问题库: the city sees all, a district sees its own region, a department none yet; contacts are masked', async () => {
  const all = (await t.app.inject({ url: '/api/problems?limit=200', headers: { cookie: supervisor } })).json();
  assert.ok(all.total >= 6);
  const jj = await login(t.app, 'jjadmin', DEMO_PASSWORD);
  const district = (await t.app.inject({ url: '/api/problems?limit=200', headers: { cookie: jj } })).json();
  assert.ok(district.total >= 1);
  assert.ok(district.rows.every((r: { region_code: string }) => r.region_code.startsWith('340207')));
  const handler = await login(t.app, 'handler', DEMO_PASSWORD);
  assert.equal((await t.app.inject({ url: '/api/problems', headers: { cookie: handler } })).json().total, 0);
  const other = all.rows.find((r: { region_code: string | null }) => r.region_code && !r.region_code.startsWith('340207'));
  assert.equal((await t.app.inject({ url: `/api/problems/${other.id}`, headers: { cookie: jj } })).statusCode, 404);
  assert.ok(!JSON.stringify(all).includes('1395530'));
  const filtered = (await t.app.inject({ url: '/api/problems?channel=wanshitong&q=工资', headers: { cookie: supervisor } })).json();
  assert.equal(filtered.total, 1);
  // the city in the region filter covers its districts; a district only its own
  const inCity = (await t.app.inject({ url: '/api/problems?limit=200&region=340200', headers: { cookie: supervisor } })).json();
  assert.equal(inCity.total, all.rows.filter((r: { region_code: string | null }) => r.region_code?.startsWith('3402')).length);
  assert.ok(inCity.total > all.rows.filter((r: { region_code: string | null }) => r.region_code === '340200').length);
  const inDistrict = (await t.app.inject({ url: '/api/problems?limit=200&region=340207', headers: { cookie: supervisor } })).json();
  assert.ok(inDistrict.rows.length >= 1 && inDistrict.rows.every((r: { region_code: string }) => r.region_code.startsWith('340207')));
});

test('a problem page shows every source and its raw record masked; revealing the contact is a permission and is audited', async () => {
  const list = (await t.app.inject({ url: '/api/problems?channel=wanshitong&q=占道', headers: { cookie: supervisor } })).json();
  const id = list.rows[0].id;
  const detail = (await t.app.inject({ url: `/api/problems/${id}`, headers: { cookie: supervisor } })).json();
  assert.equal(detail.sources.length, 1);
  assert.equal(detail.sources[0].payload.user.mobile, '139****0021');
  assert.equal(detail.sources[0].payload.user.name, '周**');
  // field by field, under the channel's names and their meaning, masked the same way
  const field = (key: string) => detail.sources[0].fields.find((f: { key: string }) => f.key === key);
  assert.deepEqual(field('user.mobile'), { key: 'user.mobile', label: '联系电话', value: '139****0021' });
  assert.equal(field('location.address').label, '地址');
  assert.equal(detail.canRevealContact, true);
  const revealed = (await t.app.inject({ method: 'POST', url: `/api/problems/${id}/contact`, headers: { cookie: supervisor } })).json();
  assert.equal(revealed.phone, '13955300021');
  const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'problem.reveal_contact').where('target_id', '=', String(id)).execute();
  assert.equal(audit.length, 1);
  // the leader reads problems but may not reveal contacts
  const leader = await login(t.app, 'leader', DEMO_PASSWORD);
  assert.equal((await t.app.inject({ url: `/api/problems/${id}`, headers: { cookie: leader } })).json().canRevealContact, false);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/problems/${id}/contact`, headers: { cookie: leader } })).statusCode, 403);
});

test('the public form answers with a tracking code; 保密 hides the reporter everywhere; the form is rate limited', async () => {
  const submit = (payload: object, ip = '10.1.1.1') => t.app.inject({ method: 'POST', url: '/api/public/reports', payload, remoteAddress: ip });
  const bad = await submit({ content: '太短' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].field, 'content');
  const wrongKind = await submit({ content: '鸠江区沈巷镇河道边有人倾倒建筑垃圾。', kind: 'rumour', address: 'x'.repeat(201), contactPhone: '1395530' });
  assert.deepEqual(wrongKind.json().details.map((d: { message: string }) => d.message).sort(), ['发生地点不超过 200 字', '类型应为投诉、举报、咨询、建议、求助或表扬之一', '请填写正确的手机号或固定电话'].sort(), 'every mistake in one answer');
  // a phone as people write it: spaces, dashes, +86
  const ok = await submit({ title: '河道有人倾倒垃圾', content: '鸠江区沈巷镇河道边每天晚上有人倾倒建筑垃圾，请有关部门查处。', kind: 'report', address: '鸠江区沈巷镇', contactName: '钱先生', contactPhone: '+86 139-5530-0099', confidential: true });
  assert.equal(ok.statusCode, 200, ok.body);
  const code = ok.json().trackingCode;
  assert.match(code, /^ZD[0-9A-Z]{10}$/);
  const tracked = await t.app.inject({ url: `/api/public/track/${code.toLowerCase()}` });
  assert.equal(tracked.statusCode, 200);
  assert.equal(tracked.json().title, '河道有人倾倒垃圾');
  assert.equal(tracked.json().status, 'new');
  assert.ok(!tracked.body.includes('钱'));
  const list = (await t.app.inject({ url: '/api/problems?channel=web_form', headers: { cookie: supervisor } })).json();
  const row = list.rows.find((r: { tracking_code: string }) => r.tracking_code === code);
  assert.equal(row.reporter_name_mask, '（保密）');
  const byTypedCode = (await t.app.inject({ url: `/api/problems?q=${code.toLowerCase()}`, headers: { cookie: supervisor } })).json();
  assert.deepEqual(byTypedCode.rows.map((r: { id: number }) => r.id), [row.id], 'the code found as people type it, in lower case');
  const wildcard = (await t.app.inject({ url: `/api/problems?q=${encodeURIComponent('_%')}`, headers: { cookie: supervisor } })).json();
  assert.equal(wildcard.total, 0, 'a typed % or _ is that character, not a wildcard');
  assert.equal(row.reporter_phone_mask, null);
  assert.equal(row.region_code, '340207004');
  const detail = (await t.app.inject({ url: `/api/problems/${row.id}`, headers: { cookie: supervisor } })).json();
  assert.ok(!JSON.stringify(detail).includes('钱') && !JSON.stringify(detail).includes('0099'));
  assert.equal((await t.app.inject({ url: '/api/public/track/ZD0000000000' })).statusCode, 404);
  // whoever holds the code reads the page: a number written into the title is masked there
  const withPhone = await submit({ title: '占道经营 电话13511112222', content: '鸠江区沈巷镇菜市场门口每天早上占道经营，请有关部门处理。' });
  const page = (await t.app.inject({ url: `/api/public/track/${withPhone.json().trackingCode}` })).json();
  assert.equal(page.title, '占道经营 电话135****2222');
  let status = 0;
  for (let i = 0; i < 6; i++) status = (await submit({ content: '连续提交的测试反映内容，用来触发限流。' }, '10.2.2.2')).statusCode;
  assert.equal(status, 429);
  assert.equal((await submit({ content: '另一个地址不受影响的测试反映内容。' }, '10.3.3.3')).statusCode, 200);
});

test('the report forms take a phone however it is written, as intake does: one number, one blind index; not a phone is refused', async () => {
  const officer = await login(t.app, 'officer', DEMO_PASSWORD);
  const content = '鸠江区湾里街道某工地夜间施工噪音扰民，请依法处理。';
  let ip = 0;
  const submit = (contactPhone: string, staff = false) => staff
    ? t.app.inject({ method: 'POST', url: '/api/problems', headers: { cookie: officer }, payload: { content, address: '镜湖区荆山街道', contactPhone } })
    : t.app.inject({ method: 'POST', url: '/api/public/reports', payload: { content, contactPhone }, remoteAddress: `10.9.0.${++ip}` });
  const stored = async (res: Awaited<ReturnType<typeof submit>>) => {
    assert.equal(res.statusCode, 200, res.body);
    const p = await t.ctx.db.selectFrom('problem').select(['reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index'])
      .where(res.json().id ? 'id' : 'tracking_code', '=', res.json().id ?? res.json().trackingCode).executeTakeFirstOrThrow();
    return p.reporter_phone_enc && [t.ctx.cipher.decrypt(p.reporter_phone_enc), p.reporter_phone_mask, p.reporter_phone_index];
  };
  const mobile = ['13955307777', t.ctx.cipher.blindIndex('13955307777')];
  for (const w of ['１３９５５３０７７７７', '0086 139 5530 7777', '139-55307777', '(+86) 139 5530 7777', '86 139-5530-7777']) {
    assert.deepEqual(await stored(await submit(w)), [mobile[0], '139****7777', mobile[1]], w);
  }
  assert.deepEqual(await stored(await submit('+86 139 5530 7777', true)), [mobile[0], '139****7777', mobile[1]]);
  assert.deepEqual(await stored(await submit('0553-384-5566')), ['0553-3845566', '055*****5566', t.ctx.cipher.blindIndex('0553-3845566')]);
  assert.equal(await stored(await submit('')), null);
  for (const [w, staff] of [['12345', false], ['139 5530 777', true], ['2026-03-02', false]] as const) {
    const bad = await submit(w, staff);
    assert.equal(bad.statusCode, 400, w);
    assert.deepEqual(bad.json().details, [{ field: 'contactPhone', message: '请填写正确的手机号或固定电话' }], w);
  }
});

/** Hotline records pushed through the API; their problems' ids by record number. */
async function pushHotline(records: Record<string, unknown>[]) {
  const res = await t.app.inject({ method: 'POST', url: '/api/intake/hotline12345', headers: { 'x-api-key': await apiKey('hotline12345') }, payload: records });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().inserted, records.length, res.body);
  const rows = await t.ctx.db.selectFrom('problem_source').select(['external_id', 'problem_id']).where('external_id', 'in', records.map((r) => String(r.工单编号))).execute();
  return Object.fromEntries(rows.map((r) => [r.external_id, r.problem_id]));
}

const NUMBERS_TEXT = '镜湖区范罗山街道某小区门口有人占道经营，请回电139-5530-7777或+86 139 5530 6666，身份证340202199001011234。';

test('phones however written are masked for a reader without the contact permission: texts, raw record, its fields', async () => {
  const ids = await pushHotline([{ 工单编号: 'WRITTEN-1', 受理时间: '2026-03-05 10:00', 诉求内容: NUMBERS_TEXT, 联系电话: '+86 139-5530-0001', 备用电话: '（0553）3845566', 事发地址: '镜湖区范罗山街道', 办理结果: '已回电 139 5530 7777' }]);
  const leader = await login(t.app, 'leader', DEMO_PASSWORD);
  const detail = (await t.app.inject({ url: `/api/problems/${ids['WRITTEN-1']}`, headers: { cookie: leader } })).json();
  const masked = '镜湖区范罗山街道某小区门口有人占道经营，请回电139****7777或139****6666，身份证340***********1234。';
  assert.equal(detail.body, masked);
  assert.equal(detail.reporter_phone_mask, '139****0001');
  const source = detail.sources[0];
  assert.equal(source.reply, '已回电 139****7777');
  assert.deepEqual([source.payload.诉求内容, source.payload.联系电话, source.payload.备用电话], [masked, '139****0001', '055*****5566']);
  const field = (key: string) => source.fields.find((f: { key: string }) => f.key === key).value;
  assert.deepEqual([field('诉求内容'), field('联系电话'), field('备用电话')], [masked, '139****0001', '055*****5566']);
  assert.ok(!/5530|3845|19900101/.test(JSON.stringify(detail)));
});

test('a phone sent as a JSON number is masked like one sent as text; counts, coordinates, grades and timestamps stay as sent', async () => {
  const record = { 受理时间: '2026-03-05 10:00', 诉求内容: '镜湖区范罗山街道某小区门口有人占道经营，请处理。', 事发地址: '镜湖区范罗山街道', 办理结果: 13955307777 };
  const ids = await pushHotline([{ ...record, 工单编号: 'NUMERIC-1' }, { ...record, 工单编号: 'NUMERIC-2', 是否保密: '是' }]);
  // a record stored before numbers under names no one mapped were encrypted at intake
  const legacy = { 备用电话: 13955306666, 国际写法: 8613955305555, 来电次数: 3, 经度: 118.38, 评分: 5, 推送时间: 1767225600, 推送毫秒: 1767225600000, 金额: 13955 };
  const raws = t.ctx.db.selectFrom('problem_source').select('raw_record_id').where('problem_id', 'in', [ids['NUMERIC-1'], ids['NUMERIC-2']]);
  await t.ctx.db.updateTable('raw_record').set({ payload: sql`payload || ${JSON.stringify(legacy)}::jsonb` }).where('id', 'in', raws).execute();
  const ordinary = { 来电次数: 3, 经度: 118.38, 评分: 5, 推送时间: 1767225600, 推送毫秒: 1767225600000, 金额: 13955 };
  const sourceOf = async (id: number, cookie: string) => (await t.app.inject({ url: `/api/problems/${id}`, headers: { cookie } })).json().sources[0];
  const leader = await login(t.app, 'leader', DEMO_PASSWORD);
  for (const [id, shown] of [[ids['NUMERIC-1']!, ['139****7777', '139****6666', '139****5555']], [ids['NUMERIC-2']!, Array(3).fill('（号码已隐去）')]] as const) {
    const source = await sourceOf(id, leader);
    assert.deepEqual([source.payload.办理结果, source.payload.备用电话, source.payload.国际写法], shown);
    assert.deepEqual(Object.fromEntries(Object.keys(ordinary).map((k) => [k, source.payload[k]])), ordinary);
    const field = (key: string) => source.fields.find((f: { key: string }) => f.key === key).value;
    assert.deepEqual([field('办理结果'), field('备用电话'), field('来电次数'), field('经度')], [shown[0], shown[1], '3', '118.38']);
    assert.ok(!/5530/.test(JSON.stringify(source)), JSON.stringify(source));
  }
  // who may see contacts reads the numbers as they were sent
  const seen = await sourceOf(ids['NUMERIC-1']!, supervisor);
  assert.deepEqual([seen.payload.办理结果, seen.payload.备用电话, seen.payload.推送时间], [13955307777, 13955306666, 1767225600]);
});

test('保密: the handling unit reads no reporter number anywhere, not even masked: body, reply, raw record and its fields', async () => {
  const ids = await pushHotline([{
    工单编号: 'CONF-1', 受理时间: '2026-03-05 10:00', 诉求标题: '小区门口占道经营', 诉求内容: NUMBERS_TEXT, 来电人: '孙先生', 联系电话: '+86 139-5530-7777', 是否保密: '是', 事发地址: '镜湖区范罗山街道',
    备注: '来电人再次说明：电话１３９５５３０７７７７，座机（0553）3845566', 办理结果: '已电话联系反映人13955307777',
  }]);
  const id = ids['CONF-1'];
  const dispatcher = await login(t.app, 'dispatcher', DEMO_PASSWORD);
  const unit = await t.ctx.db.selectFrom('unit').select('id').where('name', '=', '芜湖市市场监督管理局').executeTakeFirstOrThrow();
  const dispatched = await t.app.inject({ method: 'POST', url: `/api/problems/${id}/dispatch`, headers: { cookie: dispatcher }, payload: { unitId: unit.id } });
  assert.equal(dispatched.statusCode, 200, dispatched.body);
  const handler = await login(t.app, 'handler', DEMO_PASSWORD);
  const res = await t.app.inject({ url: `/api/problems/${id}`, headers: { cookie: handler } });
  assert.equal(res.statusCode, 200, res.body);
  const detail = res.json();
  const hidden = '镜湖区范罗山街道某小区门口有人占道经营，请回电（号码已隐去）或（号码已隐去），身份证（号码已隐去）。';
  assert.equal(detail.body, hidden);
  const source = detail.sources[0];
  assert.equal(source.reply, '已电话联系反映人（号码已隐去）');
  assert.deepEqual([source.payload.诉求内容, source.payload.备注, source.payload.联系电话, source.payload.来电人], [hidden, '来电人再次说明：电话（号码已隐去），座机（号码已隐去）', '（保密）', '（保密）']);
  const field = (key: string) => source.fields.find((f: { key: string }) => f.key === key).value;
  assert.deepEqual([field('诉求内容'), field('备注'), field('办理结果'), field('联系电话')], [hidden, '来电人再次说明：电话（号码已隐去），座机（号码已隐去）', '已电话联系反映人（号码已隐去）', '（保密）']);
  const text = JSON.stringify(detail);
  assert.ok(!/7777|6666|19900101|5566|孙/.test(text), text);
});

test('a reporter who gave 匿名 as the name has no name: nothing to reveal, the raw record shows it as written', async () => {
  const ids = await pushHotline([{ 工单编号: 'ANON-1', 受理时间: '2026-03-05 10:00', 诉求内容: '镜湖区范罗山街道路灯坏了很久没人修。', 来电人: '匿名', 联系电话: '无', 事发地址: '镜湖区范罗山街道' }]);
  const detail = (await t.app.inject({ url: `/api/problems/${ids['ANON-1']}`, headers: { cookie: supervisor } })).json();
  assert.deepEqual([detail.reporter_name_mask, detail.reporter_phone_mask, detail.canRevealContact], [null, null, false]);
  assert.deepEqual([detail.sources[0].payload.来电人, detail.sources[0].payload.联系电话], ['匿名', '无']);
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 1)]);

test('attachments: the citizen adds photos with the upload token; type, size and count are checked; downloads need permission', async () => {
  const created = await t.app.inject({ method: 'POST', url: '/api/public/reports', payload: { content: '南陵县弋江镇有人非法捕捞，附照片为证。', address: '南陵县弋江镇' }, remoteAddress: '10.5.5.5' });
  const { trackingCode, uploadToken } = created.json();
  const upload = (files: [string, Buffer][], token = uploadToken) => {
    const form = new FormData();
    for (const [name, data] of files) form.append('file', new Blob([new Uint8Array(data)]), name);
    return t.app.inject({ method: 'POST', url: '/api/public/attachments', headers: { 'x-upload-token': token }, payload: form, remoteAddress: '10.5.5.6' });
  };
  const ok = await upload([['现场.png', PNG]]);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().count, 1);
  const fake = await upload([['病毒.png', Buffer.from('MZ this is not a picture')]]);
  assert.equal(fake.statusCode, 400);
  assert.match(fake.json().message, /类型不允许/);
  // a retry sends the same files again: the one stored is not stored twice; a refused file does not keep the others out
  const again = await upload([['病毒.png', Buffer.from('MZ')], ['现场.png', PNG], ['空.png', Buffer.alloc(0)], ['说明.pdf', Buffer.from('%PDF-1.4 test')]]);
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(again.json().count, 2);
  assert.deepEqual(again.json().refused.map((r: { file: string; message: string }) => [r.file, r.message.replace(/（.*$/, '')]), [['病毒.png', '附件“病毒.png”类型不允许或内容与扩展名不符'], ['空.png', '附件“空.png”是空文件']]);
  assert.equal((await upload([['x.png', PNG]], 'wrong-token')).statusCode, 403);
  const big = await upload([['大图.png', Buffer.concat([PNG, Buffer.alloc(t.ctx.config.attachments.maxBytes)])]]);
  assert.equal(big.statusCode, 413);

  const list = (await t.app.inject({ url: `/api/problems?q=${trackingCode}`, headers: { cookie: supervisor } })).json();
  const id = list.rows[0].id;
  const detail = (await t.app.inject({ url: `/api/problems/${id}`, headers: { cookie: supervisor } })).json();
  assert.deepEqual(detail.attachments.map((a: { file_name: string }) => a.file_name), ['现场.png', '说明.pdf']);
  const file = await t.app.inject({ url: `/api/problems/${id}/attachments/${detail.attachments[0].id}`, headers: { cookie: supervisor } });
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['content-type'], 'image/png');
  assert.deepEqual(file.rawPayload, PNG);
  // outside the region: not found; anonymous: 401
  const jj = await login(t.app, 'jjadmin', DEMO_PASSWORD);
  assert.equal((await t.app.inject({ url: `/api/problems/${id}/attachments/${detail.attachments[0].id}`, headers: { cookie: jj } })).statusCode, 404);
  assert.equal((await t.app.inject({ url: `/api/problems/${id}/attachments/${detail.attachments[0].id}` })).statusCode, 401);
});

test('files pushed inside records become the problem\'s attachments once; a refused file is named and its record kept', async () => {
  const key = await apiKey('wanshitong');
  const photo = { name: '现场照片.png', data: PNG.toString('base64') };
  const record = { orderId: 'FILES-1', submitTime: '2026-03-06 09:30', title: '河道漂浮垃圾', content: '镜湖区青弋江边漂浮垃圾很多，附现场照片。', location: { address: '镜湖区滨江公园' },
    attachments: [photo, { name: '说明.exe', data: Buffer.from('MZ not allowed').toString('base64') }, 'https://example.invalid/photo.jpg'] };
  const push = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/intake/wanshitong', headers: { 'x-api-key': key }, payload: payload as object });
  const first = await push([record]);
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual([first.json().inserted, first.json().attachments.stored], [1, 1]);
  assert.deepEqual(first.json().attachments.refused.map((r: { record: number; name: string }) => [r.record, r.name]), [[1, '说明.exe']]);
  assert.match(first.json().attachments.refused[0].reason, /类型不允许/);
  assert.deepEqual(first.json().unknownColumns, [], 'attachments is a field the platform knows');

  const list = (await t.app.inject({ url: `/api/problems?q=${encodeURIComponent('青弋江边漂浮垃圾')}`, headers: { cookie: supervisor } })).json();
  const id = list.rows[0].id;
  const detail = (await t.app.inject({ url: `/api/problems/${id}`, headers: { cookie: supervisor } })).json();
  assert.deepEqual(detail.attachments.map((a: { file_name: string; content_type: string }) => [a.file_name, a.content_type]), [['现场照片.png', 'image/png']]);
  const file = await t.app.inject({ url: `/api/problems/${id}/attachments/${detail.attachments[0].id}`, headers: { cookie: supervisor } });
  assert.deepEqual(file.rawPayload, PNG);
  // the raw record keeps what the files were, not their bytes; the link stays as it came
  const raw = await t.ctx.db.selectFrom('raw_record').select('payload').where('channel', '=', 'wanshitong').where('external_id', '=', 'FILES-1').executeTakeFirstOrThrow();
  const kept = (raw.payload as { attachments: Record<string, unknown>[] }).attachments;
  assert.deepEqual(Object.keys(kept[0]!).sort(), ['name', 'size', 'sm3', 'type']);
  assert.match(String(kept[1]!.refused), /类型不允许/);
  assert.equal(kept[2], 'https://example.invalid/photo.jpg');

  // the same push again is a repeat and adds no file; a new version with a second photo adds only that one
  const again = await push(record);
  assert.deepEqual([again.json().repeats, again.json().attachments.stored], [1, 0]);
  const second = { name: '近景.png', data: Buffer.concat([PNG, Buffer.from('second')]).toString('base64') };
  const changed = await push({ ...record, attachments: [photo, second] });
  assert.deepEqual([changed.json().changed, changed.json().attachments.stored], [1, 1]);
  const after = (await t.app.inject({ url: `/api/problems/${id}`, headers: { cookie: supervisor } })).json();
  assert.deepEqual(after.attachments.map((a: { file_name: string }) => a.file_name), ['现场照片.png', '近景.png']);
  const bad = await push({ ...record, orderId: 'FILES-2', attachments: [{ name: 'x.png', data: '这不是编码' }] });
  assert.deepEqual([bad.json().inserted, bad.json().attachments.refused[0]?.reason], [1, '文件内容不是 Base64 编码']);
});

test('staff enter an on-site clue for their own unit', async () => {
  const officer = await login(t.app, 'officer', DEMO_PASSWORD);
  const r = await t.app.inject({ method: 'POST', url: '/api/problems', headers: { cookie: officer }, payload: { title: '夜市占道', content: '巡查发现镜湖区荆山街道夜市摊位占用消防通道。', address: '镜湖区荆山街道', kind: 'report' } });
  assert.equal(r.statusCode, 200, r.body);
  const p = await t.ctx.db.selectFrom('problem').selectAll().where('id', '=', r.json().id).executeTakeFirstOrThrow();
  assert.deepEqual([p.channel, p.unit_text, p.region_code, p.kind_code], ['staff', '镜湖区城市管理局', '340202004', 'report']);
  const audit = await t.ctx.db.selectFrom('audit_log').select('actor_label').where('action', '=', 'intake.import').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.match(audit.actor_label, /officer/);
  // the officer may not read the problem library: the code comes masked, the page is not offered, and the clue's
  // photos go up with the token the entry gave, not without it
  const { trackingCode, uploadToken, canOpen, id } = r.json();
  assert.match(trackingCode, /^ZD\w{2}\*{6}\w{2}$/);
  assert.equal(canOpen, false);
  const upload = (headers: Record<string, string>, problemId = id) => {
    const form = new FormData();
    form.append('file', new Blob([PNG]), '现场.png');
    return t.app.inject({ method: 'POST', url: `/api/problems/${problemId}/attachments`, headers: { cookie: officer, ...headers }, payload: form });
  };
  assert.equal((await upload({})).statusCode, 403);
  assert.equal((await upload({ 'x-upload-token': uploadToken }, id - 1)).statusCode, 403, 'the token is for its own clue only');
  const sent = await upload({ 'x-upload-token': uploadToken });
  assert.equal(sent.statusCode, 200, sent.body);
  assert.equal((await t.ctx.db.selectFrom('attachment').select('file_name').where('problem_id', '=', id).execute()).length, 1);
});

test('a column mapping saved through the API drives a generic upload; a channel without an adapter is refused', async () => {
  const bad = await t.app.inject({ method: 'POST', url: '/api/column-mappings', headers: { cookie: supervisor }, payload: { channel: 'nope', name: 'x', mapping: { 标题: 'title' } } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].field, 'channel');
  const saved = await t.app.inject({ method: 'POST', url: '/api/column-mappings', headers: { cookie: supervisor }, payload: { channel: 'generic', name: '街道来信', mapping: { 来源编号: 'id', 反映时间: 'time', 反映标题: 'title', 反映内容: 'body', 反映人电话: 'phone', 地点: 'address' } } });
  assert.equal(saved.statusCode, 200, saved.body);
  const form = new FormData();
  form.append('channel', 'generic');
  form.append('mapping', '街道来信');
  form.append('file', new Blob([fs.readFileSync(path.join(EXAMPLES, 'generic.csv'))]), 'generic.csv');
  const res = await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: supervisor }, payload: form });
  assert.equal(res.statusCode, 202, res.body);
  let batch;
  for (let i = 0; i < 50; i++) {
    batch = (await t.app.inject({ url: `/api/imports/${res.json().batchId}`, headers: { cookie: supervisor } })).json();
    if (batch.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual([batch.state, batch.inserted, batch.rejected], ['done', 1, 0]);
  const mappings = (await t.app.inject({ url: '/api/column-mappings', headers: { cookie: supervisor } })).json();
  assert.ok(mappings.some((m: { name: string }) => m.name === '街道来信'));
  // a push from the same source uses the mapping by name; without it the records say what is missing
  const key = await apiKey('generic');
  const record = { 来源编号: 'GEN-PUSH-1', 反映时间: '2026-03-04 10:00', 反映内容: '推送来的一条街道来信，路灯不亮。', 地点: '镜湖区' };
  const plain = await t.app.inject({ method: 'POST', url: '/api/intake/generic', headers: { 'x-api-key': key }, payload: record });
  assert.equal(plain.json().rejected, 1);
  const mapped = await t.app.inject({ method: 'POST', url: `/api/intake/generic?mapping=${encodeURIComponent('街道来信')}`, headers: { 'x-api-key': key }, payload: record });
  assert.deepEqual([mapped.statusCode, mapped.json().inserted], [200, 1], mapped.body);
  const unknown = await t.app.inject({ method: 'POST', url: '/api/intake/generic?mapping=nope', headers: { 'x-api-key': key }, payload: record });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json().message, /没有名为“nope”的列映射/);
});

test('a dispatcher merges a suspected duplicate into the problem it repeats; merged once, refused again, split back', async () => {
  const dispatcher = await login(t.app, 'dispatcher', DEMO_PASSWORD);
  const { createProblemsService } = await import('./service.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  const forms = createProblemsService(t.ctx);
  const first = await forms.submitForm('web_form', { content: '镜湖区赭山路一家烧烤店每晚油烟直排，楼上住户无法开窗。', address: '镜湖区赭山街道' }, SYSTEM_ACTOR);
  const again = await forms.submitForm('web_form', { content: '赭山路那家烧烤店晚上油烟很大，直接排到楼上，请管管。', address: '镜湖区赭山街道' }, SYSTEM_ACTOR);
  const merge = (id: number, payload: object, cookie = dispatcher) => t.app.inject({ method: 'POST', url: `/api/problems/${id}/merge`, headers: { cookie }, payload });
  const handler = await login(t.app, 'handler', DEMO_PASSWORD);
  assert.equal((await merge(again.id, { into: first.id }, handler)).statusCode, 403);
  assert.equal((await merge(again.id, { into: again.id })).statusCode, 400);
  const ok = await merge(again.id, { into: first.id, reason: '同一烧烤店' });
  assert.equal(ok.statusCode, 200, ok.body);
  const rows = await t.ctx.db.selectFrom('problem').select(['id', 'status', 'merged_into', 'source_count']).where('id', 'in', [first.id, again.id]).orderBy('id').execute();
  assert.deepEqual(rows.map((r) => [r.status, r.merged_into, r.source_count]), [['new', null, 2], ['merged', first.id, 0]]);
  const twice = await merge(again.id, { into: first.id });
  assert.equal(twice.statusCode, 409);
  assert.match(twice.json().message, /只有尚未派发的问题可以合并/);
  const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_label']).where('action', '=', 'problem.merge').where('target_id', '=', String(first.id)).executeTakeFirstOrThrow();
  assert.match(audit.actor_label, /dispatcher/);
  // 拆分 undoes it
  const { mergeId } = ok.json();
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/problems/${first.id}/merges/${mergeId}/split`, headers: { cookie: dispatcher }, payload: {} })).statusCode, 200);
  const back = await t.ctx.db.selectFrom('problem').select('status').where('id', '=', again.id).executeTakeFirstOrThrow();
  assert.equal(back.status, 'new');
});

test('problem detail: a merged duplicate\'s title, the address and the target read masked as the title does (left out when 保密)', async () => {
  const dispatcher = await login(t.app, 'dispatcher', DEMO_PASSWORD);
  const { createProblemsService } = await import('./service.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  const forms = createProblemsService(t.ctx);
  const detail = async (id: number) => (await t.app.inject({ method: 'GET', url: `/api/problems/${id}`, headers: { cookie: admin } })).json();
  for (const confidential of [false, true]) {
    const into = await forms.submitForm('web_form', { title: '烧烤摊扰民', content: '弋江区花津路烧烤摊每晚营业到凌晨两点，噪声扰民。', address: '弋江区花津路 电话13955309912' }, SYSTEM_ACTOR);
    const dup = await forms.submitForm('web_form', { title: '请回电13955309911：烧烤摊扰民', content: '花津路烧烤摊半夜还在营业，吵得睡不着。', address: '弋江区花津路', confidential }, SYSTEM_ACTOR);
    const ok = await t.app.inject({ method: 'POST', url: `/api/problems/${dup.id}/merge`, headers: { cookie: dispatcher }, payload: { into: into.id } });
    assert.equal(ok.statusCode, 200, ok.body);
    const target = { domain: null, kind: null, misconduct: [], target: { text: '花津路烧烤摊 老板13955309913', key: 'x', source: 'text' } };
    await t.ctx.db.updateTable('problem').set({ triage: sql`coalesce(triage, '{}'::jsonb) || ${JSON.stringify(target)}::jsonb` as never }).where('id', '=', into.id).execute();
    const listed = (await t.app.inject({ url: '/api/problems?limit=200', headers: { cookie: admin } })).json().rows.find((r: { id: number }) => r.id === into.id);
    assert.match(listed.triage.target.text, confidential ? /老板（号码已隐去）/ : /老板139\*{4}9913/, 'a 保密 duplicate makes the problem 保密');
    for (const id of [into.id, dup.id]) {
      const p = await detail(id);
      const title = p.merges.find((m: { from_problem_id: number }) => m.from_problem_id === dup.id)?.from_title;
      assert.equal(title, confidential ? '请回电（号码已隐去）：烧烤摊扰民' : '请回电139****9911：烧烤摊扰民');
      assert.doesNotMatch(JSON.stringify(p), /13955309911|13955309912|13955309913/);
    }
  }
});

test('a reporter\'s phone written with long dashes, dots or spaced dashes is stored in its one form and masked in the texts', async () => {
  const { createProblemsService } = await import('./service.ts');
  const { SYSTEM_ACTOR } = await import('../auth/access.ts');
  const forms = createProblemsService(t.ctx);
  for (const [written, stored] of [['139—5530—7708', '13955307708'], ['139.5530.7709', '13955307709'], ['139 - 5530 - 7717', '13955307717'], ['0553—3845519', '0553-3845519']]) {
    const p = await forms.submitForm('web_form', { content: `镜湖区某工地夜间施工噪声扰民，请回电${written}。`, contactPhone: written }, SYSTEM_ACTOR);
    const revealed = (await t.app.inject({ method: 'POST', url: `/api/problems/${p.id}/contact`, headers: { cookie: supervisor } })).json();
    assert.equal(revealed.phone, stored, written);
    const seen = (await t.app.inject({ url: `/api/problems/${p.id}`, headers: { cookie: admin } })).json();
    assert.ok(!seen.body.includes(written) && seen.body.includes(stored.slice(-4)), seen.body);
  }
});
