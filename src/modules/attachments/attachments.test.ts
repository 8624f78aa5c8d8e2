import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, login, REPO_ROOT, type TestApp } from '../../../test/helpers.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';

let t: TestApp;
let key: string;
before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  const admin = await login(t.app, 'admin', DEMO_PASSWORD);
  key = (await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: { cookie: admin }, payload: { name: '皖事通推送', channel: 'wanshitong' } })).json().key;
});
after(() => t.close());

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A distinct small PNG for each label. */
const png = (label: string) => ({ name: `${label}.png`, data: Buffer.concat([PNG_HEAD, Buffer.from(label)]).toString('base64') });
const record = (id: string, files: { name: string; data: string }[]) => ({
  orderId: id, submitTime: '2026-03-06 09:30', title: '河道漂浮垃圾', content: `镜湖区青弋江边漂浮垃圾很多（${id}），附现场照片。`, location: { address: '镜湖区滨江公园' }, attachments: files,
});
const push = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/intake/wanshitong', headers: { 'x-api-key': key }, payload: payload as object });
const problemOf = async (externalId: string) =>
  (await t.ctx.db.selectFrom('problem_source').select('problem_id').where('channel', '=', 'wanshitong').where('external_id', '=', externalId).orderBy('version').executeTakeFirstOrThrow()).problem_id;
const attachmentsOf = (problemId: number) => t.ctx.db.selectFrom('attachment').select(['file_name', 'digest']).where('problem_id', '=', problemId).orderBy('id').execute();
const rawFiles = async (externalId: string, version: number) =>
  ((await t.ctx.db.selectFrom('raw_record').select('payload').where('channel', '=', 'wanshitong').where('external_id', '=', externalId).where('version', '=', version).executeTakeFirstOrThrow()).payload as { attachments: Record<string, unknown>[] }).attachments;

test('the same push sent four times at once stores each file once, and no problem gets more than the limit', async () => {
  const limit = t.ctx.config.attachments.perProblem;
  const records = Array.from({ length: 30 }, (_, r) => record(`CONC-${r}`, Array.from({ length: limit }, (_, f) => png(`conc-${r}-${f}`))));
  const results = await Promise.all(Array.from({ length: 4 }, () => push(records)));
  for (const r of results) assert.equal(r.statusCode, 200, r.body);
  assert.equal(results.reduce((n, r) => n + r.json().attachments.stored, 0), 30 * limit);
  const rows = await t.ctx.db.selectFrom('attachment').innerJoin('problem_source', 'problem_source.problem_id', 'attachment.problem_id')
    .select(['attachment.problem_id', 'attachment.digest']).where('problem_source.external_id', 'like', 'CONC-%').execute();
  assert.equal(rows.length, 30 * limit);
  assert.equal(new Set(rows.map((r) => `${r.problem_id}:${r.digest}`)).size, rows.length, 'no file twice');
  const perProblem = new Map<number, number>();
  for (const r of rows) perProblem.set(r.problem_id, (perProblem.get(r.problem_id) ?? 0) + 1);
  assert.ok(Math.max(...perProblem.values()) <= limit);
});

test('the same files uploaded through the public form four times at once are stored once each', async () => {
  const created = await t.app.inject({ method: 'POST', url: '/api/public/reports', payload: { content: '南陵县弋江镇有人非法捕捞，附照片为证。', address: '南陵县弋江镇' }, remoteAddress: '10.7.7.7' });
  const { uploadToken } = created.json();
  const upload = () => {
    const form = new FormData();
    for (const label of ['form-1', 'form-2', 'form-3']) form.append('file', new Blob([new Uint8Array(Buffer.concat([PNG_HEAD, Buffer.from(label)]))]), `${label}.png`);
    return t.app.inject({ method: 'POST', url: '/api/public/attachments', headers: { 'x-upload-token': uploadToken }, payload: form, remoteAddress: '10.7.7.8' });
  };
  const results = await Promise.all([upload(), upload(), upload(), upload()]);
  for (const r of results) assert.equal(r.statusCode, 200, r.body);
  const problemId = (await t.ctx.db.selectFrom('upload_token').select('problem_id').orderBy('expires_at', 'desc').executeTakeFirstOrThrow()).problem_id;
  assert.deepEqual((await attachmentsOf(problemId)).map((a) => a.file_name).sort(), ['form-1.png', 'form-2.png', 'form-3.png']);
});

test('the database refuses a second copy of a file for one problem', async () => {
  const problemId = await problemOf('CONC-0');
  const [first] = await t.ctx.db.selectFrom('attachment').selectAll().where('problem_id', '=', problemId).limit(1).execute();
  const { id: _id, created_at: _at, ...copy } = first!;
  await assert.rejects(t.ctx.db.insertInto('attachment').values(copy).execute(), /attachment_problem_digest|duplicate key|unique/);
});

test('files a problem has no room for are marked refused, with why, in the record stored; the same record pushed again is a repeat', async () => {
  const limit = t.ctx.config.attachments.perProblem;
  const full = Array.from({ length: limit }, (_, f) => png(`full-${f}`));
  assert.equal((await push(record('ROOM-1', full))).json().attachments.stored, limit);
  // a later version brings two more photos and a file of a kind not allowed
  const exe = { name: '说明.exe', data: Buffer.from('MZ not allowed').toString('base64') };
  const changed = { ...record('ROOM-1', [...full.slice(0, 2), png('more-1'), png('more-2'), exe]), content: '镜湖区青弋江边漂浮垃圾还没有清理，补充照片。' };
  const r = (await push(changed)).json();
  assert.deepEqual([r.changed, r.attachments.stored], [1, 0]);
  const reason = `每件反映最多 ${limit} 个附件`;
  assert.deepEqual(r.attachments.refused.map((x: { name: string; reason: string }) => [x.name, x.reason.startsWith('类型不允许') ? '类型' : x.reason]), [['说明.exe', '类型'], ['more-1.png', reason], ['more-2.png', reason]]);

  const stored = await rawFiles('ROOM-1', 2);
  assert.deepEqual(stored.map((f) => [f.name, f.refused === undefined ? null : String(f.refused).startsWith('类型不允许') ? '类型' : f.refused]), [
    ['full-0.png', null], ['full-1.png', null], ['more-1.png', reason], ['more-2.png', reason], ['说明.exe', '类型'],
  ]);
  assert.deepEqual(Object.keys(stored[2]!).sort(), ['name', 'refused', 'size', 'sm3', 'type'], 'what the file was stays beside why it was not kept');
  assert.ok((await rawFiles('ROOM-1', 1)).every((f) => !('refused' in f)), 'the version before is as it was');

  const again = (await push(changed)).json();
  assert.deepEqual([again.repeats, again.changed, again.attachments.stored, again.attachments.refused.length], [1, 0, 0, 3]);
  assert.equal((await t.ctx.db.selectFrom('raw_record').select('id').where('external_id', '=', 'ROOM-1').execute()).length, 2);
  assert.deepEqual(await rawFiles('ROOM-1', 2), stored);
  assert.equal((await attachmentsOf(await problemOf('ROOM-1'))).length, limit);
});

test('migration 0027 keeps the earliest copy of a file stored twice for a problem in an older database', async () => {
  const problemId = await problemOf('CONC-1');
  const have = await t.ctx.db.selectFrom('attachment').selectAll().where('problem_id', '=', problemId).orderBy('id').execute();
  // the database as it was before 0027, with copies stored by concurrent pushes
  await sql`drop index attachment_problem_digest`.execute(t.ctx.db);
  await sql`create index attachment_problem on attachment (problem_id)`.execute(t.ctx.db);
  for (const a of have.slice(0, 3)) {
    const { id: _id, created_at: _at, ...copy } = a;
    await t.ctx.db.insertInto('attachment').values({ ...copy, file_name: `副本-${a.file_name}` }).execute();
    await t.ctx.db.insertInto('attachment').values({ ...copy, file_name: `副本2-${a.file_name}` }).execute();
  }
  assert.equal((await attachmentsOf(problemId)).length, have.length + 6);
  await sql.raw(fs.readFileSync(path.join(REPO_ROOT, 'src', 'db', 'migrations', '0027_attachment_digest_unique.sql'), 'utf8')).execute(t.ctx.db);
  assert.deepEqual(await attachmentsOf(problemId), have.map((a) => ({ file_name: a.file_name, digest: a.digest })));
  const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'attachment' order by indexname`.execute(t.ctx.db);
  assert.deepEqual(indexes.rows.map((r) => r.indexname), ['attachment_pkey', 'attachment_problem_digest']);
});

test('a push to a channel that does not exist says so (not that the key is for another channel)', async () => {
  const r = await t.app.inject({ method: 'POST', url: '/api/intake/foo', headers: { 'x-api-key': key }, payload: { id: 1 } });
  assert.equal(r.statusCode, 404, r.body);
  assert.equal(r.json().message, '渠道“foo”不存在');
});
