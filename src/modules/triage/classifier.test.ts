import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predict, solveLinearSvm, train, type LinearModel, type SparseRows } from './classifier.ts';

/** Dense rows as the solver's sparse rows. */
function rows(points: number[][]): SparseRows {
  const ptr = [0];
  const idx: number[] = [];
  const val: number[] = [];
  for (const p of points) {
    p.forEach((v, j) => {
      if (v !== 0) (idx.push(j), val.push(v));
    });
    ptr.push(idx.length);
  }
  return { n: points.length, dim: points[0]!.length, ptr: Int32Array.from(ptr), idx: Int32Array.from(idx), val: Float32Array.from(val) };
}

/** The primal objective the solver minimizes: ½‖(w, b)‖² + C Σ max(0, 1 − y(w·x + b))². */
function objective(points: number[][], y: number[], w: ArrayLike<number>, C: number): number {
  const d = points[0]!.length;
  let o = 0;
  for (let j = 0; j <= d; j++) o += 0.5 * w[j]! * w[j]!;
  points.forEach((p, i) => {
    const loss = Math.max(0, 1 - y[i]! * (p.reduce((a, v, j) => a + v * w[j]!, 0) + w[d]!));
    o += C * loss * loss;
  });
  return o;
}

test('the dual solver finds the known optimum of a symmetric two-point problem', () => {
  // ½(w₁² + b²) + 2C(1 − w₁)² at b = 0 (by symmetry): w₁ = 4C / (1 + 4C)
  for (const C of [0.25, 1, 4]) {
    const { w } = solveLinearSvm(rows([[1, 0], [-1, 0]]), Int8Array.from([1, -1]), { C, eps: 1e-6 });
    assert.ok(Math.abs(w[0]! - (4 * C) / (1 + 4 * C)) < 1e-4, `C=${C}: w₁=${w[0]}`);
    assert.ok(Math.abs(w[1]!) < 1e-9 && Math.abs(w[2]!) < 1e-4, `C=${C}: w₂=${w[1]}, b=${w[2]}`);
  }
});

test('on a separable set the dual solver separates every point and reaches the primal optimum', () => {
  // points around a hidden hyperplane with a gap, and a bias the solver has to find
  let seed = 11;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296 - 0.5;
  const hidden = [2, -1, 0.5, 0, 1.5];
  const points: number[][] = [];
  const y: number[] = [];
  while (points.length < 120) {
    const p = hidden.map(() => 2 * random());
    const m = p.reduce((a, v, j) => a + v * hidden[j]!, 0) - 0.3;
    if (Math.abs(m) < 0.4) continue;
    points.push(p);
    y.push(m > 0 ? 1 : -1);
  }
  const C = 10;
  const { w } = solveLinearSvm(rows(points), Int8Array.from(y), { C, eps: 1e-4 });
  points.forEach((p, i) => assert.ok(y[i]! * (p.reduce((a, v, j) => a + v * w[j]!, 0) + w[5]!) > 0, `point ${i} on the wrong side`));
  // reference: plain gradient descent on the (smooth, strongly convex) primal
  const ref = new Float64Array(6);
  for (let it = 0; it < 20000; it++) {
    const g = Float64Array.from(ref);
    points.forEach((p, i) => {
      const loss = 1 - y[i]! * (p.reduce((a, v, j) => a + v * ref[j]!, 0) + ref[5]!);
      if (loss <= 0) return;
      p.forEach((v, j) => (g[j]! -= 2 * C * loss * y[i]! * v));
      g[5]! -= 2 * C * loss * y[i]!;
    });
    for (let j = 0; j < 6; j++) ref[j]! -= 2e-4 * g[j]!;
  }
  const mine = objective(points, y, w, C);
  const best = objective(points, y, ref, C);
  assert.ok(mine <= best * 1.001, `dual solution ${mine} vs reference ${best}`);
});

const SMALL = [
  ...['工资拖欠三个月', '公司不交社保', '加班没有加班费', '劳动合同到期不续签'].map((text) => ({ text, label: '劳动' })),
  ...['河里排污水发臭', '工厂废气刺鼻', '夜间施工噪音', '烧烤油烟扰民'].map((text) => ({ text, label: '环境' })),
];

test('a trained model keeps its vocabulary through the bytes it is stored as', () => {
  const model = train(SMALL);
  assert.equal(model.idf.length, 2 * model.buckets);
  assert.equal(model.weights.length, model.buckets * model.labels.length);
  const keys = new Uint32Array(model.idf.buffer, model.idf.byteOffset, model.buckets);
  for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1]! < keys[i]!, 'keys ascending');
  assert.ok(Array.from(model.idf).every(Number.isFinite), 'no NaN or ∞ among the stored floats');
  // as repo.ts stores and loads it: bytes out, an aligned copy back
  const copy = (a: Float32Array) => new Float32Array(Uint8Array.from(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).buffer);
  const loaded: LinearModel = { labels: model.labels, buckets: model.buckets, idf: copy(model.idf), weights: copy(model.weights), bias: copy(model.bias) };
  for (const text of ['老板拖欠工资', '化工厂排污水', '']) assert.deepEqual(predict(loaded, text), predict(model, text));
  assert.equal(predict(loaded, '老板拖欠工资').label, '劳动');
  assert.equal(predict(loaded, '化工厂排污水').label, '环境');
});

test('at most maxFeatures features are kept', () => {
  const model = train(SMALL, { maxFeatures: 20 });
  assert.equal(model.buckets, 20);
  assert.equal(model.idf.length, 40);
  assert.equal(predict(model, '拖欠工资').label, '劳动');
});

test('a model of the earlier hashed layout (idf of length buckets, hash mod buckets) still predicts', () => {
  const buckets = 1 << 10;
  const fnv = (s: string) => [...s].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0, 0x811c9dc5);
  const weights = new Float32Array(buckets * 2);
  weights[(fnv('工资') % buckets) * 2 + 0] = 1;
  weights[(fnv('噪音') % buckets) * 2 + 1] = 1;
  const model: LinearModel = { labels: ['劳动', '环境'], buckets, idf: new Float32Array(buckets).fill(1), weights, bias: new Float32Array(2) };
  const p = predict(model, '拖欠工资');
  assert.equal(p.label, '劳动');
  assert.deepEqual(p.evidence, ['工资']);
  assert.equal(predict(model, '噪音很大').label, '环境');
});
