import assert from 'node:assert/strict';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { barChart, lineChart, pieChart, renderChartPng } from './charts.ts';
import { chineseNumber, renderDocx } from './document.ts';
import type { ReportDocument } from './document.ts';
import { renderXlsx, sanitizeSheetName } from './xlsx.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const districts = { categories: ['城东区', '城西区', '高新区'], series: [{ name: '问题数', data: [12, 30, 7] }] };

test('chart PNGs are real PNGs at twice the logical size', () => {
  assert.deepEqual(pngSize(renderChartPng(barChart({ title: '各区县问题数量', ...districts }))), { width: 1600, height: 900 });
  const line = lineChart({ title: '月度趋势', categories: ['1月', '2月', '3月'], series: [{ name: '受理', data: [5, 9, 4] }] });
  assert.deepEqual(pngSize(renderChartPng(line, { width: 600, height: 400 })), { width: 1200, height: 800 });
  const pie = pieChart({ title: '来源构成', data: [{ name: '12345热线', value: 60 }, { name: '网上留言', value: 40 }] });
  const piePng = renderChartPng(pie);
  assert.deepEqual(pngSize(piePng), { width: 1600, height: 900 });
  assert.ok(piePng.length > 10_000, `a drawn chart, not an empty canvas (${piePng.length} bytes)`);
});

test('Chinese text renders as glyphs, not as identical missing-glyph boxes', () => {
  // Missing glyphs would draw the same box (or nothing) for every character: equal-length titles would match.
  const first = renderChartPng(barChart({ title: '各区县问题数量', ...districts }));
  const second = renderChartPng(barChart({ title: '执法领域分布图', ...districts }));
  const untitled = renderChartPng(barChart({ ...districts }));
  assert.ok(!first.equals(second), 'different Chinese titles give different pictures');
  assert.ok(!first.equals(untitled), 'a Chinese title changes the picture');
  // the same input renders the same bytes, so the differences above come from the text
  assert.ok(first.equals(renderChartPng(barChart({ title: '各区县问题数量', ...districts }))));
});

test('chineseNumber', () => {
  assert.deepEqual([1, 9, 10, 11, 20, 23, 99].map(chineseNumber), ['一', '九', '十', '十一', '二十', '二十三', '九十九']);
});

function sampleReport(): { doc: ReportDocument; png: Buffer } {
  const png = renderChartPng(barChart({ ...districts }), { width: 640, height: 360 });
  const doc: ReportDocument = {
    title: '2025年第三季度行政执法监督分析报告',
    subtitle: '（季度报告）',
    issuer: '市司法局行政执法监督科',
    date: '2025年10月8日',
    blocks: [
      { type: 'heading', level: 1, text: '总体情况' },
      { type: 'paragraph', text: '本季度共受理各类问题1234件，同比增长12.3%。' },
      { type: 'heading', level: 2, text: '来源构成' },
      { type: 'heading', level: 3, text: '热线来源' },
      { type: 'heading', level: 3, text: '留言来源' },
      { type: 'heading', level: 2, text: '区域分布' },
      { type: 'heading', level: 3, text: '城区' },
      {
        type: 'table',
        caption: '表1 各区县受理情况',
        columns: ['区县', '受理数', '办结率'],
        rows: [['城东区', 120, '95.0%'], ['临江县', 80, '90.1%']],
      },
      { type: 'chart', caption: '图1 各区县问题数量', png, width: 640, height: 360 },
      { type: 'heading', level: 1, text: '存在问题' },
      { type: 'heading', level: 2, text: '执法不规范' },
    ],
  };
  return { doc, png };
}

test('renderDocx: a Word package with the text, numbered headings, table, chart and fonts', async () => {
  const { doc, png } = sampleReport();
  const zip = await JSZip.loadAsync(await renderDocx(doc));
  const xml = await zip.file('word/document.xml')!.async('string');

  for (const text of [doc.title, doc.subtitle!, doc.issuer, doc.date, '本季度共受理各类问题1234件，同比增长12.3%。']) {
    assert.ok(xml.includes(text), text);
  }
  // numbers are added by the renderer and restart under each parent heading
  const headings = ['一、总体情况', '（一）来源构成', '1.热线来源', '2.留言来源', '（二）区域分布', '1.城区', '二、存在问题', '（一）执法不规范'];
  let at = -1;
  for (const heading of headings) {
    const next = xml.indexOf(heading, at + 1);
    assert.ok(next > at, `${heading} after the previous heading`);
    at = next;
  }
  for (const cell of ['区县', '临江县', '>120<', '90.1%', '表1 各区县受理情况', '图1 各区县问题数量']) {
    assert.ok(xml.includes(cell), cell);
  }
  for (const font of ['方正小标宋简体', '仿宋_GB2312', '楷体_GB2312', '黑体']) {
    assert.ok(xml.includes(`w:eastAsia="${font}"`), font);
  }
  assert.match(xml, /<w:ind w:firstLineChars="200"\/>/);
  assert.match(xml, /w:line="579" w:lineRule="exact"/);
  assert.match(xml, /<w:pgMar w:top="2097" w:right="1474" w:bottom="1984" w:left="1587"/);

  const media = Object.keys(zip.files).filter((name) => name.startsWith('word/media/'));
  assert.equal(media.length, 1);
  assert.ok((await zip.file(media[0])!.async('nodebuffer')).equals(png), 'the embedded picture is the chart PNG');
  // the picture is as wide as the text block: 156 mm in EMU (36,000 per mm), within a pixel
  const extent = /<wp:extent cx="(\d+)" cy="(\d+)"\/>/.exec(xml);
  assert.ok(extent);
  assert.ok(Math.abs(Number(extent[1]) - 156 * 36_000) < 9525, `image width ${extent[1]} EMU`);
  assert.ok(Math.abs(Number(extent[2]) / Number(extent[1]) - 360 / 640) < 0.01, 'aspect ratio kept');

  const footers = await Promise.all(
    Object.keys(zip.files)
      .filter((name) => /^word\/footer\d+\.xml$/.test(name))
      .map((name) => zip.file(name)!.async('string')),
  );
  assert.equal(footers.length, 2, 'odd and even page footers');
  for (const footer of footers) {
    assert.match(footer, /— <\/w:t>.*PAGE.*<w:t xml:space="preserve"> —/s);
  }
  const fontTable = await zip.file('word/fontTable.xml')!.async('string');
  assert.match(fontTable, /<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"\/>/);
});

test('renderXlsx: re-opens with the same headers and rows, bold frozen header, fitted widths', async () => {
  const sheets = [
    {
      name: '各区县受理情况',
      columns: ['区县', '受理数', '办结率', 'note'],
      rows: [
        ['城东区', 120, '95.0%', 'abc'],
        ['临江县', 80, null, 'a much longer latin note'],
      ],
    },
    { name: '2025/Q3: [汇总]*?', columns: ['项目'], rows: [['合计']] },
    { name: '各区县受理情况', columns: ['x'], rows: [] },
    { name: '一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三', columns: ['y'], rows: [] },
  ];
  const workbook = new ExcelJS.Workbook();
  // exceljs types its input as its own ArrayBuffer-like `Buffer`; a Node Buffer is what it reads at runtime
  await workbook.xlsx.load((await renderXlsx(sheets)) as unknown as ArrayBuffer);

  assert.deepEqual(
    workbook.worksheets.map((sheet) => sheet.name),
    ['各区县受理情况', '2025_Q3_ _汇总___', '各区县受理情况(2)', '一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一'],
  );
  const sheet = workbook.worksheets[0];
  const values = (rowNumber: number) =>
    sheets[0].columns.map((_, i) => sheet.getRow(rowNumber).getCell(i + 1).value ?? null);
  assert.deepEqual(values(1), sheets[0].columns);
  assert.deepEqual(values(2), sheets[0].rows[0]);
  assert.deepEqual(values(3), sheets[0].rows[1]);
  assert.equal(sheet.rowCount, 3);

  assert.equal(sheet.getRow(1).getCell(1).font?.bold, true);
  assert.equal(sheet.views[0]?.state, 'frozen');
  assert.equal((sheet.views[0] as { ySplit?: number }).ySplit, 1);
  // 办结率 (3 CJK characters) is as wide as a 6-letter word; the long Latin note is the widest
  const widths = [1, 2, 3, 4].map((c) => sheet.getColumn(c).width ?? 0);
  assert.ok(widths[0] >= 8 && widths[3] > widths[0], `widths ${widths.join(', ')}`);
});

test('sanitizeSheetName', () => {
  assert.equal(sanitizeSheetName("'History'", 'Sheet1'), 'History_');
  assert.equal(sanitizeSheetName('  []  ', 'Sheet2'), '__');
  assert.equal(sanitizeSheetName("''", 'Sheet3'), 'Sheet3');
  assert.equal(sanitizeSheetName('a'.repeat(40), 'Sheet4').length, 31);
});
