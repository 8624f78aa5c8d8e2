import { normalizeText } from '../../lib/text.ts';

/** MinHash over character 3-shingles, banded for LSH: near-identical texts share at least one band's bucket. */
export const PERMUTATIONS = 64;
export const BANDS = 16;
const ROWS = PERMUTATIONS / BANDS;
const SEEDS = Array.from({ length: PERMUTATIONS }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >>> 0);

function fnv(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A 32-bit mix (murmur3 finalizer) of a shingle hash with a permutation's seed. */
function mix(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0; // signed, to fit a PostgreSQL integer
}

export function minhash(text: string): number[] | null {
  const t = normalizeText(text).replace(/[^\u4e00-\u9fa5a-zA-Z0-9]/g, '');
  if (t.length < 8) return null; // too short to say anything about sameness
  const sig = new Array<number>(PERMUTATIONS).fill(0x7fffffff);
  for (let i = 0; i + 3 <= t.length; i++) {
    const x = fnv(t, i, i + 3);
    for (let p = 0; p < PERMUTATIONS; p++) {
      const v = mix(x, SEEDS[p]!);
      if (v < sig[p]!) sig[p] = v;
    }
  }
  return sig;
}

/** One bucket per band: a hash of the band's rows. */
export function bandBuckets(sig: number[]): number[] {
  return Array.from({ length: BANDS }, (_, b) => {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < ROWS; r++) h = Math.imul(h ^ sig[b * ROWS + r]!, 0x01000193);
    return h | 0;
  });
}

/** Estimated Jaccard similarity of the shingle sets. */
export function similarity(a: number[], b: number[]): number {
  let same = 0;
  for (let i = 0; i < PERMUTATIONS; i++) if (a[i] === b[i]) same++;
  return same / PERMUTATIONS;
}
