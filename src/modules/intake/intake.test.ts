import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { createTestContext, REPO_ROOT, tempDir, type TestContext } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { seedDemoCity } from '../seed/service.ts';
import stringify from 'safe-stable-stringify';
import { ADAPTERS, baseDraft, hotline12345 } from './adapters.ts';
import { resolveHeaders } from './fields.ts';
import { FileError, jsonArray, MissingColumnsError, type SourceRow } from './files.ts';
import { CHUNK, ingest } from './pipeline.ts';
import { canonicalJson } from './prepare.ts';
import { importFile, normalizeReporterPhones, writeErrorReport } from './service.ts';
import { maskPhone } from '../../lib/crypto.ts';
import { sql } from 'kysely';

const EXAMPLES = path.join(REPO_ROOT, 'docs', 'examples');
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  await seedDemoCity(ctx);
});
after(() => ctx.close());

const load = (channel: string, file: string) => importFile(ctx, SYSTEM_ACTOR, { channel, file, origin: 'cli' });
const count = async (table: 'raw_record' | 'problem' | 'problem_source') => (await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

test('every channel example imports; the same file again adds nothing', async () => {
  const expected: [string, string, number, number][] = [
    ['hotline12345', 'hotline12345.csv', 4, 1],
    ['people_board', 'people_board.jsonl', 2, 1],
    ['portal_mailbox', 'portal_mailbox.csv', 2, 0],
    ['wanshitong', 'wanshitong.json', 2, 0],
    ['gov_service', 'gov_service.jsonl', 2, 1],
    ['wechat', 'wechat.jsonl', 1, 0],
    ['weibo', 'weibo.jsonl', 1, 0],
  ];
  for (const [channel, file, inserted, rejected] of expected) {
    const r = await load(channel, path.join(EXAMPLES, file));
    assert.deepEqual([r.inserted, r.rejected, r.changed], [inserted, rejected, 0], `${file}: ${JSON.stringify(r)}`);
    const again = await load(channel, path.join(EXAMPLES, file));
    assert.deepEqual([again.inserted, again.changed, again.repeats, again.rejected], [0, 0, inserted, rejected], `${file} twice`);
  }
  assert.equal(await count('problem'), 14);
  assert.equal(await count('raw_record'), 14);
});

test('a broken row is reported by row number and field; the good rows are kept', async () => {
  const r = await load('hotline12345', path.join(EXAMPLES, 'hotline12345.csv'));
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.rowNo, 6);
  assert.match(r.errors[0]!.field!, /^time/);
  assert.match(r.errors[0]!.message, /无法识别为时间/);
  const board = await load('people_board', path.join(EXAMPLES, 'people_board.jsonl'));
  assert.equal(board.errors[0]!.rowNo, 3);
  assert.match(board.errors[0]!.message, /缺少内容/);
});

test('rejected rows are numbered by the line they start on in a CSV file and by the sheet row in an XLSX file; empty rows are skipped, not rejected', async () => {
  const dir = tempDir();
  const csv = path.join(dir, 'lines.csv');
  fs.writeFileSync(csv, [
    '',
    '工单编号,受理时间,诉求内容',
    'LN-1,2026-03-05 09:00,"第一条反映：路口占道经营，',
    '内容跨了两行"',
    '',
    ',,',
    ' , , ',
    'LN-2,昨天,时间写错的一行',
    'LN-3,2026-03-05 10:00,',
    '',
  ].join('\r\n'));
  const r = await load('hotline12345', csv);
  assert.deepEqual([r.read, r.inserted, r.rejected], [3, 1, 2], JSON.stringify(r.errors));
  assert.deepEqual(r.errors.map((e) => [e.rowNo, e.externalId]), [[8, 'LN-2'], [9, 'LN-3']]);
  assert.match(r.errors[1]!.message, /缺少内容/);
  // the report beside the file names the same lines
  const report = fs.readFileSync((await writeErrorReport(ctx, csv, r.batchId))!, 'utf8').split('\r\n');
  assert.deepEqual(report.slice(1, 3).map((l) => l.split(',').slice(0, 2).join(',')), ['8,LN-2', '9,LN-3']);

  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  ws.addRow(['工单编号', '受理时间', '诉求内容']);
  ws.addRow(['LX-1', '2026-03-05 09:00', '第一条反映：河道有人倾倒垃圾']);
  ws.addRow(['', '  ', ' ']); // row 3: cells of spaces only
  ws.getRow(5).values = ['LX-2', '昨天', '时间写错的一行'];
  ws.getRow(6).values = ['LX-3', '2026-03-05 10:00'];
  const xlsx = path.join(dir, 'lines.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const x = await load('hotline12345', xlsx);
  assert.deepEqual([x.read, x.inserted, x.rejected], [3, 1, 2], JSON.stringify(x.errors));
  assert.deepEqual(x.errors.map((e) => [e.rowNo, e.externalId]), [[5, 'LX-2'], [6, 'LX-3']]);
});

test('normalization: kind, region from address or district, flags for what did not match, the channel history kept', async () => {
  const p = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').selectAll('problem').select(['problem_source.handled_by', 'problem_source.reply', 'problem_source.satisfaction', 'problem_source.source_state']).where('problem_source.external_id', '=', 'WH12345-20260301-0001').executeTakeFirstOrThrow();
  assert.equal(p.kind_code, 'complaint');
  assert.equal(p.region_code, '340202001'); // 范罗山街道, more specific than 镜湖区
  assert.equal(p.reported_at.toISOString(), '2026-03-01T01:12:05.000Z');
  assert.equal(p.handled_by, '镜湖区城市管理局');
  assert.equal(p.satisfaction, '满意');
  assert.match(p.reply!, /限期整改/);
  const consult = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['problem.region_code', 'problem.kind_code']).where('problem_source.external_id', '=', 'WH12345-20260301-0003').executeTakeFirstOrThrow();
  assert.deepEqual(consult, { region_code: '340209', kind_code: 'consult' });
  const hcp = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['problem.kind_code', 'problem.title', 'problem_source.satisfaction']).where('problem_source.external_id', '=', 'HCP-20260301-01').executeTakeFirstOrThrow();
  assert.deepEqual(hcp, { kind_code: 'complaint', title: '【好差评】食品经营许可证核发', satisfaction: '非常不满意' });
  const mailbox = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['problem.confidential']).where('problem_source.external_id', '=', 'MX-2026-0301').executeTakeFirstOrThrow();
  assert.equal(mailbox.confidential, true); // 是否公开 = 否
  const board = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['problem.unit_text', 'problem.flags', 'problem.region_code']).where('problem_source.external_id', '=', '910001').executeTakeFirstOrThrow();
  assert.equal(board.unit_text, '芜湖市委书记');
  assert.ok(board.flags.includes('unit_unmatched'));
  // the board only says 芜湖市; the message itself names 弋江区白马街道
  assert.equal(board.region_code, '340209001');
  assert.ok(board.flags.includes('region_from_text'));
});

test('personal numbers are encrypted in the raw record and in the problem, shown masked', async () => {
  const raw = await ctx.db.selectFrom('raw_record').select('payload').where('external_id', '=', 'WST-202603010001').executeTakeFirstOrThrow();
  const stored = JSON.stringify(raw.payload);
  assert.ok(!stored.includes('13955300021'));
  assert.ok(!stored.includes('周先生'));
  const sealed = (raw.payload as { user: { mobile: { $sm4: string } } }).user.mobile.$sm4;
  assert.equal(ctx.cipher.decrypt(sealed), '13955300021');
  const p = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['reporter_phone_mask', 'reporter_phone_enc', 'reporter_name_mask']).where('problem_source.external_id', '=', 'WST-202603010001').executeTakeFirstOrThrow();
  assert.equal(p.reporter_phone_mask, '139****0021');
  assert.equal(p.reporter_name_mask, '周**');
  assert.equal(ctx.cipher.decrypt(p.reporter_phone_enc!), '13955300021');
});

test('ID numbers, and phone or ID numbers under columns no one mapped, are encrypted; 保密 markers not understood keep the reporter hidden', async () => {
  const dir = tempDir();
  const hotline = path.join(dir, 'ids.csv');
  fs.writeFileSync(hotline, [
    '工单编号,受理时间,诉求内容,身份证号,备用电话,是否保密,承办单位',
    'IDN-1,2026-03-02 09:00,有人在小区门口占道经营，请处理。,34020219900101123X,13955551234,保密,火星区城管局',
    'IDN-2,2026-03-02 10:00,路灯坏了很久没人修。,,,否,镜湖区城市管理局',
    'IDN-3,2026-03-02 11:00,反映人要求不要透露身份。,,,请勿泄露,',
    '',
  ].join('\n'));
  const r = await load('hotline12345', hotline);
  assert.deepEqual([r.inserted, r.rejected, r.unknownColumns], [3, 0, ['备用电话']]);
  const raw = await ctx.db.selectFrom('raw_record').select('payload').where('external_id', '=', 'IDN-1').executeTakeFirstOrThrow();
  const stored = JSON.stringify(raw.payload);
  assert.ok(!stored.includes('34020219900101123X') && !stored.includes('13955551234'), stored);
  const payload = raw.payload as Record<string, { $sm4: string }>;
  assert.equal(ctx.cipher.decrypt(payload['身份证号']!.$sm4), '34020219900101123X');
  assert.equal(ctx.cipher.decrypt(payload['备用电话']!.$sm4), '13955551234');
  const problems = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['problem_source.external_id', 'problem.confidential', 'problem.flags']).where('problem_source.external_id', 'like', 'IDN-%').orderBy('problem_source.external_id').execute();
  assert.deepEqual(problems.map((p) => [p.external_id, p.confidential]), [['IDN-1', true], ['IDN-2', false], ['IDN-3', true]]);
  assert.ok(problems[0]!.flags.includes('handler_unmatched'));
  assert.ok(!problems[1]!.flags.includes('handler_unmatched'));

  const mailbox = path.join(dir, 'mail.csv');
  fs.writeFileSync(mailbox, ['信件编号,标题,内容,写信时间,是否公开', 'MXC-1,噪音,夜间施工噪音扰民。,2026-03-02 09:00,保密', 'MXC-2,路面,路面坑洼。,2026-03-02 09:00,公开', ''].join('\n'));
  assert.equal((await load('portal_mailbox', mailbox)).inserted, 2);
  const mails = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['problem.confidential']).where('problem_source.external_id', 'in', ['MXC-1', 'MXC-2']).orderBy('problem_source.external_id').execute();
  assert.deepEqual(mails.map((m) => m.confidential), [true, false]);
  // 不保密 but not to be made public: kept back all the same; and a letter that asks for 保密 later is kept back from then on
  const both = path.join(dir, 'both.csv');
  fs.writeFileSync(both, ['信件编号,标题,内容,写信时间,是否保密,是否公开', 'MXC-3,油烟,油烟扰民。,2026-03-02 09:00,否,否', 'MXC-2,路面,路面坑洼。,2026-03-02 09:00,是,公开', ''].join('\n'));
  const r2 = await load('portal_mailbox', both);
  assert.deepEqual([r2.inserted, r2.changed], [1, 1]);
  const after = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['problem_source.external_id', 'problem.confidential']).where('problem_source.external_id', 'in', ['MXC-2', 'MXC-3']).orderBy('problem_source.external_id').execute();
  assert.deepEqual(after.map((m) => [m.external_id, m.confidential]), [['MXC-2', true], ['MXC-2', true], ['MXC-3', true]]);
});

test('a phone under a column no one mapped is encrypted however it is written: spaces, dashes, +86, parentheses, full-width digits', async () => {
  const written = ['139 5530 8888', '+86 139-5530-8881', '（0553）3845566', '１３９５５３０８８８２', '0553 384 5567'];
  const rows = written.map((w, i) => ({ 工单编号: `SPARE-${i}`, 受理时间: '2026-03-02 09:00', 诉求内容: '小区门口有人占道经营，请处理。', 备用电话: w, 备注: '回访两次' }));
  const r = await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
  assert.deepEqual([r.inserted, r.rejected], [written.length, 0]);
  for (const [i, w] of written.entries()) {
    const raw = await ctx.db.selectFrom('raw_record').select('payload').where('external_id', '=', `SPARE-${i}`).executeTakeFirstOrThrow();
    const payload = raw.payload as { 备用电话: { $sm4: string }; 备注: string };
    assert.equal(ctx.cipher.decrypt(payload.备用电话.$sm4), w, w);
    assert.equal(payload.备注, '回访两次');
  }
});

test("the reporter's phone is one number however it is written: one blind index, one mask; the raw record keeps it as written", async () => {
  const problemOf = (id: string) => ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id')
    .innerJoin('raw_record', 'raw_record.id', 'problem_source.raw_record_id')
    .select(['reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index', 'raw_record.payload'])
    .where('problem_source.external_id', '=', id).executeTakeFirstOrThrow();
  const cases: [string[], string, string][] = [
    [['139 5530 0001', '+86 139-5530-0001', '8613955300001', '１３９５５３００００１', '(+86)139 5530 0001'], '13955300001', '139****0001'],
    [['0553-3845566', '(0553)3845566', '（０５５３）３８４５５６６', '0553 384 5566'], '0553-3845566', '055*****5566'],
  ];
  const rows = cases.flatMap(([written], c) => written.map((w, i) => ({ 工单编号: `PHONE-${c}-${i}`, 受理时间: '2026-03-02 09:00', 诉求内容: '小区门口有人占道经营，请处理。', 联系电话: w })));
  const r = await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
  assert.deepEqual([r.inserted, r.rejected], [rows.length, 0]);
  for (const [c, [written, phone, mask]] of cases.entries()) {
    for (const [i, w] of written.entries()) {
      const p = await problemOf(`PHONE-${c}-${i}`);
      assert.deepEqual([ctx.cipher.decrypt(p.reporter_phone_enc!), p.reporter_phone_mask, p.reporter_phone_index], [phone, mask, ctx.cipher.blindIndex(phone)], w);
      assert.equal(ctx.cipher.decrypt((p.payload as { 联系电话: { $sm4: string } }).联系电话.$sm4), w);
    }
  }
});

test('a title cut from the body never ends inside a phone or ID number, which masking would no longer recognise', async () => {
  const start = '镜湖区范罗山街道某小区门口有人占道经营，请回电'; // 23 characters: the 30-character cut falls inside the number
  const written = ['13955307777', '139-5530-7777', '+86 139 5530 7777', '１３９５５３０７７７７', '(0553)3845566', '340202199001011234'];
  const rows = written.map((w, i) => ({ 工单编号: `CUT-${i}`, 受理时间: '2026-03-02 09:00', 诉求内容: `${start}${w}，谢谢。` }));
  rows.push({ 工单编号: 'CUT-LONG', 受理时间: '2026-03-02 09:00', 诉求内容: '内容', 诉求标题: `${'标'.repeat(195)}13955307777` } as (typeof rows)[number]);
  const r = await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
  assert.deepEqual([r.inserted, r.rejected], [rows.length, 0]);
  const titles = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select(['external_id', 'title'])
    .where('problem_source.external_id', 'like', 'CUT-%').orderBy('problem_source.external_id').execute();
  const byId = Object.fromEntries(titles.map((t) => [t.external_id, t.title]));
  for (const i of written.keys()) assert.equal(byId[`CUT-${i}`], `${start}…`, written[i]);
  assert.equal(byId['CUT-LONG'], '标'.repeat(195));
  // a number that ends where the cut falls is kept whole
  assert.equal(baseDraft({ body: `${'字'.repeat(19)}13955307777，请处理。`, time: '2026-03-02 09:00' }).title, `${'字'.repeat(19)}13955307777…`);
});

test("12345 exports' headers for the reporter's name, phone and ID number are recognised: the values encrypted, the name masked", async () => {
  const dir = tempDir();
  const files: [string, string, string[]][] = [
    ['hotline12345', '工单编号,受理时间,诉求内容,来电人姓名,来电人电话,来电人身份证', ['HDR-1,2026-03-02 09:00,路灯坏了很久没人修。,孙小红,139 5530 1111,34020219900101123X']],
    ['hotline12345', '工单编号,受理时间,诉求内容,诉求人姓名,诉求人联系电话,诉求人身份证号', ['HDR-2,2026-03-02 09:00,路灯坏了很久没人修。,孙小红,13955301112,34020219900101123X']],
    ['hotline12345', '工单编号,受理时间,诉求内容,反映人,联系方式,反映人身份证号', ['HDR-3,2026-03-02 09:00,路灯坏了很久没人修。,孙小红,13955301113,34020219900101123X']],
    ['portal_mailbox', '信件编号,标题,内容,写信时间,来信人姓名,联系方式,来信人身份证号', ['HDR-4,路灯,路灯坏了很久没人修。,2026-03-02 09:00,孙小红,13955301114,34020219900101123X']],
  ];
  for (const [i, [channel, header, lines]] of files.entries()) {
    const file = path.join(dir, `h${i}.csv`);
    fs.writeFileSync(file, [header, ...lines, ''].join('\n'));
    const r = await load(channel, file);
    assert.deepEqual([r.inserted, r.rejected, r.unknownColumns], [1, 0, []], header);
  }
  const generic = resolveHeaders(['编号', '时间', '内容', '反映人', '手机', '诉求人身份证号'], ADAPTERS.generic!.specs, ADAPTERS.generic!.required);
  assert.deepEqual([[...generic.mapping.values()], generic.unknown], [['id', 'time', 'body', 'name', 'phone', 'idNumber'], []]);
  for (const id of ['HDR-1', 'HDR-2', 'HDR-3', 'HDR-4']) {
    const p = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').innerJoin('raw_record', 'raw_record.id', 'problem_source.raw_record_id')
      .select(['reporter_name_enc', 'reporter_name_mask', 'reporter_phone_mask', 'raw_record.payload']).where('problem_source.external_id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual([ctx.cipher.decrypt(p.reporter_name_enc!), p.reporter_name_mask], ['孙小红', '孙**'], id);
    assert.match(p.reporter_phone_mask!, /^139\*{4}111\d$/, id);
    const stored = JSON.stringify(p.payload);
    assert.ok(!stored.includes('孙小红') && !stored.includes('1990010') && !stored.includes('5530'), stored);
  }
});

test('匿名, 无, 不详, 未提供 as the reporter\'s name or phone are no name and no phone: nothing masked, nothing indexed', async () => {
  const given: [string, string][] = [['匿名', '无'], ['无', '未提供'], ['不详', '-'], ['未提供', '不详'], ['匿 名', 'N/A'], ['孙小红', '无']];
  const rows = given.map(([name, phone], i) => ({ 工单编号: `NONAME-${i}`, 受理时间: '2026-03-02 09:00', 诉求内容: '路灯坏了很久没人修。', 来电人: name, 联系电话: phone }));
  const r = await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
  assert.deepEqual([r.inserted, r.rejected], [rows.length, 0]);
  const problems = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id')
    .select(['external_id', 'reporter_name_enc', 'reporter_name_mask', 'reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index'])
    .where('problem_source.external_id', 'like', 'NONAME-%').orderBy('problem_source.external_id').execute();
  const none = { reporter_name_enc: null, reporter_name_mask: null, reporter_phone_enc: null, reporter_phone_mask: null, reporter_phone_index: null };
  for (const p of problems.slice(0, 5)) assert.deepEqual({ ...p, external_id: undefined }, { ...none, external_id: undefined }, p.external_id);
  assert.deepEqual([problems[5]!.reporter_name_mask, problems[5]!.reporter_phone_mask], ['孙**', null]);
});

test('a record changed at the source becomes a new raw version of the same problem', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'v2.csv');
  const text = fs.readFileSync(path.join(EXAMPLES, 'hotline12345.csv'), 'utf8').replace(',办理中,,,', ',已办结,2026-03-09 10:00,已立案查处该药店。,满意');
  fs.writeFileSync(file, text);
  const before = await count('problem');
  const r = await load('hotline12345', file);
  assert.deepEqual([r.inserted, r.changed, r.repeats], [0, 1, 3]);
  assert.equal(await count('problem'), before);
  const sources = await ctx.db.selectFrom('problem_source').selectAll().where('external_id', '=', 'WH12345-20260301-0002').orderBy('version').execute();
  assert.deepEqual(sources.map((s) => [s.version, s.link_reason, s.source_state]), [[1, 'origin', '办理中'], [2, 'version', '已办结']]);
  assert.equal(sources[0]!.problem_id, sources[1]!.problem_id);
  const problem = await ctx.db.selectFrom('problem').select('source_count').where('id', '=', sources[0]!.problem_id).executeTakeFirstOrThrow();
  assert.equal(problem.source_count, 2);
});

test('an id that comes again in one file with other content is stored as versions in order, and the import says so; a push is not told', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'twice.csv');
  fs.writeFileSync(file, [
    '工单编号,受理时间,诉求内容',
    'TWICE-1,2026-03-05 09:00,第一次的内容：路口占道经营',
    'TWICE-2,2026-03-05 09:00,不变的一条：路灯不亮',
    'TWICE-1,2026-03-05 09:00,第一次的内容：路口占道经营',
    'TWICE-2,2026-03-05 09:00,不变的一条：路灯不亮',
    'TWICE-3,2026-03-05 10:00,甲：河道有人倾倒垃圾',
    'TWICE-1,2026-03-05 09:00,补充后的内容：路口占道经营，早晚高峰更严重',
    'TWICE-3,2026-03-05 10:00,乙：河道有人倾倒垃圾，已持续一周',
    'TWICE-1,2026-03-05 09:00,第三次的内容',
    '',
  ].join('\n'));
  const notice = '文件中有 2 个编号出现多次且内容不同，已按先后存为多个版本：例如 第2行与第7行（编号 TWICE-1）、第6行与第8行（编号 TWICE-3）';
  const r = await load('hotline12345', file);
  assert.deepEqual([r.read, r.inserted, r.changed, r.repeats, r.rejected], [8, 3, 3, 2, 0]);
  assert.deepEqual(r.notices, [notice]);
  assert.deepEqual((await ctx.db.selectFrom('import_batch').select('notices').where('id', '=', r.batchId).executeTakeFirstOrThrow()).notices, [notice]);
  const versions = await ctx.db.selectFrom('problem_source').select(['version', 'problem_id']).where('external_id', '=', 'TWICE-1').orderBy('version').execute();
  assert.deepEqual(versions.map((v) => v.version), [1, 2, 3]);
  assert.equal(new Set(versions.map((v) => v.problem_id)).size, 1);
  // the same file again: all repeats, and still the same file
  const again = await load('hotline12345', file);
  assert.deepEqual([again.inserted, again.changed, again.repeats, again.notices], [0, 0, 8, [notice]]);

  // pushed records: a channel may send a record's versions one after another; nothing to tell
  const pushed = await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray([
    { 工单编号: 'TWICE-P', 受理时间: '2026-03-05 09:00', 诉求内容: '推送的第一版', 办理状态: '办理中' },
    { 工单编号: 'TWICE-P', 受理时间: '2026-03-05 09:00', 诉求内容: '推送的第一版', 办理状态: '已办结' },
  ]) });
  assert.deepEqual([pushed.inserted, pushed.changed, pushed.notices], [1, 1, []]);
});

test('GB18030 and UTF-8-with-BOM files read the same; a wrong XLSX and an empty file get one clear error', async () => {
  const dir = tempDir();
  const utf8 = fs.readFileSync(path.join(EXAMPLES, 'portal_mailbox.csv'), 'utf8');
  const gbk = path.join(dir, 'gbk.csv');
  fs.writeFileSync(gbk, iconv.encode(utf8, 'gb18030'));
  const bom = path.join(dir, 'bom.csv');
  fs.writeFileSync(bom, `\uFEFF${utf8}`);
  // same records as the UTF-8 example: all repeats
  for (const f of [gbk, bom]) {
    const r = await load('portal_mailbox', f);
    assert.deepEqual([r.read, r.inserted, r.repeats, r.rejected], [2, 0, 2, 0], f);
  }
  const fakeXlsx = path.join(dir, 'fake.xlsx');
  fs.writeFileSync(fakeXlsx, utf8);
  await assert.rejects(load('hotline12345', fakeXlsx), (e) => e instanceof FileError && /不是有效的 XLSX/.test(e.message));
  const csvAsJsonl = path.join(dir, 'table.jsonl');
  fs.writeFileSync(csvAsJsonl, utf8);
  await assert.rejects(load('portal_mailbox', csvAsJsonl), (e) => e instanceof FileError && /不是 JSON 行格式/.test(e.message));
  const empty = path.join(dir, 'empty.csv');
  fs.writeFileSync(empty, '');
  await assert.rejects(load('hotline12345', empty), /文件是空的/);

  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  const rows = fs.readFileSync(path.join(EXAMPLES, 'hotline12345.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  // the phone column as numbers, blank cells left empty: as Excel itself holds them
  rows.forEach((r, i) => ws.addRow(r.map((cell, c) => (i > 0 && c === 3 && /^\d+$/.test(cell) ? Number(cell) : cell === '' ? null : cell))));
  const xlsx = path.join(dir, 'h.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const r = await load('hotline12345', xlsx);
  assert.equal(r.read, 5);
  assert.equal(r.rejected, 1);
  assert.equal(r.errors[0]!.rowNo, 6);
  // the same records as the CSV imported before: repeats, not new versions
  assert.deepEqual([r.inserted, r.changed, r.repeats], [0, 0, 4]);
});

test('a UTF-8 file cut short is never taken for GB18030: cut inside a character it is refused as cut; cut between characters its rows are read', async () => {
  const dir = tempDir();
  const whole = fs.readFileSync(path.join(EXAMPLES, 'portal_mailbox.csv'));
  for (let cut = Math.floor(whole.length / 2); cut < whole.length; cut += 7) {
    const file = path.join(dir, `cut-${cut}.csv`);
    fs.writeFileSync(file, whole.subarray(0, cut));
    const midCharacter = (whole[cut]! & 0xc0) === 0x80;
    const r = await load('portal_mailbox', file).catch((e: Error) => e);
    if (midCharacter) assert.ok(r instanceof FileError && /末尾的字符被截断/.test(r.message), `${cut}: ${r instanceof Error ? r.message : JSON.stringify(r)}`);
    else assert.ok(!(r instanceof Error), `${cut}: ${(r as Error).message}`);
  }
  const stored = await ctx.db.selectFrom('problem').select('body').where('body', 'like', '%\uFFFD%').execute();
  assert.equal(stored.length, 0, 'no replacement character stored');
});

test('XLSX: date cells are city times; a file cut anywhere or damaged half-way gets one clear error, never a hang or a quiet half import', async () => {
  const dir = tempDir();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  ws.addRow(['工单编号', '受理时间', '诉求内容']);
  // exceljs writes a Date as the wall-clock time of its UTC fields: 10:22 in the sheet
  for (let i = 0; i < 3000; i++) ws.addRow([`XL-${i}`, new Date(Date.UTC(2026, 2, 5, 10, 22)), `第${i}条：某某路口占道经营，早晚高峰影响通行，请有关部门处理。`.repeat(2)]);
  const xlsx = path.join(dir, 'dates.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const whole = fs.readFileSync(xlsx);
  for (const share of [0.2, 0.6, 0.75, 0.99]) {
    const cut = path.join(dir, `cut-${share}.xlsx`);
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * share)));
    await assert.rejects(load('hotline12345', cut), (e) => e instanceof FileError && /XLSX 文件不完整/.test(e.message), String(share));
  }
  const damaged = Buffer.from(whole);
  const at = Math.floor(damaged.length * 0.5);
  for (let i = 0; i < 64; i++) damaged[at + i] = (damaged[at + i]! * 7 + 13) & 255;
  const damagedFile = path.join(dir, 'damaged.xlsx');
  fs.writeFileSync(damagedFile, damaged);
  await assert.rejects(load('hotline12345', damagedFile), (e) => e instanceof FileError && /XLSX 文件(在读取中途出错.*已读到工作表“工单”第 \d+ 行|已损坏：工作表“工单”第 \d+ 行的内容无法还原)/.test(e.message));
  const garbage = await ctx.db.selectFrom('problem').select('id').where('body', 'like', '%\uFFFD%').execute();
  assert.equal(garbage.length, 0, 'a damaged file stores no garbage text');
  const failed = await ctx.db.selectFrom('import_batch').select(['state', 'error']).where('file_name', '=', 'damaged.xlsx').executeTakeFirstOrThrow();
  assert.equal(failed.state, 'failed');

  const r = await load('hotline12345', xlsx);
  assert.equal(r.rejected, 0);
  assert.equal(r.inserted + r.repeats, 3000);
  const times = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id').select('problem.reported_at').where('problem_source.external_id', 'like', 'XL-%').groupBy('problem.reported_at').execute();
  assert.deepEqual(times.map((t) => t.reported_at.toISOString()), ['2026-03-05T02:22:00.000Z']);
});

test('XLSX read as its CSV would be: a blank header cell, a repeated header, cells beyond the header, padded text and date cells', async () => {
  const dir = tempDir();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  ws.getCell('A1').value = '工单编号';
  ws.getCell('B1').value = '受理时间';
  ws.getCell('C1').value = '诉求内容';
  ws.getCell('E1').value = '联系电话';
  ws.getCell('F1').value = '联系电话';
  ws.addRow(['XS-1', new Date(Date.UTC(2026, 2, 5, 9, 7)), '  表头中间空了一格，两列同名  ', '空表头下的一格', '13955300031', '13955300032', '表头之外']);
  const xlsx = path.join(dir, 'shapes.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const r = await load('hotline12345', xlsx);
  assert.deepEqual([r.inserted, r.rejected], [1, 0], JSON.stringify(r.errors));
  assert.deepEqual(r.unknownColumns, ['联系电话（第6列）', '第4列', '第7列']);
  const { payload } = await ctx.db.selectFrom('raw_record').select('payload').where('external_id', '=', 'XS-1').executeTakeFirstOrThrow();
  const raw = payload as Record<string, unknown>;
  assert.equal(raw['受理时间'], '2026-03-05 09:07');
  assert.equal(raw['诉求内容'], '表头中间空了一格，两列同名');
  assert.equal(raw['第4列'], '空表头下的一格');
  assert.equal(raw['第7列'], '表头之外');
  assert.ok(raw['联系电话'] && raw['联系电话（第6列）'], 'both phone columns kept');
  // the same row saved as CSV is the same record
  const csv = path.join(dir, 'shapes.csv');
  fs.writeFileSync(csv, '工单编号,受理时间,诉求内容,,联系电话,联系电话\nXS-1,2026-03-05 09:07,表头中间空了一格，两列同名,空表头下的一格,13955300031,13955300032,表头之外\n');
  const again = await load('hotline12345', csv);
  assert.deepEqual([again.inserted, again.changed, again.repeats], [0, 0, 1]);
});

test('XLSX: an export\'s title row above the header is passed over, and rows keep the sheet\'s numbers', async () => {
  const dir = tempDir();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  ws.getCell('A1').value = '芜湖市12345热线工单导出（2026年3月）';
  ws.mergeCells('A1:C1');
  ws.getCell('A3').value = '工单编号';
  ws.getCell('B3').value = '受理时间';
  ws.getCell('C3').value = '诉求内容';
  ws.addRow(['TT-1', '2026-03-05 09:07', '标题行下面空一行，再是表头']);
  ws.addRow(['TT-2', '昨天', '时间写错的一行']);
  const xlsx = path.join(dir, 'titled.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const r = await load('hotline12345', xlsx);
  assert.deepEqual([r.inserted, r.rejected, r.errors[0]?.rowNo], [1, 1, 5]);
  const only = new ExcelJS.Workbook();
  only.addWorksheet('说明').getCell('A1').value = '本表仅供参考';
  const lone = path.join(dir, 'lone.xlsx');
  await only.xlsx.writeFile(lone);
  await assert.rejects(load('hotline12345', lone), /没有表头行（至少两列的一行）/);
});

test('XLSX: the first worksheet with a header row is read (a 填表说明 page before it is passed over); other sheets with data are named as not imported', async () => {
  const dir = tempDir();
  const wb = new ExcelJS.Workbook();
  const help = wb.addWorksheet('填表说明');
  help.getCell('A1').value = '填表说明';
  help.getCell('A2').value = '1. 工单编号必填，不要改动表头。';
  help.getCell('A3').value = '2. 受理时间写成 2026-03-05 09:07 的样子。';
  // a long single-column list (a 字典 page): no header, read through without being kept
  for (let i = 0; i < 2000; i++) help.getCell(`A${12 + i}`).value = `第 ${i} 个街道的名称`;
  const orders = wb.addWorksheet('工单');
  orders.addRow(['工单编号', '受理时间', '诉求内容']);
  orders.addRow(['SH-1', '2026-03-05 09:07', '第一个有表头的工作表中的反映：路口占道经营']);
  orders.addRow(['SH-2', '昨天', '时间写错的一行']);
  const february = wb.addWorksheet('二月');
  february.addRow(['工单编号', '受理时间', '诉求内容']);
  february.addRow(['SH-FEB', '2026-02-05 09:07', '另一个工作表中的反映']);
  wb.addWorksheet('模板').addRow(['工单编号', '受理时间', '诉求内容']); // a header without rows: no data
  wb.addWorksheet('备注').getCell('A1').value = '只有一格';
  const xlsx = path.join(dir, 'sheets.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const expected = '读取的是工作表“工单”（之前的工作表“填表说明”没有表头行，已跳过）；工作表“二月”也有数据，没有导入（一次只导入一个工作表：如需导入，请把它另存为单独的文件再导入）';
  const r = await load('hotline12345', xlsx);
  assert.deepEqual([r.read, r.inserted, r.rejected, r.errors[0]?.rowNo], [2, 1, 1, 3], JSON.stringify(r));
  assert.deepEqual(r.notices, [expected]);
  const batch = await ctx.db.selectFrom('import_batch').select(['notices', 'bytes_read', 'bytes_total']).where('id', '=', r.batchId).executeTakeFirstOrThrow();
  assert.deepEqual(batch.notices, [expected]);
  assert.equal(batch.bytes_read, batch.bytes_total, 'the whole workbook was read');
  assert.equal((await ctx.db.selectFrom('raw_record').select('id').where('external_id', '=', 'SH-FEB').execute()).length, 0);

  // the same workbook with its shared strings stored before the sheets, which exceljs then reads as they stream in
  // (rather than from temporary files): the same result
  const zip = await JSZip.loadAsync(fs.readFileSync(xlsx));
  const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
  const first = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml'];
  const reordered = new JSZip();
  for (const n of [...first, ...names.filter((n) => !first.includes(n))]) reordered.file(n, await zip.file(n)!.async('nodebuffer'));
  const streamed = path.join(dir, 'streamed.xlsx');
  fs.writeFileSync(streamed, await reordered.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  const again = await load('hotline12345', streamed);
  assert.deepEqual([again.read, again.repeats, again.rejected, again.notices], [2, 1, 1, [expected]]);

  // one sheet, or a 说明 page before the only data: no notice, or only which sheet was read
  const plain = new ExcelJS.Workbook();
  plain.addWorksheet('说明').getCell('A1').value = '本表由系统导出';
  plain.addWorksheet('工单').addRows([['工单编号', '受理时间', '诉求内容'], ['SH-3', '2026-03-05 09:07', '说明页之后唯一的数据']]);
  const single = path.join(dir, 'single.xlsx');
  await plain.xlsx.writeFile(single);
  assert.deepEqual((await load('hotline12345', single)).notices, ['读取的是工作表“工单”（之前的工作表“说明”没有表头行，已跳过）']);
  plain.removeWorksheet(plain.getWorksheet('说明')!.id);
  await plain.xlsx.writeFile(single);
  assert.deepEqual((await load('hotline12345', single)).notices, []);
});

test('XLSX and CSV: the header is the row the channel recognises: a 说明 sheet of 字段 | 填写要求, an 导出时间 | 导出人 line, a CSV title line are passed over', async () => {
  const dir = tempDir();
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('说明').addRows([['字段', '填写要求'], ['1.', '工单编号必填'], ['2.', '受理时间写成 2026-03-05 09:07']]);
  const ws = wb.addWorksheet('工单');
  ws.addRow(['芜湖市12345热线工单导出（2026年3月）']);
  ws.addRow(['导出时间：2026-03-31 17:00', '导出人：张三']);
  ws.addRow(['工单编号', '受理时间', '诉求内容']);
  ws.addRow(['HR-1', '2026-03-05 09:07', '标题行和导出信息行下面的表头']);
  ws.addRow(['HR-2', '昨天', '时间写错的一行']);
  const xlsx = path.join(dir, 'meta.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const r = await load('hotline12345', xlsx);
  assert.deepEqual([r.inserted, r.rejected, r.errors[0]?.rowNo], [1, 1, 5], JSON.stringify(r));
  assert.deepEqual(r.notices, ['读取的是工作表“工单”（之前的工作表“说明”没有本渠道能识别的表头行，已跳过）']);
  // a 说明 page listing the fields one to a row (工单编号 | 必填): not a header either
  const listed = new ExcelJS.Workbook();
  listed.addWorksheet('说明').addRows([['字段', '填写要求'], ['工单编号', '必填'], ['受理时间', '如 2026-03-05 09:07'], ['诉求内容', '必填']]);
  listed.addWorksheet('工单').addRows([['工单编号', '受理时间', '诉求内容'], ['HR-3', '2026-03-05 09:07', '字段说明页之后的数据']]);
  const fields = path.join(dir, 'fields.xlsx');
  await listed.xlsx.writeFile(fields);
  const f = await load('hotline12345', fields);
  assert.deepEqual([f.inserted, f.notices], [1, ['读取的是工作表“工单”（之前的工作表“说明”没有本渠道能识别的表头行，已跳过）']], JSON.stringify(f));

  const csv = path.join(dir, 'titled.csv');
  fs.writeFileSync(csv, '芜湖市12345热线工单导出（2026年3月）\n导出时间：2026-03-31 17:00,导出人：张三\n\n工单编号,受理时间,诉求内容\nHC-1,2026-03-05 09:07,CSV 的标题行\nHC-2,昨天,时间写错的一行\n');
  const c = await load('hotline12345', csv);
  assert.deepEqual([c.inserted, c.rejected, c.errors[0]?.rowNo], [1, 1, 6], JSON.stringify(c));

  // no header the channel knows anywhere: the first row of two cells, for the column mapping, naming the sheet read
  const unknown = new ExcelJS.Workbook();
  unknown.addWorksheet('说明').getCell('A1').value = '说明';
  unknown.addWorksheet('来信').addRows([['来源编号', '反映内容'], ['U-1', '映射之前的文件']]);
  const odd = path.join(dir, 'odd.xlsx');
  await unknown.xlsx.writeFile(odd);
  await assert.rejects(load('hotline12345', odd), (e) => e instanceof MissingColumnsError && /^工作表“来信”缺少必需的列/.test(e.message) && e.columns.headers.join() === '来源编号,反映内容');
});

test('XLSX: a sheet with only its header (a 模板) before the data sheet is passed over, and the notice says so', async () => {
  const dir = tempDir();
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('模板').addRow(['工单编号', '受理时间', '诉求内容']);
  wb.addWorksheet('工单').addRows([['工单编号', '受理时间', '诉求内容'], ['TP-1', '2026-03-05 09:07', '模板之后的数据']]);
  const xlsx = path.join(dir, 'template.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const r = await load('hotline12345', xlsx);
  assert.deepEqual([r.read, r.inserted], [1, 1]);
  assert.deepEqual(r.notices, ['读取的是工作表“工单”（之前的工作表“模板”只有表头、没有数据，已跳过）']);
  // only templates: the first is read, nothing imported
  const only = new ExcelJS.Workbook();
  only.addWorksheet('模板').addRow(['工单编号', '受理时间', '诉求内容']);
  const lone = path.join(dir, 'only-template.xlsx');
  await only.xlsx.writeFile(lone);
  assert.deepEqual([(await load('hotline12345', lone)).read], [0]);
});

test('a file without a required column is refused naming the column; columns not understood are listed', async () => {
  const dir = tempDir();
  const f = path.join(dir, 'nocol.csv');
  fs.writeFileSync(f, '工单编号,诉求人,备注\nX1,某人,无\n');
  await assert.rejects(load('hotline12345', f), (e) => e instanceof FileError && /缺少必需的列：内容/.test(e.message) && /备注/.test(e.message));
  const g = path.join(dir, 'extra.csv');
  fs.writeFileSync(g, '工单编号,来电时间, 诉求 内容 ,备注\nX2,2026-03-05 10:00,全角半角和空格不同的表头也能识别,无\n');
  const r = await load('hotline12345', g);
  assert.equal(r.inserted, 1);
  assert.deepEqual(r.unknownColumns, ['备注']);
  // and the batch keeps them for the import page
  assert.deepEqual((await ctx.db.selectFrom('import_batch').select('unknown_columns').where('id', '=', r.batchId).executeTakeFirstOrThrow()).unknown_columns, ['备注']);
  // a cell beyond the last header is stored with the record, under its column number, and reported
  const h = path.join(dir, 'beyond.csv');
  fs.writeFileSync(h, '工单编号,受理时间,诉求内容\nX3,2026-03-05 10:00,表头之外还有一格,多出来的一格\n');
  const beyond = await load('hotline12345', h);
  assert.deepEqual([beyond.inserted, beyond.unknownColumns], [1, ['第4列']]);
  const raw = await ctx.db.selectFrom('raw_record').select('payload').where('external_id', '=', 'X3').executeTakeFirstOrThrow();
  assert.equal((raw.payload as Record<string, string>)['第4列'], '多出来的一格');
});

test('killing an import half-way and running it again ends with each record exactly once', async () => {
  const rows = (n: number, failAt?: number): AsyncIterable<SourceRow> => ({
    async *[Symbol.asyncIterator]() {
      for (let i = 1; i <= n; i++) {
        if (i === failAt) throw new Error('进程被终止');
        yield { rowNo: i + 1, row: { 工单编号: `KILL-${i}`, 受理时间: '2026-03-10 10:00', 诉求内容: `第 ${i} 条测试诉求` } };
      }
    },
  });
  const opts = { adapter: hotline12345, origin: 'cli' as const, actor: SYSTEM_ACTOR, headers: ['工单编号', '受理时间', '诉求内容'] };
  const total = Math.round(CHUNK * 3.4);
  await assert.rejects(ingest(ctx, { ...opts, rows: rows(total, Math.round(CHUNK * 2.5)) }), /进程被终止/);
  const partial = (await ctx.db.selectFrom('raw_record').select((eb) => eb.fn.countAll<number>().as('n')).where('external_id', 'like', 'KILL-%').executeTakeFirstOrThrow()).n;
  assert.ok(partial > 0 && partial < CHUNK * 2.5, `whole chunks committed before the kill: ${partial}`);
  const r = await ingest(ctx, { ...opts, rows: rows(total) });
  assert.deepEqual([r.inserted, r.repeats], [total - partial, partial]);
  const all = await ctx.db.selectFrom('problem_source').select((eb) => eb.fn.countAll<number>().as('n')).where('external_id', 'like', 'KILL-%').executeTakeFirstOrThrow();
  assert.equal(all.n, total);
  const distinct = await ctx.db.selectFrom('raw_record').select((eb) => eb.fn.count<number>('external_id').distinct().as('n')).where('external_id', 'like', 'KILL-%').executeTakeFirstOrThrow();
  assert.equal(distinct.n, total);
  const failed = await ctx.db.selectFrom('import_batch').select(['state', 'inserted']).where('state', '=', 'failed').where('file_name', 'is', null).execute();
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.inserted, partial, 'the failed batch counts the chunks it committed');
});

test('a file that overlaps an earlier one: known records are repeats or new versions, new ones are stored, whichever chunk they are in', async () => {
  const opts = { adapter: hotline12345, origin: 'cli' as const, actor: SYSTEM_ACTOR, headers: ['工单编号', '受理时间', '诉求内容'] };
  const rows = (from: number, to: number, changed: Set<number> = new Set()): AsyncIterable<SourceRow> => ({
    async *[Symbol.asyncIterator]() {
      for (let i = from; i <= to; i++) {
        yield { rowNo: i - from + 2, row: { 工单编号: `OVER-${i}`, 受理时间: '2026-03-12 10:00', 诉求内容: `第 ${i} 条重叠测试诉求${changed.has(i) ? '（已补充）' : ''}` } };
      }
    },
  });
  const first = await ingest(ctx, { ...opts, rows: rows(1, CHUNK * 2) });
  assert.equal(first.inserted, CHUNK * 2);
  // the second file: two chunks' worth already known (two of them changed, one in each), then a chunk of new ones
  const changed = new Set([10, CHUNK + 10]);
  const second = await ingest(ctx, { ...opts, rows: rows(1, CHUNK * 3, changed) });
  assert.deepEqual([second.inserted, second.changed, second.repeats], [CHUNK, 2, CHUNK * 2 - 2]);
  const again = await ingest(ctx, { ...opts, rows: rows(1, CHUNK * 3, changed) });
  assert.deepEqual([again.inserted, again.changed, again.repeats], [0, 0, CHUNK * 3]);
  const versions = await ctx.db.selectFrom('raw_record').select(['external_id', 'version']).where('external_id', 'in', ['OVER-10', `OVER-${CHUNK + 10}`, `OVER-${CHUNK * 3}`]).orderBy('external_id').orderBy('version').execute();
  assert.deepEqual(versions.map((v) => `${v.external_id}#${v.version}`).sort(), [`OVER-10#1`, `OVER-10#2`, `OVER-${CHUNK + 10}#1`, `OVER-${CHUNK + 10}#2`, `OVER-${CHUNK * 3}#1`].sort());
  const sources = await ctx.db.selectFrom('problem_source').select((eb) => eb.fn.countAll<number>().as('n')).where('external_id', 'like', 'OVER-%').executeTakeFirstOrThrow();
  assert.equal(Number(sources.n), CHUNK * 3 + 2);
});

test("an import's batch row follows the file: bytes read and counts, final once done, and a late progress write changes nothing", async () => {
  const file = path.join(tempDir(), 'progress.csv');
  const n = Math.round(CHUNK * 2.5);
  const lines = ['工单编号,受理时间,诉求内容', ...Array.from({ length: n }, (_, i) => `PROG-${i},2026-03-11 09:00,第 ${i} 条进度测试诉求`)];
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const size = fs.statSync(file).size;
  const seen: { bytes: number | null; stored: number }[] = [];
  const r = await importFile(ctx, SYSTEM_ACTOR, { channel: 'hotline12345', file, origin: 'cli', onProgress: (p) => seen.push({ bytes: p.bytesRead, stored: p.inserted }) });
  assert.equal(r.inserted, n);
  assert.ok(seen.length >= 2, `a report per chunk: ${seen.length}`);
  assert.ok(seen.every((p, i) => p.bytes !== null && p.bytes <= size && (i === 0 || (p.bytes >= seen[i - 1]!.bytes! && p.stored >= seen[i - 1]!.stored))));
  const { intakeRepo } = await import('./repo.ts');
  const done = await intakeRepo.getBatch(ctx.db, r.batchId);
  assert.deepEqual([done?.state, done?.read, done?.inserted, done?.bytes_total, done?.bytes_read], ['done', n, n, size, size]);
  await intakeRepo.setProgress(ctx.db, r.batchId, { read: 1, inserted: 1, changed: 0, repeats: 0, rejected: 0, bytesRead: 1 });
  assert.deepEqual(await intakeRepo.getBatch(ctx.db, r.batchId), done);
});

test('a generic file imports through a saved column mapping', async () => {
  await ctx.db.insertInto('column_mapping').values({ channel: 'generic', name: '街道来信', mapping: JSON.stringify({ 来源编号: 'id', 反映时间: 'time', 反映标题: 'title', 反映内容: 'body', 反映人电话: 'phone', 地点: 'address' }) }).execute();
  const r = await importFile(ctx, SYSTEM_ACTOR, { channel: 'generic', file: path.join(EXAMPLES, 'generic.csv'), origin: 'cli', mappingName: '街道来信' });
  assert.deepEqual([r.inserted, r.rejected], [1, 0]);
  const p = await ctx.db.selectFrom('problem').select(['region_code', 'reporter_phone_mask']).where('channel', '=', 'generic').executeTakeFirstOrThrow();
  assert.deepEqual(p, { region_code: '340210001', reporter_phone_mask: '139****0031' });
  await assert.rejects(importFile(ctx, SYSTEM_ACTOR, { channel: 'generic', file: path.join(EXAMPLES, 'generic.csv'), origin: 'cli' }), /缺少必需的列/);
});

test('a batch left running by a process that died is marked failed by the sweep, with how to finish it', async () => {
  const { intakeRepo } = await import('./repo.ts');
  const { id } = await intakeRepo.createBatch(ctx.db, { channel: 'hotline12345', origin: 'cli', fileName: 'x.csv', bytesTotal: null, createdBy: null, apiKeyId: null });
  await ctx.db.updateTable('import_batch').set({ progress_at: new Date(Date.now() - 3_600_000) }).where('id', '=', id).execute();
  const fresh = await intakeRepo.createBatch(ctx.db, { channel: 'hotline12345', origin: 'cli', fileName: 'y.csv', bytesTotal: null, createdBy: null, apiKeyId: null });
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  await jobHandlers(ctx, createServices(ctx))['intake.failStaleBatches']!({});
  const rows = await ctx.db.selectFrom('import_batch').select(['id', 'state', 'error']).where('id', 'in', [id, fresh.id]).orderBy('id').execute();
  assert.equal(rows[0]!.state, 'failed');
  assert.match(rows[0]!.error!, /重新导入同一文件即可补齐/);
  assert.equal(rows[1]!.state, 'running');
});

test('a running import marks its batch alive while no chunk commits, so the sweep fails only a batch whose process died', async (t) => {
  const { intakeRepo } = await import('./repo.ts');
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let reading = () => {};
  const waiting = new Promise<void>((r) => (reading = r));
  // one row, then a long wait (a slow source, or rows that are all rejected): no chunk commits meanwhile
  const rows: AsyncIterable<SourceRow> = {
    async *[Symbol.asyncIterator]() {
      yield { rowNo: 2, row: { 工单编号: 'BEAT-1', 受理时间: '2026-03-10 10:00', 诉求内容: '等待中的导入' } };
      reading();
      await gate;
    },
  };
  t.mock.timers.enable({ apis: ['setInterval'] });
  let batchId = 0;
  const running = ingest(ctx, { adapter: hotline12345, origin: 'cli', actor: SYSTEM_ACTOR, headers: ['工单编号', '受理时间', '诉求内容'], rows, onBatch: (id) => (batchId = id) });
  await waiting;
  const old = new Date(Date.now() - 10 * 60_000);
  await ctx.db.updateTable('import_batch').set({ progress_at: old }).where('id', '=', batchId).execute();
  t.mock.timers.tick(20_000);
  for (let i = 0; i < 100 && (await intakeRepo.getBatch(ctx.db, batchId))!.progress_at! <= old; i++) await new Promise((r) => setTimeout(r, 20));
  await jobHandlers(ctx, createServices(ctx))['intake.failStaleBatches']!({});
  assert.equal((await intakeRepo.getBatch(ctx.db, batchId))?.state, 'running', 'the heartbeat kept it alive');
  release();
  assert.equal((await running).inserted, 1);
  assert.equal((await intakeRepo.getBatch(ctx.db, batchId))?.state, 'done');
});

test('the content hash is computed over the same text as before: canonicalJson is safe-stable-stringify', () => {
  const odd = ['', 'a"b\\c', '\u0000\u001f\u007f', '\ud800', 'x\udc00y', '😀', '\u2028\u2029', '诉求内容', ' 空 格 '];
  const samples: unknown[] = [
    { 工单编号: 'A1', 受理时间: '2026-03-01 09:00', 诉求内容: '内容', z: 1, a: null, m: true },
    { b: { d: 1, c: [{ y: 2, x: 1 }, null, 'x'] }, a: [3, 2, 1], c: { b: { a: 1 } } },
    { when: new Date('2026-03-05T02:22:00Z'), n: 1e21, m: -0, nan: Number.NaN, inf: -Infinity, u: undefined },
    { 10: 'ten', 9: 'nine', a10: 1, a9: 2, A: 3, _: 4 },
    { toString: 'shadow', constructor: 1, valueOf: { hasOwnProperty: 2 } },
    JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
    Object.assign(Object.create(null), { z: 1, a: { y: 2, b: 1 } }),
    {},
  ];
  for (let i = 0; i < 300; i++) {
    const row: Record<string, unknown> = {};
    for (let k = 0; k < 1 + (i % 7); k++) {
      const key = odd[(i * 7 + k * 3) % odd.length]! + String.fromCharCode(97 + ((i + k) % 26));
      row[key] = k % 3 === 0 ? odd[(i + k) % odd.length] : k % 3 === 1 ? { [odd[k % odd.length]!]: i, q: [k, odd[i % odd.length]] } : i * k;
    }
    samples.push(row);
  }
  for (const row of samples) assert.equal(canonicalJson(row as Record<string, unknown>), stringify(row), JSON.stringify(row));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.equal(canonicalJson(cyclic), stringify(cyclic));
});

test('rows prepared on worker threads are stored exactly as rows prepared on the importing thread', async () => {
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      i === 7
        ? { orderId: 'WT-BAD', title: '没有时间' }
        : { orderId: `WT-${i}`, submitTime: `2026-03-${String(1 + (i % 28)).padStart(2, '0')} 10:00`, title: `测试 ${i}`, content: `镜湖区范罗山街道第 ${i} 条测试诉求`, category: i % 2 ? '投诉' : '咨询', location: { address: '镜湖区范罗山街道' }, user: { name: `周${i}`, mobile: `1395530${String(i).padStart(4, '0')}` }, extraField: i },
    );
  const opts = { adapter: ADAPTERS.wanshitong!, origin: 'api' as const, actor: SYSTEM_ACTOR, headers: null };
  const progress: number[] = [];
  const viaWorkers = await ingest(ctx, { ...opts, rows: jsonArray(records(2500)), workers: 1, onProgress: (p) => progress.push(p.read) });
  assert.deepEqual([viaWorkers.read, viaWorkers.inserted, viaWorkers.rejected], [2500, 2499, 1]);
  assert.deepEqual(viaWorkers.errors.map((e) => [e.rowNo, e.field?.split('（')[0]]), [[8, 'time']]);
  assert.deepEqual(viaWorkers.unknownColumns, ['extraField']);
  assert.equal(progress.at(-1), 2500);
  assert.ok(progress.every((n, i) => i === 0 || n >= progress[i - 1]!));
  // the same records prepared on this thread: the same content hashes, so all repeats
  const inline = await ingest(ctx, { ...opts, rows: jsonArray(records(2500)), workers: 0 });
  assert.deepEqual([inline.inserted, inline.changed, inline.repeats, inline.rejected], [0, 0, 2499, 1]);
  assert.deepEqual(inline.errors, viaWorkers.errors);
  const raw = await ctx.db.selectFrom('raw_record').select('payload').where('channel', '=', 'wanshitong').where('external_id', '=', 'WT-42').executeTakeFirstOrThrow();
  const user = (raw.payload as { user: { name: { $sm4: string }; mobile: { $sm4: string } } }).user;
  assert.deepEqual([ctx.cipher.decrypt(user.name.$sm4), ctx.cipher.decrypt(user.mobile.$sm4)], ['周42', '13955300042']);
  const p = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id')
    .select(['reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index', 'region_code', 'kind_code', 'tracking_code'])
    .where('problem_source.external_id', '=', 'WT-42').executeTakeFirstOrThrow();
  assert.equal(ctx.cipher.decrypt(p.reporter_phone_enc!), '13955300042');
  assert.deepEqual([p.reporter_phone_mask, p.reporter_phone_index, p.region_code, p.kind_code], ['139****0042', ctx.cipher.blindIndex('13955300042'), '340202001', 'consult']);
  assert.match(p.tracking_code, /^ZD[0-9A-HJKMNP-TV-Z]{10}$/);
  // a changed record through the workers becomes version 2 of the same problem
  const changed = records(2500);
  (changed[42] as { title: string }).title = '测试 42（已更新）';
  const again = await ingest(ctx, { ...opts, rows: jsonArray(changed), workers: 1 });
  assert.deepEqual([again.inserted, again.changed, again.repeats], [0, 1, 2498]);
  const versions = await ctx.db.selectFrom('problem_source').select(['version', 'problem_id']).where('channel', '=', 'wanshitong').where('external_id', '=', 'WT-42').orderBy('version').execute();
  assert.deepEqual(versions.map((v) => v.version), [1, 2]);
  assert.equal(versions[0]!.problem_id, versions[1]!.problem_id);
});

test('texts reach the problem and its source exactly: quotes, backslashes, braces, commas, NULL, emoji', async () => {
  const tricky = ['他说"别管"\\不行', '{a,b} NULL, "x"', 'NULL', '表情😀与\\"转义', "单引号'与{}"];
  const rows = tricky.map((t, i) => ({ 工单编号: `TRICKY-${i}`, 受理时间: '2026-03-02 09:00', 诉求标题: t, 诉求内容: `内容：${t}`, 事发地址: t, 承办单位: t, 办理状态: t, 办理结果: t, 满意度: t }));
  const r = await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
  assert.deepEqual([r.inserted, r.rejected], [tricky.length, 0]);
  for (const [i, t] of tricky.entries()) {
    const p = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id')
      .select(['title', 'body', 'address', 'flags', 'confidential', 'reported_at', 'handled_by', 'source_state', 'reply', 'satisfaction', 'replied_at'])
      .where('problem_source.external_id', '=', `TRICKY-${i}`).executeTakeFirstOrThrow();
    assert.deepEqual([p.title, p.body, p.address, p.handled_by, p.source_state, p.reply, p.satisfaction], [t, `内容：${t}`, t, t, t, t, t]);
    assert.deepEqual([p.confidential, p.reported_at.toISOString(), p.replied_at], [false, '2026-03-02T01:00:00.000Z', null]);
    assert.ok(p.flags.includes('region_unmatched') && p.flags.includes('kind_unknown') && p.flags.every((f) => /^[a-z_]+$/.test(f)), JSON.stringify(p.flags));
  }
});

test('a district written by its name before the 2020 reform (芜湖县) is placed in 湾沚区, not in the whole city', async () => {
  const rows = [{ 工单编号: 'FORMER-1', 受理时间: '2026-03-02 09:00', 诉求内容: '老城区菜市场门口占道经营严重，早上七点到九点车辆无法通行。', 所属区县: '芜湖县' }];
  await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
  const p = await ctx.db.selectFrom('problem').innerJoin('problem_source', 'problem_source.problem_id', 'problem.id')
    .select(['region_code', 'flags']).where('problem_source.external_id', '=', 'FORMER-1').executeTakeFirstOrThrow();
  assert.equal(p.region_code, '340210');
  assert.ok(!p.flags.includes('region_unmatched'), JSON.stringify(p.flags));
});

test('好差评 grades as exports write them: a number, the level\'s name or stars; anything else names the accepted forms', () => {
  const gradeOf = (grade: unknown) => ADAPTERS.gov_service.toDraft({ id: 'G', title: '事项', body: '评价', time: '2026-03-01 10:00', satisfaction: grade } as never).source.satisfaction;
  assert.deepEqual([5, '5', '５', '5.0', '非常满意', '五星', '5星', ' 满意 ', '4分', '★★★★☆', '基本满意', '★★', '不满意', 1].map(gradeOf),
    ['非常满意', '非常满意', '非常满意', '非常满意', '非常满意', '非常满意', '非常满意', '满意', '满意', '满意', '基本满意', '不满意', '不满意', '非常不满意']);
  for (const bad of [0, 6, '9', '好', '3.5', '', '☆☆☆☆☆', '★★★★★★']) assert.throws(() => gradeOf(bad), /评价等级“.*”应为 1–5、非常不满意、不满意、基本满意、满意、非常满意，或星级（5星、五星、★★★★★）/, String(bad));
});

test('a JSON file imported under the wrong channel is one error naming the channel it looks like; nothing is stored', async () => {
  const before = await count('raw_record');
  await assert.rejects(load('hotline12345', path.join(EXAMPLES, 'people_board.jsonl')), (e) => e instanceof MissingColumnsError && /都不是“12345政务服务便民热线”的字段：看起来是“人民网领导留言板”的记录/.test(e.message));
  await assert.rejects(load('gov_service', path.join(EXAMPLES, 'wanshitong.json')), /看起来是“皖事通”的记录/);
  // 微信 and 微博 posts have the same fields: told apart by the platform each post names
  await assert.rejects(load('hotline12345', path.join(EXAMPLES, 'weibo.jsonl')), /看起来是“微博”的记录/);
  await assert.rejects(load('hotline12345', path.join(EXAMPLES, 'wechat.jsonl')), /看起来是“微信”的记录/);
  assert.equal(await count('raw_record'), before);
  // an incomplete first record of the right channel is refused alone, the rest imported
  const dir = tempDir();
  const f = path.join(dir, 'first-incomplete.jsonl');
  fs.writeFileSync(f, [JSON.stringify({ evaluationId: 'FI-1', itemName: '事项', content: '没有评价等级', time: '2026-03-01 10:00:00' }), JSON.stringify({ evaluationId: 'FI-2', itemName: '事项', grade: 5, content: '很好', time: '2026-03-01 10:00:00' })].join('\n'));
  const r = await load('gov_service', f);
  assert.deepEqual([r.inserted, r.rejected], [1, 1]);
});

test('a row the database could not hold is rejected alone, naming its field; the rows around it are kept', async () => {
  const dir = tempDir();
  const lines = ['工单编号,受理时间,诉求内容'];
  for (let i = 0; i < 1500; i++) lines.push(`BAD-${i},2026-03-05 10:00,第${i}条：路口占道经营${i === 700 ? '\u0000' : ''}`);
  lines.push(`${'X'.repeat(300)},2026-03-05 10:00,编号太长的一行`);
  lines.push('2.02603E+11,2026-03-05 10:00,编号被 Excel 改成了科学计数法');
  const f = path.join(dir, 'unstorable.csv');
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  const r = await load('hotline12345', f);
  assert.deepEqual([r.inserted, r.rejected], [1499, 3]);
  assert.deepEqual(r.errors.map((e) => e.rowNo), [702, 1502, 1503]);
  assert.match(r.errors[0]!.message, /“诉求内容”含有无法保存的字符/);
  assert.match(r.errors[1]!.message, /记录编号过长（300 字/);
  assert.match(r.errors[2]!.message, /科学计数法/);
  // the report goes beside the file, or where the file's folder cannot be written, into the data directory
  assert.equal(await writeErrorReport(ctx, f, r.batchId), `${f}.errors-${r.batchId}.csv`);
  const dataDir = tempDir();
  const elsewhere = await writeErrorReport({ ...ctx, config: { ...ctx.config, dataDir } }, path.join(dir, 'no-such-folder', 'unstorable.csv'), r.batchId);
  assert.equal(elsewhere, path.join(dataDir, 'import-errors', `unstorable.csv.errors-${r.batchId}.csv`));
  assert.match(fs.readFileSync(elsewhere!, 'utf8'), /科学计数法/);

  // pushed records: half a surrogate pair, a list or an object where a text belongs
  const pushed = await ingest(ctx, {
    adapter: ADAPTERS.wanshitong!, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray([
      { orderId: 'TYPE-1', submitTime: '2026-03-05T10:00:00+08:00', content: '正常的一条：河道有人倾倒垃圾' },
      { orderId: 'TYPE-2', submitTime: '2026-03-05T10:00:00+08:00', content: `残缺的字符\ud800在这里` },
      { orderId: 'TYPE-3', submitTime: '2026-03-05T10:00:00+08:00', title: ['a', 'b'], content: '标题是个列表' },
      { orderId: { nested: 1 }, submitTime: '2026-03-05T10:00:00+08:00', content: '编号是个对象' },
    ]),
  });
  assert.deepEqual([pushed.inserted, pushed.rejected], [1, 3]);
  assert.deepEqual(pushed.errors.map((e) => [e.rowNo, e.field?.replace(/（.*/, '') ?? null]), [[2, null], [3, 'title'], [4, 'id']]);
  assert.match(pushed.errors[1]!.message, /“title”应为文字或数字，收到的是列表/);
  assert.equal(pushed.errors[1]!.externalId, 'TYPE-3', 'refused while being read, named by its id all the same');
  assert.match(pushed.errors[2]!.message, /“orderId”应为文字或数字，收到的是一组字段/);
});

test('a picture dropped as a table, a cut JSON file or a format the channel does not take: one error in Chinese, naming the channel', async () => {
  const dir = tempDir();
  const png = path.join(dir, 'photo.csv');
  fs.writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.alloc(200, 3)]));
  await assert.rejects(load('hotline12345', png), (e) => e instanceof FileError && /photo\.csv 不是表格或 JSON 文件/.test(e.message));
  const utf16 = path.join(dir, 'wide.csv');
  fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('工单编号,受理时间\n', 'utf16le')]));
  await assert.rejects(load('hotline12345', utf16), /UTF-16 编码/);
  const cut = path.join(dir, 'cut.json');
  fs.writeFileSync(cut, '[{"orderId": "C1", "content": "路灯不亮"');
  await assert.rejects(load('wanshitong', cut), (e) => e instanceof Error && /^JSON 文件无法解析（文件可能不完整，约在第 \d+ 个字符处出错）$/.test(e.message));
  await assert.rejects(load('people_board', path.join(EXAMPLES, 'hotline12345.csv')), /渠道“人民网领导留言板”不接受CSV文件（可用：JSON 行、JSON 数组）/);
});

test('a UTF-8 file with a GBK row far down stops with an error naming the encoding, never stores garbage', async () => {
  const dir = tempDir();
  const lines = ['id,time,title,body'];
  for (let i = 0; lines.join('\n').length < 80 * 1024; i++) lines.push(`ENC-${i},2026-03-05 10:00,Road ${i},Street lamp ${i} is out at night`);
  const utf8Part = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  const gbkRow = iconv.encode('ENC-GBK,2026-03-05 10:00,路灯,这一行是 GBK 编码\n', 'gbk');
  const f = path.join(dir, 'mixed.csv');
  fs.writeFileSync(f, Buffer.concat([utf8Part, gbkRow, Buffer.from('ENC-LAST,2026-03-05 10:00,Last,The last row\n')]));
  await assert.rejects(load('generic', f), (e) => e instanceof FileError && /不是 UTF-8 编码的内容/.test(e.message));
  const stored = await ctx.db.selectFrom('raw_record').select('external_id').where('external_id', 'in', ['ENC-GBK', 'ENC-LAST']).execute();
  assert.deepEqual(stored, [], 'nothing from the bad row on');
  // as the message says, the rows read before the break are imported (not only the chunks already being written)
  const batch = await ctx.db.selectFrom('import_batch').select(['id', 'state', 'read', 'inserted']).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const before = await ctx.db.selectFrom('raw_record').select((eb) => eb.fn.countAll<number>().as('n')).where('external_id', 'like', 'ENC-%').where('batch_id', '=', batch.id).executeTakeFirstOrThrow();
  assert.equal(batch.state, 'failed');
  assert.ok(batch.read > 900 && batch.inserted === batch.read && Number(before.n) === batch.read, JSON.stringify({ batch, stored: before.n }));
});

test("phones stored before intake normalized them are normalized once: re-encrypted, re-masked, re-indexed; the rest untouched", async () => {
  const written = ['+86 139 5530 9903', '8613955309903', '139-5530-9903', '(0553)3845967', '无', '13955309904', 'BROKEN'];
  const rows = written.map((_, i) => ({ 工单编号: `LEGACY-${i}`, 受理时间: '2026-03-02 09:00', 诉求内容: '小区门口有人占道经营，请处理。', 联系电话: '13955309904' }));
  assert.equal((await ingest(ctx, { adapter: hotline12345, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) })).inserted, rows.length);
  const ids = Object.fromEntries((await ctx.db.selectFrom('problem_source').select(['external_id', 'problem_id']).where('external_id', 'like', 'LEGACY-%').execute()).map((r) => [r.external_id, r.problem_id]));
  // as intake stored them before: the phone as written, its mask and blind index computed on that writing
  for (const [i, w] of written.entries()) {
    if (i === 5) continue;
    const enc = w === 'BROKEN' ? 'v1.AAAA.BBBB.CCCC' : ctx.cipher.encrypt(w);
    await ctx.db.updateTable('problem').set({ reporter_phone_enc: enc, reporter_phone_mask: maskPhone(w), reporter_phone_index: ctx.cipher.blindIndex(w) }).where('id', '=', ids[`LEGACY-${i}`]!).execute();
  }
  const phoneOf = (i: number) => ctx.db.selectFrom('problem').select(['reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index']).where('id', '=', ids[`LEGACY-${i}`]!).executeTakeFirstOrThrow();
  const untouched = [await phoneOf(5), await phoneOf(6)];
  const byIndex = async (phone: string) => (await ctx.db.selectFrom('problem').select('id').where('reporter_phone_index', '=', ctx.cipher.blindIndex(phone)).execute()).length;
  assert.equal(await byIndex('13955309903'), 0, 'a lookup by the number misses them');

  const checked = await countPhones();
  assert.deepEqual(await normalizeReporterPhones(ctx, 3), { checked, changed: 5, unreadable: 1 });
  for (const i of [0, 1, 2]) {
    const p = await phoneOf(i);
    assert.deepEqual([ctx.cipher.decrypt(p.reporter_phone_enc!), p.reporter_phone_mask, p.reporter_phone_index], ['13955309903', '139****9903', ctx.cipher.blindIndex('13955309903')], written[i]);
  }
  const landline = await phoneOf(3);
  assert.deepEqual([ctx.cipher.decrypt(landline.reporter_phone_enc!), landline.reporter_phone_mask], ['0553-3845967', '055*****5967']);
  assert.deepEqual(await phoneOf(4), { reporter_phone_enc: null, reporter_phone_mask: null, reporter_phone_index: null }, '无 is no number');
  assert.deepEqual([await phoneOf(5), await phoneOf(6)], untouched, 'in its one form already, or unreadable: left as it was');
  assert.equal(await byIndex('13955309903'), 3);
  const audit = await ctx.db.selectFrom('audit_log').select('summary').where('action', '=', 'problem.normalize_phones').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.deepEqual(audit.summary, { checked, changed: 5, unreadable: 1 });
  // once is enough
  assert.equal((await normalizeReporterPhones(ctx)).changed, 0);
  // an upgraded database with reporters' phones runs it once in the background: the migration queues the job
  await ctx.db.updateTable('problem').set({ reporter_phone_enc: ctx.cipher.encrypt(written[0]!), reporter_phone_mask: maskPhone(written[0]!), reporter_phone_index: ctx.cipher.blindIndex(written[0]!) }).where('id', '=', ids['LEGACY-0']!).execute();
  const migration = fs.readFileSync(path.join(REPO_ROOT, 'src/db/migrations/0033_normalize_reporter_phones.sql'), 'utf8');
  await sql.raw(migration).execute(ctx.db);
  await sql.raw(migration).execute(ctx.db);
  assert.deepEqual(await ctx.db.selectFrom('job').select(['kind', 'state']).where('unique_key', '=', 'migration-0033-normalize-phones').execute(), [{ kind: 'intake.normalizePhones', state: 'queued' }]);
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  await jobHandlers(ctx, createServices(ctx))['intake.normalizePhones']!({});
  assert.deepEqual((await phoneOf(0)).reporter_phone_index, ctx.cipher.blindIndex('13955309903'));
  await ctx.db.deleteFrom('job').where('unique_key', '=', 'migration-0033-normalize-phones').execute();
  await ctx.db.updateTable('problem').set({ reporter_phone_enc: null, reporter_phone_mask: null, reporter_phone_index: null }).where('id', '=', ids['LEGACY-6']!).execute();
});

const countPhones = async () => (await ctx.db.selectFrom('problem').select((eb) => eb.fn.countAll<number>().as('n')).where('reporter_phone_enc', 'is not', null).executeTakeFirstOrThrow()).n;
