/** The report's data tables as an Excel workbook: one sheet per table, bold frozen header, widths fitted to the text. */
import ExcelJS from 'exceljs';
import { displayWidth } from './document.ts';

export interface XlsxSheet {
  name: string;
  columns: string[];
  rows: (string | number | null)[][];
}

const MAX_SHEET_NAME = 31;
const MIN_COLUMN_WIDTH = 6;
const MAX_COLUMN_WIDTH = 60;

export async function renderXlsx(sheets: XlsxSheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '智慧督';
  workbook.created = new Date();
  const usedNames = new Set<string>();
  sheets.forEach((sheet, i) => addSheet(workbook, uniqueSheetName(sheet.name, i + 1, usedNames), sheet));
  if (sheets.length === 0) workbook.addWorksheet('Sheet1'); // Excel refuses a workbook without sheets
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function addSheet(workbook: ExcelJS.Workbook, name: string, sheet: XlsxSheet): void {
  const worksheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  worksheet.addRow(sheet.columns).font = { bold: true };
  for (const row of sheet.rows) worksheet.addRow(row);
  columnWidths(sheet).forEach((width, i) => {
    worksheet.getColumn(i + 1).width = width;
  });
  if (sheet.columns.length > 0) {
    worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
  }
}

/** Widest cell of each column in half-width characters (a CJK character counts two), plus padding. */
function columnWidths(sheet: XlsxSheet): number[] {
  return sheet.columns.map((header, i) => {
    const widest = Math.max(displayWidth(header), ...sheet.rows.map((row) => displayWidth(String(row[i] ?? ''))));
    return Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, widest + 2));
  });
}

/**
 * Excel's rules for a sheet name: 1–31 characters, none of []:*?/\, not starting or ending with an apostrophe,
 * not "History", and unique regardless of case.
 */
export function sanitizeSheetName(name: string, fallback: string): string {
  let clean = name.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '').trim();
  if (clean.toLowerCase() === 'history') clean = `${clean}_`;
  return truncate(clean, MAX_SHEET_NAME) || fallback;
}

function uniqueSheetName(name: string, position: number, used: Set<string>): string {
  const base = sanitizeSheetName(name, `Sheet${position}`);
  let candidate = base;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) {
    const suffix = `(${n})`;
    candidate = truncate(base, MAX_SHEET_NAME - suffix.length) + suffix;
  }
  used.add(candidate.toLowerCase());
  return candidate;
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max) break;
    out += char;
  }
  return out;
}
