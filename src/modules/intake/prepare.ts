import crypto from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { isPersonalNumber, maskName, maskPhone } from '../../lib/crypto.ts';
import { ADAPTERS, RowError, text, type CanonicalRecord, type ChannelAdapter } from './adapters.ts';
import { FILE_KEYS } from './pushed-files.ts';
import { CANONICAL_FIELDS, headerIndex, normalizeHeader, type CanonicalField } from './fields.ts';
import { parseRow, type SourceRow } from './files.ts';
import { PlaceMatcher, reportRegion, type RegionRow } from './places.ts';

/**
 * The per-row half of the intake pipeline, with no database: map a row onto the channel's fields, normalize it,
 * hash it, encrypt its personal numbers and match its places, producing text ready for the database. Runs on the
 * main thread, or in worker threads (prepare-worker.ts) for large imports: everything here is synchronous and its
 * inputs and outputs are plain data.
 */

/** What a preparer needs besides the rows; plain data, so that it can be sent to a worker. */
export type PrepareSetup = {
  channel: string;
  /** Tabular files: each header → its field. Null for records (JSON), whose keys are matched one by one. */
  tabular: [string, CanonicalField][] | null;
  /** A saved column mapping for records: normalized key → field. */
  saved: [string, CanonicalField][];
  regions: RegionRow[];
  units: string[];
  /** The file's headers in order, for rows read as CSV cells (files.ts parseRow); null otherwise. */
  columns: string[] | null;
};

/** The operations of FieldCipher that preparing uses. */
export type Sealer = { encrypt(plain: string): string; contentHash(data: string): string; blindIndex(value: string): string };

/**
 * problem's columns prepared for each record (all but channel, which is the import's), in the order they are written;
 * then problem_source's columns that come from the record.
 */
export const PROBLEM_COLUMNS = ['tracking_code', 'title', 'body', 'kind_code', 'kind_text', 'reported_at', 'address', 'region_text', 'region_code', 'target_text', 'unit_text', 'reporter_name_enc', 'reporter_name_mask', 'reporter_phone_enc', 'reporter_phone_mask', 'reporter_phone_index', 'confidential', 'flags'] as const;
export const SOURCE_COLUMNS = ['external_id', 'source_state', 'handled_by', 'reply', 'replied_at', 'satisfaction'] as const;
export type ProblemColumn = (typeof PROBLEM_COLUMNS)[number];
export type SourceColumn = (typeof SOURCE_COLUMNS)[number];

/**
 * A row ready for the database. Its texts are UTF-8 in the batch's buffer (PreparedBatch.data): the stored record as
 * JSON from `at`; from `problemAt` the PROBLEM_COLUMNS and from `sourceAt` the SOURCE_COLUMNS, each value as
 * a 32-bit big-endian byte length (-1 for null) and its text: the element format of PostgreSQL's binary arrays, so that
 * a column's values can be copied into one array parameter as they are (repo.ts textColumns).
 */
export type PreparedRow = {
  rowNo: number;
  externalId: string;
  hash: string;
  trackingCode: string;
  at: number;
  problemAt: number;
  sourceAt: number;
};
export type RejectedRow = { rowNo: number; externalId: string | null; field: string | null; message: string };
/** Rows in the order read, and one buffer with their texts (sent between threads as it is, not copied). */
export type PreparedBatch = { items: (PreparedRow | RejectedRow)[]; data: Uint8Array; unknownKeys: string[] };

export const isRejected = (item: PreparedRow | RejectedRow): item is RejectedRow => 'message' in item;

const TRACKING_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Random bytes for tracking codes from a pool refilled 64 KB at a time, not a system call per code. */
const CODE_POOL = Buffer.alloc(65_536);
let codeOffset = CODE_POOL.length;

/** ZD + 10 random characters from a 32-letter alphabet (no I, L, O, U). */
export function trackingCode(): string {
  if (codeOffset + 10 > CODE_POOL.length) {
    crypto.randomFillSync(CODE_POOL);
    codeOffset = 0;
  }
  let code = 'ZD';
  for (let i = 0; i < 10; i++) code += TRACKING_ALPHABET[CODE_POOL[codeOffset + i]! & 31];
  codeOffset += 10;
  return code;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Adds every object key under `v` (nested objects and objects in arrays) to `into`. False if something in it is not
 * plain JSON-like data (class instances, "__proto__" keys, cycles or very deep nesting): the caller then falls back to
 * the general stable stringify.
 */
function collectKeys(v: unknown, into: Set<string>, depth = 0): boolean {
  if (v === null || typeof v !== 'object' || v instanceof Date) return true;
  if (depth > 32) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!collectKeys(x, into, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(v)) return false;
  for (const k in v) {
    if (k === '__proto__') return false;
    into.add(k);
    const x = v[k];
    if (x !== null && typeof x === 'object' && !collectKeys(x, into, depth + 1)) return false;
  }
  return true;
}

let lastKeys: string[] = [];
let lastSorted: string[] = [];

/**
 * The row as JSON with the keys of every object sorted: the text its content hash is computed over. The same text as
 * safe-stable-stringify (the hash of a record must never change between versions of the platform), produced by the
 * native JSON.stringify with the sorted key list as its property list.
 */
export function canonicalJson(row: Record<string, unknown>): string {
  let flat = isPlainObject(row);
  let keys: string[] = [];
  if (flat) {
    keys = Object.keys(row);
    for (const k of keys) {
      const v = row[k];
      if (k === '__proto__' || (v !== null && typeof v === 'object' && !(v instanceof Date))) {
        flat = false;
        break;
      }
    }
  }
  let sorted: string[];
  if (flat) {
    // CSV rows, and most records, have the keys of the row before them
    let same = keys.length === lastKeys.length;
    for (let i = 0; same && i < keys.length; i++) same = keys[i] === lastKeys[i];
    if (!same) {
      lastKeys = keys;
      lastSorted = [...keys].sort();
    }
    sorted = lastSorted;
  } else {
    const all = new Set<string>();
    if (!collectKeys(row, all)) return stringify(row) ?? '{}';
    sorted = [...all].sort();
  }
  try {
    return JSON.stringify(row, sorted);
  } catch {
    return stringify(row) ?? '{}'; // cycles, BigInt: what safe-stable-stringify writes for them
  }
}

/** A copy of `obj` with the value at `path` replaced; objects along the path are copied, the rest shared. */
function replaced(obj: Record<string, unknown>, path: string[], at: number, value: unknown): Record<string, unknown> {
  const copy = { ...obj };
  const key = path[at]!;
  copy[key] = at === path.length - 1 ? value : replaced(copy[key] as Record<string, unknown>, path, at + 1, value);
  return copy;
}

const WS = /\s+/g;
/** Longer ids do not fit the record index (and no channel writes them). */
const MAX_ID_CHARS = 200;
/** 2.02603E+11: what Excel shows, and saves, for a long number in a General cell; the digits are gone. */
const EXCEL_SCIENTIFIC = /^\d(\.\d+)?E\+\d+$/i;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Rejects the row naming the field with a character no database text can hold (NUL, half a surrogate pair). */
function unstorableCharacter(row: Record<string, unknown>, prefix = ''): void {
  for (const [k, v] of Object.entries(row)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string' && UNSTORABLE.test(v)) throw new RowError(null, `“${key}”含有无法保存的字符（空字符或残缺的 Unicode 字符），请检查来源数据`);
    if (v && typeof v === 'object') unstorableCharacter(v as Record<string, unknown>, key);
  }
}
const REGION_CACHE_MAX = 50_000;

/** Prepares rows for one import: one per import and thread (it caches key lookups and place matches). */
export class Preparer {
  readonly #adapter: ChannelAdapter;
  readonly #cipher: Sealer;
  readonly #places: PlaceMatcher;
  readonly #personal: Set<CanonicalField>;
  /** Tabular files: the header mapping, fixed. Records: each key's field (or null) once looked up. */
  readonly #keyField: Map<string, CanonicalField | null>;
  readonly #tabular: boolean;
  readonly #saved: Map<string, CanonicalField>;
  readonly #specIndex: Map<string, CanonicalField>;
  readonly #regionCache = new Map<string, string | null>();
  readonly #columns: string[] | null;

  constructor(setup: PrepareSetup, cipher: Sealer, adapter: ChannelAdapter | undefined = ADAPTERS[setup.channel]) {
    if (!adapter) throw new Error(`渠道“${setup.channel}”没有适配器`);
    this.#adapter = adapter;
    this.#cipher = cipher;
    this.#places = new PlaceMatcher(setup.regions, setup.units);
    this.#personal = new Set(adapter.personal);
    this.#tabular = setup.tabular !== null;
    this.#keyField = new Map(setup.tabular ?? []);
    this.#saved = new Map(setup.saved);
    this.#specIndex = headerIndex(adapter.specs);
    this.#columns = setup.columns;
  }

  #fieldOf(key: string, unknown: Set<string>): CanonicalField | null {
    let f = this.#keyField.get(key);
    if (f === undefined) {
      if (this.#tabular) f = null; // a column not understood: reported from the headers
      else {
        const n = normalizeHeader(key);
        // pushed files are stored as attachments (pushed-files.ts), their names and digests kept here
        f = this.#saved.get(n) ?? this.#specIndex.get(n) ?? ((FILE_KEYS as readonly string[]).includes(key) ? 'extra' : null);
      }
      this.#keyField.set(key, f);
      // reported once per preparer (the import gathers them from every batch); in a table, a cell without a header
      if (f === null && (!this.#tabular || !this.#columns?.includes(key))) unknown.add(key);
    }
    return f;
  }

  /** Rows in, in order: each becomes a prepared row or a rejection (row number, field, reason). */
  run(rows: SourceRow[]): PreparedBatch {
    const items: (PreparedRow | RejectedRow)[] = [];
    const unknown = new Set<string>();
    const out = new TextSink(rows.length * 2048);
    for (const read of rows) {
      const src = parseRow(read, this.#columns);
      if ('error' in src) {
        items.push({ rowNo: src.rowNo, externalId: null, field: null, message: src.error });
        continue;
      }
      try {
        items.push(this.#prepare(src.rowNo, src.row, unknown, out));
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        items.push({ rowNo: src.rowNo, externalId: e.externalId, field: e.field ? `${e.field}（${CANONICAL_FIELDS[e.field as CanonicalField] ?? e.field}）` : null, message: e.message });
      }
    }
    return { items, data: out.done(), unknownKeys: [...unknown] };
  }

  #prepare(rowNo: number, row: Record<string, unknown>, unknown: Set<string>, out: TextSink): PreparedRow {
    const rec: CanonicalRecord = {};
    const personal: [string[], unknown][] = [];
    const visit = (obj: Record<string, unknown>, prefix: string, path: string[]) => {
      for (const k of Object.keys(obj)) {
        const value = obj[k];
        const key = prefix ? `${prefix}.${k}` : k;
        if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
          const expected = this.#tabular ? null : this.#fieldOf(key, new Set());
          if (expected && expected !== 'extra') throw new RowError(expected, `“${key}”应为文字或数字，收到的是一组字段`);
          visit(value as Record<string, unknown>, key, [...path, k]);
          continue;
        }
        const field = this.#fieldOf(key, unknown);
        if (Array.isArray(value) && field && field !== 'extra') throw new RowError(field, `“${key}”应为文字或数字，收到的是列表`);
        if (!field || field === 'extra') {
          // a phone or ID number under a name no one mapped is encrypted all the same
          if (isPersonalNumber(value)) personal.push([[...path, k], value]);
          continue;
        }
        const had = rec[field];
        if (had === undefined || had === null || had === '') rec[field] = value;
        if (this.#personal.has(field) && value !== null && value !== undefined && value !== '') personal.push([[...path, k], value]);
      }
    };
    try {
      visit(row, '', []);
    } catch (e) {
      // refused before the record was read whole: its id all the same, if it has one, beside the row number
      if (e instanceof RowError) e.externalId ??= this.#idOf(row);
      throw e;
    }
    let d: ReturnType<ChannelAdapter['toDraft']>;
    try {
      d = this.#adapter.toDraft(rec);
    } catch (e) {
      if (e instanceof RowError) e.externalId ??= text(rec.id); // the record's own id, in the report beside its row number
      throw e;
    }
    const cipher = this.#cipher;
    const hash = cipher.contentHash(canonicalJson(row));

    // one ciphertext per personal value, shared by the raw record and the problem
    const sealed = new Map<string, string>();
    const seal = (plain: string) => {
      let c = sealed.get(plain);
      if (!c) sealed.set(plain, (c = cipher.encrypt(plain)));
      return c;
    };
    let stored = row;
    for (const [path, value] of personal) stored = replaced(stored, path, 0, { $sm4: seal(String(value).replace(WS, ' ').trim()) });

    // nothing more specific than the city in the fields (mailboxes, social posts, 人民网's "芜湖市"): looked for in the text
    const { code: regionCode, fromText } = reportRegion(this.#places, d, (t, a) => this.#region(t, a));
    const flags: string[] = fromText ? ['region_from_text'] : [];
    if ((d.regionText || d.address) && !regionCode) flags.push('region_unmatched');
    if (d.unitText && !this.#places.knowsUnit(d.unitText)) flags.push('unit_unmatched');
    if (d.source.handledBy && !this.#places.knowsUnit(d.source.handledBy)) flags.push('handler_unmatched');
    if (!d.kindCode) flags.push('kind_unknown');

    const externalId = d.externalId ?? `h:${hash.slice(0, 32)}`;
    if (externalId.length > MAX_ID_CHARS) throw new RowError('id', `记录编号过长（${externalId.length} 字，最多 ${MAX_ID_CHARS} 字）`);
    if (EXCEL_SCIENTIFIC.test(externalId)) {
      throw new RowError('id', `记录编号“${externalId}”是 Excel 的科学计数法，原编号已丢失：请在 Excel 中把该列设为文本后重新导出`);
    }
    const code = trackingCode();
    const problem: Record<ProblemColumn, string | null> = {
      tracking_code: code,
      title: d.title,
      body: d.body,
      kind_code: d.kindCode,
      kind_text: d.kindText,
      reported_at: d.reportedAt.toISOString(),
      address: d.address,
      region_text: d.regionText,
      region_code: regionCode,
      target_text: d.targetText,
      unit_text: d.unitText,
      reporter_name_enc: d.reporterName ? seal(d.reporterName) : null,
      reporter_name_mask: maskName(d.reporterName),
      reporter_phone_enc: d.reporterPhone ? seal(d.reporterPhone) : null,
      reporter_phone_mask: maskPhone(d.reporterPhone),
      reporter_phone_index: d.reporterPhone ? cipher.blindIndex(d.reporterPhone) : null,
      confidential: d.confidential ? 'true' : 'false',
      flags: `{${flags.join(',')}}`,
    };
    const source: Record<SourceColumn, string | null> = {
      external_id: externalId,
      source_state: d.source.state,
      handled_by: d.source.handledBy,
      reply: d.source.reply,
      replied_at: d.source.repliedAt?.toISOString() ?? null,
      satisfaction: d.source.satisfaction,
    };
    const json = JSON.stringify(stored);
    // JSON escapes NUL and unpaired surrogates as \u…, which PostgreSQL refuses (and would fail the whole chunk)
    if (json.includes('\\u')) unstorableCharacter(row);
    const at = out.length;
    const problemAt = out.write(json);
    for (const c of PROBLEM_COLUMNS) out.value(problem[c]);
    const sourceAt = out.length;
    for (const c of SOURCE_COLUMNS) out.value(source[c]);
    return { rowNo, externalId, hash, trackingCode: code, at, problemAt, sourceAt };
  }

  /** The record's own id, from a top-level key that maps to it. */
  #idOf(row: Record<string, unknown>): string | null {
    for (const k of Object.keys(row)) {
      const v = row[k];
      if ((typeof v === 'string' || typeof v === 'number') && this.#fieldOf(k, new Set()) === 'id') return text(v);
    }
    return null;
  }

  /** Place matching by the district and address fields, which repeat from record to record. */
  #region(regionText: string | null, address: string | null): string | null {
    const key = `${regionText ?? ''}\u0000${address ?? ''}`;
    let code = this.#regionCache.get(key);
    if (code === undefined) {
      if (this.#regionCache.size >= REGION_CACHE_MAX) this.#regionCache.clear();
      code = this.#places.region(regionText, address);
      this.#regionCache.set(key, code);
    }
    return code;
  }
}

/** UTF-8 text appended to one growing buffer. */
class TextSink {
  #buf: Uint8Array;
  #len = 0;
  readonly #encoder = new TextEncoder();
  constructor(capacity: number) {
    this.#buf = new Uint8Array(capacity);
  }
  get length() {
    return this.#len;
  }
  #reserve(bytes: number) {
    const need = this.#len + bytes;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
  }
  /** Appends the text; returns the length after it. */
  write(text: string): number {
    this.#reserve(text.length * 3); // a UTF-16 unit is at most 3 bytes of UTF-8
    this.#len += this.#encoder.encodeInto(text, this.#buf.subarray(this.#len)).written;
    return this.#len;
  }
  /** Appends a value: its UTF-8 byte length as a 32-bit big-endian number (-1 for null), then its text. */
  value(text: string | null) {
    this.#reserve(4 + (text ? text.length * 3 : 0));
    const at = this.#len;
    const n = text === null ? -1 : this.#encoder.encodeInto(text, this.#buf.subarray(at + 4)).written;
    const b = this.#buf;
    b[at] = n >>> 24;
    b[at + 1] = (n >>> 16) & 255;
    b[at + 2] = (n >>> 8) & 255;
    b[at + 3] = n & 255;
    this.#len = at + 4 + Math.max(n, 0);
  }
  /** The text written: a view at the start of a buffer of its own (which can be transferred to another thread). */
  done(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}
