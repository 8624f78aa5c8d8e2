import type { AppContext } from '../../context.ts';
import type { CaseKind, CaseResult } from '../../db/types.ts';
import { cityDay } from '../../lib/calendar.ts';
import { badRequest, forbidden } from '../../lib/errors.ts';
import { actorUserId, canOnUnit, hasPermission, isTopUnit, scopePaths, type Actor } from '../auth/access.ts';
import { recordAudit } from '../audit/service.ts';
import { normalizeHeader } from '../intake/fields.ts';
import type { ParsedRow } from '../intake/files.ts';
import { casesRepo, type CaseRow } from './repo.ts';

/** 复议诉讼结果: cases where an enforcement unit was the respondent (行政复议) or the defendant (行政诉讼), and how they ended. */

export const KIND_NAMES: Record<CaseKind, string> = { reconsideration: '行政复议', litigation: '行政诉讼' };
export const RESULT_NAMES: Record<CaseResult, string> = {
  upheld: '维持', dismissed: '驳回', revoked: '撤销', altered: '变更', unlawful: '确认违法或无效', ordered: '责令履行', withdrawn: '撤回或终止', mediated: '调解或和解',
};
/** The results that count as a lost case for the unit (the table's generated `lost` column says the same). */
export const LOST_RESULTS: readonly CaseResult[] = ['revoked', 'altered', 'unlawful', 'ordered'];

type Field = 'case_no' | 'kind' | 'unit' | 'domain' | 'filed_on' | 'decided_on' | 'result' | 'summary';
const FIELD_NAMES: Record<Field, string> = { case_no: '案号', kind: '类型', unit: '被申请人/被告单位', domain: '领域', filed_on: '收案日期', decided_on: '结案日期', result: '结果', summary: '摘要' };
const HEADERS: Record<Field, string[]> = {
  case_no: ['案号', '案件编号', '文书号', '文号', 'caseNo', 'case_no'],
  kind: ['类型', '案件类型', '案件种类', 'kind'],
  unit: ['被申请人/被告单位', '被申请人/被告', '被申请人（被告）', '被申请人', '被告', '单位', '执法单位', '涉案单位', 'unit'],
  domain: ['领域', '执法领域', 'domain'],
  filed_on: ['收案日期', '立案日期', '申请日期', '受理日期', 'filedOn', 'filed_on'],
  decided_on: ['结案日期', '决定日期', '判决日期', '审结日期', '裁判日期', 'decidedOn', 'decided_on'],
  result: ['结果', '复议结果', '判决结果', '裁判结果', '处理结果', 'result'],
  summary: ['摘要', '案由', '案情', '备注', 'summary'],
};
const REQUIRED: Field[] = ['case_no', 'kind', 'unit', 'decided_on', 'result'];
const HEADER_INDEX = new Map(Object.entries(HEADERS).flatMap(([f, hs]) => hs.map((h) => [normalizeHeader(h), f as Field])));
export const MAX_CASE_ROWS = 20_000;
/** How many of a row's cells are this template's headers: a file's header row is the row with most (title rows above it are passed over). */
export const caseHeaderScore = (cells: string[]) => cells.filter((c) => c && HEADER_INDEX.has(normalizeHeader(c))).length;

/** 行政复议 / 诉讼 in the words people write them, or the code. */
export function parseKind(text: string): CaseKind | null {
  const t = text.trim();
  if (t === 'reconsideration' || /复议/.test(t)) return 'reconsideration';
  if (t === 'litigation' || /诉讼|应诉|一审|二审/.test(t)) return 'litigation';
  return null;
}

/** The result as decisions are usually worded (撤销原行政行为, 驳回诉讼请求, 确认违法…), or the code. */
export function parseResult(text: string): CaseResult | null {
  const t = text.trim();
  if (t in RESULT_NAMES) return t as CaseResult;
  if (/确认.*(违法|无效)/.test(t)) return 'unlawful';
  if (/撤回|撤诉|终止/.test(t)) return 'withdrawn';
  if (/撤销/.test(t)) return 'revoked';
  if (/变更/.test(t)) return 'altered';
  if (/责令.*履行|限期履行|履行.*职责/.test(t)) return 'ordered';
  if (/调解|和解/.test(t)) return 'mediated';
  if (/维持/.test(t)) return 'upheld';
  if (/驳回/.test(t)) return 'dismissed';
  return null;
}

/** Excel's day numbers count from 1899-12-30; a file read without its styles gives a date cell as that number. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** A city day from 2026-10-05, 2026/10/5, 2026年10月5日 or a spreadsheet date (a date cell or its day number). */
export function parseDay(v: unknown): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : cityDay(v);
  // day numbers 1982–2119: a plain number that is no plausible date stays an error
  if (typeof v === 'number' && Number.isInteger(v) && v > 30_000 && v < 80_000) return new Date(EXCEL_EPOCH_MS + v * 86_400_000).toISOString().slice(0, 10);
  const m = String(v ?? '').trim().match(/^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$/);
  if (!m) return null;
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day ? day : null;
}

export type RowError = { row: number; field?: string; message: string };
export type ImportResult = { inserted: number; updated: number; errors: RowError[]; unknownColumns: string[] };

export function createCasesService(ctx: AppContext) {
  const { db } = ctx;

  function readScope(actor: Actor): string[] | null {
    const perms = ['report.read', 'workorder.supervise', 'workorder.handle'] as const;
    const paths = perms.flatMap((p) => scopePaths(actor.principal, p));
    if (paths.some(isTopUnit)) return null;
    return paths;
  }

  return {
    /**
     * Rows from a file or a request: each checked on its own (an error names the row and the column), the valid ones
     * stored in one transaction (a case number seen again replaces its row), one audit row for the import.
     */
    async import(actor: Actor, rows: AsyncIterable<ParsedRow>, source: string): Promise<ImportResult> {
      if (!hasPermission(actor.principal, 'workorder.supervise')) throw forbidden('只有督办（法制）人员可以录入复议诉讼结果');
      const [units, domains] = await Promise.all([casesRepo.units(db), casesRepo.domains(db)]);
      const unitByName = new Map(units.filter((u) => u.active).map((u) => [u.name, u]));
      const domainOf = new Map(domains.flatMap((d) => [[d.code, d.code], [d.name, d.code]]));
      const today = cityDay(new Date());
      const errors: RowError[] = [];
      const unknown = new Set<string>();
      const valid: { rowNo: number; row: CaseRow }[] = [];
      let seen = 0;
      for await (const source of rows) {
        if (++seen > MAX_CASE_ROWS) throw badRequest(`一次最多导入 ${MAX_CASE_ROWS} 行，请分批导入`);
        if ('error' in source) {
          errors.push({ row: source.rowNo, message: source.error });
          continue;
        }
        const v: Partial<Record<Field, unknown>> = {};
        for (const [header, value] of Object.entries(source.row)) {
          const field = HEADER_INDEX.get(normalizeHeader(header));
          if (field) v[field] = value;
          else unknown.add(header);
        }
        const text = (f: Field) => (v[f] === null || v[f] === undefined ? '' : v[f] instanceof Date ? '' : String(v[f]).trim());
        const isDateCell = (f: Field) => v[f] instanceof Date || typeof v[f] === 'number';
        const fail = (field: Field, message: string) => errors.push({ row: source.rowNo, field: FIELD_NAMES[field], message: `第 ${source.rowNo} 行“${FIELD_NAMES[field]}”：${message}` });
        const missing = REQUIRED.filter((f) => !text(f) && !isDateCell(f));
        if (missing.length) {
          for (const f of missing) fail(f, '不能为空');
          continue;
        }
        const kind = parseKind(text('kind'));
        const result = parseResult(text('result'));
        const unit = unitByName.get(text('unit'));
        const decided = parseDay(v.decided_on);
        const hasFiled = !!text('filed_on') || isDateCell('filed_on');
        const filed = hasFiled ? parseDay(v.filed_on) : null;
        const domain = text('domain') ? domainOf.get(text('domain')) : null;
        const before = errors.length;
        if (!kind) fail('kind', `“${text('kind')}”不是行政复议或行政诉讼`);
        if (!result) fail('result', `“${text('result')}”无法识别（应为维持、驳回、撤销、变更、确认违法、责令履行、撤回、调解之一）`);
        if (!unit) fail('unit', `单位“${text('unit')}”不存在或已停用（须与组织机构中的名称一致）`);
        else if (!canOnUnit(actor.principal, 'workorder.supervise', unit.path)) fail('unit', `无权录入${unit.name}的案件（不在您的督办范围内）`);
        if (!decided) fail('decided_on', `“${text('decided_on') || String(v.decided_on)}”不是日期（例如 2026-10-05）`);
        else if (decided > today) fail('decided_on', `${decided} 还没有到`);
        if (hasFiled && !filed) fail('filed_on', `“${text('filed_on')}”不是日期`);
        else if (filed && decided && filed > decided) fail('filed_on', `收案日期 ${filed} 晚于结案日期 ${decided}`);
        if (domain === undefined) fail('domain', `领域“${text('domain')}”不存在`);
        if (text('case_no').length > 100) fail('case_no', '案号过长（最多 100 字）');
        if (errors.length > before) continue;
        valid.push({ rowNo: source.rowNo, row: { kind: kind!, case_no: text('case_no'), unit_id: unit!.id, domain_code: domain ?? null, filed_on: filed, decided_on: decided!, result: result!, summary: text('summary').slice(0, 2000) } });
      }
      const duplicate = new Map<string, number>();
      for (const { rowNo, row } of valid) {
        const key = `${row.kind}|${row.case_no}`;
        if (duplicate.has(key)) errors.push({ row: rowNo, field: FIELD_NAMES.case_no, message: `第 ${rowNo} 行“案号”：${row.case_no} 与第 ${duplicate.get(key)} 行重复` });
        else duplicate.set(key, rowNo);
      }
      const stored = valid.filter(({ rowNo }) => !errors.some((e) => e.row === rowNo));
      let inserted = 0;
      let updated = 0;
      if (stored.length) {
        await db.transaction().execute(async (tx) => {
          for (const { row } of stored) {
            const r = await casesRepo.upsert(tx, row, actorUserId(actor));
            if (r.inserted) inserted++;
            else updated++;
          }
          await recordAudit(tx, actor, { action: 'case_outcome.import', targetType: 'case_outcome', targetId: null, summary: { source, inserted, updated, rejected: errors.length } });
        });
      }
      errors.sort((a, b) => a.row - b.row);
      return { inserted, updated, errors, unknownColumns: [...unknown] };
    },

    /** Leaders and the supervision office see the city; a unit sees the cases about itself and the units under it. */
    list(actor: Actor, f: { kind?: CaseKind; lostOnly?: boolean; unitId?: number; limit: number; offset: number }) {
      return casesRepo.list(db, { ...f, unitPaths: readScope(actor) });
    },
  };
}

export type CasesService = ReturnType<typeof createCasesService>;
