import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type Unit } from '../../api.ts';

export type UnitNode = Unit & { children?: UnitNode[] };

export const UNIT_KINDS: Record<string, string> = { government: '政府', department: '部门', office: '科室', team: '执法队伍', township: '镇街', other: '其他' };

/** The units the user may see, as a flat list and as a tree (roots are those whose parent is not visible). */
export function useUnits() {
  const [units, setUnits] = useState<Unit[]>([]);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setUnits(await api<Unit[]>('/units'));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void reload(), [reload]);
  const tree = useMemo(() => {
    const byId = new Map<number, UnitNode>(units.map((u) => [u.id, { ...u }]));
    const roots: UnitNode[] = [];
    for (const u of byId.values()) {
      const parent = u.parent_id ? byId.get(u.parent_id) : undefined;
      if (parent) (parent.children ??= []).push(u);
      else roots.push(u);
    }
    return roots;
  }, [units]);
  const treeSelect = useMemo(() => {
    const toOption = (n: UnitNode): any => ({ value: n.id, title: n.name, children: n.children?.map(toOption) });
    return tree.map(toOption);
  }, [tree]);
  return { units, tree, treeSelect, loading, reload };
}
