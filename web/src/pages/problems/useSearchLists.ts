import { useEffect, useMemo, useState } from 'react';
import { api, type Reference } from '../../api.ts';

export type Region = { code: string; name: string; parent_code: string | null };
export type RegionNode = { value: string; title: string; children: RegionNode[] };

/** The reference lists the search filters choose from: channels, kinds and domains, and the regions as a tree. */
export function useSearchLists() {
  const [reference, setReference] = useState<Reference | null>(null);
  const [regions, setRegions] = useState<Region[]>([]);
  useEffect(() => {
    void api<Reference>('/reference').then(setReference).catch(() => setReference(null));
    // the regions need 查看单位与人员; without it the region filter stays empty
    void api<Region[]>('/regions').then(setRegions).catch(() => setRegions([]));
  }, []);
  const regionTree = useMemo(() => {
    const node = (r: Region): RegionNode => ({ value: r.code, title: r.name, children: regions.filter((c) => c.parent_code === r.code).map(node) });
    return regions.filter((r) => !r.parent_code || !regions.some((p) => p.code === r.parent_code)).map(node);
  }, [regions]);
  return { reference, regions, regionTree };
}

export type SearchLists = ReturnType<typeof useSearchLists>;
