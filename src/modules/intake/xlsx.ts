import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { distinctHeaders } from './fields.ts';
import { FileError } from './file-errors.ts';
import type { OpenedFile, ParsedRow } from './files.ts';

/** Reading XLSX workbooks for import: streamed, one worksheet, cells as the sheet shows them. */

/** A date cell as the sheet shows it in the city's time: 2026-03-05 09:07, seconds only when it has them, the day alone at midnight. */
function cityTimeText(d: Date): string {
  const s = new Date(d.getTime() + 8 * 3_600_000).toISOString();
  const [day, time] = [s.slice(0, 10), s.slice(11, 19)];
  if (time === '00:00:00') return day;
  return `${day} ${time.endsWith(':00') ? time.slice(0, 5) : time}`;
}

/** A formula cell the file holds no computed result for. */
const NO_RESULT = Symbol('no result');

/** exceljs cell values → plain values: rich text, formulas, hyperlinks and dates flattened. */
function cellValue(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    // exceljs reads a zone-less Excel date as if it were UTC; the city wrote it in its own time
    return new Date(v.getTime() - 8 * 3_600_000);
  }
  if (typeof v !== 'object') return v;
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('result' in v && v.result !== undefined) return cellValue(v.result as ExcelJS.CellValue);
  // a formula without a result to read: written by a program and never calculated, or an error result (#N/A), which
  // exceljs's streaming reader drops
  if ('formula' in v || 'sharedFormula' in v) return NO_RESULT;
  if ('text' in v) return (v as { text: string }).text;
  if ('error' in v) return null;
  return String(v);
}

/** How far down a sheet its header row is looked for. */
const HEADER_SEARCH_ROWS = 10;

type SheetRows = AsyncIterator<ExcelJS.Row>;

/** A row's cells as trimmed texts, from column 1 (a row's values are a sparse array from column 1: a blank cell is a hole). */
function rowTexts(row: ExcelJS.Row): string[] {
  const cells = row.values as ExcelJS.CellValue[];
  return Array.from({ length: Math.max(0, cells.length - 1) }, (_, i) => {
    const v = cellValue(cells[i + 1]);
    return v === NO_RESULT ? '' : String(v ?? '').trim();
  });
}

/** How many of a row's cells the importing channel recognises as its headers (its synonyms, a saved column mapping). */
export type HeaderScore = (headers: string[]) => number;

/** A sheet's header row and the rows read after it while looking for it (data, to be read again). */
type SheetHeader = { headers: string[]; after: ExcelJS.Row[] };

/**
 * A sheet's header within its first rows, reading the sheet up to it. With a score: the row of two or more cells that
 * the channel recognises most of (the first of equals), so that an export's title, a 导出时间：… | 导出人：… line or an
 * instructions page's 字段 | 填写要求 is never taken for it; `unrecognised` when the sheet has rows of two cells but
 * none the channel knows, or only rows with one header name each (a page listing the fields and how to fill them). Without: the first row with two or more cells (a title merged across the columns and blank
 * rows above it are passed over). Null for a sheet without one (an instructions page such as 填表说明).
 */
async function headerOf(rows: SheetRows, score?: HeaderScore): Promise<SheetHeader | 'unrecognised' | null> {
  const seen: { row: ExcelJS.Row; texts: string[] }[] = [];
  for (;;) {
    const next = await rows.next();
    if (next.done) break;
    const texts = rowTexts(next.value);
    seen.push({ row: next.value, texts });
    if (next.value.number > HEADER_SEARCH_ROWS) break;
    if (!score && texts.filter(Boolean).length >= 2) break;
  }
  const candidates = seen.filter((s) => s.row.number <= HEADER_SEARCH_ROWS && s.texts.filter(Boolean).length >= 2);
  if (!candidates.length) return null;
  let best = candidates[0]!;
  if (score) {
    let bestScore = 0;
    let known = 0;
    for (const c of candidates) {
      const n = score(c.texts);
      if (n) known++;
      if (n > bestScore) [best, bestScore] = [c, n];
    }
    // one header name to a row, on several rows: an instructions page listing the fields (工单编号 | 必填), not a header
    if (!bestScore || (bestScore === 1 && known > 1)) return 'unrecognised';
  }
  return { headers: distinctHeaders(best.texts), after: seen.slice(seen.indexOf(best) + 1).map((s) => s.row) };
}

/** Whether a sheet has a row under its header with something in it: read up to that row, kept in `after`. */
async function hasData(rows: SheetRows, after: ExcelJS.Row[]): Promise<boolean> {
  if (after.some((r) => rowTexts(r).some(Boolean))) return true;
  for (;;) {
    const next = await rows.next();
    if (next.done) return false;
    after.push(next.value);
    if (rowTexts(next.value).some(Boolean)) return true;
  }
}

/**
 * Reads the rest of a sheet. A sheet left half-read would have the rest of its entry buffered in memory when the reader
 * moves on to the next one (exceljs keeps reading the entry into the abandoned iterator).
 */
async function drain(rows: SheetRows): Promise<void> {
  while (!(await rows.next()).done);
}

/**
 * exceljs reads the archive through unzipper, which signals its end as soon as it has parsed the last entry, while
 * entries it has queued may not have been taken yet: exceljs then stops before them, so that a small worksheet after
 * one being read slowly (an import waiting on the database) was never seen. The queue is resumed when the archive has
 * been parsed, handing them over. (exceljs pipes the input into unzipper's parser: the hook is on that pipe.)
 */
function handOverQueuedEntries(input: Readable): void {
  const pipe = input.pipe.bind(input);
  input.pipe = ((dest: NodeJS.WritableStream & Readable, o?: { end?: boolean }) => {
    dest.once('finish', () => dest.resume());
    return pipe(dest, o);
  }) as typeof input.pipe;
}

/** exceljs's worksheet reader: its name and, once the workbook's own part has been read, whether Excel shows it. */
type Sheet = AsyncIterable<ExcelJS.Row> & { name: string; state?: string };
const isHidden = (sheet: Sheet) => sheet.state === 'hidden' || sheet.state === 'veryHidden';
const sheetNames = (names: string[]) => names.map((n) => `“${n}”`).join('、');

/**
 * The rows of the first worksheet that has a header row (sheets before it, such as a 说明 page, are passed over),
 * streamed: sheets are read in the order they are stored, each sheet once. A sheet with only its header (a 模板 before
 * the data) is passed over for a later one with data. The other sheets are looked at after its last row only to tell
 * the user which ones also hold data and were not imported. With a score, only a header row the channel recognises
 * counts; null when no sheet has one (the caller reads the file again without, for a column mapping).
 */
export async function openXlsx(input: Readable, score?: HeaderScore): Promise<Omit<OpenedFile, 'bytesRead'> | null> {
  handOverQueuedEntries(input);
  // styles are read for the number formats: without them a date cell is a bare day count (46093.375)
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'emit' });
  const sheets = reader[Symbol.asyncIterator]() as unknown as AsyncIterator<Sheet>;
  /** Sheets passed over for want of a header row, or of one the channel recognises; then those after the one read that hold data too. */
  const skipped: string[] = [];
  const unrecognised: string[] = [];
  /** Sheets with a header and no row under it (a 模板): passed over for a later sheet with data. */
  const headerOnly: { name: string; headers: string[] }[] = [];
  /** Sheets Excel does not show (lists for drop-downs, lookup tables): never read as the data, nor reported. */
  const hidden: string[] = [];
  const ignored: string[] = [];
  let restUnreadable = false;
  let chosen: { name: string; rows: SheetRows | null; headers: string[]; after: ExcelJS.Row[] } | null = null;
  try {
    while (!chosen) {
      const sheet = await sheets.next();
      if (sheet.done) break;
      const { name } = sheet.value;
      const rows = sheet.value[Symbol.asyncIterator]();
      if (isHidden(sheet.value)) {
        hidden.push(name);
        await drain(rows);
        continue;
      }
      const found = await headerOf(rows, score);
      if (found && found !== 'unrecognised') {
        if (await hasData(rows, found.after)) chosen = { name, rows, ...found };
        else headerOnly.push({ name, headers: found.headers });
        continue;
      }
      (found ? unrecognised : skipped).push(name);
      await drain(rows);
    }
  } catch (e) {
    throw new FileError(`XLSX 文件无法读取（可能已损坏或不完整）：${(e as Error).message}`);
  }
  // no sheet has data under its header: the first with a header is read (no rows)
  if (!chosen && headerOnly.length) chosen = { ...headerOnly.shift()!, rows: null, after: [] };
  if (!chosen) {
    if (score && unrecognised.length) return null;
    if (!skipped.length) throw new FileError(hidden.length ? `XLSX 文件中只有隐藏的工作表（${sheetNames(hidden)}）：请取消隐藏要导入的工作表` : 'XLSX 文件中没有工作表');
    const which = skipped.length === 1 ? `工作表${sheetNames(skipped)}的前 ${HEADER_SEARCH_ROWS} 行中` : `${skipped.length} 个工作表（${sheetNames(skipped)}）的前 ${HEADER_SEARCH_ROWS} 行中都`;
    throw new FileError(`XLSX 文件${which}没有表头行（至少两列的一行）`);
  }
  const { name, rows: sheetRows, headers, after } = chosen;
  const templates = headerOnly.filter((t) => t.name !== name).map((t) => t.name);

  /** The sheets after the one read: which have a header and a row under it. */
  async function lookAtTheRest() {
    try {
      for (let sheet = await sheets.next(); !sheet.done; sheet = await sheets.next()) {
        const rows = sheet.value[Symbol.asyncIterator]();
        const found = isHidden(sheet.value) ? null : await headerOf(rows);
        if (found && found !== 'unrecognised' && (await hasData(rows, found.after))) ignored.push(sheet.value.name);
        await drain(rows);
      }
    } catch {
      restUnreadable = true; // the sheet read is imported; what follows it cannot be told
    }
  }

  /** Formula cells with no result exceljs can read, by column: #N/A and other error results, or never calculated. */
  const unreadFormulas = new Map<number, number>();

  /** A sheet row as a record under the headers; null for a row of empty cells (or of spaces), skipped as a blank CSV line. */
  function recordOf(sheetRow: ExcelJS.Row): ParsedRow | null {
    const values = sheetRow.values as ExcelJS.CellValue[];
    const row: Record<string, unknown> = {};
    let any = false;
    for (let i = 0; i < Math.max(headers.length, values.length - 1); i++) {
      let v = cellValue(values[i + 1]);
      if (v === NO_RESULT) {
        // read as blank (a required field left blank refuses its row as usual), and said once for the file
        unreadFormulas.set(i, (unreadFormulas.get(i) ?? 0) + 1);
        v = null;
      }
      // as the same sheet saved as CSV reads (an empty cell is '', a number or a date its text, spaces trimmed):
      // the record hashes the same; a cell beyond the header is kept under its column, as in a CSV
      const text = v === null ? '' : v instanceof Date ? cityTimeText(v) : typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : v;
      // damaged compressed data inflates to text with replacement characters before the archive's check fails
      if (typeof text === 'string' && text.includes('\uFFFD')) throw new FileError(`XLSX 文件已损坏：工作表“${name}”第 ${sheetRow.number} 行的内容无法还原（之前的行已导入），请重新导出后再导入`);
      const h = headers[i];
      if (h) row[h] = text;
      else if (text !== '') row[`第${i + 1}列`] = text;
      if (text !== '') any = true;
    }
    return any ? { rowNo: sheetRow.number, row } : null;
  }

  async function* rows(): AsyncIterable<ParsedRow> {
    for (const sheetRow of after) {
      const record = recordOf(sheetRow);
      if (record) yield record;
    }
    let lastRowNo = after.at(-1)?.number ?? 1;
    while (sheetRows) {
      let next: IteratorResult<ExcelJS.Row>;
      try {
        next = await sheetRows.next();
      } catch (e) {
        // the rows before are kept (and counted repeats when the mended file is imported again); the import fails
        throw new FileError(`XLSX 文件在读取中途出错（文件可能已损坏），已读到工作表“${name}”第 ${lastRowNo} 行：${(e as Error).message}`);
      }
      if (next.done) break;
      lastRowNo = next.value.number;
      const record = recordOf(next.value);
      if (record) yield record;
    }
    if (sheetRows) await lookAtTheRest();
  }

  /** Which sheet was read, when the workbook has others: said once the rows are read. */
  const notices = (): string[] => [...sheetNotices(), ...formulaNotices()];
  const formulaNotices = (): string[] => {
    if (!unreadFormulas.size) return [];
    const columns = [...unreadFormulas].map(([i, n]) => `第${i + 1}列${headers[i] ? `（${headers[i]}）` : ''} ${n} 个`).join('、');
    return [`公式单元格没有可读的结果，按空白读取：${columns}（结果是 #N/A 等错误值，或文件由程序生成、未在 Excel 中计算保存过；需要这些值时请在 Excel 中修正公式、保存后再导入）`];
  };
  const sheetNotices = (): string[] => {
    if (!skipped.length && !unrecognised.length && !templates.length && !hidden.length && !ignored.length && !restUnreadable) return [];
    let text = `读取的是工作表“${name}”`;
    if (skipped.length) text += `（之前的工作表${sheetNames(skipped)}没有表头行，已跳过）`;
    if (unrecognised.length) text += `（之前的工作表${sheetNames(unrecognised)}没有本渠道能识别的表头行，已跳过）`;
    if (templates.length) text += `（之前的工作表${sheetNames(templates)}只有表头、没有数据，已跳过）`;
    if (hidden.length) text += `（隐藏的工作表${sheetNames(hidden)}没有读取）`;
    if (ignored.length) text += `；工作表${sheetNames(ignored)}也有数据，没有导入（一次只导入一个工作表：如需导入，请把它另存为单独的文件再导入）`;
    if (restUnreadable) text += '；之后的工作表读取出错（文件可能已损坏），没有导入';
    return [text];
  };
  return { format: 'xlsx', encoding: null, headers, sheet: name, rows: rows(), notices };
}
