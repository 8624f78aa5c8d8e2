import type { AppContext } from '../../context.ts';
import type { Db, Queryable, Tx } from '../../db/client.ts';
import { cityDay, WorkCalendar, type DeadlineRule } from '../../lib/calendar.ts';
import { AppError } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import type { Actor } from '../auth/access.ts';
import { calendarRepo } from './repo.ts';

export type YearInput = {
  year: number;
  source: string;
  publishedAt?: string | null;
  holidays: { from: string; to: string; note: string }[];
  workdays: { day: string; note: string }[];
};

const CACHE_MS = 60_000;
const cache = new WeakMap<Db, { calendar: WorkCalendar; loadedAt: number }>();

/** The calendar as the database has it; each instance reloads at least once a minute and at once after its own edits. */
export async function loadCalendar(db: Db, fresh = false): Promise<WorkCalendar> {
  const hit = cache.get(db);
  if (hit && !fresh && Date.now() - hit.loadedAt < CACHE_MS) return hit.calendar;
  const [days, years] = await Promise.all([calendarRepo.overrides(db), calendarRepo.years(db)]);
  const calendar = new WorkCalendar(days.map((d) => ({ day: d.day, isWorkday: d.is_workday })), years.map((y) => y.year));
  cache.set(db, { calendar, loadedAt: Date.now() });
  return calendar;
}

/** The handling and sign-for rules for a kind and urgency: the kind's own row, else the default for the urgency. */
export async function deadlineRules(db: Queryable, kind: string | null, urgency: 'normal' | 'urgent'): Promise<{ handle: DeadlineRule; sign: DeadlineRule }> {
  const policies = await calendarRepo.policies(db);
  const pick = (purpose: 'handle' | 'sign') => {
    const rows = policies.filter((p) => p.purpose === purpose && p.urgency === urgency);
    const row = rows.find((p) => p.kind_code === kind) ?? rows.find((p) => p.kind_code === null);
    if (!row) throw new AppError(500, 'CONFIG', `缺少${purpose === 'handle' ? '办理' : '签收'}时限规则（${urgency === 'urgent' ? '紧急' : '一般'}）：请在“工作日历与时限”中补充`);
    return { amount: row.amount, unit: row.amount_unit };
  };
  return { handle: pick('handle'), sign: pick('sign') };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function daysOf(input: YearInput): { day: string; isWorkday: boolean; note: string }[] {
  const bad = (field: string, message: string) => new AppError(400, 'VALIDATION', message, [{ field, message }]);
  const inYear = (d: string) => DAY.test(d) && d.startsWith(`${input.year}-`) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
  const out = new Map<string, { day: string; isWorkday: boolean; note: string }>();
  input.holidays.forEach((h, i) => {
    if (!inYear(h.from)) throw bad(`holidays[${i}].from`, `第 ${i + 1} 个假期的开始日期 ${h.from} 不是 ${input.year} 年的有效日期`);
    if (!inYear(h.to)) throw bad(`holidays[${i}].to`, `第 ${i + 1} 个假期的结束日期 ${h.to} 不是 ${input.year} 年的有效日期`);
    if (h.to < h.from) throw bad(`holidays[${i}].to`, `第 ${i + 1} 个假期（${h.note}）的结束日期早于开始日期`);
    for (let t = Date.parse(`${h.from}T00:00:00Z`); t <= Date.parse(`${h.to}T00:00:00Z`); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      out.set(day, { day, isWorkday: false, note: h.note });
    }
  });
  input.workdays.forEach((w, i) => {
    if (!inYear(w.day)) throw bad(`workdays[${i}].day`, `第 ${i + 1} 个调休上班日 ${w.day} 不是 ${input.year} 年的有效日期`);
    const weekday = new Date(`${w.day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) throw bad(`workdays[${i}].day`, `第 ${i + 1} 个调休上班日 ${w.day} 本来就是工作日（调休上班日应在周末）`);
    if (out.has(w.day)) throw bad(`workdays[${i}].day`, `${w.day} 同时被列为假期和调休上班日`);
    out.set(w.day, { day: w.day, isWorkday: true, note: w.note });
  });
  return [...out.values()].sort((a, b) => a.day.localeCompare(b.day));
}

export function createCalendarService(ctx: AppContext, hooks: { afterYearSaved?: (tx: Tx, calendar: WorkCalendar) => Promise<number> } = {}) {
  const { db } = ctx;
  return {
    calendar: (fresh = false) => loadCalendar(db, fresh),
    years: () => calendarRepo.years(db),
    overrides: () => calendarRepo.overrides(db),
    policies: () => calendarRepo.policies(db),

    /** Adds (or replaces) a year as the State Council published it; provisional deadlines are recomputed at once. */
    async saveYear(actor: Actor, input: YearInput) {
      const days = daysOf(input);
      const current = await calendarRepo.overrides(db);
      const calendar = new WorkCalendar(
        [...current.filter((d) => !d.day.startsWith(`${input.year}-`)).map((d) => ({ day: d.day, isWorkday: d.is_workday })), ...days],
        [...(await calendarRepo.years(db)).map((y) => y.year), input.year],
      );
      const recomputed = await db.transaction().execute(async (tx) => {
        await calendarRepo.replaceYear(tx, { year: input.year, source: input.source, publishedAt: input.publishedAt ?? null, days });
        const n = (await hooks.afterYearSaved?.(tx, calendar)) ?? 0;
        await recordAudit(tx, actor, { action: 'calendar.save_year', targetType: 'calendar_year', targetId: input.year, summary: { source: input.source, holidays: days.filter((d) => !d.isWorkday).length, workdays: days.filter((d) => d.isWorkday).length, recomputed: n } });
        return n;
      });
      await loadCalendar(db, true);
      return { year: input.year, days: days.length, recomputed };
    },

    async updatePolicy(actor: Actor, id: number, amount: number, unit: 'working_days' | 'hours') {
      const current = await calendarRepo.policy(db, id);
      if (!current) throw new AppError(404, 'NOT_FOUND', `时限规则 ${id} 不存在`);
      // the note names the rule and states its amount: keep the name, restate the amount
      const note = `${current.note.replace(/\s*\d+\s*(个工作日|小时)\s*$/, '')} ${amount} ${unit === 'hours' ? '小时' : '个工作日'}`.trim();
      return db.transaction().execute(async (tx) => {
        const row = (await calendarRepo.updatePolicy(tx, id, amount, unit, note))!;
        await recordAudit(tx, actor, { action: 'deadline_policy.update', targetType: 'deadline_policy', targetId: id, summary: { amount, unit } });
        return row;
      });
    },

    /** From 1 November, a warning when next year's calendar has not been added. */
    async nextYearWarning(now = new Date()): Promise<string | null> {
      const today = cityDay(now);
      if (Number(today.slice(5, 7)) < 11) return null;
      const next = Number(today.slice(0, 4)) + 1;
      const calendar = await loadCalendar(db);
      return calendar.isPublished(next) ? null : `尚未录入 ${next} 年的节假日安排：跨年的期限暂按周一至周五计算（标为“暂定”）。国务院办公厅公布后，请在“工作日历与时限”中添加 ${next} 年。`;
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
