import type { AppContext } from '../../context.ts';
import { cityDay } from '../../lib/calendar.ts';
import { loadCalendar } from '../calendar/service.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { monthBefore, parsePeriod, previousPeriod, samePeriodLastYear, type Period } from '../../lib/period.ts';
import type { AnalyticsService } from '../analytics/service.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, isTopUnit, scopePaths, SYSTEM_ACTOR, type Actor } from '../auth/access.ts';
import type { ProblemsService } from '../problems/service.ts';
import { composeReport, reportSummary } from './compose.ts';
import { renderDocx } from './document.ts';
import { reportsRepo } from './repo.ts';
import { renderXlsx } from './xlsx.ts';

const EXAMPLES = 5;
const NOT_CITY_WIDE = '分析报告为全市报告，仅限市级“查看分析报告”权限的人员生成和下载';
const HOT_TOPICS = 5;

const chineseDate = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

export function createReportsService(ctx: AppContext, deps: { analytics: AnalyticsService; problems: ProblemsService }) {
  const { db } = ctx;

  /** Reports are the city's: generated and read by people whose 查看分析报告 covers the whole city. */
  const isCityWide = (actor: Actor) => actor === SYSTEM_ACTOR || scopePaths(actor.principal, 'report.read').some(isTopUnit);
  function assertCityWide(actor: Actor) {
    if (!isCityWide(actor)) throw forbidden(NOT_CITY_WIDE);
  }

  /** Everything a report states, computed from the data as it is now: a past period gives the same report again. */
  async function build(actor: Actor, period: Period) {
    await deps.analytics.refresh();
    const range = { from: period.firstDay, to: period.lastDay };
    const prev = previousPeriod(period);
    const year = samePeriodLastYear(period);
    const [dashboard, topics, examples, city, root] = await Promise.all([
      deps.analytics.dashboard(actor, range, { previous: { from: prev.firstDay, to: prev.lastDay }, lastYear: { from: year.firstDay, to: year.lastDay } }),
      deps.problems.hotTopics(actor, { from: period.start, to: period.end, limit: HOT_TOPICS }),
      deps.analytics.misconductExamples(actor, range, EXAMPLES),
      reportsRepo.cityName(db),
      reportsRepo.rootUnitName(db),
    ]);
    const { doc, sheets } = composeReport({
      period, dashboard, hotTopics: topics.topics, examples,
      cityName: city?.name ?? '本市', issuer: `${root?.name ?? ''}行政执法监督平台（智慧督）`, generatedOn: chineseDate(cityDay(new Date())),
    });
    const [docx, xlsx] = await Promise.all([renderDocx(doc), renderXlsx(sheets)]);
    return { title: doc.title, docx, xlsx, summary: reportSummary(dashboard) };
  }

  return {
    /** Generates and keeps the report of a period (2026-10, 2026-Q3, 2026). */
    async generate(actor: Actor, periodCode: string) {
      assertCityWide(actor);
      const period = parsePeriod(periodCode);
      if (!period) throw notFound(`期间 ${periodCode} `);
      const built = await build(actor, period);
      const row = await db.transaction().execute(async (tx) => {
        const r = await reportsRepo.insert(tx, { period: period.code, period_kind: period.kind, title: built.title, docx: built.docx, xlsx: built.xlsx, summary: built.summary, generated_by: actorUserId(actor) });
        await recordAudit(tx, actor, { action: 'report.generate', targetType: 'analysis_report', targetId: r.id, summary: { period: period.code, problems: built.summary.problems } });
        return r;
      });
      return { id: row.id, period: period.code, title: built.title, generated_at: row.generated_at, summary: built.summary, docx: built.docx, xlsx: built.xlsx };
    },

    /** The reports made so far; someone without the city-wide permission sees none, and is told why. */
    async list(actor: Actor, limit: number, offset: number) {
      if (!isCityWide(actor)) return { rows: [], total: 0, notice: NOT_CITY_WIDE };
      const [rows, total] = await Promise.all([reportsRepo.list(db, limit, offset), reportsRepo.count(db)]);
      return { rows, total: total.n, notice: null };
    },

    async file(actor: Actor, id: number, format: 'docx' | 'xlsx') {
      const f = isCityWide(actor) ? await reportsRepo.file(db, id, format) : undefined;
      if (!f) throw notFound(`报告 ${id} `);
      await db.transaction().execute((tx) => recordAudit(tx, actor, { action: 'report.download', targetType: 'analysis_report', targetId: id, summary: { format } }));
      return { fileName: `${f.title}.${format}`, data: f.data };
    },

    /**
     * The scheduler's monthly report: on the first working day of a month, last month's report, once (whichever
     * instance gets there first; a second run finds it and does nothing).
     */
    async monthlyIfDue(now = new Date()) {
      const today = cityDay(now);
      const calendar = await loadCalendar(db);
      const earlierThisMonth = Array.from({ length: Number(today.slice(8)) - 1 }, (_, i) => `${today.slice(0, 8)}${String(i + 1).padStart(2, '0')}`);
      if (!calendar.isWorkday(today) || earlierThisMonth.some((d) => calendar.isWorkday(d))) return null;
      const period = monthBefore(today);
      if (await reportsRepo.exists(db, period.code)) return null;
      return this.generate(SYSTEM_ACTOR, period.code);
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
