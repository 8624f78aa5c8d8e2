import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/lib/config.ts';
import { loggerOptions } from '../src/lib/logger.ts';
import { createTestContext, login, type TestContext } from './helpers.ts';
import { FACTORY_PASSWORD, makeCity } from './factories.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

let ctx: TestContext;
let app: FastifyInstance;
let city: Awaited<ReturnType<typeof makeCity>>;
const logLines: string[] = [];

before(async () => {
  ctx = await createTestContext({ bodyLimitBytes: 2048 });
  // this app logs at debug into memory, to check what reaches a log line
  const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(chunk.toString()); cb(); } });
  ctx.log = pino(loggerOptions('debug'), sink);
  app = await buildApp(ctx, { webDir: null });
  await app.ready();
  city = await makeCity(ctx);
});
after(async () => {
  await app.close();
  await ctx.close();
});

test('bad input: 400 with the field named, in Chinese, and no stack', async () => {
  const cookie = await login(app, city.admin.username, FACTORY_PASSWORD);
  const res = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie }, payload: { username: '1bad', displayName: '', unitId: 'x', password: 'x' } });
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.equal(body.code, 'VALIDATION');
  const fields = body.details.map((d: { field: string }) => d.field);
  for (const f of ['username', 'displayName', 'unitId']) assert.ok(fields.includes(f), `${f} not named: ${JSON.stringify(body.details)}`);
  assert.match(body.message, /[\u4e00-\u9fa5]/);
  assert.ok(!res.body.includes('    at '));
  const q = await app.inject({ url: '/api/users?limit=0', headers: { cookie } });
  assert.equal(q.statusCode, 400);
  assert.equal(q.json().details[0].field, 'querystring.limit');
});

test('oversized body 413, unknown route 404, broken JSON 400, all in the one error shape', async () => {
  const cookie = await login(app, city.admin.username, FACTORY_PASSWORD);
  const big = await app.inject({ method: 'POST', url: '/api/units', headers: { cookie, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(5000) }) });
  assert.equal(big.statusCode, 413);
  assert.deepEqual(Object.keys(big.json()).sort(), ['code', 'details', 'message']);
  assert.equal(big.json().message, '提交的内容过大（上限 2 KB）');
  const missing = await app.inject({ url: '/api/no-such-route', headers: { cookie } });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'NOT_FOUND');
  const broken = await app.inject({ method: 'POST', url: '/api/units', headers: { cookie, 'content-type': 'application/json' }, payload: '{"name":' });
  assert.equal(broken.statusCode, 400);
  assert.equal(broken.json().code, 'BAD_REQUEST');
});

test('OpenAPI is generated from the route schemas and served publicly at /api/docs', async () => {
  const doc = (await app.inject({ url: '/api/docs/json' })).json();
  assert.equal(doc.openapi.startsWith('3'), true);
  assert.ok(doc.paths['/api/users/{id}']);
  assert.ok(doc.paths['/api/auth/login'].post.requestBody);
  // each operation says how it is called: a channel's push with its key, staff pages with a session, login with nothing
  assert.deepEqual(doc.paths['/api/intake/{channel}'].post.security, [{ apiKey: [] }]);
  assert.deepEqual(doc.paths['/api/users/{id}'].get.security, [{ session: [] }]);
  assert.deepEqual(doc.paths['/api/auth/login'].post.security, []);
  // and a machine client without a good key is told about the key, not asked to log in
  const push = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/intake/wanshitong', headers, payload: {} });
  assert.match((await push({})).json().message, /缺少接入密钥/);
  assert.match((await push({ 'x-api-key': 'zhd_nope' })).json().message, /接入密钥无效或已停用/);
  const ui = await app.inject({ url: '/api/docs' });
  assert.ok([200, 302].includes(ui.statusCode));
});

test('no password, token, cookie or phone number reaches a log line', async () => {
  const cookie = await login(app, city.admin.username, FACTORY_PASSWORD);
  await app.inject({ method: 'POST', url: '/api/users', headers: { cookie }, payload: { username: 'logcheck', displayName: '日志', unitId: city.deptA.id, phone: '13712345678', password: 'Secret-Pass-99' } });
  await app.inject({ url: '/api/users?q=13712345678', headers: { cookie, 'x-request-id': 'trace-me' } });
  const all = logLines.join('');
  assert.ok(all.includes('trace-me'), 'request ids are logged');
  for (const secret of [FACTORY_PASSWORD, 'Secret-Pass-99', '13712345678', cookie.split('=')[1]!]) assert.ok(!all.includes(secret), `log leaked ${secret.slice(0, 4)}…`);
  // the phone is stored encrypted, shown masked
  const row = await ctx.db.selectFrom('app_user').select(['phone_enc', 'phone_mask']).where('username', '=', 'logcheck').executeTakeFirstOrThrow();
  assert.equal(row.phone_mask, '137****5678');
  assert.ok(!row.phone_enc!.includes('13712345678'));
  assert.equal(ctx.cipher.decrypt(row.phone_enc!), '13712345678');
  const audit = await ctx.db.selectFrom('audit_log').select('summary').where('action', '=', 'user.create').execute();
  assert.ok(!JSON.stringify(audit).includes('13712345678'));
});

test('behind a configured proxy each citizen has their own rate limit; without one, a forwarded address counts for nothing', async () => {
  assert.equal(loadConfig({ ZHD_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, '10.0.0.0/8,127.0.0.1');
  assert.equal(loadConfig({ ZHD_TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(loadConfig({}).trustProxy, false);
  assert.throws(() => loadConfig({ ZHD_TRUST_PROXY: 'everyone' }), /ZHD_TRUST_PROXY/);
  const login = (a: FastifyInstance, from: string) => a.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' }, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': from } });
  const proxied = await buildApp({ ...ctx, config: { ...ctx.config, trustProxy: 1 } }, { webDir: null });
  await proxied.ready();
  try {
    let last = 0;
    for (let i = 0; i < 25; i++) last = (await login(proxied, '203.0.113.7')).statusCode;
    assert.equal(last, 429);
    assert.equal((await login(proxied, '203.0.113.8')).statusCode, 401, 'another citizen behind the same proxy');
  } finally {
    await proxied.close();
  }
  // not trusted: the header is ignored, the proxy's own address is the one limited (counted from 203.0.113.9 and 10 alike)
  let last = 0;
  for (let i = 0; i < 25; i++) last = (await login(app, `203.0.113.${9 + (i % 2)}`)).statusCode;
  assert.equal(last, 429);
});

test('every response carries the security headers; the API docs page keeps its own scripts', async () => {
  const res = await app.inject({ url: '/api/health' });
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  const docs = await app.inject({ url: '/api/docs/static/index.html' });
  assert.equal(docs.headers['content-security-policy'], undefined);
});

test('the web app: a page path gets index.html, a file built after start is served, a missing file is 404', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-old.js'), 'console.log("old")');
  const web = await buildApp(ctx, { webDir: dir });
  try {
    await web.ready();
    const page = await web.inject({ url: '/problems/12' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match((await web.inject({ url: '/assets/index-old.js' })).headers['content-type'] as string, /javascript/);
    // a new build under the running server
    fs.writeFileSync(path.join(dir, 'assets', 'index-new.js'), 'console.log("new")');
    const fresh = await web.inject({ url: '/assets/index-new.js' });
    assert.equal(fresh.statusCode, 200);
    assert.match(String(fresh.headers['content-type']), /javascript/);
    for (const missing of ['/assets/index-gone.js', '/favicon.ico']) assert.equal((await web.inject({ url: missing })).statusCode, 404, missing);
  } finally {
    await web.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('validation messages are for people: what is missing or out of range, not zod\'s types and operators', async () => {
  const res = await app.inject({ method: 'POST', url: '/api/public/reports', payload: { kind: 'rumour' }, remoteAddress: '10.9.9.1' });
  assert.equal(res.statusCode, 400);
  const byField = Object.fromEntries(res.json().details.map((d: { field: string; message: string }) => [d.field, d.message]));
  assert.equal(byField.content, '缺少此项');
  assert.match(byField.kind, /类型应为投诉/);
  assert.ok(!res.body.includes('期望') && !res.body.includes('undefined'), res.body);
  const said = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error!.issues[0]!.message;
  assert.equal(said(z.number().int().min(1), -5), '不能小于 1');
  assert.equal(said(z.string().max(3), '四个字了'), '不超过 3 个字');
  assert.equal(said(z.string().min(1, '请填写标题'), ''), '请填写标题', "a schema's own message comes first");
  assert.equal(said(z.coerce.number().int(), 'abc'), '应为数字');
});
