import type { AppContext } from '../../context.ts';
import type { UserWordCategory } from '../../db/types.ts';
import { conflict, fieldError, notFound } from '../../lib/errors.ts';
import { normalizeText } from '../../lib/text.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, type Actor } from '../auth/access.ts';
import { jobsRepo } from '../jobs/repo.ts';
import { triageConfigRepo, type TermList } from './config-repo.ts';
import { syncUserDictionary } from './dictionary.ts';
import type { Target } from './repo.ts';

const TARGET_NAME: Record<Target, string> = { domain: '领域', kind: '类型' };
export const TERM_LISTS: Record<TermList, { name: string; audit: string }> = {
  misconduct: { name: '执法作风词典', audit: 'triage.misconduct' },
  exclusion: { name: '不予派发事项词典', audit: 'triage.exclusion' },
};
const round = (w: number) => Math.round(w * 1000) / 1000;

/**
 * The triage data an administrator edits: the label map (a history's labels → our codes), the keyword lexicon, the
 * misconduct and exclusion terms, and the segmenter's user dictionary. Triage reads all of them from the database at
 * the start of every batch, so a change counts from the next triage on; the user dictionary is held by the segmenter
 * of each process and is reloaded when its stamp changes (at once here, in other instances before their next triage).
 * Every change writes an audit row in its own transaction.
 */
export function createTriageConfigService(ctx: AppContext) {
  const { db } = ctx;

  /** A code of the target that can be chosen, or a 400 naming the field. */
  async function checkCode(target: Target, code: string, field = 'code') {
    const codes = await triageConfigRepo.codes(db, target);
    const found = codes.find((c) => c.code === code);
    if (!found) throw fieldError(field, `${TARGET_NAME[target]}代码 ${code} 不存在`);
    if (!found.active) throw fieldError(field, `${TARGET_NAME[target]}“${found.name}”已停用`);
    return found;
  }

  /** A term as triage compares it (full-width letters and digits made half-width), or a 400 naming the field. */
  function cleanTerm(raw: string, field = 'term') {
    const term = normalizeText(raw);
    if (term.length < 2) throw fieldError(field, '词语至少 2 个字');
    return term;
  }

  return {
    // ── label map ──
    /** The map, the codes to choose from, and the labels of the active models and the imported history that have no mapping yet. */
    async labelMap() {
      const [rows, models, examples, domainCodes, kindCodes] = await Promise.all([
        triageConfigRepo.labelMap(db),
        triageConfigRepo.activeModelLabels(db),
        triageConfigRepo.exampleLabels(db),
        triageConfigRepo.codes(db, 'domain'),
        triageConfigRepo.codes(db, 'kind'),
      ]);
      const codes = { domain: domainCodes, kind: kindCodes };
      const names = new Map<string, string>([...domainCodes.map((c) => [`domain|${c.code}`, c.name] as const), ...kindCodes.map((c) => [`kind|${c.code}`, c.name] as const)]);
      const mapped = new Set(rows.map((r) => `${r.target}|${r.label}`));
      const unmapped = new Map<string, { target: Target; label: string; in_model: boolean; examples: number }>();
      const consider = (target: Target, label: string) => {
        const key = `${target}|${label}`;
        if (mapped.has(key) || names.has(key)) return null; // mapped, or one of our own codes (needs no mapping)
        if (!unmapped.has(key)) unmapped.set(key, { target, label, in_model: false, examples: 0 });
        return unmapped.get(key)!;
      };
      for (const m of models) for (const label of m.labels) {
        const u = consider(m.target, label);
        if (u) u.in_model = true;
      }
      for (const e of examples) {
        const u = consider(e.target, e.label);
        if (u) u.examples = Number(e.n);
      }
      return {
        rows: rows.map((r) => ({ ...r, code_name: names.get(`${r.target}|${r.code}`) ?? null })),
        unmapped: [...unmapped.values()].sort((a, b) => a.target.localeCompare(b.target) || Number(b.in_model) - Number(a.in_model) || b.examples - a.examples || a.label.localeCompare(b.label)),
        models: models.map((m) => ({ target: m.target, version: m.version })),
        codes,
      };
    },

    async addLabel(actor: Actor, r: { target: Target; label: string; code: string }) {
      if ((await triageConfigRepo.codes(db, r.target)).some((c) => c.code === r.label)) throw fieldError('label', `“${r.label}”是系统的${TARGET_NAME[r.target]}代码，无需映射`);
      await checkCode(r.target, r.code);
      await db.transaction().execute(async (tx) => {
        const ins = await triageConfigRepo.insertLabel(tx, r);
        if (!ins) throw conflict(`标签“${r.label}”已有映射，请修改该行`, [{ field: 'label', message: '该标签已有映射' }]);
        await recordAudit(tx, actor, { action: 'triage.label_map.create', targetType: 'triage_label_map', targetId: `${r.target}:${r.label}`, summary: r });
      });
      return r;
    },

    async changeLabel(actor: Actor, r: { target: Target; label: string; code: string }) {
      await checkCode(r.target, r.code);
      await db.transaction().execute(async (tx) => {
        const before = await triageConfigRepo.labelMapRow(tx, r.target, r.label);
        if (!before) throw notFound(`标签“${r.label}”的映射`);
        await triageConfigRepo.updateLabel(tx, r);
        await recordAudit(tx, actor, { action: 'triage.label_map.update', targetType: 'triage_label_map', targetId: `${r.target}:${r.label}`, summary: { ...r, before: before.code } });
      });
      return r;
    },

    async removeLabel(actor: Actor, target: Target, label: string) {
      await db.transaction().execute(async (tx) => {
        const before = await triageConfigRepo.labelMapRow(tx, target, label);
        if (!before) throw notFound(`标签“${label}”的映射`);
        await triageConfigRepo.deleteLabel(tx, target, label);
        await recordAudit(tx, actor, { action: 'triage.label_map.delete', targetType: 'triage_label_map', targetId: `${target}:${label}`, summary: before });
      });
    },

    // ── keyword lexicon ──
    async lexicon(f: { target?: Target; code?: string; q?: string; limit: number; offset: number }) {
      const page = await triageConfigRepo.lexicon(db, { ...f, q: f.q ? normalizeText(f.q) : undefined });
      return { ...page, rows: page.rows.map((r) => ({ ...r, weight: round(r.weight) })) };
    },

    async addLexicon(actor: Actor, r: { target: Target; code: string; term: string; weight: number }) {
      const row = { ...r, term: cleanTerm(r.term) };
      await checkCode(r.target, r.code);
      await db.transaction().execute(async (tx) => {
        const ins = await triageConfigRepo.insertLexicon(tx, row);
        if (!ins) throw conflict(`“${row.term}”已在该${TARGET_NAME[r.target]}的词典中`, [{ field: 'term', message: '词语已存在' }]);
        await recordAudit(tx, actor, { action: 'triage.lexicon.create', targetType: 'triage_lexicon', targetId: `${row.target}:${row.code}:${row.term}`, summary: row });
      });
      return row;
    },

    async changeLexicon(actor: Actor, r: { target: Target; code: string; term: string; weight: number }) {
      await db.transaction().execute(async (tx) => {
        const before = await triageConfigRepo.lexiconRow(tx, r);
        if (!before) throw notFound(`词语“${r.term}”`);
        await triageConfigRepo.updateLexiconWeight(tx, r);
        await recordAudit(tx, actor, { action: 'triage.lexicon.update', targetType: 'triage_lexicon', targetId: `${r.target}:${r.code}:${r.term}`, summary: { ...r, before: round(before.weight) } });
      });
      return r;
    },

    async removeLexicon(actor: Actor, r: { target: Target; code: string; term: string }) {
      await db.transaction().execute(async (tx) => {
        const del = await triageConfigRepo.deleteLexicon(tx, r);
        if (!Number(del.numDeletedRows)) throw notFound(`词语“${r.term}”`);
        await recordAudit(tx, actor, { action: 'triage.lexicon.delete', targetType: 'triage_lexicon', targetId: `${r.target}:${r.code}:${r.term}`, summary: r });
      });
    },

    // ── misconduct and exclusion terms ──
    terms(list: TermList, f: { category?: string; q?: string; limit: number; offset: number }) {
      return triageConfigRepo.terms(db, list, { ...f, q: f.q ? normalizeText(f.q) : undefined });
    },

    async addTerm(actor: Actor, list: TermList, r: { category: string; term: string }) {
      const row = { category: r.category, term: cleanTerm(r.term) };
      await db.transaction().execute(async (tx) => {
        const ins = await triageConfigRepo.insertTerm(tx, list, row);
        if (!ins) throw conflict(`“${row.term}”已在“${row.category}”中`, [{ field: 'term', message: '词语已存在' }]);
        await recordAudit(tx, actor, { action: `${TERM_LISTS[list].audit}.create`, targetType: list === 'misconduct' ? 'misconduct_term' : 'exclusion_term', targetId: `${row.category}:${row.term}`, summary: row });
      });
      return row;
    },

    async removeTerm(actor: Actor, list: TermList, r: { category: string; term: string }) {
      await db.transaction().execute(async (tx) => {
        const del = await triageConfigRepo.deleteTerm(tx, list, r);
        if (!Number(del.numDeletedRows)) throw notFound(`“${r.category}”中的词语“${r.term}”`);
        await recordAudit(tx, actor, { action: `${TERM_LISTS[list].audit}.delete`, targetType: list === 'misconduct' ? 'misconduct_term' : 'exclusion_term', targetId: `${r.category}:${r.term}`, summary: r });
      });
    },

    // ── user dictionary ──
    userWords(f: { category?: UserWordCategory; q?: string; limit: number; offset: number }) {
      return triageConfigRepo.userWords(db, f);
    },

    /** Adds words (those already there are reported, not an error); this instance's segmenter has them at once. */
    async addUserWords(actor: Actor, r: { words: string[]; category: UserWordCategory }) {
      const words = [...new Set(r.words)];
      const added = await db.transaction().execute(async (tx) => {
        const added = await triageConfigRepo.insertUserWords(tx, words, r.category, actorUserId(actor));
        if (added.length) {
          await triageConfigRepo.touchUserWords(tx);
          await recordAudit(tx, actor, { action: 'triage.user_word.create', targetType: 'user_word', targetId: added.length === 1 ? added[0] : null, summary: { category: r.category, words: added } });
        }
        return added;
      });
      await syncUserDictionary(ctx);
      const fresh = new Set(added);
      return { added, existing: words.filter((w) => !fresh.has(w)) };
    },

    async removeUserWord(actor: Actor, word: string) {
      await db.transaction().execute(async (tx) => {
        const del = await triageConfigRepo.deleteUserWord(tx, word);
        if (!Number(del.numDeletedRows)) throw notFound(`词语“${word}”`);
        await triageConfigRepo.touchUserWords(tx);
        await recordAudit(tx, actor, { action: 'triage.user_word.delete', targetType: 'user_word', targetId: word, summary: { word } });
      });
      await syncUserDictionary(ctx);
    },

    /** Rebuilds the search index of every problem with the current dictionary, in the background (search.reindexAll). */
    async requestReindex(actor: Actor) {
      return db.transaction().execute(async (tx) => {
        const job = await jobsRepo.enqueue(tx, { kind: 'search.reindexAll', payload: {}, runAt: new Date(), uniqueKey: null, maxAttempts: 3 });
        await recordAudit(tx, actor, { action: 'search.reindex_requested', targetType: 'job', targetId: job!.id, summary: { reason: '分词用户词典变更' } });
        return { jobId: job!.id };
      });
    },
  };
}

export type TriageConfigService = ReturnType<typeof createTriageConfigService>;
