/**
 * The search page's state as it lives in the URL (/problems?domain=urban_mgmt&from=…), so that the dashboard can link to a
 * search and the back button works. The words (q) stay out of the URL when they look like a phone number.
 */

export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'unsatisfied' | 'unrated';
export type SearchSort = 'time' | 'relevance';

/** The filters of POST /api/search, with the same names. */
export type SearchFilters = {
  q?: string;
  channel?: string;
  /** with channel: only problems first reported through it (as the dashboard counts them) */
  firstChannel?: boolean;
  kind?: string;
  domain?: string;
  /** region code prefix, digits */
  region?: string;
  unitId?: number;
  status?: string;
  /** 'any' or a category name */
  misconduct?: string;
  overdue?: boolean;
  listed?: boolean;
  escalated?: boolean;
  /** with overdue / listed / escalated: only work orders still open */
  openOnly?: boolean;
  satisfaction?: Satisfaction;
  /** ISO instants: a work order dispatched / the lead order closed in [from, to) (the dashboard's 派发 and 办结) */
  dispatchedFrom?: string;
  dispatchedTo?: string;
  /** ISO instants: a follow-up recorded in [ratedFrom, ratedTo) (the dashboard's 不满意) */
  ratedFrom?: string;
  ratedTo?: string;
  closedFrom?: string;
  closedTo?: string;
  /** ISO instants; reported_at in [from, to) */
  from?: string;
  to?: string;
};

export type SearchState = { filters: SearchFilters; sort: SearchSort; page: number };

const TEXT_KEYS = ['channel', 'kind', 'domain', 'status', 'misconduct'] as const;
const FLAG_KEYS = ['firstChannel', 'overdue', 'listed', 'escalated', 'openOnly'] as const;
const SATISFACTIONS: Satisfaction[] = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unrated'];

/** A query with a run of 7 or more digits (spaces and dashes between digits ignored) may be a phone number: never in a URL. */
export function mayShowInUrl(q: string): boolean {
  return !/\d{7,}/.test(q.replace(/(?<=\d)[\s-]+(?=\d)/g, ''));
}

const isInstant = (s: string | null): s is string => !!s && !Number.isNaN(Date.parse(s));

export function readSearch(params: URLSearchParams): SearchState {
  const filters: SearchFilters = {};
  const q = params.get('q')?.trim();
  if (q && mayShowInUrl(q)) filters.q = q;
  for (const key of TEXT_KEYS) {
    const v = params.get(key);
    if (v) filters[key] = v;
  }
  for (const key of FLAG_KEYS) if (params.get(key) === 'true' || params.get(key) === '1') filters[key] = true;
  const region = params.get('region');
  if (region && /^\d{2,12}$/.test(region)) filters.region = region;
  const unitId = Number(params.get('unitId'));
  if (Number.isInteger(unitId) && unitId > 0) filters.unitId = unitId;
  const satisfaction = params.get('satisfaction') as Satisfaction | null;
  if (satisfaction && SATISFACTIONS.includes(satisfaction)) filters.satisfaction = satisfaction;
  for (const key of ['from', 'to', 'dispatchedFrom', 'dispatchedTo', 'closedFrom', 'closedTo', 'ratedFrom', 'ratedTo'] as const) {
    const v = params.get(key);
    if (isInstant(v)) filters[key] = v;
  }
  const page = Number(params.get('page'));
  return { filters, sort: params.get('sort') === 'relevance' ? 'relevance' : 'time', page: Number.isInteger(page) && page > 1 ? page : 1 };
}

export function writeSearch({ filters, sort, page }: Partial<SearchState>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters ?? {})) {
    if (value === undefined || value === '' || value === false) continue;
    if (key === 'q' && !mayShowInUrl(String(value))) continue;
    params.set(key, String(value));
  }
  if (sort === 'relevance') params.set('sort', sort);
  if (page && page > 1) params.set('page', String(page));
  return params;
}

/** The link to the search page with these filters. */
export function searchLink(filters: SearchFilters): string {
  const qs = writeSearch({ filters }).toString();
  return qs ? `/problems?${qs}` : '/problems';
}

// City days (YYYY-MM-DD, Asia/Shanghai: UTC+8 all year) and the instants the search takes.
const CITY_OFFSET_MS = 8 * 3_600_000;

export const cityDayStart = (day: string) => `${day}T00:00:00+08:00`;
export const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
export const cityDayOf = (instant: string | number) => new Date((typeof instant === 'number' ? instant : Date.parse(instant)) + CITY_OFFSET_MS).toISOString().slice(0, 10);

/** The search filters of the city days [from, to], both inclusive. */
export function dayRangeFilter(range: { from: string; to: string }): Pick<SearchFilters, 'from' | 'to'> {
  return { from: cityDayStart(range.from), to: cityDayStart(nextDay(range.to)) };
}

/** The city days a [from, to) filter covers, for a date range picker. */
export function daysOfFilter(f: Pick<SearchFilters, 'from' | 'to'>): { from?: string; to?: string } {
  return { from: f.from ? cityDayOf(f.from) : undefined, to: f.to ? cityDayOf(Date.parse(f.to) - 1) : undefined };
}
