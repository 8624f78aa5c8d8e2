import { TreeSelect } from 'antd';
import { useUnits } from '../orgs/useUnits.ts';

/** A unit picker over the units the user may see, searchable by name; single or multiple. Used inside Form.Item. */
export function UnitSelect({ id, value, onChange, multiple, placeholder, exclude }: {
  id?: string; value?: number | number[]; onChange?: (v: number | number[]) => void; multiple?: boolean; placeholder?: string; exclude?: number[];
}) {
  const { treeSelect, loading } = useUnits();
  const disable = (nodes: any[]): any[] => nodes.map((n) => ({ ...n, disabled: exclude?.includes(n.value), children: n.children ? disable(n.children) : undefined }));
  return (
    <TreeSelect
      id={id}
      value={value}
      onChange={onChange}
      multiple={multiple}
      loading={loading}
      treeData={exclude?.length ? disable(treeSelect) : treeSelect}
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeDefaultExpandAll={false}
      allowClear
      placeholder={placeholder ?? (loading ? '正在加载单位…' : '输入单位名称搜索')}
      notFoundContent={loading ? '正在加载单位…' : '没有匹配的单位'}
      style={{ width: '100%' }}
    />
  );
}
