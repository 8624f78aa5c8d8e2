import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Readable, Transform } from 'node:stream';
import Papa from 'papaparse';
import type { FileFormat } from './adapters.ts';
import { distinctHeaders } from './fields.ts';
import { FileError } from './file-errors.ts';
import { openXlsx, type HeaderScore } from './xlsx.ts';

export { FileError, MissingColumnsError } from './file-errors.ts';

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
  /** The worksheet read (XLSX). */
  sheet?: string;
  rows: AsyncIterable<R>;
  /** How many of the file's bytes have been read so far (for progress). */
  bytesRead: () => number;
  /** What the user should know about how the file was read (which worksheet), complete once the rows are read. */
  notices: () => string[];
};

const SNIFF_BYTES = 64 * 1024;
const none = (): string[] => [];
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

/**
 * Whether a ZIP file (an XLSX) ends with its end-of-central-directory record, in the last 64 KB + 22 bytes: a file cut
 * short has lost it. The streaming reader does not use that record and would wait for the rest of a cut entry forever.
 */
function zipIsComplete(file: string, size: number): boolean {
  const tail = Math.min(size, 65_535 + 22);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(tail);
    fs.readSync(fd, buf, 0, tail, size - tail);
    for (let i = tail - 22; i >= 0; i--) {
      if (buf.readUInt32LE(i) === 0x06054b50 && i + 22 + buf.readUInt16LE(i + 20) === tail) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether a UTF-8 file stops inside a multi-byte character: a file cut short (at a character boundary it cannot tell). */
function endsMidCharacter(file: string, size: number): boolean {
  const n = Math.min(size, 4);
  const fd = fs.openSync(file, 'r');
  try {
    const tail = Buffer.alloc(n);
    fs.readSync(fd, tail, 0, n, size - n);
    let start = 0;
    while (start < n && (tail[start]! & 0xc0) === 0x80) start++; // the rest of a character begun before the tail
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      decoder.decode(tail.subarray(start), { stream: true });
      decoder.decode();
      return false;
    } catch {
      return true;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** UTF-8 (with or without BOM) or GB18030, decided from the first 64 KB. */
export function sniffEncoding(head: Buffer): 'utf-8' | 'gb18030' {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  // stream mode: a multi-byte character cut at the end of the sample (or of a file cut short) is held back, not an
  // error — a cut UTF-8 file is UTF-8 (its last row is reported), never read as GB18030 garbage
  const complete = head.length < SNIFF_BYTES;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
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

/** Bytes in, text out (as strings: the CSV and line readers take them as they are). */
function decodeStream(encoding: string): Transform {
  // UTF-8 is told by its first 64 KB: bytes that are not UTF-8 further on (a GBK row pasted into a UTF-8 file, a file
  // whose first Chinese text comes late) stop the import with an error rather than becoming garbage text
  const decoder = new TextDecoder(encoding, { ignoreBOM: false, fatal: encoding === 'utf-8' });
  let decoded = 0;
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, cb) {
      try {
        cb(null, decoder.decode(chunk, { stream: true }));
        decoded += chunk.length;
      } catch {
        cb(new FileError(`文件在第 ${Math.ceil((decoded + 1) / 1024)} KB 附近出现不是 UTF-8 编码的内容（可能混有 GBK 编码的行；之前的行已导入）：请把整个文件另存为 UTF-8 或 GB18030 后重新导入，已导入的行会计为重复`));
      }
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
    // an .xlsx in an OLE2 container (D0 CF 11 E0) is one Excel encrypted with a password to open it
    const ole2 = head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0;
    if (!isZip && ole2 && ext === '.xlsx') throw new FileError(`文件 ${path.basename(file)} 是加密的工作簿（设置了打开密码），无法读取：请在 Excel 中打开，“文件 → 信息 → 保护工作簿 → 用密码进行加密”清空密码后保存，再导入`);
    if (!isZip) throw new FileError(`文件 ${path.basename(file)} 不是有效的 XLSX 文件（可能是旧版 .xls 或其他格式，请另存为 .xlsx）`);
    return 'xlsx';
  }
  if (isZip) return 'xlsx';
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (utf16) throw new FileError('文件是 UTF-16 编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV 后再导入');
  // a picture or a PDF dropped on the page (the file chooser's filter does not stop a drop): by its magic number, or
  // NUL bytes where a text file has its header row (a stray NUL further on is one bad row, reported as such)
  const magic = head.subarray(0, 4).toString('latin1');
  if (['%PDF', '\x89PNG', 'GIF8'].includes(magic) || (head[0] === 0xff && head[1] === 0xd8) || head.subarray(0, 1024).includes(0)) {
    throw new FileError(`文件 ${path.basename(file)} 不是表格或 JSON 文件（像是图片、PDF 或其他二进制文件）：请上传 XLSX、CSV 或 JSON 文件`);
  }
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  if (ext === '.csv' || ext === '.txt' || ext === '.tsv') return 'csv';
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

/**
 * A CSV row's cells under the file's (trimmed) headers. A cell with no header (beyond the last, or under an empty one)
 * is kept under its column number, so that the record is stored as it came (such keys are reported as not understood).
 */
function csvRow(rowNo: number, headers: string[], cells: string[]): ParsedRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < Math.max(headers.length, cells.length); i++) {
    const h = headers[i];
    if (h) row[h] = cells[i] ?? '';
    else if (cells[i]) row[`第${i + 1}列`] = cells[i];
  }
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
export type OpenOptions = { unparsed?: boolean; headerScore?: HeaderScore };
export async function openRecordFile(file: string, o?: OpenOptions & { unparsed?: false }): Promise<OpenedFile>;
export async function openRecordFile(file: string, o: OpenOptions & { unparsed: true }): Promise<OpenedFile<SourceRow>>;
export async function openRecordFile(file: string, o: OpenOptions = {}): Promise<OpenedFile<SourceRow>> {
  const unparsed = o.unparsed === true;
  if (!fs.existsSync(file)) throw new FileError(`文件不存在：${file}`);
  const size = fs.statSync(file).size;
  if (size === 0) throw new FileError('文件是空的');
  const head = readHead(file, SNIFF_BYTES);
  const format = formatOf(file, head);
  if (format === 'xlsx') {
    if (!zipIsComplete(file, size)) throw new FileError('XLSX 文件不完整（可能在下载或复制时被截断），请重新导出后再导入');
    // a header row the channel recognises is looked for first; a workbook without one is read again for the first
    // row of two cells, whose columns the page offers to map
    for (const score of o.headerScore ? [o.headerScore, undefined] : [undefined]) {
      const input = fs.createReadStream(file);
      const opened = await openXlsx(input, score);
      if (opened) return { ...opened, bytesRead: () => input.bytesRead };
      input.destroy();
    }
    throw new FileError('XLSX 文件中没有表头行');
  }
  const encoding = sniffEncoding(head);
  if (encoding === 'utf-8' && endsMidCharacter(file, size)) throw new FileError('文件不完整：末尾的字符被截断（可能在下载或复制时中断），请重新导出后再导入');
  if (format === 'jsonl' && !new TextDecoder(encoding).decode(head).trimStart().startsWith('{')) {
    throw new FileError('文件不是 JSON 行格式：第一行不是 JSON 对象（如果是表格，请保存为 .csv 或 .xlsx 再导入）');
  }
  if (format === 'csv' || format === 'jsonl') {
    const input = fs.createReadStream(file);
    const text = input.pipe(decodeStream(encoding));
    const bytesRead = () => input.bytesRead;
    if (format === 'csv') return { ...(await openCsv(text, encoding, unparsed, o.headerScore, delimiterOf(new TextDecoder(encoding).decode(head)))), bytesRead };
    return { format, encoding, headers: null, rows: jsonLines(text, unparsed), bytesRead, notices: none };
  }
  if (size > MAX_JSON_ARRAY_BYTES) throw new FileError('JSON 数组文件过大，请改用 JSON 行格式（每行一条）');
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder(encoding).decode(fs.readFileSync(file)));
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new FileError(`JSON 文件无法解析（文件可能不完整${at ? `，约在第 ${Number(at) + 1} 个字符处出错` : ''}）`);
  }
  return { format, encoding, headers: null, rows: jsonArray(data), bytesRead: () => size, notices: none };
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

const DELIMITERS = [',', '\t', ';'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/**
 * A text table's delimiter, from its header: the first of its first lines with a comma, tab or semicolon (a title line
 * above the header has none), by which of them it has most (a comma on a tie). A full-width comma is text, never one.
 */
export function delimiterOf(head: string): Delimiter {
  for (const line of head.split('\n', HEADER_SEARCH_LINES)) {
    const counts = DELIMITERS.map((d) => line.split(d).length - 1);
    const most = Math.max(...counts);
    if (most > 0) return DELIMITERS[counts.indexOf(most)]!;
  }
  return ',';
}

/** A CSV record longer than this is not read (a cell that long, or a quote that never closes, taking the rest of the file). */
const MAX_CSV_RECORD_CHARS = 1024 * 1024;
const UNCLOSED_QUOTE = '引号没有闭合（这一行的引号之后找不到配对的引号；已从下一行接着读）';

/** A CSV record and the line of the file it starts on (the header is line 1 when it is the first line). */
export type CsvRecord = { line: number; cells: string[] } | { line: number; error: string };

/**
 * A text stream's CSV records, in order: papaparse's parser on each chunk, the record cut by the chunk's end carried
 * to the next. Cells are trimmed; blank lines, and rows whose cells are all empty (`,,,`), are skipped. Each record
 * carries the line it starts on, counting blank lines and line breaks inside quoted cells, as a text editor shows it.
 * A record with a malformed quote is reported as an error; a quote that never closes is reported for its record's
 * first line, and reading goes on from the next line, so the good records after a broken one are kept.
 */
export async function* csvRecords(input: AsyncIterable<string>, maxRecordChars = MAX_CSV_RECORD_CHARS, delimiter: Delimiter = ','): AsyncGenerator<CsvRecord> {
  /** The line the text not yet read starts on. */
  let line = 1;
  /** Yields the records of `text` (the last one held back unless `last`); returns what is left to read. */
  function* take(text: string, last: boolean): Generator<CsvRecord, string> {
    const rows: { cells: string[]; errors: Papa.ParseError[]; end: number }[] = [];
    // the parser's own step: one row (in a list of one), its errors, and where it ends
    const step = (r: Papa.ParseResult<string[]>) => rows.push({ cells: r.data[0]!, errors: r.errors, end: r.meta.cursor });
    const r = new Papa.Parser({ delimiter, newline: '\n', quoteChar: '"', step } as Papa.ParseConfig).parse(text, 0, !last) as Papa.ParseResult<string[]>;
    /** `line` is the line of text[counted]. */
    let counted = 0;
    const lineAt = (to: number) => {
      for (let nl = text.indexOf('\n', counted); nl >= 0 && nl < to; nl = text.indexOf('\n', nl + 1)) line++;
      counted = to;
      return line;
    };
    let start = 0;
    for (const { cells, errors, end } of rows) {
      const at = lineAt(start);
      start = end;
      const e = errors.find((x) => x.code === 'MissingQuotes') ?? errors[0];
      if (e?.code === 'MissingQuotes') {
        yield { line: at, error: UNCLOSED_QUOTE };
        const lineEnd = text.indexOf('\n', e.index);
        if (lineEnd < 0) return '';
        lineAt(lineEnd + 1);
        return text.slice(lineEnd + 1);
      }
      if (e) yield { line: at, error: '引号使用不当（字段中的引号应写成两个 ""，或把整个字段放在引号里）' };
      else if (cells.some((c) => c.trim())) yield { line: at, cells: cells.map((c) => c.trim()) };
    }
    if (last) return '';
    lineAt(r.meta.cursor);
    return text.slice(r.meta.cursor);
  }
  let carried = '';
  /** Whether the rest of a line is being skipped (a record too long, with no line break yet). */
  let skipping = false;
  for await (let chunk of input) {
    if (skipping) {
      const lineEnd = chunk.indexOf('\n');
      if (lineEnd < 0) continue;
      chunk = chunk.slice(lineEnd + 1);
      skipping = false;
    }
    carried = yield* take(carried + chunk, false);
    // a record this long: a line too long (a cell of a million characters), or a quote that never closes, taking the
    // lines after it (its first line ends inside the quote); reported, and read on from its next line
    while (carried.length > maxRecordChars) {
      const lineEnd = carried.indexOf('\n');
      const openAtLineEnd = lineEnd >= 0 && (carried.slice(0, lineEnd).split('"').length - 1) % 2 === 1;
      yield { line, error: openAtLineEnd ? UNCLOSED_QUOTE : `这一行太长：超过 ${maxRecordChars} 个字符的上限（可能有单元格内容过长），没有导入；已从下一行接着读` };
      skipping = lineEnd < 0;
      line++;
      carried = skipping ? '' : yield* take(carried.slice(lineEnd + 1), false);
    }
  }
  while (carried) carried = yield* take(carried, true);
}

/** How far down a CSV file its header is looked for, in lines (as in a worksheet). */
const HEADER_SEARCH_LINES = 10;

/**
 * A CSV file's header and records. The header is, within the first lines, the record the channel recognises most of
 * (with a score), else the first with two or more cells, else the first: an export's title line above it is passed
 * over; rows keep the file's line numbers.
 */
async function openCsv(input: Readable, encoding: string, unparsed: boolean, score?: HeaderScore, delimiter: Delimiter = ','): Promise<Omit<OpenedFile<SourceRow>, 'bytesRead'>> {
  const records = csvRecords(input, MAX_CSV_RECORD_CHARS, delimiter);
  const first = await records.next();
  const header0 = first.done ? null : first.value;
  if (header0 && 'error' in header0) throw new FileError(`CSV 文件无法解析：表头行${header0.error.replace(/（.*）$/, '')}`);
  if (!header0) throw new FileError('CSV 文件没有表头行');
  const seen: CsvRecord[] = [header0];
  while (seen.at(-1)!.line <= HEADER_SEARCH_LINES) {
    const next = await records.next();
    if (next.done) break;
    seen.push(next.value);
  }
  const candidates = seen.filter((r): r is CsvRecord & { cells: string[] } => r.line <= HEADER_SEARCH_LINES && 'cells' in r && r.cells.filter(Boolean).length >= 2);
  let header: CsvRecord & { cells: string[] } = candidates[0] ?? header0;
  let bestScore = 0;
  for (const c of score ? candidates : []) {
    const n = score!(c.cells);
    if (n > bestScore) [header, bestScore] = [c, n];
  }
  const buffered = seen.slice(seen.indexOf(header) + 1);
  const names = distinctHeaders(header.cells);
  async function* all(): AsyncIterable<CsvRecord> {
    yield* buffered;
    yield* records;
  }
  async function* rows(): AsyncIterable<SourceRow> {
    // a row is numbered by the line it starts on, where people find it in an editor
    for await (const record of all()) {
      if ('error' in record) yield { rowNo: record.line, error: `CSV 格式错误：${record.error}` };
      else yield unparsed ? { rowNo: record.line, cells: record.cells } : csvRow(record.line, names, record.cells);
    }
  }
  return { format: 'csv', encoding, headers: names, rows: rows(), notices: none };
}
