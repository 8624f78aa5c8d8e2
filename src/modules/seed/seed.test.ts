import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { generateRecords } from './generator.ts';
import { calendarSets, seedDemoReports } from './reports.ts';
import { seedDemoCity } from './service.ts';
import { seedDemoWorkOrders } from './workorders.ts';
import { createTriageService } from '../triage/service.ts';
import { cityDay } from '../../lib/calendar.ts';
import { createProblemsService } from '../problems/service.ts';
import { createRiskService } from '../risk/service.ts';
import { createWorkOrdersService } from '../workorders/service.ts';
import { seedDemoCases } from './cases.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  await seedDemoCity(ctx);
});
after(() => ctx.close());

test('the generator is deterministic and never writes a place name it does not know', async () => {
  const o = { from: new Date('2026-09-01T00:00:00+08:00'), days: 3, perDay: 20, now: new Date('2026-11-26T00:00:00+08:00') };
  const a = [...generateRecords(o)];
  const b = [...generateRecords(o)];
  assert.deepEqual(a, b);
  assert.ok(a.length > 30);
});

test('a question, a suggestion or thanks reads as one and is answered as one; a complaint may say how long it has gone on', () => {
  const o = { from: new Date('2026-06-01T00:00:00+08:00'), days: 30, perDay: 40, now: new Date('2026-11-26T00:00:00+08:00') };
  const hotline = [...generateRecords(o)].filter((r) => r.channel === 'hotline12345').map((r) => r.record as Record<string, string>);
  const of = (kind: string) => hotline.filter((r) => r.诉求类型 === kind);
  for (const kind of ['咨询', '建议', '表扬']) {
    assert.ok(of(kind).length > 10, kind);
    for (const r of of(kind)) {
      assert.doesNotMatch(r.诉求内容!, /照片|作证|持续\d+天|最严重|路过时发现/, `${kind}: ${r.诉求内容}`);
      if (r.办理结果) assert.doesNotMatch(r.办理结果, /责令整改/, `${kind}: ${r.办理结果}`);
    }
  }
  assert.ok(of('咨询').some((r) => r.办理结果?.includes('解答')));
  const complaints = of('投诉');
  assert.ok(complaints.some((r) => /持续\d+天了。$/.test(r.诉求内容!)));
  assert.ok(complaints.filter((r) => r.办理结果).every((r) => r.办理结果!.startsWith('经核查')));
  // the neighbourhood's closings only where the scenario says it affects the neighbourhood
  assert.ok(hotline.filter((r) => /晚上七点以后最严重。$/.test(r.诉求内容!)).every((r) => /居民|群众|隐患|一个多月|没有结果/.test(r.诉求内容!)));
});

test('the demo city\'s road names and enforcement words are words of the segmenter: 赭山路 is one place, and neither it nor 山路 names a hot topic; 占道经营 stays whole', async () => {
  const { syncUserDictionary } = await import('../triage/dictionary.ts');
  const { topicTerms } = await import('../triage/hot-topics.ts');
  const { segment } = await import('../../lib/text.ts');
  await syncUserDictionary(ctx);
  const text = '赭山路上烧烤油烟扰民，天门山路与九华山路交叉口夜宵摊油烟很大。';
  const words = segment(text);
  for (const road of ['赭山路', '天门山路', '九华山路']) assert.ok(words.includes(road), `${road} in ${words.join('/')}`);
  const terms = topicTerms({ title: text, body: '' });
  assert.ok(terms.includes('油烟') && !terms.some((t) => t.endsWith('山路')), terms.join(','));
  // common enforcement words stay whole: a topic is 占道经营, not 经营
  const stalls = topicTerms({ title: '夜市占道经营', body: '镜湖区夜市摊贩占道经营、私搭乱建，执法人员未亮证。' });
  for (const w of ['占道经营', '私搭乱建', '未亮证']) assert.ok(stalls.includes(w), `${w} in ${stalls.join(',')}`);
});

test('demo reports come in through every channel with the calendar\'s rhythm; channels with an address match the city\'s regions', async () => {
  const now = new Date('2026-11-26T12:00:00+08:00');
  const inserted = await seedDemoReports(ctx, { days: 60, perDay: 12, now });
  assert.ok(inserted > 500, String(inserted));
  const batches = await ctx.db.selectFrom('import_batch').select(['channel', 'rejected']).execute();
  assert.equal(batches.reduce((a, b) => a + b.rejected, 0), 0);
  assert.deepEqual(batches.map((b) => b.channel).sort(), ['gov_service', 'hotline12345', 'people_board', 'portal_mailbox', 'wanshitong', 'web_form', 'wechat', 'weibo']);
  const unmatched = await ctx.db.selectFrom('problem').select((eb) => eb.fn.countAll<number>().as('n')).where('region_code', 'is', null).where('channel', 'in', ['hotline12345', 'wanshitong', 'web_form']).executeTakeFirstOrThrow();
  assert.equal(unmatched.n, 0);
  // working days carry more reports than days off (the 国庆 week included)
  const { offDays, onDays } = await calendarSets(ctx);
  const perDay = await sql<{ day: string; n: number }>`select to_char(reported_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, count(*)::int as n from problem group by 1`.execute(ctx.db);
  const isWork = (d: string) => onDays.has(d) || (!offDays.has(d) && ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const work = avg(perDay.rows.filter((r) => isWork(r.day)).map((r) => r.n));
  const off = avg(perDay.rows.filter((r) => !isWork(r.day)).map((r) => r.n));
  assert.ok(work > off * 1.3, `work ${work} off ${off}`);
  const replied = await ctx.db.selectFrom('problem_source').select((eb) => eb.fn.countAll<number>().as('n')).where('reply', 'is not', null).executeTakeFirstOrThrow();
  assert.ok(replied.n > inserted / 3);
  const future = await ctx.db.selectFrom('problem_source').select((eb) => eb.fn.countAll<number>().as('n')).where('replied_at', '>', now).executeTakeFirstOrThrow();
  assert.equal(future.n, 0, 'no channel answered in the future');
});

test('demo work orders walk the loop on their own dates: every state is represented and the timeline follows the steps', async () => {
  const triage = createTriageService(ctx);
  while ((await triage.triagePending(500)) > 0) {
    // triage the demo reports first, as `seed demo` does
  }
  const { orders } = await seedDemoWorkOrders(ctx, 40);
  assert.equal(orders, 40);
  const states = await ctx.db.selectFrom('work_order').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  const byState = Object.fromEntries(states.map((s) => [s.state, s.n]));
  for (const s of ['pending_sign', 'handling', 'replied', 'follow_up', 'closed']) assert.ok(byState[s] > 0, `${s}: ${JSON.stringify(byState)}`);
  const closedWithoutFollowUp = await sql<{ n: number }>`select count(*)::int as n from work_order o where o.state = 'closed' and not exists (select 1 from follow_up f where f.work_order_id = o.id)`.execute(ctx.db);
  assert.equal(closedWithoutFollowUp.rows[0]!.n, 0);
  const outOfOrder = await sql<{ n: number }>`select count(*)::int as n from work_event a join work_event b on a.work_order_id = b.work_order_id and a.id < b.id and a.at > b.at`.execute(ctx.db);
  assert.equal(outOfOrder.rows[0]!.n, 0, 'events are dated in the order they happened');
  // overdue flags fall on the morning after the deadline passed, as the sweep would have found them, not at loading
  const overdue = await sql<{ n: number; late: number }>`
    select count(*)::int as n, count(*) filter (where e.at < o.deadline or e.at > o.deadline + interval '1 day')::int as late
    from work_event e join work_order o on o.id = e.work_order_id where e.kind = 'overdue'`.execute(ctx.db);
  assert.ok(overdue.rows[0]!.n > 0 && overdue.rows[0]!.late === 0, JSON.stringify(overdue.rows[0]));
  // the reply, its review and the follow-up carry the step's date, not the day the demo was loaded
  const late = await sql<{ n: number }>`
    select count(*)::int as n from work_reply r join work_order o on o.id = r.work_order_id
    where r.replied_at > coalesce(o.closed_at, 'infinity') or r.reviewed_at > coalesce(o.closed_at, 'infinity')
       or exists (select 1 from follow_up f where f.work_order_id = o.id and f.at > coalesce(o.closed_at, 'infinity') + interval '1 second')`.execute(ctx.db);
  assert.equal(late.rows[0]!.n, 0, 'nothing dated after the order was closed');
  const answered = await sql<{ kind_code: string | null; domain_code: string | null }>`
    select distinct p.kind_code, p.domain_code from work_reply r join work_order o on o.id = r.work_order_id join problem p on p.id = o.problem_id`.execute(ctx.db);
  assert.ok(answered.rows.length > 0 && answered.rows.every((r) => r.domain_code === 'food_drug' && r.kind_code !== 'praise'), `the food bureau answers food reports: ${JSON.stringify(answered.rows)}`);
  const offHours = await sql<{ n: number }>`select count(*)::int as n from work_event e where e.kind in ('sign', 'reply') and extract(hour from e.at at time zone 'Asia/Shanghai') not between 9 and 17`.execute(ctx.db);
  assert.equal(offHours.rows[0]!.n, 0, 'people sign and answer in office hours');
});

test('demo 复议诉讼结果 go in through the import, and one bureau losing three lately shows in the risk rule', async () => {
  assert.equal(await seedDemoCases(ctx), 10);
  const lost = await ctx.db.selectFrom('case_outcome').innerJoin('unit', 'unit.id', 'case_outcome.unit_id').select(['unit.name', 'case_outcome.decided_on'])
    .where('case_outcome.lost', '=', true).execute();
  assert.equal(lost.length, 4);
  const risk = createRiskService(ctx, { problems: createProblemsService(ctx), workOrders: createWorkOrdersService(ctx) });
  const warned = (await risk.candidates(cityDay(new Date()))).filter((c) => c.ruleCode === 'unit_lost_cases');
  assert.deepEqual(warned.map((c) => c.scopeName), ['鸠江区城市管理局']);
});
