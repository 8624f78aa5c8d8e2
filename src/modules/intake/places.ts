/** Matches a report's district text and address to the city's regions; what does not match stays text. */
export type RegionRow = { code: string; name: string; level: string; former_names?: string[] };

const SUFFIX = /(街道|镇|乡|区|县|市)$/;
const ABOVE_COUNTY = new Set(['province', 'city']);

/** A division's name without its 区/县/镇/街道 (峨桥镇 → 峨桥), as people also write it; null when too short to tell. */
export function shortName(name: string): string | null {
  const short = name.replace(SUFFIX, '');
  return short.length >= 2 && short !== name ? short : null;
}

export class PlaceMatcher {
  readonly #byName = new Map<string, string>();
  readonly #levels = new Map<string, string>();
  readonly #townships: [string, string][] = [];
  readonly #counties: [string, string][] = [];
  readonly #units: Set<string>;

  constructor(regions: RegionRow[], unitNames: string[]) {
    for (const r of regions) {
      this.#levels.set(r.code, r.level);
      for (const name of [r.name, ...(r.former_names ?? [])]) {
        this.#byName.set(name, r.code);
        const short = shortName(name);
        if (short && !this.#byName.has(short)) this.#byName.set(short, r.code);
        if (r.level === 'township') this.#townships.push([name, r.code]);
        if (r.level === 'county') this.#counties.push([name, r.code]);
      }
    }
    this.#units = new Set(unitNames);
  }

  /** The most specific region named by the address (a township beats its county), else by the district text. */
  region(regionText: string | null, address: string | null): string | null {
    const hay = `${address ?? ''} ${regionText ?? ''}`;
    for (const [name, code] of this.#townships) if (hay.includes(name)) return code;
    if (regionText) {
      const text = regionText.trim();
      const exact = this.#byName.get(text) ?? this.#byName.get(text.replace(SUFFIX, ''));
      // a 县 or 区 the table does not know is not the city of the same name (芜湖县 is not 芜湖市)
      const claimsLower = SUFFIX.test(text) && !text.endsWith('市');
      if (exact && !(claimsLower && ABOVE_COUNTY.has(this.#levels.get(exact) ?? ''))) return exact;
    }
    for (const [name, code] of this.#counties) if (hay.includes(name)) return code;
    return null;
  }

  knowsUnit(name: string): boolean {
    return this.#units.has(name);
  }
}

/**
 * A report's region as intake reads it: by its district and address fields; when they name nothing below the city,
 * by its title and body (fromText). `byFields` lets a caller cache the field lookup, which repeats from record to record.
 */
export function reportRegion(
  places: PlaceMatcher,
  r: { regionText: string | null; address: string | null; title: string; body: string },
  byFields: (regionText: string | null, address: string | null) => string | null = (t, a) => places.region(t, a),
): { code: string | null; fromText: boolean } {
  const code = byFields(r.regionText, r.address);
  if (!code || code.endsWith('00')) {
    const fromText = places.region(null, `${r.title} ${r.body}`);
    if (fromText && fromText !== code) return { code: fromText, fromText: true };
  }
  return { code, fromText: false };
}
