import type { AppContext } from '../../context.ts';
import { maskPhone } from '../../lib/crypto.ts';
import { conflict } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { hashPassword } from '../auth/password.ts';
import { orgsRepo } from '../orgs/repo.ts';
import { problemsRepo } from '../problems/repo.ts';
import { seedDemoReports } from './reports.ts';
import { seedDemoCases } from './cases.ts';
import { seedDemoWorkOrders } from './workorders.ts';
import { createTriageService } from '../triage/service.ts';
import { createAnalyticsService } from '../analytics/service.ts';
import { createProblemsService } from '../problems/service.ts';
import { createRiskService } from '../risk/service.ts';
import { createWorkOrdersService } from '../workorders/service.ts';
import { CITY, COUNTIES, DEMO_PASSWORD, DEMO_USERS, townshipCode, wuhuUnits } from './wuhu.ts';
import { ENFORCEMENT_WORDS, ROADS } from './scenarios.ts';
import { triageConfigRepo } from '../triage/config-repo.ts';
import { syncUserDictionary } from '../triage/dictionary.ts';

export async function isEmptyOrganization(ctx: AppContext): Promise<boolean> {
  const row = await ctx.db.selectFrom('unit').select('id').limit(1).executeTakeFirst();
  return !row;
}

/** Seeds the demo city (regions, units, one user per role) into a database that has no units yet. */
export async function seedDemoCity(ctx: AppContext): Promise<{ units: number; users: number; password: string }> {
  if (!(await isEmptyOrganization(ctx))) throw conflict('数据库中已有单位数据，演示数据只能导入空数据库');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return ctx.db.transaction().execute(async (tx) => {
    await orgsRepo.insertRegion(tx, { code: '340000', name: '安徽省', level: 'province', parent_code: null });
    await orgsRepo.insertRegion(tx, { code: CITY.code, name: CITY.name, level: 'city', parent_code: '340000' });
    for (const [i, c] of COUNTIES.entries()) {
      await orgsRepo.insertRegion(tx, { code: c.code, name: c.name, level: 'county', parent_code: CITY.code, sort: i, former_names: c.formerNames ?? [] });
      for (const [j, t] of c.townships.entries()) {
        await orgsRepo.insertRegion(tx, { code: townshipCode(c.code, j), name: t, level: 'township', parent_code: c.code, sort: j });
      }
    }
    const ids = new Map<string, { id: number; path: string }>();
    const specs = wuhuUnits();
    for (const [i, u] of specs.entries()) {
      const parent = u.parent ? ids.get(u.parent)! : null;
      const created = await orgsRepo.insertUnit(tx, { name: u.name, kind: u.kind, parentId: parent?.id ?? null, parentPath: parent?.path ?? '/', regionCode: u.region, domains: u.domains ?? [], sort: i });
      ids.set(u.key, created);
    }
    for (const u of DEMO_USERS) {
      const { id } = await orgsRepo.insertUser(tx, {
        username: u.username,
        displayName: u.displayName,
        unitId: ids.get(u.unit)!.id,
        phoneEnc: ctx.cipher.encrypt(u.phone),
        phoneMask: maskPhone(u.phone),
        passwordHash,
        mustChange: false,
      });
      await orgsRepo.insertGrant(tx, { userId: id, role: u.role, unitId: ids.get(u.scope)!.id, grantedBy: null });
    }
    // the city's road names and common enforcement words as words of the segmenter (分拣配置 → 分词词典): 赭山路 is one place, not 赭 and 山路
    await triageConfigRepo.insertUserWords(tx, [...ROADS], 'place', null);
    await triageConfigRepo.insertUserWords(tx, [...ENFORCEMENT_WORDS], 'term', null);
    await triageConfigRepo.touchUserWords(tx);
    await recordAudit(tx, SYSTEM_ACTOR, { action: 'seed.demo', targetType: 'system', summary: { city: CITY.name, units: specs.length, users: DEMO_USERS.length } });
    return { units: specs.length, users: DEMO_USERS.length, password: DEMO_PASSWORD };
  });
}

export const DEMO_REPORT_DAYS = 90;
export const DEMO_REPORTS_PER_DAY = 16;

/** The demo city with a few months of reports from every channel: what `npm start` and `zhd seed demo` load. */
export async function seedDemo(ctx: AppContext) {
  const city = await seedDemoCity(ctx);
  await syncUserDictionary(ctx); // the demo's triage and search index segment with the city's road names
  const reports = await seedDemoReports(ctx, { days: DEMO_REPORT_DAYS, perDay: DEMO_REPORTS_PER_DAY });
  const triage = createTriageService(ctx);
  while ((await triage.triagePending(500)) > 0) {
    // the demo opens with its reports already triaged and waiting in the queue
  }
  const workOrders = await seedDemoWorkOrders(ctx);
  const cases = await seedDemoCases(ctx);
  // the demo opens with its figures summed up and its risk rules run once, as the hourly jobs would have done
  const problems = createProblemsService(ctx);
  await createAnalyticsService(ctx, problems).refresh();
  const risk = await createRiskService(ctx, { problems, workOrders: createWorkOrdersService(ctx) }).detect();
  await problemsRepo.refreshStatistics(ctx.db);
  return { ...city, reports, workOrders: workOrders.orders, cases, warnings: risk.raised };
}

export function demoLoginHelp(port: number): string {
  const lines = DEMO_USERS.map((u) => `    ${u.username.padEnd(11)} ${u.displayName}（${u.role}）`);
  return [
    `演示城市已就绪：芜湖市。请用浏览器打开 http://localhost:${port}`,
    `  演示账号（密码均为 ${DEMO_PASSWORD}）：`,
    ...lines,
    '  正式使用前请修改或停用这些账号。',
  ].join('\n');
}
