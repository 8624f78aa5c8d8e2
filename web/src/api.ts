/** The one client for the API: JSON in and out, the server's { code, message, details } on failure. */
export type ApiErrorDetail = { field?: string; row?: number; message: string };

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: ApiErrorDetail[] = [], readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

type Listener = (e: ApiError) => void;
const unauthorizedListeners = new Set<Listener>();
export function onUnauthorized(fn: Listener) {
  unauthorizedListeners.add(fn);
  return () => {
    unauthorizedListeners.delete(fn);
  };
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; query?: Record<string, unknown> } = {}): Promise<T> {
  const qs = init.query
    ? '?' + new URLSearchParams(Object.entries(init.query).filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [k, String(v)])).toString()
    : '';
  const res = await fetch(`/api${path}${qs}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    // beside code, message and details the server may send more to act on (a 409's state and the steps allowed)
    const { code, message, details, ...extra } = data && typeof data === 'object' ? data : ({} as Record<string, any>);
    // the server names a field by its code (reason：…), for programs; people read what the checks said
    // (a path parameter that is not a number comes from an address typed by hand: the address is wrong)
    const said = code !== 'VALIDATION' || !Array.isArray(details) || !details.length ? null
      : details.some((d: ApiErrorDetail) => d.field?.startsWith('params.')) ? '页面地址不正确：其中的编号应为数字，请从列表进入'
      : [...new Set(details.map((d: ApiErrorDetail) => d.message))].join('；');
    const err = new ApiError(res.status, code ?? 'ERROR', said ?? message ?? `请求失败（${res.status}）`, details ?? [], extra);
    if (res.status === 401 && path !== '/auth/login') unauthorizedListeners.forEach((l) => l(err));
    throw err;
  }
  return data as T;
}

/** A server field path ("holidays.0.from" or "holidays[0].from") as an antd name path (["holidays", 0, "from"]). */
export function fieldPath(field: string): (string | number)[] {
  return field.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Maps an error's field details onto an antd Form. */
export function formErrors(err: unknown): { name: (string | number)[]; errors: string[] }[] {
  if (!(err instanceof ApiError)) return [];
  // a field may fail more than one check (a password too short and too simple): all of them, on the field
  const byField = new Map<string, string[]>();
  for (const d of err.details) if (d.field) byField.set(d.field, [...(byField.get(d.field) ?? []), d.message]);
  return [...byField].map(([field, errors]) => ({ name: fieldPath(field), errors }));
}

/**
 * The line above a form after a failed request. When the fields are marked one by one (formErrors), a pointer to
 * them: the server's message names the first field by its code (contactPhone：…), which is not for people.
 */
export function formErrorBanner(err: unknown, fallback: string): string {
  if (!(err instanceof ApiError)) return fallback;
  return formErrors(err).length ? '请按提示修改标出的内容' : err.message;
}

export type Me = {
  kind: 'user' | 'apiKey';
  userId?: number;
  username?: string;
  displayName: string;
  unitId?: number;
  mustChangePassword: boolean;
  permissions: string[];
  /** Held for the whole city, not only for a district or a unit. */
  cityWidePermissions: string[];
  grants: { role: string; unitId: number; unitName: string }[];
};

export type Unit = { id: number; name: string; kind: string; parent_id: number | null; path: string; region_code: string | null; region_name?: string | null; domains: string[]; sort: number; active: boolean };
export type Role = { code: string; name: string; description: string; permissions: string[] };
export type Reference = { domains: { code: string; name: string }[]; kinds: { code: string; name: string }[]; channels: { code: string; name: string }[] };
