import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { makeCity, makeUser } from '../../../test/factories.ts';
import { createNotificationsService, notify } from './service.ts';
import { logSender, type OutgoingMessage, type Sender } from './senders.ts';

let ctx: TestContext;
let userId: number;
let city: Awaited<ReturnType<typeof makeCity>>;
before(async () => {
  ctx = await createTestContext();
  city = await makeCity(ctx);
  userId = (await makeUser(ctx, { unit: city.deptA, roles: [['handler', city.deptA]], phone: '13811112222' })).id;
});
after(() => ctx.close());

const queue = (key: string) => ctx.db.transaction().execute((tx) => notify(tx, { userIds: [userId, userId], kind: 'test', title: `测试通知 ${key}`, body: '请处理', dedupeKey: key, sms: true }));
const outboxRow = (key: string) => ctx.db.selectFrom('outbox').selectAll().where('dedupe_key', '=', `${key}:${userId}`).executeTakeFirstOrThrow();

test('a notice lands once per person and key, in the inbox and in the outbox', async () => {
  await queue('once');
  await queue('once');
  const inbox = await ctx.db.selectFrom('notification').select('id').where('dedupe_key', '=', 'once').execute();
  assert.equal(inbox.length, 1);
  assert.equal((await ctx.db.selectFrom('outbox').select('id').where('dedupe_key', '=', `once:${userId}`).execute()).length, 1);
});

test('a failing gateway is retried with back-off and given up after the last attempt; a working one sends once', async () => {
  await queue('retry');
  const failing: Sender = { name: 'down', send: async () => { throw new Error('网关超时'); } };
  const service = createNotificationsService(ctx, failing);
  const t0 = new Date('2026-11-26T10:00:00+08:00');
  await ctx.db.updateTable('outbox').set({ next_attempt_at: t0 }).where('dedupe_key', '=', `retry:${userId}`).execute();
  await service.deliver(t0);
  let row = await outboxRow('retry');
  assert.deepEqual([row.state, row.attempts, row.last_error], ['pending', 1, '网关超时']);
  assert.equal(new Date(row.next_attempt_at).getTime(), t0.getTime() + 60_000);
  await service.deliver(new Date(t0.getTime() + 30_000));
  assert.equal((await outboxRow('retry')).attempts, 1, 'not retried before its time');
  await service.deliver(new Date(t0.getTime() + 61_000));
  row = await outboxRow('retry');
  assert.equal(row.attempts, 2);
  assert.equal(new Date(row.next_attempt_at).getTime(), t0.getTime() + 61_000 + 120_000);

  await ctx.db.updateTable('app_setting').set({ value: JSON.stringify(3) }).where('key', '=', 'outbox.max_attempts').execute();
  await service.deliver(new Date(t0.getTime() + 3_600_000));
  assert.equal((await outboxRow('retry')).state, 'failed');

  await queue('ok');
  const sent: OutgoingMessage[] = [];
  const working: Sender = { name: 'memory', send: async (m) => void sent.push(m) };
  const far = new Date(Date.now() + 86_400_000);
  await Promise.all([createNotificationsService(ctx, working).deliver(far), createNotificationsService(ctx, working).deliver(far)]);
  const ours = sent.filter((m) => m.subject === '测试通知 ok');
  assert.equal(ours.length, 1, 'two deliverers send a message once');
  assert.equal(ours[0]!.address, '13811112222', 'the gateway gets the number, decrypted only for it');
  assert.equal((await outboxRow('ok')).state, 'sent');
  // a message queued before notify() masked numbers goes out masked all the same
  await ctx.db.insertInto('outbox').values({ channel: 'sms', user_id: userId, subject: '新工单待签收：请回电13955309911', body: '联系人（0553）3845506', dedupe_key: 'old-raw', next_attempt_at: new Date() } as never).execute();
  await createNotificationsService(ctx, working).deliver(new Date(Date.now() + 2 * 86_400_000));
  const old = sent.find((m) => m.subject.startsWith('新工单待签收'))!;
  assert.ok(!/13955309911|3845506/.test(old.subject + old.body), JSON.stringify(old));
  // and one in the inbox from then is shown masked
  await ctx.db.insertInto('notification').values({ user_id: userId, kind: 'test', title: '催办：请回电13955309911', body: '联系人（0553）3845506', dedupe_key: 'old-inbox' } as never).execute();
  const { rows } = await createNotificationsService(ctx, working).inbox(userId, 50, 0);
  const shown = rows.find((r) => r.title.startsWith('催办：请回电'))!;
  assert.ok(!/13955309911|3845506/.test(shown.title + shown.body), JSON.stringify(shown));
});

test('the log sender writes no number', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
  await logSender(log).send({ id: 1, channel: 'sms', userId, username: 'u', address: '13811112222', subject: '催办', body: '请处理' });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes('13811112222'));
});

test('a notice for the admins reaches those who can act on it: a department\'s admin gets no city-wide calendar notice', async () => {
  await createNotificationsService(ctx).notifyAdmins('calendar_missing', '请添加下一年的节假日安排', '尚未录入', 'calendar-missing:test');
  const to = await ctx.db.selectFrom('notification').select('user_id').where('dedupe_key', '=', 'calendar-missing:test').execute();
  assert.deepEqual(to.map((n) => n.user_id), [city.admin.id]);
});
