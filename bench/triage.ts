/**
 * npm run bench:triage — trains the domain classifier on train.jsonl + titles.jsonl, scores dev.jsonl, and prints
 * one JSON line. dev's titles and many of its bodies also appear in the training files; those copies are left out of
 * training so that dev is scored as unseen messages (the figure that matters), and how many were left out is printed.
 * With `-- --cv` it also prints the 5-fold cross-validated macro-F1 on those training rows (as `zhd triage train`
 * reports it; about half a minute more): the figure models are chosen by, since dev is only reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sharedDataDir } from '../test/shared-data.ts';
import { normalizeText, segment } from '../src/lib/text.ts';
import os from 'node:os';
import { openPglite } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { crossValidate, predict, score, train } from '../src/modules/triage/classifier.ts';
import { bandBuckets, minhash } from '../src/modules/triage/minhash.ts';
import { triageRepo } from '../src/modules/triage/repo.ts';
import { classificationRate, termMatcher } from '../src/modules/triage/service.ts';
import { extractTarget } from '../src/modules/triage/targets.ts';

const dir = path.join(sharedDataDir(), 'teddy2020');
if (!fs.existsSync(path.join(dir, 'dev.jsonl'))) {
  process.stderr.write(`共享数据 ${dir} 不存在（设置 ZHD_SHARED_DATA）：跳过\n`);
  process.stdout.write(`${JSON.stringify({ skipped: true })}\n`);
  process.exit(0);
}
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
const devRows = read('dev.jsonl');
const seen = new Set(devRows.flatMap((d) => [d.title, d.body]));
const all = [...read('train.jsonl').map((r) => ({ text: r.body ?? '', label: r.label! })), ...read('titles.jsonl').map((r) => ({ text: r.title ?? '', label: r.label! }))];
const docs = all.filter((d) => !seen.has(d.text));
const dev = devRows.map((r) => ({ text: `${r.title} ${r.body}`, label: r.label! }));

const t0 = performance.now();
const model = train(docs);
const trainSeconds = (performance.now() - t0) / 1000;
const modelBytes = model.weights.byteLength + model.idf.byteLength + model.bias.byteLength;
const metrics = score(dev.map((d) => d.label), dev.map((d) => predict(model, d.text, 0).label));
const classify = classificationRate(model, dev.map((d) => d.text));
// the triage step's own work, as the triage job does it for each problem: normalize, segment, classify with evidence,
// the misconduct and not-dispatched terms (the lists the project seeds), the party complained about, and the MinHash
// signature with its LSH buckets (the candidates' lookup is one indexed query in the database, not counted here)
const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-bench-triage-'));
const database = await openPglite(dbDir);
await migrate(database.db);
const misconduct = termMatcher(await triageRepo.misconductTerms(database.db));
const exclusions = termMatcher(await triageRepo.exclusionTerms(database.db));
await database.close();
fs.rmSync(dbDir, { recursive: true, force: true });
let n = 0;
const t1 = performance.now();
while (performance.now() - t1 < 1000) {
  for (const d of dev) {
    const text = normalizeText(d.text);
    segment(text);
    predict(model, d.text, 5);
    misconduct(text);
    exclusions(text);
    extractTarget(text);
    const sig = minhash(text);
    if (sig) bandBuckets(sig);
    n++;
  }
}
const triage = Math.round(n / ((performance.now() - t1) / 1000));
const cv = process.argv.includes('--cv') ? crossValidate(docs, 5) : null;
clearInterval(sampler);
process.stdout.write(`${JSON.stringify({
  dev_macro_f1: +metrics.macro_f1.toFixed(4),
  dev_accuracy: +metrics.accuracy.toFixed(4),
  classify_msgs_per_s: classify,
  triage_msgs_per_s: triage,
  peak_rss_mb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024),
  train_n: docs.length,
  train_left_out_as_dev_copies: all.length - docs.length,
  train_s: +trainSeconds.toFixed(1),
  model_features: model.buckets,
  model_mb: +(modelBytes / 1024 / 1024).toFixed(1),
  ...(cv ? { cv_macro_f1: +cv.macro_f1.toFixed(4), cv_accuracy: +cv.accuracy.toFixed(4) } : {}),
})}\n`);
