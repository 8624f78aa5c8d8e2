/**
 * What every code within a region starts with: 340000 (省) → 34, 340200 (市) → 3402, 340202 (区县) → 340202, and a
 * 9-digit township code is its own. Filtering by the code itself would find a city's own records and none of its
 * districts'.
 */
export function regionPrefix(code: string): string {
  if (code.length !== 6) return code;
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

/** Two places neither of which lies within the other (镜湖区 and 弋江区, two townships of one district); unknown places never differ. */
export function differentPlaces(a: string | null, b: string | null): boolean {
  if (!a || !b) return false;
  const [pa, pb] = [regionPrefix(a), regionPrefix(b)];
  return !pa.startsWith(pb) && !pb.startsWith(pa);
}
