import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { tempDir } from '../../../test/helpers.ts';
import { csvRecords, openRecordFile, type CsvRecord, type ParsedRow } from './files.ts';

const recordsOf = async (pieces: string[], max?: number) => {
  const out: CsvRecord[] = [];
  for await (const r of csvRecords(Readable.from(pieces), max)) out.push(r);
  return out;
};
/** Each record as its line and its first cell, or the start of its error. */
const firstCells = (records: CsvRecord[]) => records.map((r) => [r.line, 'cells' in r ? r.cells[0] : r.error.slice(0, 6)]);

test('CSV records: quoted commas and line breaks, doubled quotes, CRLF, blank and empty rows and spaces, at any chunk boundary', async () => {
  const text = '编号 , 内容\r\nA1,"含逗号，和,半角逗号"\r\n\r\n  \r\nA2,"两行\n内容"\r\nA3,"他说""好的"""\r\n,,\r\n" ", \r\n A4 ,  前后空格  \r\n';
  const cells = [['编号', '内容'], ['A1', '含逗号，和,半角逗号'], ['A2', '两行\n内容'], ['A3', '他说"好的"'], ['A4', '前后空格']];
  // each record with the line it starts on: blank lines, empty rows and line breaks inside quotes are counted
  const lines = [1, 2, 5, 7, 10];
  const expected = cells.map((c, i) => ({ line: lines[i], cells: c }));
  assert.deepEqual(await recordsOf([text]), expected);
  // every cut of the text into two chunks reads the same records
  for (let cut = 1; cut < text.length; cut++) assert.deepEqual(await recordsOf([text.slice(0, cut), text.slice(cut)]), expected, `cut at ${cut}`);
  // one character per chunk
  assert.deepEqual(await recordsOf([...text]), expected);
});

test('CSV records: a record with a malformed quote is reported, a quote that never closes is reported for its line, and the records after both are kept', async () => {
  const text = '编号,内容\nB1,"他说"好"，",x\nB2,正常\nB3,"没有闭合\nB4,最后一条\n';
  for (const pieces of [[text], [...text]]) {
    assert.deepEqual(firstCells(await recordsOf(pieces)), [[1, '编号'], [2, '引号使用不当'], [3, 'B2'], [4, '引号没有闭合'], [5, 'B4']]);
  }
  // a malformed quote takes the lines up to the next quote that can close it: they are reported with it, as one record
  const swallowed = await recordsOf(['编号,内容\nC1,"引号"后面还有字\nC2,正常\nC3,"可以闭合",x\nC4,好\n']);
  assert.deepEqual(firstCells(swallowed), [[1, '编号'], [2, '引号使用不当'], [5, 'C4']]);
});

test('CSV records: a record longer than the limit is a row too long, or an open quote when its first line ends inside the quote; reading goes on after its line', async () => {
  const long = '很长'.repeat(300);
  const direct = await recordsOf(['编号,内容\nE1,"', long, '\n', long, '\nE2,好\n'], 500);
  // no line break in sight: each of the two lines is too long
  assert.deepEqual(firstCells(direct), [[1, '编号'], [2, '这一行太长：'], [3, '这一行太长：'], [4, 'E2']]);
  // the first line ends inside the quote: the quote never closes
  const open = await recordsOf(['编号,内容\nE1,"开始\n', long, '\nE2,好\n'], 500);
  assert.deepEqual(firstCells(open), [[1, '编号'], [2, '引号没有闭合'], [3, '这一行太长：'], [4, 'E2']]);
  const oneLine = await recordsOf(['编号,内容\nF1,', long, long, long, '\nF2,好\n'], 500);
  assert.deepEqual(firstCells(oneLine), [[1, '编号'], [2, '这一行太长：'], [3, 'F2']]);
  // a cell longer than the limit, properly quoted: the row is too long, not an open quote; the rows after it are kept
  const quoted = await recordsOf(['编号,内容\nG1,"', long, long, long, '"\nG2,好\n'], 500);
  assert.deepEqual(firstCells(quoted), [[1, '编号'], [2, '这一行太长：'], [3, 'G2']]);
  assert.match((quoted[1] as { error: string }).error, /超过 500 个字符的上限/);
});

test('a CSV file read in chunks numbers rows by the line they start on; its bad row is named and the good rows around it are kept', async () => {
  const dir = tempDir();
  const lines = ['编号,内容'];
  for (let i = 1; i <= 3000; i++) lines.push(i === 1500 ? `C${i},"坏"引号",x` : `C${i},"第 ${i} 条，含逗号, 和换行\n第二行"`);
  const file = path.join(dir, 'many.csv');
  fs.writeFileSync(file, iconv.encode(`${lines.join('\r\n')}\r\n`, 'gb18030'));
  const opened = await openRecordFile(file);
  assert.equal(opened.encoding, 'gb18030');
  assert.deepEqual(opened.headers, ['编号', '内容']);
  const rows: ParsedRow[] = [];
  for await (const r of opened.rows) rows.push(r);
  assert.equal(rows.length, 3000);
  // a good record takes two lines of the file (a line break in its quoted cell), the bad one a line
  assert.deepEqual(rows[0], { rowNo: 2, row: { 编号: 'C1', 内容: '第 1 条，含逗号, 和换行\n第二行' } });
  const bad = rows[1499]!;
  assert.ok('error' in bad && bad.rowNo === 3000 && /CSV 格式错误：引号使用不当/.test(bad.error), JSON.stringify(bad));
  assert.deepEqual(rows[1500], { rowNo: 3001, row: { 编号: 'C1501', 内容: '第 1501 条，含逗号, 和换行\n第二行' } });
  assert.deepEqual(rows[2999], { rowNo: 5999, row: { 编号: 'C3000', 内容: '第 3000 条，含逗号, 和换行\n第二行' } });
  assert.equal(rows.filter((r) => 'error' in r).length, 1);
});

test('CSV rows are numbered by the line they start on, blank lines above the header and among the rows counted; empty rows are skipped', async () => {
  const file = path.join(tempDir(), 'lines.csv');
  fs.writeFileSync(file, '\n\n编号,内容,备注\nL1,"第一条\r\n跨两行",\n\n,,\n , ,\nL2,,没有内容\n"",""\nL3,第三条,\n');
  const opened = await openRecordFile(file);
  assert.deepEqual(opened.headers, ['编号', '内容', '备注']);
  const rows: ParsedRow[] = [];
  for await (const r of opened.rows) rows.push(r);
  assert.deepEqual(rows, [
    { rowNo: 4, row: { 编号: 'L1', 内容: '第一条\r\n跨两行', 备注: '' } },
    // a row with something in it is read (and rejected later for its missing content), not skipped
    { rowNo: 9, row: { 编号: 'L2', 内容: '', 备注: '没有内容' } },
    { rowNo: 11, row: { 编号: 'L3', 内容: '第三条', 备注: '' } },
  ]);
  // rows read as cells for a worker thread carry the same numbers
  const unparsed = await openRecordFile(file, { unparsed: true });
  const numbers: number[] = [];
  for await (const r of unparsed.rows) numbers.push(r.rowNo);
  assert.deepEqual(numbers, [4, 9, 11]);
});

test('a CSV file whose header row is broken, or that has only blank lines, gets one clear error', async () => {
  const dir = tempDir();
  const broken = path.join(dir, 'broken.csv');
  fs.writeFileSync(broken, '"编号,内容\nD1,x\n');
  await assert.rejects(openRecordFile(broken), /CSV 文件无法解析：表头行引号没有闭合/);
  const blank = path.join(dir, 'blank.csv');
  fs.writeFileSync(blank, '\n\n  \n');
  await assert.rejects(openRecordFile(blank), /CSV 文件没有表头行/);
});

test('XLSX: a hidden sheet (a lookup list for drop-downs) is never taken for the data, and the notice says it was not read', async () => {
  const wb = new ExcelJS.Workbook();
  const lists = wb.addWorksheet('字典');
  lists.addRows([['类型代码', '类型名称'], ['1', '投诉']]);
  lists.state = 'hidden';
  wb.addWorksheet('工单').addRows([['工单编号', '受理时间', '诉求内容'], ['HD-1', '2026-03-05 09:07', '隐藏表之后的数据']]);
  const file = path.join(tempDir(), 'hidden.xlsx');
  await wb.xlsx.writeFile(file);
  const opened = await openRecordFile(file);
  const ids: unknown[] = [];
  for await (const r of opened.rows) ids.push('row' in r ? r.row['工单编号'] : r.error);
  assert.deepEqual(ids, ['HD-1']);
  assert.deepEqual(opened.notices(), ['读取的是工作表“工单”（隐藏的工作表“字典”没有读取）']);
  wb.removeWorksheet(wb.getWorksheet('工单')!.id);
  const onlyHidden = path.join(tempDir(), 'only-hidden.xlsx');
  wb.getWorksheet('字典')!.state = 'hidden';
  await wb.xlsx.writeFile(onlyHidden);
  await assert.rejects(openRecordFile(onlyHidden).then(async (o) => { for await (const _ of o.rows); }), /只有隐藏的工作表（“字典”）/);
});

test('XLSX: a small worksheet after the one read is still seen when the rows are read slowly (shared strings stored before the sheets)', async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('说明').getCell('A1').value = '本表由系统导出';
  wb.addWorksheet('工单').addRows([['工单编号', '受理时间', '诉求内容'], ['SL-1', '2026-03-05 09:07', '说明页之后的数据']]);
  wb.addWorksheet('二月').addRows([['工单编号', '受理时间', '诉求内容'], ['SL-2', '2026-02-05 09:07', '另一个工作表中的数据']]);
  // as some tools store a workbook: shared strings first, so that exceljs reads each sheet as it streams in
  const zip = await JSZip.loadAsync(await wb.xlsx.writeBuffer());
  const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
  const first = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml'];
  const reordered = new JSZip();
  for (const n of [...first, ...names.filter((n) => !first.includes(n))]) reordered.file(n, await zip.file(n)!.async('nodebuffer'));
  const file = path.join(tempDir(), 'slow.xlsx');
  fs.writeFileSync(file, await reordered.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  const opened = await openRecordFile(file);
  const ids: unknown[] = [];
  for await (const r of opened.rows) {
    ids.push('row' in r ? r.row['工单编号'] : r.error);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the database's pace: unzipper reaches the archive's end meanwhile
  }
  assert.deepEqual(ids, ['SL-1']);
  assert.match(opened.notices().join(''), /读取的是工作表“工单”（之前的工作表“说明”没有表头行，已跳过）；工作表“二月”也有数据，没有导入/);
});

test('XLSX: a formula cell without a readable result (never calculated, or #N/A) is read as blank and said once; a formula with a result is read', async () => {
  const dir = tempDir();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  ws.addRow(['工单编号', '受理时间', '诉求内容', '备注']);
  ws.addRow(['FM-1', '2026-03-05 09:07', { formula: 'A2&"反映"' }, '']);
  ws.addRow(['FM-2', '2026-03-05 09:07', { formula: 'A3&"反映"', result: 'FM-2反映' }, { formula: 'NA()', result: { error: '#N/A' } }]);
  const file = path.join(dir, 'formula.xlsx');
  await wb.xlsx.writeFile(file);
  const opened = await openRecordFile(file);
  const rows: ParsedRow[] = [];
  for await (const r of opened.rows) rows.push(r);
  assert.deepEqual(rows, [
    { rowNo: 2, row: { 工单编号: 'FM-1', 受理时间: '2026-03-05 09:07', 诉求内容: '', 备注: '' } },
    { rowNo: 3, row: { 工单编号: 'FM-2', 受理时间: '2026-03-05 09:07', 诉求内容: 'FM-2反映', 备注: '' } },
  ]);
  assert.match(opened.notices().join(''), /公式单元格没有可读的结果，按空白读取：第3列（诉求内容） 1 个、第4列（备注） 1 个/);
});

test('tab- and semicolon-separated files (.tsv, .txt, .csv) are read by the delimiter of their header line; a full-width comma is text', async () => {
  const dir = tempDir();
  const read = async (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const opened = await openRecordFile(file);
    const rows: ParsedRow[] = [];
    for await (const r of opened.rows) rows.push(r);
    return { headers: opened.headers, rows };
  };
  const expected = { headers: ['工单编号', '受理时间', '诉求内容'], rows: [{ rowNo: 2, row: { 工单编号: 'D-1', 受理时间: '2026-03-05 09:07', 诉求内容: '含逗号,和全角逗号，的内容' } }] };
  assert.deepEqual(await read('tabs.tsv', '工单编号\t受理时间\t诉求内容\nD-1\t2026-03-05 09:07\t含逗号,和全角逗号，的内容\n'), expected);
  assert.deepEqual(await read('tabs.txt', '工单编号\t受理时间\t诉求内容\nD-1\t2026-03-05 09:07\t含逗号,和全角逗号，的内容\n'), expected);
  assert.deepEqual(await read('semi.csv', '工单编号;受理时间;诉求内容\nD-1;2026-03-05 09:07;"含逗号,和全角逗号，的内容"\n'), expected);
  // a title line without a delimiter above the header; a comma file whose text has tabs and semicolons stays a comma file
  assert.deepEqual((await read('titled.tsv', '工单导出（2026年3月）\n工单编号\t受理时间\t诉求内容\nD-1\t2026-03-05 09:07\tx\n')).headers, expected.headers);
  assert.deepEqual((await read('comma.csv', '工单编号，备注,受理时间,诉求内容\nD-2,2026-03-05 09:07,"a;b;c;d\te"\n')).headers, ['工单编号，备注', '受理时间', '诉求内容']);
});

test('an .xlsx in an OLE2 container is a workbook with a password to open: the error says to save it without one; an .xls keeps the save-as advice', async () => {
  const dir = tempDir();
  const ole2 = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024, 1)]);
  const xlsx = path.join(dir, '加密.xlsx');
  fs.writeFileSync(xlsx, ole2);
  await assert.rejects(openRecordFile(xlsx), /加密.xlsx 是加密的工作簿（设置了打开密码）.*清空密码后保存/);
  const xls = path.join(dir, '旧版.xls');
  fs.writeFileSync(xls, ole2);
  await assert.rejects(openRecordFile(xls), /旧版.xls 不是有效的 XLSX 文件（可能是旧版 \.xls/);
});
