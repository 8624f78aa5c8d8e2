import crypto from 'node:crypto';
import { crc32 } from 'node:zlib';
import stringify from 'safe-stable-stringify';
import type { AppContext } from '../../context.ts';
import { maskName, maskPhone } from '../../lib/crypto.ts';
import { recordAudit } from '../audit/service.ts';
import { enqueueJob } from '../jobs/runner.ts';
import type { Actor } from '../auth/access.ts';
import { RowError, type CanonicalRecord, type ChannelAdapter, type ProblemDraft } from './adapters.ts';
import { CANONICAL_FIELDS, headerIndex, normalizeHeader, resolveHeaders, type CanonicalField } from './fields.ts';
import { FileError, type SourceRow } from './files.ts';
import { PlaceMatcher } from './places.ts';
import { intakeRepo, type ProblemInsert, type RawInsert, type SourceInsert } from './repo.ts';

export const CHUNK = 1000;
const MAX_ERRORS_RETURNED = 1000;
const TRACKING_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type RowProblem = { rowNo: number | null; externalId: string | null; field: string | null; message: string };
export type IngestResult = {
  batchId: number;
  read: number;
  inserted: number;
  changed: number;
  repeats: number;
  rejected: number;
  errors: RowProblem[];
  unknownColumns: string[];
};
export type IngestOptions = {
  adapter: ChannelAdapter;
  origin: 'cli' | 'api' | 'web' | 'form' | 'seed';
  actor: Actor;
  fileName?: string | null;
  headers: string[] | null;
  rows: AsyncIterable<SourceRow>;
  savedMapping?: Record<string, string>;
  /** Called once the batch row exists, before any record is stored. */
  onBatch?: (batchId: number) => void;
  onProgress?: (p: { read: number; inserted: number; changed: number; repeats: number; rejected: number }) => void;
};

export function trackingCode(): string {
  const bytes = crypto.randomBytes(10);
  return `ZD${[...bytes].map((b) => TRACKING_ALPHABET[b % 32]).join('')}`;
}

type Prepared = { rowNo: number; externalId: string; hash: string; payload: string; draft: ProblemDraft; sealed: Map<string, string> };

/** Every leaf of a nested record as [dotted path, value]. */
function leaves(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) out.push(...leaves(v as Record<string, unknown>, key));
    else out.push([key, v]);
  }
  return out;
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown) {
  const parts = dotted.split('.');
  let node = obj;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

/**
 * The intake pipeline: map each row onto the channel's fields, store it verbatim (personal numbers encrypted)
 * in raw_record, and create or update its problem — in chunks, each chunk one transaction, so a killed import
 * re-run later stores every record exactly once. Bad rows are reported, never a reason to stop.
 */
export async function ingest(ctx: AppContext, opts: IngestOptions): Promise<IngestResult> {
  const { adapter, actor } = opts;
  const { db, cipher } = ctx;
  const specIndex = headerIndex(adapter.specs);
  let tabular: Map<string, CanonicalField> | null = null;
  let unknownColumns: string[] = [];
  if (opts.headers) {
    const r = resolveHeaders(opts.headers, adapter.specs, adapter.required, opts.savedMapping);
    if (r.missing.length) {
      const names = r.missing.map((f) => `${CANONICAL_FIELDS[f]}（如“${adapter.specs.find((s) => s.field === f)?.headers[0] ?? f}”）`);
      throw new FileError(`缺少必需的列：${names.join('、')}。未能识别的列：${r.unknown.join('、') || '无'}`);
    }
    tabular = r.mapping;
    unknownColumns = r.unknown;
  }
  const saved = new Map(Object.entries(opts.savedMapping ?? {}).map(([h, f]) => [normalizeHeader(h), f as CanonicalField]));
  const unknownKeys = new Set<string>();
  const keyCache = new Map<string, CanonicalField | null>();
  const fieldOfKey = (key: string): CanonicalField | null => {
    if (tabular) return tabular.get(key) ?? null;
    let f = keyCache.get(key);
    if (f === undefined) {
      const n = normalizeHeader(key);
      f = saved.get(n) ?? specIndex.get(n) ?? null;
      if (!f) unknownKeys.add(key);
      keyCache.set(key, f);
    }
    return f;
  };

  const [regions, units] = await Promise.all([intakeRepo.regionNames(db), intakeRepo.unitNames(db)]);
  const places = new PlaceMatcher(regions, units.map((u) => u.name));
  const userId = actor.principal?.kind === 'user' ? actor.principal.userId : null;
  const apiKeyId = actor.principal?.kind === 'apiKey' ? actor.principal.keyId : null;
  const { id: batchId } = await intakeRepo.createBatch(db, { channel: adapter.channel, origin: opts.origin, fileName: opts.fileName ?? null, createdBy: userId, apiKeyId });
  opts.onBatch?.(batchId);
  const totals = { read: 0, inserted: 0, changed: 0, repeats: 0, rejected: 0 };
  const errors: RowProblem[] = [];

  function prepare(src: { rowNo: number; row: Record<string, unknown> }): Prepared {
    const rec: CanonicalRecord = {};
    const personalPaths: [string, unknown][] = [];
    for (const [key, value] of leaves(src.row)) {
      const field = fieldOfKey(key);
      if (!field || field === 'extra') continue;
      if (rec[field] === undefined || rec[field] === null || rec[field] === '') rec[field] = value;
      if (adapter.personal.includes(field) && value !== null && value !== undefined && value !== '') personalPaths.push([key, value]);
    }
    const draft = adapter.toDraft(rec);
    const canonical = stringify(src.row) ?? '{}';
    const hash = cipher.contentHash(canonical);
    const stored = personalPaths.length ? (JSON.parse(canonical) as Record<string, unknown>) : src.row;
    // one ciphertext per personal value, shared by the raw record and the problem
    const sealed = new Map<string, string>();
    const seal = (plain: string) => {
      let c = sealed.get(plain);
      if (!c) sealed.set(plain, (c = cipher.encrypt(plain)));
      return c;
    };
    for (const [path, value] of personalPaths) setPath(stored, path, { $sm4: seal(String(value).replace(/\s+/g, ' ').trim()) });
    if (draft.reporterName) seal(draft.reporterName);
    if (draft.reporterPhone) seal(draft.reporterPhone);
    return { rowNo: src.rowNo, externalId: draft.externalId ?? `h:${hash.slice(0, 32)}`, hash, payload: JSON.stringify(stored), draft, sealed };
  }

  function toProblem(p: Prepared): ProblemInsert {
    const d = p.draft;
    let regionCode = places.region(d.regionText, d.address);
    const flags: string[] = [];
    // nothing more specific than the city in the fields (mailboxes, social posts, 人民网's "芜湖市"): look in the text
    if (!regionCode || regionCode.endsWith('00')) {
      const fromText = places.region(null, `${d.title} ${d.body}`);
      if (fromText && fromText !== regionCode) {
        regionCode = fromText;
        flags.push('region_from_text');
      }
    }
    if ((d.regionText || d.address) && !regionCode) flags.push('region_unmatched');
    if (d.unitText && !places.knowsUnit(d.unitText)) flags.push('unit_unmatched');
    if (!d.kindCode) flags.push('kind_unknown');
    return {
      tracking_code: trackingCode(),
      channel: adapter.channel,
      title: d.title,
      body: d.body,
      kind_code: d.kindCode,
      kind_text: d.kindText,
      reported_at: d.reportedAt,
      address: d.address,
      region_text: d.regionText,
      region_code: regionCode,
      target_text: d.targetText,
      unit_text: d.unitText,
      reporter_name_enc: d.reporterName ? p.sealed.get(d.reporterName)! : null,
      reporter_name_mask: maskName(d.reporterName),
      reporter_phone_enc: d.reporterPhone ? p.sealed.get(d.reporterPhone)! : null,
      reporter_phone_mask: maskPhone(d.reporterPhone),
      reporter_phone_index: d.reporterPhone ? cipher.blindIndex(d.reporterPhone) : null,
      confidential: d.confidential,
      flags,
    };
  }

  const sourceOf = (p: Prepared, problemId: number, rawId: number, version: number, reason: 'origin' | 'version'): SourceInsert => ({
    problem_id: problemId,
    raw_record_id: rawId,
    channel: adapter.channel,
    external_id: p.externalId,
    version,
    link_reason: reason,
    source_state: p.draft.source.state,
    handled_by: p.draft.source.handledBy,
    reply: p.draft.source.reply,
    replied_at: p.draft.source.repliedAt,
    satisfaction: p.draft.source.satisfaction,
  });

  /** Stores one chunk in one transaction. Returns the items that must wait for the next chunk (a second version of a record in the same chunk). */
  async function store(items: Prepared[], read: number, rejected: number): Promise<Prepared[]> {
    const seen = new Map<string, Prepared>();
    const later: Prepared[] = [];
    let repeats = 0;
    for (const p of items) {
      const first = seen.get(p.externalId);
      if (!first) seen.set(p.externalId, p);
      else if (first.hash === p.hash) repeats++;
      else later.push(p);
    }
    const batch = [...seen.values()];
    const counts = await db.transaction().execute(async (tx) => {
      const known = await intakeRepo.knownVersions(tx, adapter.channel, batch.map((p) => p.externalId));
      const byId = new Map<string, { max: number; hashes: Set<string> }>();
      for (const k of known) {
        const e = byId.get(k.external_id) ?? { max: 0, hashes: new Set<string>() };
        e.max = Math.max(e.max, k.version);
        e.hashes.add(k.content_hash);
        byId.set(k.external_id, e);
      }
      const fresh: Prepared[] = [];
      const changed: { p: Prepared; version: number }[] = [];
      for (const p of batch) {
        const k = byId.get(p.externalId);
        if (!k) fresh.push(p);
        else if (k.hashes.has(p.hash)) repeats++;
        else changed.push({ p, version: k.max + 1 });
      }
      const raws: RawInsert[] = [
        ...fresh.map((p) => ({ channel: adapter.channel, external_id: p.externalId, version: 1, content_hash: p.hash, payload: p.payload, batch_id: batchId })),
        ...changed.map(({ p, version }) => ({ channel: adapter.channel, external_id: p.externalId, version, content_hash: p.hash, payload: p.payload, batch_id: batchId })),
      ];
      const inserted = await intakeRepo.insertRaw(tx, raws);
      const rawIdOf = new Map(inserted.map((r) => [`${r.external_id}#${r.version}`, r.id]));
      // a record stored meanwhile by a concurrent import is a repeat, not an error
      const freshStored = fresh.filter((p) => rawIdOf.has(`${p.externalId}#1`));
      const changedStored = changed.filter(({ p, version }) => rawIdOf.has(`${p.externalId}#${version}`));
      repeats += fresh.length - freshStored.length + changed.length - changedStored.length;

      const drafts = freshStored.map(toProblem);
      const problemIdOf = new Map((await intakeRepo.insertProblems(tx, drafts)).map((r) => [r.tracking_code, r.id]));
      const sources: SourceInsert[] = freshStored.map((p, i) => sourceOf(p, problemIdOf.get(drafts[i]!.tracking_code)!, rawIdOf.get(`${p.externalId}#1`)!, 1, 'origin'));
      const owners = new Map((await intakeRepo.problemsOfRecords(tx, adapter.channel, changedStored.map(({ p }) => p.externalId))).map((o) => [o.external_id, o.problem_id]));
      for (const { p, version } of changedStored) sources.push(sourceOf(p, owners.get(p.externalId)!, rawIdOf.get(`${p.externalId}#${version}`)!, version, 'version'));
      await intakeRepo.insertSources(tx, sources);
      await intakeRepo.touchProblems(tx, [...new Set(changedStored.map(({ p }) => owners.get(p.externalId)!))]);
      const c = { read, inserted: freshStored.length, changed: changedStored.length, repeats, rejected };
      await intakeRepo.addToBatch(tx, batchId, c);
      if (c.inserted || c.changed) {
        await recordAudit(tx, actor, { action: 'intake.import', targetType: 'import_batch', targetId: batchId, summary: { channel: adapter.channel, inserted: c.inserted, changed: c.changed } });
      }
      return c;
    });
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += counts[k];
    opts.onProgress?.({ ...totals });
    return later;
  }

  // Chunks are written in lanes: the next chunk is read and prepared while the last is written, and on PostgreSQL
  // two lanes write at once. A record always goes to the same lane, so its versions stay in order.
  type Lane = { pending: Prepared[]; writing: Promise<Prepared[]> };
  const lanes: Lane[] = Array.from({ length: ctx.database.kind === 'postgres' ? 2 : 1 }, () => ({ pending: [], writing: Promise.resolve([]) }));
  const laneOf = (externalId: string): Lane => lanes[lanes.length === 1 ? 0 : crc32(externalId) % lanes.length]!;
  let unflushedRead = 0;
  let unflushedRejected = 0;
  const flush = async (lane: Lane) => {
    const carried = await lane.writing;
    const items = [...carried, ...lane.pending];
    lane.pending = [];
    lane.writing = store(items, unflushedRead, unflushedRejected);
    lane.writing.catch(() => {}); // awaited by the lane's next flush or at the end
    unflushedRead = unflushedRejected = 0;
  };
  const allErrors: RowProblem[] = [];
  const reject = (e: RowProblem) => {
    unflushedRejected++;
    if (errors.length < MAX_ERRORS_RETURNED) errors.push(e);
    allErrors.push(e);
  };
  const settle = () => Promise.all(lanes.map((l) => l.writing.catch(() => []))).then(() => {});
  try {
    for await (const src of opts.rows) {
      unflushedRead++;
      if ('error' in src) reject({ rowNo: src.rowNo, externalId: null, field: null, message: src.error });
      else {
        try {
          const p = prepare(src);
          const lane = laneOf(p.externalId);
          lane.pending.push(p);
          if (lane.pending.length >= CHUNK) await flush(lane);
        } catch (e) {
          if (!(e instanceof RowError)) throw e;
          reject({ rowNo: src.rowNo, externalId: null, field: e.field ? `${e.field}（${CANONICAL_FIELDS[e.field as CanonicalField] ?? e.field}）` : null, message: e.message });
        }
      }
    }
    for (const lane of lanes) await flush(lane);
    for (const lane of lanes) {
      for (let carried = await lane.writing; carried.length; carried = await lane.writing) lane.writing = store(carried, 0, 0);
    }
    await intakeRepo.insertErrors(db, batchId, allErrors.map((e) => ({ row_no: e.rowNo, external_id: e.externalId, field: e.field, message: e.message })));
    await intakeRepo.finishBatch(db, batchId, 'done', null);
    // triage runs after the commit, in the job runner, not as part of the import
    if (totals.inserted) await enqueueJob(db, 'triage.pending', {}, { uniqueKey: `triage-after-import-${batchId}` });
  } catch (e) {
    await settle(); // let chunks already being written finish (or roll back) first
    await intakeRepo.finishBatch(db, batchId, 'failed', (e as Error).message.slice(0, 1000));
    throw e;
  }
  if (!tabular) unknownColumns = [...unknownKeys];
  return { batchId, ...totals, errors, unknownColumns };
}
