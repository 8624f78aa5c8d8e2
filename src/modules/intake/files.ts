import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { FileFormat } from './adapters.ts';

/** A whole file that cannot be read as what it claims to be: one clear error, nothing imported. */
export class FileError extends Error {}

export type ParsedRow = { rowNo: number; row: Record<string, unknown> } | { rowNo: number; error: string };
/**
 * A row as read; or, for an import whose rows go to a worker thread, a JSON line's text or a CSV row's cells, parsed
 * there (parseRow) rather than parsed here and copied across as objects.
 */
export type SourceRow = ParsedRow | { rowNo: number; text: string } | { rowNo: number; cells: string[] };
export type OpenedFile<R extends SourceRow = ParsedRow> = {
  format: FileFormat;
  encoding: string | null;
  headers: string[] | null;
  rows: AsyncIterable<R>;
  /** How many of the file's bytes have been read so far (for progress). */
  bytesRead: () => number;
};

const SNIFF_BYTES = 64 * 1024;
const MAX_JSON_ARRAY_BYTES = 100 * 1024 * 1024;

function readHead(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** UTF-8 (with or without BOM) or GB18030, decided from the first 64 KB. */
export function sniffEncoding(head: Buffer): 'utf-8' | 'gb18030' {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  // stream mode: a multi-byte character cut at the end of the sample is held back, not an error
  const complete = head.length < SNIFF_BYTES;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
    return 'utf-8';
  } catch {
    try {
      new TextDecoder('gb18030', { fatal: true }).decode(head, { stream: !complete });
      return 'gb18030';
    } catch {
      throw new FileError('文件编码无法识别：请保存为 UTF-8 或 GB18030（GBK）编码');
    }
  }
}

function decodeStream(encoding: string): Transform {
  const decoder = new TextDecoder(encoding, { ignoreBOM: false });
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      cb(null, decoder.decode(chunk, { stream: true }));
    },
    flush(cb) {
      cb(null, decoder.decode());
    },
  });
}

export function formatOf(file: string, head: Buffer): FileFormat {
  const ext = path.extname(file).toLowerCase();
  const isZip = head[0] === 0x50 && head[1] === 0x4b;
  if (ext === '.xlsx' || ext === '.xls') {
    if (!isZip) throw new FileError(`文件 ${path.basename(file)} 不是有效的 XLSX 文件（可能是旧版 .xls 或其他格式，请另存为 .xlsx）`);
    return 'xlsx';
  }
  if (isZip) return 'xlsx';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  if (ext === '.csv' || ext === '.txt') return 'csv';
  const first = head.toString('utf8').trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'jsonl';
  return 'csv';
}

/** A JSON line (trimmed, not empty) as a record, or why it is not one. */
function jsonLineRow(rowNo: number, text: string): ParsedRow {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return { rowNo, row: value };
    return { rowNo, error: '该行不是 JSON 对象' };
  } catch {
    return { rowNo, error: '该行不是合法的 JSON（可能被截断）' };
  }
}

/** A CSV row's cells under the file's (trimmed) headers; columns without a header are left out. */
function csvRow(rowNo: number, headers: string[], cells: string[]): ParsedRow {
  const row: Record<string, unknown> = {};
  headers.forEach((h, i) => {
    if (h) row[h] = cells[i] ?? '';
  });
  return { rowNo, row };
}

/** A row read unparsed (openRecordFile with unparsed), parsed: `headers` are the file's, for CSV cells. */
export function parseRow(src: SourceRow, headers: string[] | null): ParsedRow {
  if ('text' in src) return jsonLineRow(src.rowNo, src.text);
  if ('cells' in src) return csvRow(src.rowNo, headers ?? [], src.cells);
  return src;
}

/**
 * Opens a file as rows, streaming (CSV, XLSX, JSON lines) so memory stays flat as the file grows. With `unparsed`,
 * JSON lines come as their text and CSV rows as their cells, for parseRow.
 */
export async function openRecordFile(file: string): Promise<OpenedFile>;
export async function openRecordFile(file: string, o: { unparsed: true }): Promise<OpenedFile<SourceRow>>;
export async function openRecordFile(file: string, o: { unparsed?: boolean } = {}): Promise<OpenedFile<SourceRow>> {
  const unparsed = o.unparsed === true;
  if (!fs.existsSync(file)) throw new FileError(`文件不存在：${file}`);
  const size = fs.statSync(file).size;
  if (size === 0) throw new FileError('文件是空的');
  const head = readHead(file, SNIFF_BYTES);
  const format = formatOf(file, head);
  if (format === 'xlsx') {
    const input = fs.createReadStream(file);
    return { ...(await openXlsx(input)), bytesRead: () => input.bytesRead };
  }
  const encoding = sniffEncoding(head);
  if (format === 'csv' || format === 'jsonl') {
    const input = fs.createReadStream(file);
    const text = input.pipe(decodeStream(encoding));
    const bytesRead = () => input.bytesRead;
    if (format === 'csv') return { ...(await openCsv(text, encoding, unparsed)), bytesRead };
    return { format, encoding, headers: null, rows: jsonLines(text, unparsed), bytesRead };
  }
  if (size > MAX_JSON_ARRAY_BYTES) throw new FileError('JSON 数组文件过大，请改用 JSON 行格式（每行一条）');
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder(encoding).decode(fs.readFileSync(file)));
  } catch (e) {
    throw new FileError(`JSON 文件无法解析（文件可能不完整）：${(e as Error).message}`);
  }
  return { format, encoding, headers: null, rows: jsonArray(data), bytesRead: () => size };
}

export async function* jsonArray(data: unknown): AsyncIterable<ParsedRow> {
  const items = Array.isArray(data) ? data : [data];
  for (const [i, item] of items.entries()) {
    if (item && typeof item === 'object' && !Array.isArray(item)) yield { rowNo: i + 1, row: item as Record<string, unknown> };
    else yield { rowNo: i + 1, error: '该条不是 JSON 对象' };
  }
}

async function* jsonLines(input: Readable, unparsed: boolean): AsyncIterable<SourceRow> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let rowNo = 0;
  for await (const line of lines) {
    rowNo++;
    const text = line.trim();
    if (text) yield unparsed ? { rowNo, text } : jsonLineRow(rowNo, text);
  }
}

async function openCsv(input: Readable, encoding: string, unparsed: boolean): Promise<Omit<OpenedFile<SourceRow>, 'bytesRead'>> {
  const parser = input.pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, relax_quotes: true }));
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let first: IteratorResult<string[]>;
  try {
    first = await iterator.next();
  } catch (e) {
    throw new FileError(`CSV 文件无法解析：${(e as Error).message}`);
  }
  if (first.done || !first.value.some((h) => h)) throw new FileError('CSV 文件没有表头行');
  const headers = first.value.map((h) => h.trim());
  async function* rows(): AsyncIterable<SourceRow> {
    let rowNo = 1;
    for (;;) {
      let next: IteratorResult<string[]>;
      try {
        next = await iterator.next();
      } catch (e) {
        yield { rowNo: rowNo + 1, error: `CSV 格式错误：${(e as Error).message}` };
        return;
      }
      if (next.done) return;
      rowNo++;
      yield unparsed ? { rowNo, cells: next.value } : csvRow(rowNo, headers, next.value);
    }
  }
  return { format: 'csv', encoding, headers, rows: rows() };
}

/** exceljs cell values → plain values: rich text, formulas, hyperlinks and dates flattened. */
function cellValue(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    // exceljs reads a zone-less Excel date as if it were UTC; the city wrote it in its own time
    return new Date(v.getTime() - 8 * 3_600_000);
  }
  if (typeof v !== 'object') return v;
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('result' in v) return cellValue(v.result as ExcelJS.CellValue);
  if ('text' in v) return (v as { text: string }).text;
  if ('error' in v) return null;
  return String(v);
}

async function openXlsx(input: Readable): Promise<Omit<OpenedFile, 'bytesRead'>> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'emit' });
  const sheets = reader[Symbol.asyncIterator]();
  let headers: string[] = [];
  let rowIterator: AsyncIterator<ExcelJS.Row>;
  try {
    const sheet = await sheets.next();
    if (sheet.done) throw new FileError('XLSX 文件中没有工作表');
    rowIterator = (sheet.value as unknown as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
    const headerRow = await rowIterator.next();
    if (headerRow.done) throw new FileError('XLSX 第一个工作表是空的');
    headers = (headerRow.value.values as ExcelJS.CellValue[]).slice(1).map((v) => String(cellValue(v) ?? '').trim());
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(`XLSX 文件无法读取（可能已损坏或不完整）：${(e as Error).message}`);
  }
  async function* rows(): AsyncIterable<ParsedRow> {
    for (;;) {
      let next: IteratorResult<ExcelJS.Row>;
      try {
        next = await rowIterator.next();
      } catch (e) {
        yield { rowNo: -1, error: `XLSX 文件在读取中途出错（可能不完整）：${(e as Error).message}` };
        return;
      }
      if (next.done) return;
      const values = next.value.values as ExcelJS.CellValue[];
      const row: Record<string, unknown> = {};
      let any = false;
      headers.forEach((h, i) => {
        const v = cellValue(values[i + 1]);
        if (h) row[h] = v;
        if (v !== null && v !== '') any = true;
      });
      if (any) yield { rowNo: next.value.number, row };
    }
  }
  return { format: 'xlsx', encoding: null, headers, rows: rows() };
}
