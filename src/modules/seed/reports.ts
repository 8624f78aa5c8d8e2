import type { AppContext } from '../../context.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { ADAPTERS } from '../intake/adapters.ts';
import { jsonArray } from '../intake/files.ts';
import { ingest } from '../intake/pipeline.ts';
import { generateRecords, type GeneratorOptions } from './generator.ts';

/** Holidays and make-up workdays from the calendar, for the generator's rhythm. */
export async function calendarSets(ctx: AppContext) {
  const rows = await ctx.db.selectFrom('calendar_day').select(['day', 'is_workday']).execute();
  return { offDays: new Set(rows.filter((r) => !r.is_workday).map((r) => r.day)), onDays: new Set(rows.filter((r) => r.is_workday).map((r) => r.day)) };
}

/** Loads generated reports through the real intake pipeline, channel by channel. */
export async function seedDemoReports(ctx: AppContext, o: { days: number; perDay: number; now?: Date }): Promise<number> {
  const now = o.now ?? new Date();
  const options: GeneratorOptions = { from: new Date(now.getTime() - o.days * 86_400_000), days: o.days + 1, perDay: o.perDay, now, ...(await calendarSets(ctx)) };
  const byChannel = new Map<string, Record<string, unknown>[]>();
  for (const { channel, record } of generateRecords(options)) {
    const list = byChannel.get(channel) ?? [];
    list.push(record);
    byChannel.set(channel, list);
  }
  let inserted = 0;
  for (const [channel, records] of byChannel) {
    const r = await ingest(ctx, { adapter: ADAPTERS[channel]!, origin: 'seed', actor: SYSTEM_ACTOR, fileName: '演示数据', headers: null, rows: jsonArray(records) });
    inserted += r.inserted;
  }
  return inserted;
}
