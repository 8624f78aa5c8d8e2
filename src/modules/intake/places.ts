/** Matches a report's district text and address to the city's regions; what does not match stays text. */
export type RegionRow = { code: string; name: string; level: string };

const SUFFIX = /(街道|镇|乡|区|县|市)$/;

export class PlaceMatcher {
  readonly #byName = new Map<string, string>();
  readonly #townships: [string, string][] = [];
  readonly #counties: [string, string][] = [];
  readonly #units: Set<string>;

  constructor(regions: RegionRow[], unitNames: string[]) {
    for (const r of regions) {
      this.#byName.set(r.name, r.code);
      const short = r.name.replace(SUFFIX, '');
      if (short.length >= 2 && !this.#byName.has(short)) this.#byName.set(short, r.code);
      if (r.level === 'township') this.#townships.push([r.name, r.code]);
      if (r.level === 'county') this.#counties.push([r.name, r.code]);
    }
    this.#units = new Set(unitNames);
  }

  /** The most specific region named by the address (a township beats its county), else by the district text. */
  region(regionText: string | null, address: string | null): string | null {
    const hay = `${address ?? ''} ${regionText ?? ''}`;
    for (const [name, code] of this.#townships) if (hay.includes(name)) return code;
    if (regionText) {
      const exact = this.#byName.get(regionText.trim()) ?? this.#byName.get(regionText.trim().replace(SUFFIX, ''));
      if (exact) return exact;
    }
    for (const [name, code] of this.#counties) if (hay.includes(name)) return code;
    return null;
  }

  knowsUnit(name: string): boolean {
    return this.#units.has(name);
  }
}
