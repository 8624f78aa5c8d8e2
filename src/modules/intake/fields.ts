/** The canonical fields every channel's records are mapped onto, and how headers are recognised. */
export const CANONICAL_FIELDS = {
  id: '记录编号',
  title: '标题',
  body: '内容',
  time: '时间',
  kind: '诉求类型',
  name: '姓名',
  phone: '联系电话',
  idNumber: '证件号码',
  address: '地址',
  region: '区县/区域',
  target: '被反映对象',
  unit: '承办/收信单位',
  state: '办理状态',
  handledBy: '承办单位',
  reply: '办理结果/回复内容',
  repliedAt: '回复/办结时间',
  satisfaction: '满意度',
  confidential: '是否保密',
  isPublic: '是否公开',
  deadline: '办理时限',
  ip: 'IP 地址',
  extra: '其他',
} as const;
export type CanonicalField = keyof typeof CANONICAL_FIELDS;

/** 全角→半角 (NFKC), no spaces or asterisks, lower case: 「 诉求 内容* 」 and 「诉求内容」 are the same header. */
export function normalizeHeader(h: string): string {
  return h.normalize('NFKC').replace(/[\s*＊:：]/g, '').toLowerCase();
}

export type FieldSpec = { field: CanonicalField; headers: string[] };

/** header (normalized) → canonical field, from the channel's known headers and their synonyms. */
export function headerIndex(specs: FieldSpec[]): Map<string, CanonicalField> {
  const index = new Map<string, CanonicalField>();
  for (const s of specs) for (const h of s.headers) index.set(normalizeHeader(h), s.field);
  return index;
}

/** How many of a row's cells are headers the channel (or the saved mapping) knows: for finding the header row of a file. */
export function headerScore(specs: FieldSpec[], saved?: Record<string, string>): (cells: string[]) => number {
  const known = new Set([...headerIndex(specs).keys(), ...Object.keys(saved ?? {}).map(normalizeHeader)]);
  return (cells) => cells.filter((c) => c && known.has(normalizeHeader(c))).length;
}

export type HeaderResolution = { mapping: Map<string, CanonicalField>; unknown: string[]; missing: CanonicalField[] };

/**
 * Matches a file's headers to canonical fields: a saved mapping first (header → field), then the channel's synonyms.
 * Reports headers it did not understand and required fields no header supplies.
 */
export function resolveHeaders(headers: string[], specs: FieldSpec[], required: CanonicalField[][], saved?: Record<string, string>): HeaderResolution {
  const index = headerIndex(specs);
  const savedIndex = new Map(Object.entries(saved ?? {}).map(([h, f]) => [normalizeHeader(h), f as CanonicalField]));
  const mapping = new Map<string, CanonicalField>();
  const unknown: string[] = [];
  for (const h of headers) {
    const key = normalizeHeader(h);
    const field = savedIndex.get(key) ?? index.get(key);
    if (field && field in CANONICAL_FIELDS) mapping.set(h, field);
    else if (h.trim()) unknown.push(h);
  }
  const have = new Set(mapping.values());
  const missing = required.filter((anyOf) => !anyOf.some((f) => have.has(f))).map((anyOf) => anyOf[0]!);
  return { mapping, unknown, missing };
}

/**
 * A header that appears again (two 联系电话 columns) is named by its column the second time, so that neither value
 * overwrites the other; such a column is then listed as not understood.
 */
export function distinctHeaders(headers: string[]): string[] {
  const seen = new Set<string>();
  return headers.map((h, i) => {
    if (!h || !seen.has(h)) {
      seen.add(h);
      return h;
    }
    return `${h}（第${i + 1}列）`;
  });
}
