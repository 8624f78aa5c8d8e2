/** Times as the city writes them. A time without a zone is Asia/Shanghai (UTC+8, no daylight saving). */
const CITY_OFFSET = '+08:00';

const DATE_TIME = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** 2026年3月5日 10时22分 → 2026-3-5 10:22 */
function westernize(s: string): string {
  return s.replace(/[年月]/g, '-').replace(/日\s*/, ' ').replace(/[时分：]/g, ':').replace(/秒/, '').replace(/:(\s|$)/, '$1').trim();
}

/** Excel's day numbers for 1954–2119 (day 25,569 is 1970-01-01); other numbers this small are not times. */
const EXCEL_DAYS = { min: 20_000, max: 80_000, unixEpoch: 25_569 };

/**
 * Parses ISO strings, 2026-03-05 10:22[:33], 2026/3/5, 2026年3月5日 10时22分, Unix seconds or ms, Excel day numbers
 * (46093.375: a date cell read without its format) in city time, and Dates. Any other number is not a time.
 */
export function parseCityTime(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number' || (typeof value === 'string' && /^(\d{9,13}|\d{5}(\.\d+)?)$/.test(value.trim()))) {
    const n = Number(value);
    if (!Number.isFinite(n)) return null;
    if (n >= EXCEL_DAYS.min && n < EXCEL_DAYS.max) return new Date(Math.round((n - EXCEL_DAYS.unixEpoch) * 86_400_000) - 8 * 3_600_000);
    if (n < 1e8) return null;
    const d = new Date(n < 1e11 ? n * 1000 : n);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (typeof value !== 'string') return null;
  const m = DATE_TIME.exec(westernize(value.trim()));
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const pad = (x: string) => x.padStart(2, '0');
  const iso = `${y}-${pad(mo!)}-${pad(d!)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac ? `.${frac.slice(0, 3).padEnd(3, '0')}` : ''}${zone ? (zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`) : CITY_OFFSET}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  // reject 2026-02-31 and the like, which Date would roll over: the day as written, in the zone it was written in
  const offset = zone && zone !== 'Z' ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) : zone ? 0 : 8 * 60;
  const local = new Date(date.getTime() + offset * 60_000);
  if (local.getUTCMonth() + 1 !== Number(mo) || local.getUTCDate() !== Number(d)) return null;
  return date;
}
