import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../context.ts';
import { maskPhone } from '../../lib/crypto.ts';
import { badRequest, fieldError, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, isTopUnit, scopePaths, SYSTEM_ACTOR, type Actor } from '../auth/access.ts';
import { intakeRepo } from './repo.ts';
import { PlaceMatcher, reportRegion } from './places.ts';
import { ADAPTERS, reporterPhone, type ChannelAdapter } from './adapters.ts';
import { headerScore, resolveHeaders } from './fields.ts';
import { jsonArray, MissingColumnsError, openRecordFile, parseRow, type SourceRow } from './files.ts';
import { ingest, type IngestResult, type RowProblem } from './pipeline.ts';
import { markRefused, takeFiles, type RefusedFile } from './pushed-files.ts';
import { createAttachmentsService } from '../attachments/service.ts';
import { routeProposer } from '../routing/service.ts';
import { regionScope } from '../problems/scope.ts';

export function adapterFor(channel: string): ChannelAdapter {
  const adapter = ADAPTERS[channel];
  if (!adapter) throw fieldError('channel', `渠道“${channel}”不支持文件或接口导入（可用：${Object.keys(ADAPTERS).join('、')}）`);
  return adapter;
}

const FORMAT_NAMES = { csv: 'CSV', xlsx: 'XLSX', jsonl: 'JSON 行', json: 'JSON 数组' } as const;
const channelName = async (ctx: AppContext, code: string) => (await intakeRepo.channelName(ctx.db, code)) ?? code;

async function savedMapping(ctx: AppContext, channel: string, name: string | undefined) {
  if (!name) return undefined;
  const row = await intakeRepo.findMapping(ctx.db, channel, name);
  if (!row) throw fieldError('mapping', `渠道“${await channelName(ctx, channel)}”没有名为“${name}”的列映射`);
  return row.mapping;
}

/** Imports a file (CSV, XLSX, JSON lines or a JSON array) through the channel's adapter. */
export async function importFile(ctx: AppContext, actor: Actor, o: { channel: string; file: string; origin: 'cli' | 'web'; mappingName?: string; onProgress?: Parameters<typeof ingest>[1]['onProgress']; onBatch?: (batchId: number) => void }): Promise<IngestResult> {
  const adapter = adapterFor(o.channel);
  const mapping = await savedMapping(ctx, o.channel, o.mappingName);
  const opened = await openRecordFile(o.file, { unparsed: true, headerScore: headerScore(adapter.specs, mapping) });
  if (!adapter.formats.includes(opened.format)) {
    const formats = adapter.formats.map((f) => FORMAT_NAMES[f]).join('、');
    throw badRequest(`渠道“${await channelName(ctx, o.channel)}”不接受${FORMAT_NAMES[opened.format]}文件（可用：${formats}）`);
  }
  const rows = opened.headers ? opened.rows : await recordsOfThisChannel(ctx, adapter, opened.rows, mapping);
  const visible = await regionScope(ctx.db, actor, 'problem.read');
  return ingest(ctx, { adapter, origin: o.origin, actor, fileName: path.basename(o.file), fileBytes: fs.statSync(o.file).size, bytesRead: opened.bytesRead, file: { notices: opened.notices, sheet: opened.sheet }, headers: opened.headers, rows, savedMapping: mapping, onProgress: o.onProgress, onBatch: o.onBatch, visibleRegions: visible === 'all' ? undefined : visible });
}

/** A record's field names as the preparer reads them: nested ones as location.address. */
function leafKeys(row: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(row).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? leafKeys(v as Record<string, unknown>, key) : [key];
  });
}

/** What social posts call their platform, as channel codes. */
const PLATFORMS: Record<string, string> = { weibo: 'weibo', 微博: 'weibo', 新浪微博: 'weibo', wechat: 'wechat', weixin: 'wechat', 微信: 'wechat' };

/**
 * A JSON file whose first record lacks the channel's required fields and has none of its fields, or fewer than
 * another channel's whose records it reads as, was chosen under the wrong channel (or needs a column mapping): one
 * error for the file, naming the channel it looks like, instead of every row refused. The rows come back whole.
 */
async function recordsOfThisChannel(ctx: AppContext, adapter: ChannelAdapter, rows: AsyncIterable<SourceRow>, mapping: Record<string, string> | undefined): Promise<AsyncIterable<SourceRow>> {
  const it = rows[Symbol.asyncIterator]();
  const first = await it.next();
  const rest: AsyncIterable<SourceRow> = { [Symbol.asyncIterator]: () => it };
  if (first.done) return rest;
  const parsed = parseRow(first.value, null);
  if ('row' in parsed) {
    const keys = leafKeys(parsed.row);
    const own = resolveHeaders(keys, adapter.specs, adapter.required, mapping);
    // 微信 and 微博 posts carry the same fields: the record's own platform tells them apart
    const platform = PLATFORMS[String(parsed.row.platform ?? '').trim().toLowerCase()];
    const likely = Object.values(ADAPTERS)
      .filter((a) => a !== adapter && a.formats.some((f) => f === 'jsonl' || f === 'json'))
      .map((a) => ({ a, r: resolveHeaders(keys, a.specs, a.required) }))
      .filter(({ r }) => r.mapping.size >= 2 && !r.missing.length)
      .sort((x, y) => y.r.mapping.size - x.r.mapping.size || Number(y.a.channel === platform) - Number(x.a.channel === platform))[0];
    // a first record that is merely incomplete is refused alone, as any bad row
    if (keys.length && own.missing.length && (own.mapping.size === 0 || (likely && likely.r.mapping.size > own.mapping.size))) {
      const shown = keys.length > 8 ? `${keys.slice(0, 8).join('、')}……` : keys.join('、');
      const advice = likely ? `看起来是“${await channelName(ctx, likely.a.channel)}”的记录，请确认选择的渠道` : '请确认选择的渠道，或为这些字段保存列映射';
      throw new MissingColumnsError(`记录中的字段（${shown}）都不是“${await channelName(ctx, adapter.channel)}”的字段：${advice}`, { headers: keys, recognized: {}, missing: own.missing });
    }
  }
  return (async function* () {
    yield first.value;
    yield* rest;
  })();
}

/** Saves (or replaces) a named column mapping for a channel's files. */
export async function saveMapping(ctx: AppContext, actor: Actor, m: { channel: string; name: string; mapping: Record<string, string> }) {
  adapterFor(m.channel);
  return ctx.db.transaction().execute(async (tx) => {
    const row = await intakeRepo.upsertMapping(tx, { ...m, createdBy: actorUserId(actor) });
    await recordAudit(tx, actor, { action: 'intake.mapping_saved', targetType: 'column_mapping', targetId: row.id, summary: { channel: m.channel, name: m.name } });
    return row;
  });
}

export type PushResult = IngestResult & { attachments: { stored: number; refused: RefusedFile[] } };

/**
 * Records pushed over HTTP: one object or up to 1,000 in an array; keys mapped by a saved column mapping if named.
 * Files inside the records (pushed-files.ts) go to their problems' attachments once the records are stored.
 */
export async function importPushed(ctx: AppContext, actor: Actor, channel: string, body: unknown, mappingName?: string): Promise<PushResult> {
  const adapter = adapterFor(channel);
  const mapping = await savedMapping(ctx, channel, mappingName);
  const records = Array.isArray(body) ? body : [body];
  const taken = records.map((r, i) => (r && typeof r === 'object' && !Array.isArray(r) ? takeFiles(r as Record<string, unknown>, i + 1, ctx.config.attachments) : null));
  const idOfRow = new Map<number, string>();
  const result = await ingest(ctx, {
    adapter, origin: 'api', actor, headers: null, savedMapping: mapping,
    rows: jsonArray(taken.map((t, i) => t?.stored ?? records[i])),
    onRecord: (rowNo, externalId) => idOfRow.set(rowNo, externalId),
  });
  const refused = taken.flatMap((t) => t?.refused ?? []);
  let stored = 0;
  const withFiles = taken.flatMap((t, i) => (t?.files.length && idOfRow.has(i + 1) ? [{ record: i + 1, externalId: idOfRow.get(i + 1)!, files: t.files }] : []));
  if (withFiles.length) {
    const problemOf = new Map((await intakeRepo.problemsOfRecords(ctx.db, channel, withFiles.map((w) => w.externalId))).map((r) => [r.external_id, r.problem_id]));
    const attachments = createAttachmentsService(ctx);
    for (const w of withFiles) {
      const problemId = problemOf.get(w.externalId);
      if (!problemId) continue; // not stored (a concurrent change of the same record is reported as a repeat)
      // files refused for want of room are marked in the record this push stored (a repeat stored none)
      const r = await attachments.addPushed(actor, problemId, w.files, async (tx, refusedHere) => {
        const reasons = new Map(refusedHere.map((x) => [x.digest, x.reason]));
        for (const raw of await intakeRepo.rawOfBatch(tx, channel, w.externalId, result.batchId)) {
          const marked = markRefused(raw.payload, reasons);
          if (marked) await intakeRepo.setRawPayload(tx, raw.id, marked);
        }
      });
      stored += r.stored;
      refused.push(...r.refused.map((x) => ({ record: w.record, ...x })));
    }
  }
  return { ...result, attachments: { stored, refused } };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The rejected rows as CSV (with a BOM so that Excel opens it as UTF-8). */
export function errorReportCsv(errors: RowProblem[]): string {
  const lines = [['行号', '记录编号', '字段', '原因'].join(',')];
  // the field as people call it: “时间”, not “time（时间）” (the code is for the API's clients)
  for (const e of errors) lines.push([e.rowNo ?? '', e.externalId ?? '', e.field?.replace(/^[\w.]+（(.+)）$/, '$1') ?? '', e.message].map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** A batch's rejected rows, all of them (an import returns the first 1,000), as a CSV file beside the input file. */
export async function writeErrorReport(ctx: AppContext, inputFile: string, batchId: number): Promise<string | null> {
  const errors = await batchErrors(ctx, batchId);
  if (!errors.length) return null;
  const name = `${path.basename(inputFile)}.errors-${batchId}.csv`;
  const csv = errorReportCsv(errors);
  // beside the file, where people look; where that folder cannot be written (a read-only share), in the data directory
  try {
    const file = path.resolve(path.dirname(inputFile), name);
    fs.writeFileSync(file, csv);
    return file;
  } catch {
    const dir = path.join(ctx.config.dataDir, 'import-errors');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    fs.writeFileSync(file, csv);
    return file;
  }
}

/** Whose imports a person sees: everyone's for the whole city, else those started in their units (null: all). */
export function importScope(actor: Actor): string[] | null {
  const paths = scopePaths(actor.principal, 'problem.import');
  return paths.some(isTopUnit) ? null : paths;
}

export async function assertBatchVisible(ctx: AppContext, actor: Actor, id: number) {
  const scope = importScope(actor);
  if (scope && !(await intakeRepo.batchStartedUnder(ctx.db, id, scope))) throw notFound('导入批次');
}

export async function batchErrors(ctx: AppContext, batchId: number, limit?: number): Promise<RowProblem[]> {
  const rows = await intakeRepo.batchErrors(ctx.db, batchId, limit);
  return rows.map((e) => ({ rowNo: e.row_no, externalId: e.external_id, field: e.field, message: e.message }));
}

/**
 * Problems whose district or address matched no region when they came in, matched again against the regions as they
 * are now (a former name added since, a new township): those that match get the region and lose the flag. Audited
 * with the counts; the dashboards' rollups follow through the problem table's triggers.
 */
export async function rematchUnmatchedRegions(ctx: AppContext, actor: Actor, pageSize = 1000) {
  const { db } = ctx;
  // regions only: units are not matched again
  const [places, route] = await Promise.all([intakeRepo.regionNames(db).then((regions) => new PlaceMatcher(regions, [])), routeProposer(db)]);
  const counts = { checked: 0, matched: 0, rerouted: 0 };
  for (let after = 0; ;) {
    const rows = await intakeRepo.unmatchedRegions(db, after, pageSize);
    if (!rows.length) break;
    after = rows.at(-1)!.id;
    counts.checked += rows.length;
    const matches = rows.flatMap((r) => {
      const { code, fromText } = reportRegion(places, { regionText: r.region_text, address: r.address, title: r.title, body: r.body });
      if (!code) return [];
      // a triaged problem not dispatched yet is proposed to the unit its new region routes to (auto-dispatch follows it)
      const reroute = r.status === 'new' && r.triaged_at !== null;
      if (reroute) counts.rerouted++;
      const proposed = reroute ? route({ domain: r.domain_code, kind: r.kind_code, region: code }) : undefined;
      return [{ id: r.id, region_code: code, from_text: fromText, route: proposed === undefined ? undefined : proposed && JSON.stringify(proposed) }];
    });
    counts.matched += matches.length;
    await db.transaction().execute((tx) => intakeRepo.setMatchedRegions(tx, matches));
  }
  await db.transaction().execute((tx) => recordAudit(tx, actor, { action: 'problem.rematch_regions', targetType: 'system', summary: counts }));
  return counts;
}

/**
 * Reporters' phones stored before intake normalized them (+86 139…, 8613…, 139-5530-7777) read again as intake reads
 * them now: re-encrypted, re-masked and re-indexed, so that a lookup by the blind index finds them. Phones already in
 * their one form are left as they are, so it may run again at any time; a value that cannot be decrypted is counted.
 */
export async function normalizeReporterPhones(ctx: AppContext, pageSize = 1000) {
  const { db, cipher } = ctx;
  const counts = { checked: 0, changed: 0, unreadable: 0 };
  for (let after = 0; ;) {
    const rows = await intakeRepo.reporterPhones(db, after, pageSize);
    if (!rows.length) break;
    after = rows.at(-1)!.id;
    const changes: { id: number; was: string; next: Parameters<typeof intakeRepo.setReporterPhone>[3] }[] = [];
    for (const r of rows) {
      counts.checked++;
      const was = r.reporter_phone_enc!;
      let plain: string;
      try {
        plain = cipher.decrypt(was);
      } catch {
        counts.unreadable++;
        continue;
      }
      const phone = reporterPhone(plain);
      const next = { reporter_phone_enc: phone === plain ? was : phone && cipher.encrypt(phone), reporter_phone_mask: maskPhone(phone), reporter_phone_index: phone && cipher.blindIndex(phone) };
      if (next.reporter_phone_enc !== was || next.reporter_phone_mask !== r.reporter_phone_mask || next.reporter_phone_index !== r.reporter_phone_index) changes.push({ id: r.id, was, next });
    }
    if (changes.length) {
      await db.transaction().execute(async (tx) => {
        for (const c of changes) counts.changed += Number((await intakeRepo.setReporterPhone(tx, c.id, c.was, c.next)).numUpdatedRows);
      });
    }
  }
  await db.transaction().execute((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'problem.normalize_phones', targetType: 'system', summary: counts }));
  return counts;
}
