import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { childEnv, createPgDatabase, onPostgres, REPO_ROOT, TEST_SM4_KEY, tempDir } from './helpers.ts';
import { openPglite, openPostgres } from '../src/db/client.ts';
import { lockDataDir } from '../src/db/lock.ts';
import { FieldCipher, maskPhone } from '../src/lib/crypto.ts';

const run = promisify(execFile);
const ZHD = path.join(REPO_ROOT, 'bin', 'zhd.js');

/** The CLI against an embedded folder, or against a fresh PostgreSQL database when the suite runs on PostgreSQL. */
let env: NodeJS.ProcessEnv;
let dropDb = async () => {};
before(async () => {
  if (onPostgres) {
    const created = await createPgDatabase('zhd_cli');
    env = childEnv({ DATABASE_URL: created.url, ZHD_SM4_KEY: TEST_SM4_KEY });
    dropDb = created.drop;
  } else {
    env = childEnv({ DATA_DIR: tempDir() });
  }
});
after(() => dropDb());

const zhd = (...args: string[]) => run(process.execPath, [ZHD, ...args], { env, cwd: REPO_ROOT });

// alone about a minute; the timeout only guards against a hang (a loaded machine has taken over three)
test('migrate, seed demo, back up, restore, verify: every command on the configured database', { timeout: 420_000 }, async () => {
  assert.match((await zhd('db', 'migrate')).stdout, /已是最新结构/);
  const seeded = await zhd('seed', 'demo');
  assert.match(seeded.stdout, /已导入演示城市：\d+ 个单位，8 名演示人员/);
  assert.match(seeded.stdout, /admin/);
  // seeding twice is refused
  const again = await zhd('seed', 'demo').then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(again?.code, 1);
  assert.match(again!.stderr, /只能导入空数据库/);

  // the analysis report of the current month from the command line: a Word document that opens, with its charts
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  const docx = path.join(tempDir(), 'r.docx');
  const report = JSON.parse((await zhd('report', '--period', month, '--out', docx, '--json')).stdout);
  assert.equal(report.docx, docx);
  assert.ok(report.problems > 0, 'the demo city has reports this month');
  const zip = await JSZip.loadAsync(fs.readFileSync(docx));
  assert.match(await zip.file('word/document.xml')!.async('string'), new RegExp(`${Number(month.slice(5))}月分析报告`));
  assert.ok(Object.keys(zip.files).filter((f) => f.startsWith('word/media/')).length >= 3, 'charts are embedded');
  const badPeriod = await zhd('report', '--period', '2026-13').then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(badPeriod?.code, 1);
  assert.match(badPeriod!.stderr, /--period 格式不正确/);

  const file = path.join(tempDir(), 'b.zhd.gz');
  assert.match((await zhd('db', 'backup', file)).stdout, /备份完成/);
  assert.match((await zhd('db', 'restore', file)).stdout, /恢复完成/);
  assert.match((await zhd('audit', 'verify')).stdout, /^OK/);
});

test('zhd import --json: one line of counts, every rejected row in the report beside the file, one error line for a broken file', { timeout: 240_000 }, async () => {
  const dir = tempDir();
  const file = path.join(dir, '12345.csv');
  const header = '工单编号,受理时间,诉求内容';
  const bad = Array.from({ length: 1_200 }, (_, i) => `BAD-${i},不是时间,内容`);
  fs.writeFileSync(file, [header, 'CLI-1,2026-03-01 09:00,命令行导入的第一条反映内容', ...bad, 'CLI-2,2026-03-02 10:00,命令行导入的第二条反映内容', ''].join('\n'));
  const first = JSON.parse((await zhd('import', '--channel', 'hotline12345', file, '--json')).stdout);
  assert.deepEqual({ ...first, errorReport: undefined }, { read: 1_202, inserted: 2, changed: 0, repeats: 0, rejected: 1_200, errorReport: undefined });
  assert.ok(path.isAbsolute(first.errorReport) && first.errorReport.startsWith(dir), first.errorReport);
  const report = fs.readFileSync(first.errorReport, 'utf8').trim().split('\r\n');
  assert.equal(report.length, 1 + 1_200, 'all rejected rows, not the first 1,000');
  assert.match(report[1]!, /^3,BAD-0,时间,时间“不是时间”无法识别为时间$/);
  assert.match(report.at(-1)!, /^1202,BAD-1199,/);
  const again = JSON.parse((await zhd('import', '--channel', 'hotline12345', file, '--json')).stdout);
  assert.deepEqual([again.inserted, again.repeats, again.rejected], [0, 2, 1_200]);

  // a workbook whose first sheet is an instructions page, with an id twice: the terminal says which sheet was read and
  // names the id; --json keeps its keys
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('填表说明').getCell('A1').value = '工单编号必填';
  wb.addWorksheet('工单').addRows([[...header.split(',')], ['CLI-X1', '2026-03-03 09:00', '工作簿中第二个工作表里的反映'], ['CLI-X1', '2026-03-03 09:00', '同一编号，补充了内容']]);
  wb.addWorksheet('二月').addRows([[...header.split(',')], ['CLI-X2', '2026-02-03 09:00', '第三个工作表里的反映']]);
  const xlsx = path.join(dir, 'sheets.xlsx');
  await wb.xlsx.writeFile(xlsx);
  const human = (await zhd('import', '--channel', 'hotline12345', xlsx)).stdout;
  assert.match(human, /读取 2 条，新增 1，更新 1/);
  assert.match(human, /提示：读取的是工作表“工单”（之前的工作表“填表说明”没有表头行，已跳过）；工作表“二月”也有数据，没有导入/);
  assert.match(human, /提示：文件中有 1 个编号出现多次且内容不同，已按先后存为多个版本：例如 第2行与第3行（编号 CLI-X1）/);
  const json = JSON.parse((await zhd('import', '--channel', 'hotline12345', xlsx, '--json')).stdout);
  assert.deepEqual(Object.keys(json), ['read', 'inserted', 'changed', 'repeats', 'rejected', 'errorReport']);
  assert.deepEqual([json.read, json.repeats], [2, 2]);

  const cut = path.join(dir, 'cut.xlsx');
  fs.writeFileSync(cut, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(4_000, 7)]));
  const broken = await zhd('import', '--channel', 'hotline12345', cut, '--json').then(() => null, (e: { code: number; stdout: string; stderr: string }) => e);
  assert.equal(broken?.code, 1);
  assert.match(JSON.parse(broken!.stdout).error, /XLSX 文件不完整/);
});

test('zhd db normalize-phones: a phone stored before normalization is re-encrypted, re-masked and re-indexed, once', { timeout: 240_000 }, async () => {
  const dir = tempDir();
  const pg = onPostgres ? await createPgDatabase('zhd_cli') : null;
  const own = childEnv(pg ? { DATABASE_URL: pg.url, ZHD_SM4_KEY: TEST_SM4_KEY } : { DATA_DIR: dir, ZHD_SM4_KEY: TEST_SM4_KEY });
  const cli = (...args: string[]) => run(process.execPath, [ZHD, ...args], { env: own, cwd: REPO_ROOT });
  const withDb = async <T>(fn: (db: Awaited<ReturnType<typeof openPglite>>['db']) => Promise<T>) => {
    const database = pg ? await openPostgres(pg.url, { poolSize: 1 }) : await openPglite(dir);
    try {
      return await fn(database.db);
    } finally {
      await database.close();
    }
  };
  try {
    const file = path.join(dir, 'phones.csv');
    fs.writeFileSync(file, '工单编号,受理时间,诉求内容,联系电话\nPHONE-1,2026-03-01 09:00,小区门口有人占道经营，请处理。,13955300005\n');
    assert.equal(JSON.parse((await cli('import', '--channel', 'hotline12345', file, '--json')).stdout).inserted, 1);
    const cipher = new FieldCipher(TEST_SM4_KEY);
    const legacy = '+86 139 5530 0005';
    await withDb((db) => db.updateTable('problem').set({ reporter_phone_enc: cipher.encrypt(legacy), reporter_phone_mask: maskPhone(legacy), reporter_phone_index: cipher.blindIndex(legacy) }).execute());
    assert.deepEqual(JSON.parse((await cli('db', 'normalize-phones', '--json')).stdout), { checked: 1, changed: 1, unreadable: 0 });
    const p = await withDb((db) => db.selectFrom('problem').select(['reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index']).executeTakeFirstOrThrow());
    assert.deepEqual([cipher.decrypt(p.reporter_phone_enc!), p.reporter_phone_mask, p.reporter_phone_index], ['13955300005', '139****0005', cipher.blindIndex('13955300005')]);
    assert.match((await cli('db', 'normalize-phones')).stdout, /检查 1 个反映人电话，重新规范化 0 个/);
  } finally {
    await pg?.drop();
  }
});

test('on PostgreSQL the server refuses to start without the SM4 key', { skip: !onPostgres && '仅在 PostgreSQL 上运行' }, async () => {
  const noKey = { ...env };
  delete noKey.ZHD_SM4_KEY;
  const r = await run(process.execPath, [ZHD, 'db', 'migrate'], { env: noKey, cwd: REPO_ROOT }).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(r?.code, 1);
  assert.match(r!.stderr, /必须设置 ZHD_SM4_KEY/);
});

test('a bad command or setting gets a Chinese message, not a stack trace', async () => {
  const r = await run(process.execPath, [ZHD, 'db', 'migrate'], { env: { ...env, PORT: 'abc' }, cwd: REPO_ROOT }).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(r?.code, 1);
  assert.match(r!.stderr, /配置有误/);
  assert.match(r!.stderr, /PORT/);
  assert.ok(!r!.stderr.includes('    at '), r!.stderr);
});

test('the command line\'s own words are Chinese: its help, its parse errors, and a data directory in use under --json', async () => {
  const help = await run(process.execPath, [ZHD, '--help'], { env, cwd: REPO_ROOT });
  assert.match(help.stdout, /^用法： zhd \[选项\] \[命令\]/);
  assert.match(help.stdout, /显示帮助/);
  assert.ok(!/Usage:|Options:|display help/.test(help.stdout), help.stdout);
  const missing = await run(process.execPath, [ZHD, 'import', 'x.csv'], { env, cwd: REPO_ROOT }).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(missing?.code, 1);
  assert.match(missing!.stderr, /错误：缺少必需的选项 --channel/);
  assert.ok(!missing!.stderr.includes('error:'), missing!.stderr);
  // another process holds the embedded database: with --json the answer is still one JSON line
  const dataDir = tempDir();
  const release = lockDataDir(dataDir, 'zhd serve');
  try {
    const busy = await run(process.execPath, [ZHD, 'import', '--channel', 'hotline12345', '--json', path.join(REPO_ROOT, 'docs', 'examples', 'hotline12345.csv')], { env: childEnv({ DATA_DIR: dataDir }), cwd: REPO_ROOT }).then(() => null, (e: { code: number; stdout: string }) => e);
    assert.equal(busy?.code, 3);
    assert.match(JSON.parse(busy!.stdout.trim()).error, /正被进程 \d+/);
  } finally {
    release();
  }
});
