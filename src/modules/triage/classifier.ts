import { normalizeText } from '../../lib/text.ts';

/**
 * A linear text classifier that is plain data: hashed TF-IDF features (character 1–3-grams; jieba words were
 * measured too and cost 2.5× the time for no gain on held-out messages),
 * one-vs-rest linear SVMs trained by SGD. Weights are Float32Arrays stored in the database.
 */
export const DEFAULT_BUCKETS = 1 << 18;

export type LinearModel = {
  labels: string[];
  buckets: number;
  idf: Float32Array;
  weights: Float32Array; // buckets × labels: a bucket's weights for every label sit together (one cache line per term)
  bias: Float32Array;
};

export type Prediction = { label: string; confidence: number; scores: Record<string, number>; evidence: string[] };
/** A sparse vector; with names, where each term starts and how long it is in the normalized text. */
type Sparse = { idx: Int32Array; val: Float32Array; text: string; start: Int32Array | null; len: Uint8Array | null };

const FNV_OFFSET = 0x811c9dc5;
const step = (h: number, code: number) => Math.imul(h ^ code, 0x01000193) >>> 0;
const KEEP = /[\u4e00-\u9fa5a-zA-Z0-9]+/g;

/** Scratch space reused between calls: counts per bucket and the buckets touched. */
let scratch = new Float32Array(0);
let touched = new Int32Array(0);
let starts = new Int32Array(0);
let lens = new Uint8Array(0);

/**
 * Sublinear TF × IDF over character 1–3-grams (inside runs of CJK/alnum), L2-normalized.
 * Grams are hashed incrementally (FNV-1a) without building strings; names are kept only when evidence is wanted.
 */
function vectorize(text: string, model: Pick<LinearModel, 'buckets' | 'idf'>, withNames = false): Sparse {
  const { buckets } = model;
  if (scratch.length !== buckets) {
    scratch = new Float32Array(buckets);
    touched = new Int32Array(1 << 16);
    starts = new Int32Array(1 << 16);
    lens = new Uint8Array(1 << 16);
  }
  let n = 0;
  const add = (h: number, start: number, len: number) => {
    const b = h % buckets;
    if (scratch[b] === 0) {
      if (n === touched.length) {
        const grow = <T extends Int32Array | Uint8Array>(a: T, make: (size: number) => T) => {
          const bigger = make(a.length * 2);
          bigger.set(a);
          return bigger;
        };
        touched = grow(touched, (k) => new Int32Array(k));
        starts = grow(starts, (k) => new Int32Array(k));
        lens = grow(lens, (k) => new Uint8Array(k));
      }
      starts[n] = start;
      lens[n] = len;
      touched[n++] = b;
    }
    scratch[b]! += 1;
  };
  const t = normalizeText(text).toLowerCase();
  for (const m of t.matchAll(KEEP)) {
    const run = m[0];
    const at = m.index!;
    for (let i = 0; i < run.length; i++) {
      const h1 = step(FNV_OFFSET, run.charCodeAt(i));
      add(h1, at + i, 1);
      if (i + 1 < run.length) {
        const h2 = step(h1, run.charCodeAt(i + 1));
        add(h2, at + i, 2);
        if (i + 2 < run.length) add(step(h2, run.charCodeAt(i + 2)), at + i, 3);
      }
    }
  }
  const idx = new Int32Array(n);
  const val = new Float32Array(n);
  let norm = 0;
  for (let k = 0; k < n; k++) {
    const b = touched[k]!;
    const v = (1 + Math.log(scratch[b]!)) * model.idf[b]!;
    scratch[b] = 0;
    idx[k] = b;
    val[k] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < n; k++) val[k]! /= norm;
  return { idx, val, text: t, start: withNames ? starts.slice(0, n) : null, len: withNames ? lens.slice(0, n) : null };
}

function foldScale(model: LinearModel, scale: Float64Array) {
  const L = model.labels.length;
  for (let i = 0; i < model.weights.length; i++) model.weights[i]! *= scale[i % L]!;
  scale.fill(1);
}

export type TrainOptions = { epochs?: number; lambda?: number; buckets?: number; seed?: number };

/** Trains one-vs-rest linear SVMs (hinge loss, L2, SGD with a decaying step) on labelled texts. */
export function train(docs: { text: string; label: string }[], o: TrainOptions = {}): LinearModel {
  const buckets = o.buckets ?? DEFAULT_BUCKETS;
  const epochs = o.epochs ?? 10;
  const lambda = o.lambda ?? 1e-5;
  const labels = [...new Set(docs.map((d) => d.label))].sort();
  // document frequencies → smoothed IDF
  const df = new Float32Array(buckets);
  const ones = { buckets, idf: new Float32Array(buckets).fill(1) };
  for (const d of docs) for (const b of vectorize(d.text, ones).idx) df[b]! += 1;
  const idf = new Float32Array(buckets);
  for (let b = 0; b < buckets; b++) idf[b] = Math.log((1 + docs.length) / (1 + df[b]!)) + 1;
  const model: LinearModel = { labels, buckets, idf, weights: new Float32Array(labels.length * buckets), bias: new Float32Array(labels.length) };
  const vectors = docs.map((d) => vectorize(d.text, model));
  const y = docs.map((d) => labels.indexOf(d.label));

  let rnd = o.seed ?? 7;
  const random = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0) / 4294967296);
  const order = docs.map((_, i) => i);
  const scale = new Float64Array(labels.length).fill(1); // w_c = scale_c × stored, so the L2 decay is O(1)
  let t = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const d of order) {
      t++;
      const eta = 1 / (lambda * (t + 1e4));
      const x = vectors[d]!;
      const L = labels.length;
      for (let c = 0; c < L; c++) {
        let dot = 0;
        for (let k = 0; k < x.idx.length; k++) dot += model.weights[x.idx[k]! * L + c]! * x.val[k]!;
        const margin = dot * scale[c]! + model.bias[c]!;
        const target = y[d] === c ? 1 : -1;
        scale[c]! *= 1 - eta * lambda;
        if (target * margin < 1) {
          const step = (eta * target) / scale[c]!;
          for (let k = 0; k < x.idx.length; k++) model.weights[x.idx[k]! * L + c]! += step * x.val[k]!;
          model.bias[c]! += eta * target * 0.01;
        }
      }
      if (t % 1000 === 0) {
        // fold the scale back in before it underflows
        foldScale(model, scale);
      }
    }
  }
  foldScale(model, scale);
  return model;
}

/** The best label, a softmax confidence over the margins, and the terms that pushed hardest toward it. */
export function predict(model: LinearModel, text: string, evidenceCount = 5): Prediction {
  const x = vectorize(text, model, evidenceCount > 0);
  const L = model.labels.length;
  const margins = Array.from(model.bias);
  for (let k = 0; k < x.idx.length; k++) {
    const base = x.idx[k]! * L;
    const v = x.val[k]!;
    for (let c = 0; c < L; c++) margins[c]! += model.weights[base + c]! * v;
  }
  let best = 0;
  for (let c = 1; c < margins.length; c++) if (margins[c]! > margins[best]!) best = c;
  const exps = margins.map((m) => Math.exp(3 * (m - margins[best]!)));
  const sum = exps.reduce((a, b) => a + b, 0);
  const scores = Object.fromEntries(model.labels.map((l, c) => [l, exps[c]! / sum]));
  let evidence: string[] = [];
  if (evidenceCount > 0 && x.start && x.len) {
    // the terms (bigrams and trigrams) that pushed hardest toward the label, longest first among overlaps
    const top: { term: string; w: number }[] = [];
    for (let k = 0; k < x.idx.length; k++) {
      if (x.len[k]! < 2) continue;
      const w = model.weights[x.idx[k]! * L + best]! * x.val[k]!;
      if (w <= 0 || (top.length >= 30 && w <= top[top.length - 1]!.w)) continue;
      top.push({ term: x.text.slice(x.start[k]!, x.start[k]! + x.len[k]!), w });
      top.sort((a, b) => b.w - a.w);
      if (top.length > 30) top.pop();
    }
    for (const c of top) {
      if (evidence.length >= evidenceCount) break;
      const overlap = evidence.findIndex((e) => e.includes(c.term) || c.term.includes(e));
      if (overlap < 0) evidence.push(c.term);
      else if (c.term.length > evidence[overlap]!.length) evidence[overlap] = c.term;
    }
  }
  return { label: model.labels[best]!, confidence: scores[model.labels[best]!]!, scores, evidence };
}

export type Metrics = { n: number; accuracy: number; macro_f1: number; per_class: Record<string, { precision: number; recall: number; f1: number; n: number }> };

export function score(truth: string[], predicted: string[]): Metrics {
  const labels = [...new Set([...truth, ...predicted])].sort();
  const per_class: Metrics['per_class'] = {};
  for (const l of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      if (predicted[i] === l && t === l) tp++;
      else if (predicted[i] === l) fp++;
      else if (t === l) fn++;
    });
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    per_class[l] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, n: tp + fn };
  }
  const present = labels.filter((l) => per_class[l]!.n > 0);
  return {
    n: truth.length,
    accuracy: truth.filter((t, i) => t === predicted[i]).length / (truth.length || 1),
    macro_f1: present.reduce((a, l) => a + per_class[l]!.f1, 0) / (present.length || 1),
    per_class,
  };
}

/** k-fold cross-validation on the training data: the figures a model is chosen by. */
export function crossValidate(docs: { text: string; label: string }[], folds: number, o: TrainOptions = {}): Metrics {
  const truth: string[] = [];
  const predicted: string[] = [];
  for (let f = 0; f < folds; f++) {
    const trainSet = docs.filter((_, i) => i % folds !== f);
    const test = docs.filter((_, i) => i % folds === f);
    const model = train(trainSet, o);
    for (const d of test) {
      truth.push(d.label);
      predicted.push(predict(model, d.text, 0).label);
    }
  }
  return score(truth, predicted);
}
