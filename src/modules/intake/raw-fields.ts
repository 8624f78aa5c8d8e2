import { parseCityTime } from '../../lib/time.ts';
import { ADAPTERS } from './adapters.ts';
import { CANONICAL_FIELDS, normalizeHeader, type CanonicalField } from './fields.ts';

/** One field of a raw record as a person reads it: the channel's own name, what it means, the value as text. */
export type RawField = { key: string; label: string | null; value: string };

/** Fields a channel carries that have no canonical field of their own, or whose canonical name would mislead. */
const KEY_LABELS: Record<string, string> = {
  forumName: '留言对象（领导留言板）',
  fid: '留言板编号',
  domainName: '领域',
  favNum: '收藏数',
  gradeManner: '办理态度评分',
  gradeSpeed: '办理速度评分',
  'location.lng': '经度',
  'location.lat': '纬度',
  platform: '平台',
  url: '链接',
  reposts: '转发数',
  comments: '评论数',
  likes: '点赞数',
  attachments: '附件',
  unitName: '录入/收信单位',
};

const TIME_FIELDS = new Set<CanonicalField>(['time', 'repliedAt', 'deadline']);
const CITY_TIME = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Nested objects (皖事通's location and user) become dotted keys; arrays and everything else are values. */
function flatten(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

/** An element of a list: a pushed file by its name and size (a refused one with why), anything else as written. */
function item(x: unknown): string {
  if (!x || typeof x !== 'object') return String(x);
  const { name, size, refused } = x as { name?: unknown; size?: unknown; refused?: unknown };
  if (typeof name === 'string') {
    const shownName = typeof size === 'number' ? `${name}（${Math.max(1, Math.round(size / 1024))} KB）` : name;
    return typeof refused === 'string' ? `${shownName}（未保存：${refused}）` : shownName;
  }
  return JSON.stringify(x);
}

function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return '（空）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.map(item).join('；');
  return String(v);
}

/**
 * A stored (and already masked) raw record as rows for a person: each key the channel sent, with the meaning the
 * channel's adapter gives it, and a time sent as a number (Unix seconds, an Excel day) also written as a city time.
 */
export function describeRawRecord(channel: string, payload: Record<string, unknown>): RawField[] {
  const fieldOf = new Map<string, CanonicalField>();
  for (const s of ADAPTERS[channel]?.specs ?? []) for (const h of s.headers) fieldOf.set(normalizeHeader(h), s.field);
  return flatten(payload).map(([key, v]) => {
    const field = fieldOf.get(normalizeHeader(key));
    const label = KEY_LABELS[key] ?? (field && field !== 'extra' ? CANONICAL_FIELDS[field] : null);
    let value = shown(v);
    // a number (Unix seconds, an Excel day) or an ISO time with its zone (2026-11-12T06:49:13.000Z) is not how the city reads a time
    const machineTime = typeof v === 'number' || (typeof v === 'string' && /^\d+(\.\d+)?$|T\d{2}:\d{2}.*(Z|[+-]\d{2}:?\d{2})$/.test(v.trim()));
    if (field && TIME_FIELDS.has(field) && machineTime) {
      const at = parseCityTime(v);
      if (at) value = `${CITY_TIME.format(at)}（原值 ${value}）`;
    }
    return { key, label: label === key ? null : label, value };
  });
}
