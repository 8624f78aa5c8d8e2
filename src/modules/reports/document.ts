/** The analysis report as a Word document, laid out after GB/T 9704 (党政机关公文格式). */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  ImageRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  convertMillimetersToTwip,
} from 'docx';
import type { IRunOptions } from 'docx';

export type ReportBlock =
  | { type: 'heading'; level: 1 | 2 | 3; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'table'; caption?: string; columns: string[]; rows: (string | number)[][] }
  | { type: 'chart'; caption: string; png: Buffer; width: number; height: number };

export interface ReportDocument {
  title: string;
  subtitle?: string;
  issuer: string;
  date: string;
  blocks: ReportBlock[];
}

/** The Chinese fonts the document names; where one is missing, Word falls back to its altName in the font table. */
export const REPORT_FONTS = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  kai: '楷体_GB2312',
  hei: '黑体',
  song: '宋体',
} as const;

const FONT_ALT_NAMES: Record<string, string> = {
  [REPORT_FONTS.title]: '宋体',
  [REPORT_FONTS.body]: '仿宋',
  [REPORT_FONTS.kai]: '楷体',
};

const LATIN_FONT = 'Times New Roman';

// Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt.
const SIZE = { erhao: 44, sanhao: 32, sihao: 28, xiaosi: 24 } as const;

// Exact line spacing in twips: 22 lines in the 225 mm text block, about 28.95 pt.
const BODY_LINE = 579;
const TITLE_LINE = 700;

const PAGE = {
  // A4 in twips, as Word has it
  width: 11906,
  height: 16838,
  margin: {
    top: convertMillimetersToTwip(37),
    bottom: convertMillimetersToTwip(35),
    left: convertMillimetersToTwip(28),
    right: convertMillimetersToTwip(26),
    footer: convertMillimetersToTwip(23),
  },
};

/** The text block (版心) is 156 mm wide. */
const TEXT_WIDTH_MM = 210 - 28 - 26;
const TEXT_WIDTH_TWIPS = convertMillimetersToTwip(TEXT_WIDTH_MM);
/** docx sizes images in pixels at 96 dpi. */
const TEXT_WIDTH_PX = Math.floor((TEXT_WIDTH_MM / 25.4) * 96);

type Children = (Paragraph | Table)[];

/** Renders the report as .docx bytes. The caller gives headings without numbers; they are numbered here. */
export async function renderDocx(doc: ReportDocument): Promise<Buffer> {
  const document = new Document({
    title: doc.title,
    creator: doc.issuer,
    evenAndOddHeaderAndFooters: true,
    styles: { default: { document: { run: { ...runFont(REPORT_FONTS.body), size: SIZE.sanhao } } } },
    sections: [
      {
        properties: { page: { size: { width: PAGE.width, height: PAGE.height }, margin: PAGE.margin } },
        footers: { default: pageNumberFooter('odd'), even: pageNumberFooter('even') },
        children: [...headerParagraphs(doc), ...blockChildren(doc.blocks)],
      },
    ],
  });
  return Packer.toBuffer(document, false, [{ path: 'word/fontTable.xml', data: fontTableXml() }]);
}

// Text

/** Chinese in the eastAsia font; digits and Latin text in Times New Roman unless told otherwise. */
function runFont(eastAsia: string, latin: string = LATIN_FONT): Pick<IRunOptions, 'font' | 'language'> {
  return {
    font: { ascii: latin, hAnsi: latin, cs: latin, eastAsia },
    language: { value: 'en-US', eastAsia: 'zh-CN' },
  };
}

interface RunStyle {
  bold?: boolean;
  latin?: string;
}

function textRun(text: string, eastAsia: string, size: number, options: RunStyle = {}): TextRun {
  return new TextRun({ text, ...runFont(eastAsia, options.latin), size, bold: options.bold ?? false });
}

function exactLine(line: number) {
  return { line, lineRule: LineRuleType.EXACT, before: 0, after: 0 };
}

function centred(text: string, eastAsia: string, size: number, line: number, latin?: string): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: exactLine(line),
    children: [textRun(text, eastAsia, size, { latin })],
  });
}

function blankLine(): Paragraph {
  return new Paragraph({ spacing: exactLine(BODY_LINE), children: [] });
}

/** Title (小标宋 二号), then subtitle, issuer and date (楷体 三号), all centred, then a blank line. */
function headerParagraphs(doc: ReportDocument): Paragraph[] {
  const lines = [doc.subtitle, doc.issuer, doc.date].filter((line): line is string => Boolean(line));
  return [
    centred(doc.title, REPORT_FONTS.title, SIZE.erhao, TITLE_LINE, REPORT_FONTS.title),
    ...lines.map((line) => centred(line, REPORT_FONTS.kai, SIZE.sanhao, BODY_LINE)),
    blankLine(),
  ];
}

/** Body text: 仿宋 三号, first line indented two characters, justified; each line of the text is a paragraph. */
function bodyParagraphs(text: string): Paragraph[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map(
      (line) =>
        new Paragraph({
          alignment: AlignmentType.JUSTIFIED,
          indent: { firstLineChars: 200 },
          spacing: exactLine(BODY_LINE),
          children: [textRun(line.trim(), REPORT_FONTS.body, SIZE.sanhao)],
        }),
    );
}

// Heading numbers

const CHINESE_DIGITS = '零一二三四五六七八九';

/** 1–99 in Chinese numerals (一, 十一, 二十三); anything else in Arabic digits. */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const onesText = ones ? CHINESE_DIGITS[ones] : '';
  if (tens === 0) return onesText;
  return `${tens === 1 ? '' : CHINESE_DIGITS[tens]}十${onesText}`;
}

/** Counts per level; a level restarts at 1 under each new heading above it. */
class HeadingNumbers {
  private counts = [0, 0, 0];

  next(level: 1 | 2 | 3): string {
    const index = level - 1;
    this.counts[index] += 1;
    this.counts.fill(0, index + 1);
    const n = this.counts[index];
    if (level === 1) return `${chineseNumber(n)}、`;
    if (level === 2) return `（${chineseNumber(n)}）`;
    return `${n}.`;
  }
}

/** 一、 in 黑体, （一） in 楷体, 1. in bold 仿宋; all 三号 and indented like body text. */
const HEADING_STYLE = {
  1: { font: REPORT_FONTS.hei, bold: false },
  2: { font: REPORT_FONTS.kai, bold: false },
  3: { font: REPORT_FONTS.body, bold: true },
} as const;

function headingParagraph(level: 1 | 2 | 3, number: string, text: string): Paragraph {
  const style = HEADING_STYLE[level];
  return new Paragraph({
    outlineLevel: level - 1,
    keepNext: true,
    indent: { firstLineChars: 200 },
    spacing: exactLine(BODY_LINE),
    children: [textRun(`${number}${text}`, style.font, SIZE.sanhao, { bold: style.bold })],
  });
}

// Tables and charts

function captionParagraph(text: string, keepNext: boolean): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    keepNext,
    spacing: { line: 400, lineRule: LineRuleType.EXACT, before: 120, after: 120 },
    children: [textRun(text, REPORT_FONTS.hei, SIZE.sihao)],
  });
}

const WIDE_CHAR = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/** Width in half-width characters: CJK and full-width characters count two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE_CHAR.test(char) ? 2 : 1;
  return width;
}

/** Shares the text width among columns by their widest text, each counted between 4 and 30. */
function columnWidths(columns: string[], rows: string[][]): number[] {
  const weights = columns.map((column, i) => {
    const widest = Math.max(displayWidth(column), ...rows.map((row) => displayWidth(row[i] ?? '')));
    return Math.min(30, Math.max(4, widest));
  });
  const total = weights.reduce((sum, w) => sum + w, 0);
  const widths = weights.map((w) => Math.floor((TEXT_WIDTH_TWIPS * w) / total));
  widths[widths.length - 1] += TEXT_WIDTH_TWIPS - widths.reduce((sum, w) => sum + w, 0); // rounding left-over
  return widths;
}

const CELL_BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const TABLE_BORDERS = {
  top: CELL_BORDER,
  bottom: CELL_BORDER,
  left: CELL_BORDER,
  right: CELL_BORDER,
  insideHorizontal: CELL_BORDER,
  insideVertical: CELL_BORDER,
};

function tableCell(text: string, width: number, options: { header: boolean; numeric: boolean }): TableCell {
  const centre = options.header || options.numeric;
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.CENTER,
    shading: options.header ? { type: ShadingType.CLEAR, fill: 'F2F2F2', color: 'auto' } : undefined,
    children: [
      new Paragraph({
        alignment: centre ? AlignmentType.CENTER : AlignmentType.LEFT,
        spacing: { line: 300, lineRule: LineRuleType.AT_LEAST, before: 0, after: 0 },
        children: [textRun(text, REPORT_FONTS.body, SIZE.xiaosi, { bold: options.header })],
      }),
    ],
  });
}

function tableRow(cells: (string | number)[], widths: number[], header: boolean): TableRow {
  return new TableRow({
    tableHeader: header,
    cantSplit: true,
    children: widths.map((width, i) => {
      const value = cells[i] ?? '';
      return tableCell(String(value), width, { header, numeric: typeof value === 'number' });
    }),
  });
}

/** Caption above (黑体 四号, centred), bold header row repeated on each page, full borders, cells in 仿宋 小四. */
function tableChildren(block: Extract<ReportBlock, { type: 'table' }>): Children {
  const widths = columnWidths(block.columns, block.rows.map((row) => row.map(String)));
  const table = new Table({
    width: { size: TEXT_WIDTH_TWIPS, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    alignment: AlignmentType.CENTER,
    borders: TABLE_BORDERS,
    margins: { top: 40, bottom: 40, left: 80, right: 80 },
    rows: [tableRow(block.columns, widths, true), ...block.rows.map((row) => tableRow(row, widths, false))],
  });
  const caption = block.caption ? [captionParagraph(block.caption, true)] : [];
  return [...caption, table, blankLine()];
}

/** The chart scaled to the text width, centred, with its caption below. */
function chartChildren(block: Extract<ReportBlock, { type: 'chart' }>): Children {
  const aspect = block.width > 0 ? block.height / block.width : 9 / 16;
  const height = Math.round(TEXT_WIDTH_PX * aspect);
  const image = new Paragraph({
    alignment: AlignmentType.CENTER,
    keepNext: true,
    // not an exact line height: that would crop the picture to one line
    spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 120, after: 0 },
    children: [
      new ImageRun({
        type: 'png',
        data: block.png,
        transformation: { width: TEXT_WIDTH_PX, height },
        altText: { name: block.caption, title: block.caption, description: block.caption },
      }),
    ],
  });
  return [image, captionParagraph(block.caption, false)];
}

function blockChildren(blocks: ReportBlock[]): Children {
  const numbers = new HeadingNumbers();
  return blocks.flatMap((block): Children => {
    switch (block.type) {
      case 'heading':
        return [headingParagraph(block.level, numbers.next(block.level), block.text)];
      case 'paragraph':
        return bodyParagraphs(block.text);
      case 'table':
        return tableChildren(block);
      case 'chart':
        return chartChildren(block);
    }
  });
}

// Page numbers

/** 「— 1 —」 in 宋体 四号: odd pages on the right, even pages on the left, one character in from the edge. */
function pageNumberFooter(page: 'odd' | 'even'): Footer {
  const oneChar = SIZE.sihao * 10; // one 四号 character, in twips
  const song = REPORT_FONTS.song;
  // the hint makes Word draw the dash from the Chinese font, full width
  const run = { font: { ascii: song, hAnsi: song, cs: song, eastAsia: song, hint: 'eastAsia' }, size: SIZE.sihao };
  return new Footer({
    children: [
      new Paragraph({
        alignment: page === 'odd' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: page === 'odd' ? { right: oneChar } : { left: oneChar },
        children: [new TextRun({ ...run, children: ['— ', PageNumber.CURRENT, ' —'] })],
      }),
    ],
  });
}

// Font table

/**
 * The docx library writes font table entries only for embedded fonts. Ours lists the Chinese fonts with the GB2312
 * charset (86) and an altName, so a computer without 仿宋_GB2312 shows 仿宋 rather than a default font.
 */
function fontTableXml(): string {
  const entries = Object.values(REPORT_FONTS)
    .map((name) => fontEntry(name, FONT_ALT_NAMES[name]))
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    `<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${entries}</w:fonts>`
  );
}

function fontEntry(name: string, altName: string | undefined): string {
  const alt = altName ? `<w:altName w:val="${altName}"/>` : '';
  return `<w:font w:name="${name}">${alt}<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>`;
}
