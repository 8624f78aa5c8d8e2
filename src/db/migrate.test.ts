import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../../test/helpers.ts';
import { migrate, migrationFiles } from './migrate.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

test('migrations are recorded and a second run applies nothing', async () => {
  const applied = await ctx.db.selectFrom('schema_migration').select('name').orderBy('name').execute();
  assert.deepEqual(applied.map((r) => r.name), migrationFiles());
  assert.deepEqual(await migrate(ctx.db), []);
});

test('reference data comes with the migrations: domains, kinds, channels, roles, calendars, deadline policies', async () => {
  const domains = await ctx.db.selectFrom('enforcement_domain').select('name').where('builtin', '=', true).execute();
  assert.equal(domains.length, 11);
  for (const d of ['食品药品', '公共卫生', '自然资源', '生态环境', '安全生产', '劳动保障', '城市管理', '交通运输', '金融服务', '教育培训', '其他']) {
    assert.ok(domains.some((r) => r.name === d), d);
  }
  assert.equal((await ctx.db.selectFrom('report_kind').selectAll().execute()).length, 6);
  const channels = (await ctx.db.selectFrom('channel').select('code').execute()).map((r) => r.code).sort();
  assert.deepEqual(channels, ['generic', 'gov_service', 'hotline12345', 'people_board', 'portal_mailbox', 'staff', 'wanshitong', 'web_form', 'wechat', 'weibo']);
  const roles = (await ctx.db.selectFrom('role').select('code').execute()).map((r) => r.code).sort();
  assert.deepEqual(roles, ['admin', 'dispatcher', 'handler', 'leader', 'officer', 'reviewer', 'supervisor']);
  // 2026 春节: 2/15–2/23 off, 2/14 and 2/28 (weekends) on
  const days = await ctx.db.selectFrom('calendar_day').selectAll().where('day', '>=', '2026-02-14').where('day', '<=', '2026-02-28').orderBy('day').execute();
  assert.equal(days.find((d) => d.day === '2026-02-14')?.is_workday, true);
  assert.equal(days.filter((d) => !d.is_workday).length, 9);
  assert.equal(days.find((d) => d.day === '2026-02-28')?.is_workday, true);
  const yearTotals = await sql<{ y: number; off: number; on: number }>`
    select extract(year from day)::int as y, count(*) filter (where not is_workday)::int as off, count(*) filter (where is_workday)::int as on
    from calendar_day group by 1 order by 1`.execute(ctx.db);
  assert.deepEqual(yearTotals.rows, [{ y: 2025, off: 28, on: 5 }, { y: 2026, off: 33, on: 6 }]);
  const consult = await ctx.db.selectFrom('deadline_policy').selectAll().where('kind_code', '=', 'consult').executeTakeFirstOrThrow();
  assert.deepEqual([consult.amount, consult.amount_unit], [3, 'working_days']);
});

test('a demo city seeded before region.former_names learns its former district names when it upgrades', async () => {
  const { seedDemoCity } = await import('../modules/seed/service.ts');
  await seedDemoCity(ctx);
  // as the database was before migration 0030
  await sql`alter table region drop column former_names`.execute(ctx.db);
  await ctx.db.deleteFrom('schema_migration').where('name', '=', '0030_region_former_names.sql').execute();
  assert.deepEqual(await migrate(ctx.db), ['0030_region_former_names.sql']);
  const rows = await ctx.db.selectFrom('region').select(['name', 'former_names']).where('code', 'in', ['340209', '340210', '340212', '340223', '340281']).orderBy('code').execute();
  assert.deepEqual(rows.map((r) => [r.name, r.former_names]), [['弋江区', ['三山区']], ['湾沚区', ['芜湖县']], ['繁昌区', ['繁昌县']], ['南陵县', []], ['无为市', ['无为县']]]);
});
