import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { UserWordCategory } from '../../db/types.ts';
import type { Target } from './repo.ts';
import { contains } from '../../db/contains.ts';

/** The two lexicons of (category, term): enforcement misconduct, and matters the city does not dispatch. */
export type TermList = 'misconduct' | 'exclusion';
const TERM_TABLE = { misconduct: 'misconduct_term', exclusion: 'exclusion_term' } as const;

type Page = { limit: number; offset: number };

/** SQL of the admin-editable triage data: label map, keyword lexicon, misconduct and exclusion terms, user dictionary. */
export const triageConfigRepo = {
  // ── label map ──
  labelMap(db: Queryable) {
    return db.selectFrom('triage_label_map').select(['target', 'label', 'code']).orderBy('target').orderBy('code').orderBy('label').execute();
  },

  labelMapRow(db: Queryable, target: Target, label: string) {
    return db.selectFrom('triage_label_map').select(['target', 'label', 'code']).where('target', '=', target).where('label', '=', label).executeTakeFirst();
  },

  insertLabel(tx: Tx, r: { target: Target; label: string; code: string }) {
    return tx.insertInto('triage_label_map').values(r).onConflict((oc) => oc.doNothing()).returning('label').executeTakeFirst();
  },

  updateLabel(tx: Tx, r: { target: Target; label: string; code: string }) {
    return tx.updateTable('triage_label_map').set({ code: r.code }).where('target', '=', r.target).where('label', '=', r.label).executeTakeFirst();
  },

  deleteLabel(tx: Tx, target: Target, label: string) {
    return tx.deleteFrom('triage_label_map').where('target', '=', target).where('label', '=', label).executeTakeFirst();
  },

  activeModelLabels(db: Queryable) {
    return db.selectFrom('triage_model').select(['target', 'version', 'labels']).where('active', '=', true).execute();
  },

  /** The labels of the imported training history, with how many examples carry each. */
  exampleLabels(db: Queryable) {
    return db.selectFrom('triage_example').select(['target', 'label', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['target', 'label']).execute();
  },

  /** The codes of a target with their names: the ten domains (and any the city added) or the kinds. */
  codes(db: Queryable, target: Target) {
    return target === 'domain'
      ? db.selectFrom('enforcement_domain').select(['code', 'name', 'active']).orderBy('sort').execute()
      : db.selectFrom('report_kind').select(['code', 'name', sql<boolean>`true`.as('active')]).orderBy('sort').execute();
  },

  // ── keyword lexicon ──
  async lexicon(db: Queryable, f: { target?: Target; code?: string; q?: string } & Page) {
    let q = db.selectFrom('triage_lexicon');
    if (f.target) q = q.where('target', '=', f.target);
    if (f.code) q = q.where('code', '=', f.code);
    if (f.q) q = q.where(contains('term', f.q));
    const [rows, total] = await Promise.all([
      q.select(['target', 'code', 'term', 'weight']).orderBy('target').orderBy('code').orderBy('term').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },

  lexiconRow(db: Queryable, r: { target: Target; code: string; term: string }) {
    return db.selectFrom('triage_lexicon').select(['target', 'code', 'term', 'weight']).where('target', '=', r.target).where('code', '=', r.code).where('term', '=', r.term).executeTakeFirst();
  },

  insertLexicon(tx: Tx, r: { target: Target; code: string; term: string; weight: number }) {
    return tx.insertInto('triage_lexicon').values(r).onConflict((oc) => oc.doNothing()).returning('term').executeTakeFirst();
  },

  updateLexiconWeight(tx: Tx, r: { target: Target; code: string; term: string; weight: number }) {
    return tx.updateTable('triage_lexicon').set({ weight: r.weight }).where('target', '=', r.target).where('code', '=', r.code).where('term', '=', r.term).executeTakeFirst();
  },

  deleteLexicon(tx: Tx, r: { target: Target; code: string; term: string }) {
    return tx.deleteFrom('triage_lexicon').where('target', '=', r.target).where('code', '=', r.code).where('term', '=', r.term).executeTakeFirst();
  },

  // ── misconduct and exclusion terms ──
  async terms(db: Queryable, list: TermList, f: { category?: string; q?: string } & Page) {
    const table = TERM_TABLE[list];
    let q = db.selectFrom(table);
    if (f.category) q = q.where('category', '=', f.category);
    if (f.q) q = q.where(contains('term', f.q));
    const [rows, total, categories] = await Promise.all([
      q.select(['category', 'term']).orderBy('category').orderBy('term').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom(table).select(['category', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('category').orderBy('category').execute(),
    ]);
    return { rows, total: Number(total.n), categories: categories.map((c) => ({ category: c.category, n: Number(c.n) })) };
  },

  insertTerm(tx: Tx, list: TermList, r: { category: string; term: string }) {
    return tx.insertInto(TERM_TABLE[list]).values(r).onConflict((oc) => oc.doNothing()).returning('term').executeTakeFirst();
  },

  deleteTerm(tx: Tx, list: TermList, r: { category: string; term: string }) {
    return tx.deleteFrom(TERM_TABLE[list]).where('category', '=', r.category).where('term', '=', r.term).executeTakeFirst();
  },

  // ── user dictionary ──
  async userWords(db: Queryable, f: { category?: UserWordCategory; q?: string } & Page) {
    let q = db.selectFrom('user_word').leftJoin('app_user', 'app_user.id', 'user_word.created_by');
    if (f.category) q = q.where('user_word.category', '=', f.category);
    if (f.q) q = q.where(contains('user_word.word', f.q));
    const [rows, total] = await Promise.all([
      q.select(['user_word.word', 'user_word.category', 'user_word.created_at', 'app_user.display_name as created_by_name']).orderBy('user_word.created_at', 'desc').orderBy('user_word.word').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },

  /** Adds the words not yet in the dictionary; returns those added. */
  async insertUserWords(tx: Tx, words: string[], category: UserWordCategory, by: number | null) {
    if (!words.length) return [];
    const rows = await tx.insertInto('user_word').values(words.map((word) => ({ word, category, created_by: by }))).onConflict((oc) => oc.doNothing()).returning('word').execute();
    return rows.map((r) => r.word);
  },

  deleteUserWord(tx: Tx, word: string) {
    return tx.deleteFrom('user_word').where('word', '=', word).executeTakeFirst();
  },

  /** A new stamp, in the changing transaction: every instance reloads its segmenter when it sees it. */
  touchUserWords(tx: Tx) {
    return sql`update user_word_stamp set stamp = md5(random()::text || clock_timestamp()::text), updated_at = now()`.execute(tx);
  },
};
