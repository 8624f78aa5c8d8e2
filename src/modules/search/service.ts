import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { recordAudit } from '../audit/service.ts';
import { hasPermission, type Actor } from '../auth/access.ts';
import { firstPhoneIn, maskPhone, normalizePhone } from '../../lib/crypto.ts';
import { PROBLEM_STATUS_NAMES } from '../problems/labels.ts';
import { maskedForViewer, textMasker } from '../problems/masking.ts';
import type { ProblemsService } from '../problems/service.ts';
import { topicTerms } from '../triage/hot-topics.ts';
import { parseQuery, highlight, snippet, tsvectorOf, type Highlighted } from './tokens.ts';
import { searchRepo, type SearchFilter, type SearchRow } from './repo.ts';

export type SearchInput = Omit<SearchFilter, 'tsquery' | 'trackingCode' | 'reporterPhoneIndex' | 'phoneAndWords'> & { q?: string };
/** What people write before a number they type (电话：…), not words to look for. */
const PHONE_LABEL = /(联系)?(电话|手机|号码)\s*[:：]?/g;
/** A query that was a phone number: looked up among reporters' phones (for those who may see contacts), shown masked. */
type PhoneLookup = { masked: string; permitted: boolean };

const CONFIDENTIAL = '（保密）';
export const EXPORT_MAX = 10_000;
const INDEX_BATCH = 500;


const SATISFACTION_NAMES: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unrated: '未评价' };

/** A time as a date cell showing the city's wall-clock time (Excel has no time zones: it shows the UTC fields). */
const excelCityTime = (at: Date) => new Date(at.getTime() + 8 * 3_600_000);

/** Contacts as everyone sees them in lists and exports: masked, and nothing at all for a 保密 report. */
function masked(r: SearchRow) {
  return r.confidential ? { name: CONFIDENTIAL, phone: null } : { name: r.reporter_name_mask, phone: r.reporter_phone_mask };
}

/**
 * The index of problems: built from their texts with phone and ID numbers masked (left out in a 保密 report), as
 * everyone without the contact permission reads them, so that a search never finds a problem by its hidden digits.
 */
async function indexRows(tx: Tx, rows: Awaited<ReturnType<typeof searchRepo.claimPending>>): Promise<number> {
  const texts = rows.map((r) => {
    const mask = textMasker(r.confidential, false);
    const m = (t: string | null) => (t === null ? null : mask(t));
    return { title: mask(r.title), body: mask(r.body), target_text: m(r.target_text), address: m(r.address), replies: m(r.replies) };
  });
  await searchRepo.setVectors(tx, rows.map((r) => r.id), texts.map((r) => tsvectorOf([r.title, r.body, r.target_text, r.address, r.replies])), texts.map((r) => topicTerms(r)));
  return rows.length;
}

export function createSearchService(ctx: AppContext, problems: ProblemsService) {
  const { db } = ctx;

  /**
   * The query as a filter. A query that is one phone number, typed by someone who may see contacts, also finds the
   * problems of the reporter with that phone (by its blind index: the search index holds numbers masked); a phone with
   * words beside it finds that reporter's problems with those words. Such a look-up is audited, with the number masked.
   */
  async function filterOf(actor: Actor, input: SearchInput, purpose: 'search' | 'export'): Promise<{ filter: SearchFilter; words: string[]; phone: PhoneLookup | null }> {
    const { q, ...rest } = input;
    if (!q?.trim()) return { filter: rest, words: [], phone: null };
    // a phone with words beside it (13912345678 占道): that reporter's problems with those words
    const whole = normalizePhone(q);
    const inside = whole ? null : firstPhoneIn(q);
    const parsed = parseQuery(inside ? `${q.slice(0, inside.at)} ${q.slice(inside.at + inside.length)}`.replace(PHONE_LABEL, ' ') : q);
    const phoneNumber = whole ?? inside?.phone ?? null;
    const permitted = hasPermission(actor.principal, 'problem.contact');
    const phone = phoneNumber ? { masked: maskPhone(phoneNumber)!, permitted } : null;
    const reporterPhoneIndex = phoneNumber && permitted ? ctx.cipher.blindIndex(phoneNumber) : null;
    if (reporterPhoneIndex) {
      await db.transaction().execute((tx) => recordAudit(tx, actor, { action: 'search.reporter_phone', targetType: 'problem', targetId: null, summary: { phone: phone!.masked, purpose } }));
    }
    // a query of punctuation alone matches nothing rather than everything; nor does a phone and words for one who may not look the phone up
    const phoneAndWords = !!inside && !!parsed.tsquery;
    const matchNothing = (!parsed.tsquery && !parsed.trackingCode && !reporterPhoneIndex) || (phoneAndWords && !reporterPhoneIndex);
    return { filter: { ...rest, tsquery: parsed.tsquery, trackingCode: parsed.trackingCode, reporterPhoneIndex, phoneAndWords, matchNothing }, words: parsed.words, phone };
  }

  return {
    /** One page of matches with highlighted title and a snippet from the body or a reply. */
    async search(actor: Actor, input: SearchInput, page: { sort: 'time' | 'relevance'; limit: number; offset: number }) {
      const { filter, words, phone } = await filterOf(actor, input, 'search');
      const scope = await problems.readScope(actor);
      const { rows, total, capped } = await searchRepo.page(db, scope, filter, page);
      const seesContact = hasPermission(actor.principal, 'problem.contact');
      const replies = words.length ? await searchRepo.replies(db, rows.map((r) => r.id)) : [];
      return {
        total,
        capped,
        words,
        phone,
        rows: rows.map((row) => {
          const { body, reporter_name_mask: _n, reporter_phone_mask: _p, ...r } = maskedForViewer(row, seesContact);
          const fromBody = snippet(body, words);
          let fromReply: Highlighted | null = null;
          const mask = textMasker(row.confidential, seesContact);
          if (!fromBody) for (const reply of replies) if (reply.problem_id === r.id && (fromReply = snippet(mask(reply.text), words))) break;
          return {
            ...r,
            reporter: masked(row),
            titleHits: highlight(r.title, words),
            snippet: fromBody ?? fromReply ?? { text: body.slice(0, 120) + (body.length > 120 ? '…' : ''), hits: [] },
            snippetFrom: fromBody ? ('body' as const) : fromReply ? ('reply' as const) : ('body' as const),
          };
        }),
      };
    },

    /**
     * The matches as an XLSX workbook, newest first, at most EXPORT_MAX rows. A file travels beyond the screen, so it
     * never carries a number in clear, whoever exports: contacts and the numbers written into the texts masked (left out
     * of a 保密 report), and tracking codes shortened (with a whole one anybody could rate the answer). The export itself
     * is audited with its filter and size.
     */
    async exportXlsx(actor: Actor, input: SearchInput) {
      const { filter } = await filterOf(actor, input, 'export');
      const scope = await problems.readScope(actor);
      const first = await searchRepo.rows(db, scope, filter, 1000, 0);
      const stream = new PassThrough();
      const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true });
      const sheet = book.addWorksheet('查询结果', { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = [
        { header: '查询码', key: 'code', width: 22 }, { header: '反映时间', key: 'at', width: 18, style: { numFmt: 'yyyy-mm-dd hh:mm' } }, { header: '渠道', key: 'channel', width: 12 },
        { header: '类型', key: 'kind', width: 8 }, { header: '领域', key: 'domain', width: 16 }, { header: '区域', key: 'region', width: 12 },
        { header: '标题', key: 'title', width: 40 }, { header: '内容', key: 'body', width: 80 }, { header: '反映对象', key: 'target', width: 20 },
        { header: '状态', key: 'status', width: 10 }, { header: '承办单位', key: 'unit', width: 20 }, { header: '是否逾期', key: 'overdue', width: 10 },
        { header: '满意度', key: 'satisfaction', width: 10 }, { header: '执法作风', key: 'misconduct', width: 20 },
        { header: '反映人', key: 'name', width: 10 }, { header: '联系电话', key: 'phone', width: 16 },
      ];
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
      let written = 0;
      const write = (rows: SearchRow[]) => {
        for (const row of rows) {
          const r = maskedForViewer(row, false);
          const contact = masked(r);
          sheet.addRow({
            code: r.tracking_code, at: excelCityTime(r.reported_at), channel: r.channel_name, kind: r.kind_name ?? '', domain: r.domain_name ?? '',
            region: r.region_name ?? '', title: r.title, body: r.body, target: r.target_text ?? '', status: PROBLEM_STATUS_NAMES[r.status] ?? r.status,
            unit: r.lead_order?.unit ?? '', overdue: r.lead_order?.overdue ? '是' : '', satisfaction: r.satisfaction ? SATISFACTION_NAMES[r.satisfaction] : '',
            misconduct: r.misconduct.join('、'), name: contact.name ?? '', phone: contact.phone ?? '',
          }).commit();
          written++;
        }
      };
      const done = (async () => {
        write(first);
        for (let offset = first.length; first.length === 1000 && written < EXPORT_MAX; offset += 1000) {
          const more = await searchRepo.rows(db, scope, filter, Math.min(1000, EXPORT_MAX - written), offset);
          write(more);
          if (more.length < 1000) break;
        }
        sheet.commit();
        await book.commit();
        await db.transaction().execute((tx) => recordAudit(tx, actor, { action: 'search.export', targetType: 'problem', targetId: null, summary: { filter: { ...input }, rows: written } }));
      })();
      done.catch((err) => stream.destroy(err as Error));
      return stream;
    },

    /** Indexes problems waiting for it (new, replied, changed); returns how many. Safe from any number of instances. */
    async indexPending(batch = INDEX_BATCH): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await db.transaction().execute(async (tx) => indexRows(tx, await searchRepo.claimPending(tx, batch)));
        total += n;
        if (n < batch) return total;
      }
    },

    /**
     * Indexes every problem again (a new user dictionary, a change of what is indexed), a batch per transaction in id
     * order: each keeps its old index until its batch is done, so search finds it meanwhile. Returns how many.
     */
    async reindexAll(batch = INDEX_BATCH): Promise<number> {
      let total = 0;
      for (let after = 0; ; ) {
        const rows = await db.transaction().execute(async (tx) => {
          const claimed = await searchRepo.claimPending(tx, batch, after);
          await indexRows(tx, claimed);
          return claimed;
        });
        total += rows.length;
        if (rows.length < batch) return total;
        after = Number(rows[rows.length - 1]!.id);
      }
    },

    /**
     * Topic words for problems indexed before they were stored (an upgrade), a few batches at a time so that the
     * index job stays short; hot topics compute the missing ones themselves meanwhile. Returns how many were done.
     */
    async backfillTopicTerms(batches = 10, batch = INDEX_BATCH): Promise<number> {
      let total = 0;
      for (let i = 0; i < batches; i++) {
        const n = await db.transaction().execute(async (tx) => {
          const rows = await searchRepo.claimWithoutTopicTerms(tx, batch);
          await searchRepo.setTopicTerms(tx, rows.map((r) => r.id), rows.map((r) => topicTerms(r)));
          return rows.length;
        });
        total += n;
        if (n < batch) break;
      }
      return total;
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
