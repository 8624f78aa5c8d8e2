import { sm3Hex } from '../../lib/crypto.ts';
import { ALLOWED_EXTENSIONS, detectType } from '../attachments/types.ts';

/**
 * Files a channel pushes inside its records (a 皖事通 report's photos, a 12345 order's scanned letter): under
 * `attachments` or `附件`, a list of `{ name, data }` with the file's bytes in Base64. They are taken out before the
 * record is stored: the raw record keeps each file's name, type, size and SM3 digest (or why it was refused), and the
 * files go to the problem's attachments, with the same limits as the public form's. A file the problem had no room
 * for is marked refused in the stored record afterwards (markRefused). A link (a text, or an object
 * without data) stays in the record as it came: the platform fetches nothing from outside.
 */

export const FILE_KEYS = ['attachments', '附件'] as const;
const NAME_KEYS = ['name', 'fileName', 'filename', '文件名'];
const DATA_KEYS = ['data', 'base64', 'content', '内容'];

export type PushedFile = { name: string; type: string; data: Buffer; digest: string };
/** A file not stored, with the position of its record in the push (1-based) and why. */
export type RefusedFile = { record: number; name: string; reason: string };
export type FileLimits = { maxBytes: number; perProblem: number };

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const firstText = (o: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (typeof o[k] === 'string') return o[k] as string;
  return null;
};

/** One record's files taken out: the record as it will be stored, the files to keep, and those refused. */
export function takeFiles(record: Record<string, unknown>, position: number, limits: FileLimits): { stored: Record<string, unknown>; files: PushedFile[]; refused: RefusedFile[] } {
  const files: PushedFile[] = [];
  const refused: RefusedFile[] = [];
  let stored = record;
  for (const key of FILE_KEYS) {
    const list = record[key];
    if (!Array.isArray(list)) continue;
    const kept = list.map((item, i) => {
      if (!isObject(item)) return item;
      const encoded = firstText(item, DATA_KEYS);
      if (encoded === null) return item;
      const name = (firstText(item, NAME_KEYS)?.trim() || `附件${i + 1}`).slice(0, 200);
      const refuse = (reason: string) => {
        refused.push({ record: position, name, reason });
        return { name, refused: reason };
      };
      const base64 = encoded.replace(/^data:[^,]*;base64,/, '');
      if (!BASE64.test(base64)) return refuse('文件内容不是 Base64 编码');
      const data = Buffer.from(base64, 'base64');
      if (!data.length) return refuse('空文件');
      if (data.length > limits.maxBytes) return refuse(`超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
      const type = detectType(name, data.subarray(0, 16));
      if (!type) return refuse(`类型不允许或内容与扩展名不符（允许：${ALLOWED_EXTENSIONS.join('、')}）`);
      if (files.length >= limits.perProblem) return refuse(`每件反映最多 ${limits.perProblem} 个附件`);
      const digest = sm3Hex(data);
      files.push({ name, type, data, digest });
      return { name, type, size: data.length, sm3: digest };
    });
    stored = { ...stored, [key]: kept };
  }
  return { stored, files, refused };
}

/**
 * The stored record with files the problem had no room for marked `refused` (by SM3 digest), or null if none of its
 * entries is one of them. Marked once the files are handled, after the record was stored and its content hash taken:
 * the hash stays that of what the channel sent, so the same record pushed again is a repeat however full the problem
 * was each time.
 */
export function markRefused(payload: Record<string, unknown>, reasons: Map<string, string>): Record<string, unknown> | null {
  let marked: Record<string, unknown> | null = null;
  for (const key of FILE_KEYS) {
    const list = payload[key];
    if (!Array.isArray(list)) continue;
    let changed = false;
    const next = list.map((item) => {
      const reason = isObject(item) && typeof item.sm3 === 'string' && !('refused' in item) ? reasons.get(item.sm3) : undefined;
      if (reason === undefined) return item;
      changed = true;
      return { ...item, refused: reason };
    });
    if (changed) marked = { ...(marked ?? payload), [key]: next };
  }
  return marked;
}
