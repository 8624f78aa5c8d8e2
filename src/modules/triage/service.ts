import fs from 'node:fs';
import readline from 'node:readline';
import type { AppContext } from '../../context.ts';
import type { TriageGuess, TriageResult } from '../../db/types.ts';
import { badRequest } from '../../lib/errors.ts';
import { normalizeText } from '../../lib/text.ts';
import { recordAudit } from '../audit/service.ts';
import { SYSTEM_ACTOR, type Actor } from '../auth/access.ts';
import { crossValidate, predict, score, train, type LinearModel, type Metrics, type Prediction } from './classifier.ts';
import { asFloats, triageRepo, type Target } from './repo.ts';
import { jobsRepo } from '../jobs/repo.ts';
import { bandBuckets, minhash, similarity } from './minhash.ts';
import { differentPlaces } from '../../lib/region.ts';
import { mergeProblems } from '../problems/service.ts';
import { routeProposer } from '../routing/service.ts';
import { extractTarget, targetKey } from './targets.ts';

export type LabelledText = { text: string; label: string };
export type Classification = TriageGuess;

const CV_FOLDS = 5;
const withSource = (t: { text: string; key: string } | null) => (t ? { ...t, source: 'text' as const } : null);

/** Reads JSON lines of labelled messages; text fields are joined, a missing field is empty. */
export async function readLabelled(files: string[], textFields: string[], labelField: string): Promise<LabelledText[]> {
  const out: LabelledText[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) throw badRequest(`文件不存在：${file}`);
    let lineNo = 0;
    for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
      lineNo++;
      if (!line.trim()) continue;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line);
      } catch {
        throw badRequest(`${file} 第 ${lineNo} 行不是合法的 JSON`);
      }
      const label = row[labelField];
      if (typeof label !== 'string' || !label) throw badRequest(`${file} 第 ${lineNo} 行缺少标签字段 ${labelField}`);
      out.push({ text: textFields.map((f) => (typeof row[f] === 'string' ? (row[f] as string) : '')).join(' '), label });
    }
  }
  if (!out.length) throw badRequest('训练数据为空');
  return out;
}

/** Messages per second of classification alone (text in, label out), on a warm process: passes until a second has gone. */
const NO_EXAMPLES = '没有可用的训练样本：请先由管理员用命令 zhd triage train --data 导入带标签的历史数据，再用纠正重新训练';

export function classificationRate(model: LinearModel, texts: string[]): number {
  for (const t of texts.slice(0, 50)) predict(model, t, 0);
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) for (const t of texts) (predict(model, t, 0), n++);
  return Math.round(n / ((performance.now() - started) / 1000));
}

/** The active model per target, loaded once and kept until a newer version becomes active. */
const cache = new Map<string, { id: number; model: LinearModel }>();

/** Categories whose terms occur in the text, with the terms as evidence (misconduct, or matters not dispatched). */
export function termMatcher(terms: { category: string; term: string }[]): (text: string) => TriageResult['misconduct'] {
  return (text) => {
    const t = normalizeText(text);
    const found = new Map<string, string[]>();
    for (const { category, term } of terms) if (t.includes(term)) found.set(category, [...(found.get(category) ?? []), term]);
    return [...found.entries()].map(([category, ts]) => ({ category, terms: ts }));
  };
}

export function createTriageService(ctx: AppContext) {
  const { db } = ctx;

  async function activeModel(target: Target): Promise<{ id: number; version: number; model: LinearModel } | null> {
    const active = await triageRepo.activeId(db, target);
    if (!active) return null;
    const key = `${ctx.database.label}|${target}`;
    const hit = cache.get(key);
    if (hit?.id === active.id) return { ...active, model: hit.model };
    const row = await triageRepo.load(db, active.id);
    const model: LinearModel = { labels: row.labels, buckets: row.buckets, weights: asFloats(row.weights), bias: asFloats(row.bias), idf: asFloats(row.idf) };
    cache.set(key, { id: active.id, model });
    return { ...active, model };
  }

  /** A classifier for one target, with its model (or lexicon) and label map loaded once for many texts. */
  async function classifierFor(target: Target): Promise<(text: string) => Classification | null> {
    const active = await activeModel(target);
    if (active) {
      const map = new Map((await triageRepo.labelMap(db, target)).map((m) => [m.label, m.code]));
      const codes = new Set((await triageRepo.codes(db, target)).map((r) => r.code));
      return (text) => {
        const p: Prediction = predict(active.model, text);
        return { code: map.get(p.label) ?? (codes.has(p.label) ? p.label : null), label: p.label, confidence: p.confidence, evidence: p.evidence, source: 'model' };
      };
    }
    const lexicon = await triageRepo.lexicon(db, target);
    return (text) => {
      const t = normalizeText(text);
      const scores = new Map<string, { score: number; terms: string[] }>();
      for (const { code, term, weight } of lexicon) {
        if (!t.includes(term)) continue;
        const s = scores.get(code) ?? { score: 0, terms: [] };
        s.score += weight;
        s.terms.push(term);
        scores.set(code, s);
      }
      const ranked = [...scores.entries()].sort((a, b) => b[1].score - a[1].score);
      if (!ranked.length) return null;
      const [code, best] = ranked[0]!;
      const total = ranked.reduce((a, [, s]) => a + s.score, 0);
      // a keyword list is a first answer, never a confident one: one term alone gives 0.5
      return { code, label: code, confidence: best.score / (total + 1), evidence: best.terms.slice(0, 5), source: 'lexicon' };
    };
  }

  async function termFinder(load: () => Promise<{ category: string; term: string }[]>): Promise<(text: string) => TriageResult['misconduct']> {
    return termMatcher(await load());
  }

  return {
    activeModel,

    /**
     * Trains on labelled texts plus every confirmation and correction dispatchers made in the queue, stores the model
     * as the new active version, and returns its cross-validated figures. The imported texts are kept so that
     * `retrain` can repeat this with newer corrections. History labels go through the label map into our codes, so
     * that they and the corrections speak the same language.
     */
    async train(actor: Actor, imported: LabelledText[] | null, o: { target: Target; sources: string[] }) {
      const base = imported ?? (await triageRepo.examples(db, o.target));
      if (!base.length) throw badRequest(NO_EXAMPLES);
      const map = new Map((await triageRepo.labelMap(db, o.target)).map((m) => [m.label, m.code]));
      const feedback = await triageRepo.feedback(db, o.target);
      const docs = [...base.map((d) => ({ text: d.text, label: map.get(d.label) ?? d.label })), ...feedback];
      const labels = new Set(docs.map((d) => d.label));
      if (labels.size < 2) throw badRequest('训练数据至少需要两个不同的标签');
      const cv: Metrics = crossValidate(docs, CV_FOLDS);
      const model = train(docs);
      const perLabel = Object.fromEntries([...labels].map((l) => [l, docs.filter((d) => d.label === l).length]));
      const saved = await db.transaction().execute(async (tx) => {
        if (imported) await triageRepo.replaceExamples(tx, o.target, imported);
        const version = await triageRepo.nextVersion(tx, o.target);
        const row = await triageRepo.insertActive(tx, { target: o.target, version, ...model, metrics: { cv_folds: CV_FOLDS, ...cv }, trainedOn: { sources: o.sources, n: docs.length, feedback: feedback.length, per_label: perLabel } });
        await recordAudit(tx, actor, { action: 'triage.train', targetType: 'triage_model', targetId: row.id, summary: { target: o.target, version, n: docs.length, feedback: feedback.length, macro_f1: cv.macro_f1 } });
        return row;
      });
      return { ...saved, metrics: cv, feedback: feedback.length };
    },

    /** Queues retraining (stored examples plus corrections) as a job: training takes longer than a request should. */
    async requestRetrain(actor: Actor, target: Target) {
      // refused at once rather than by a job failing where no one sees it
      if (!(await triageRepo.hasExamples(db, target))) throw badRequest(NO_EXAMPLES);
      return db.transaction().execute(async (tx) => {
        const job = await jobsRepo.enqueue(tx, { kind: 'triage.retrain', payload: { target }, runAt: new Date(), uniqueKey: null, maxAttempts: 1 });
        await recordAudit(tx, actor, { action: 'triage.retrain_requested', targetType: 'job', targetId: job!.id, summary: { target } });
        return { jobId: job!.id };
      });
    },

    /** Scores the active model on labelled texts; msgs_per_s is classification alone (text in, label out). */
    async evaluate(target: Target, docs: LabelledText[]) {
      const active = await activeModel(target);
      if (!active) throw badRequest(`还没有训练过的${target === 'domain' ? '领域' : '类型'}模型：请先运行 zhd triage train`);
      const map = new Map((await triageRepo.labelMap(db, target)).map((m) => [m.label, m.code]));
      const predicted = docs.map((d) => predict(active.model, d.text, 0).label);
      return { ...score(docs.map((d) => map.get(d.label) ?? d.label), predicted), msgs_per_s: classificationRate(active.model, docs.map((d) => d.text)), model_version: active.version };
    },

    /** The model's answer mapped to our codes, or the built-in lexicon's when no model is trained yet. */
    async classify(target: Target, text: string): Promise<Classification | null> {
      return (await classifierFor(target))(text);
    },

    /**
     * Triages problems not yet triaged: domain and (where the channel gave none) kind with confidence and evidence,
     * and misconduct flags. Returns how many were done; safe to run from any number of instances.
     */
    async triagePending(limit: number): Promise<number> {
      const [domain, kind, misconduct, exclusions, route, dup] = await Promise.all([
        classifierFor('domain'),
        classifierFor('kind'),
        termFinder(() => triageRepo.misconductTerms(db)),
        termFinder(() => triageRepo.exclusionTerms(db)),
        routeProposer(db),
        triageRepo.duplicateSettings(db),
      ]);
      return db.transaction().execute(async (tx) => {
        const pending = await triageRepo.lockUntriaged(tx, limit);
        let merged = 0;
        for (const p of pending) {
          const text = `${p.title} ${p.body}`;
          // near-duplicates across channels within the window: merged when clearly the same matter, else listed
          const sig = minhash(p.body.length >= 8 ? p.body : text);
          const buckets = sig ? bandBuckets(sig) : [];
          const candidates = sig
            ? (await triageRepo.lshCandidates(tx, buckets, p.reported_at, dup.windowDays, p.id))
                .map((c) => ({ ...c, similarity: similarity(sig, c.minhash ?? []) }))
                .filter((c) => c.similarity >= dup.candidateSimilarity)
                .sort((a, b) => b.similarity - a.similarity)
            : [];
          const best = candidates[0];
          const sameRegion = !!best && !!p.region_code && best.region_code === p.region_code;
          // the same words about two places are two matters (the same question asked in two districts): listed, never merged;
          // nor is a problem already dispatched (a warning's 交办, or a dispatcher faster than the sweep): its order goes on
          const merge = !!best && ['new', 'triaged'].includes(p.status) && !differentPlaces(p.region_code, best.region_code)
            && (best.similarity >= dup.mergeSimilarity || (sameRegion && best.similarity >= dup.mergeSimilaritySameRegion));
          const result: TriageResult = {
            domain: domain(text),
            kind: p.kind_code ? null : kind(text),
            misconduct: misconduct(text),
            duplicates: candidates.slice(0, 3).map((c) => ({ id: c.id, similarity: Math.round(c.similarity * 100) / 100, merged: merge && c.id === best!.id })),
            exclusion: exclusions(text)[0] ?? null,
            target: p.target_text ? { text: p.target_text, key: targetKey(p.target_text), source: 'channel' } : withSource(extractTarget(text)),
          };
          const codes = { domain: result.domain?.code ?? null, kind: p.kind_code ?? result.kind?.code ?? null };
          result.route = route({ ...codes, region: p.region_code });
          await triageRepo.saveResult(tx, p.id, result, sig, codes);
          if (!sig) continue;
          if (merge) {
            await mergeProblems(tx, SYSTEM_ACTOR, { from: p.id, fromStatus: p.status, into: best!.id, similarity: best!.similarity, reason: sameRegion ? '内容相近且同一区域' : '内容高度相同' });
            merged++;
          } else {
            await triageRepo.insertLsh(tx, p.id, p.reported_at, buckets);
          }
        }
        if (pending.length) await recordAudit(tx, SYSTEM_ACTOR, { action: 'triage.auto', targetType: 'problem', summary: { count: pending.length, merged, first: pending[0]!.id, last: pending[pending.length - 1]!.id } });
        return pending.length;
      });
    },
  };
}

export type TriageService = ReturnType<typeof createTriageService>;
