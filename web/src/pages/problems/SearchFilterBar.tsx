import { Button, DatePicker, Select, Space, Switch, Tag, TreeSelect } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { UnitSelect } from '../workorders/UnitSelect.tsx';
import { MISCONDUCT_CATEGORIES, SATISFACTION, STATUS } from './labels.ts';
import { dayRangeFilter, daysOfFilter, type Satisfaction, type SearchFilters } from './searchQuery.ts';
import type { SearchLists } from './useSearchLists.ts';

type Props = { filters: SearchFilters; lists: SearchLists; onChange: (patch: Partial<SearchFilters>) => void; onClear: () => void };

const options = (list: { code: string; name: string }[] | undefined) => list?.map((c) => ({ value: c.code, label: c.name }));

function misconductOptions(current?: string) {
  const names = current && current !== 'any' && !MISCONDUCT_CATEGORIES.includes(current) ? [...MISCONDUCT_CATEGORIES, current] : MISCONDUCT_CATEGORIES;
  return [{ value: 'any', label: '任一执法作风问题' }, ...names.map((c) => ({ value: c, label: c }))];
}

/** A switch with its label; clicking the words toggles it too. */
function FlagSwitch({ label, checked, onChange }: { label: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <label style={{ cursor: 'pointer', whiteSpace: 'nowrap' }}>
      <Switch size="small" checked={checked} onChange={onChange} /> {label}
    </label>
  );
}

/** 派发于 2026-10-01 至 2026-10-31: the city days of a [from, to) filter on a work-order step. */
function stepRangeText(step: string, from?: string, to?: string): string {
  const days = daysOfFilter({ from, to });
  return `${step}于 ${days.from ?? '…'} 至 ${days.to ?? '…'}`;
}

/** The search filters; every control shows what the URL says, and a change goes back through the URL. */
export function SearchFilterBar({ filters, lists, onChange, onClear }: Props) {
  const days = daysOfFilter(filters);
  const range: [Dayjs, Dayjs] | null = days.from && days.to ? [dayjs(days.from), dayjs(days.to)] : null;
  const anyFilter = Object.entries(filters).some(([k, v]) => k !== 'q' && v !== undefined);
  return (
    <Space wrap size={[8, 8]} style={{ marginBottom: 12 }} data-testid="search-filters">
      <Select placeholder="渠道" allowClear style={{ width: 170 }} value={filters.channel} options={options(lists.reference?.channels)} onChange={(channel) => onChange({ channel, ...(channel ? {} : { firstChannel: undefined }) })} />
      {filters.channel && (
        <FlagSwitch label="仅首次来源" checked={!!filters.firstChannel} onChange={(on) => onChange({ firstChannel: on || undefined })} />
      )}
      <Select placeholder="类型" allowClear style={{ width: 100 }} value={filters.kind} options={options(lists.reference?.kinds)} onChange={(kind) => onChange({ kind })} />
      <Select placeholder="执法领域" allowClear style={{ width: 170 }} value={filters.domain} options={options(lists.reference?.domains)} onChange={(domain) => onChange({ domain })} />
      <TreeSelect placeholder="区域" allowClear style={{ width: 170 }} value={filters.region} treeData={lists.regionTree} showSearch={{ treeNodeFilterProp: 'title' }} onChange={(region) => onChange({ region })} />
      <div style={{ width: 220 }}>
        <UnitSelect placeholder="承办单位" value={filters.unitId} onChange={(unitId) => onChange({ unitId: typeof unitId === 'number' ? unitId : undefined })} />
      </div>
      <Select placeholder="状态" allowClear style={{ width: 100 }} value={filters.status} options={Object.entries(STATUS).map(([value, s]) => ({ value, label: s.text }))} onChange={(status) => onChange({ status })} />
      <Select placeholder="执法作风" allowClear style={{ width: 160 }} value={filters.misconduct} options={misconductOptions(filters.misconduct)} onChange={(misconduct) => onChange({ misconduct })} />
      <Select<Satisfaction>
        placeholder="满意度"
        allowClear
        style={{ width: 110 }}
        value={filters.satisfaction}
        options={Object.entries(SATISFACTION).map(([value, label]) => ({ value: value as Satisfaction, label }))}
        onChange={(satisfaction) => onChange({ satisfaction })}
      />
      <DatePicker.RangePicker
        placeholder={['反映时间起', '反映时间止']}
        value={range}
        onChange={(v) => {
          const [from, to] = (v ?? []) as (Dayjs | null)[];
          onChange(from && to ? dayRangeFilter({ from: from.format('YYYY-MM-DD'), to: to.format('YYYY-MM-DD') }) : { from: undefined, to: undefined });
        }}
      />
      <FlagSwitch label="逾期" checked={!!filters.overdue} onChange={(on) => onChange({ overdue: on || undefined })} />
      <FlagSwitch label="挂牌督办" checked={!!filters.listed} onChange={(on) => onChange({ listed: on || undefined })} />
      <FlagSwitch label="提级督办" checked={!!filters.escalated} onChange={(on) => onChange({ escalated: on || undefined })} />
      {(filters.overdue || filters.listed || filters.escalated) && (
        <FlagSwitch label="仅在办工单" checked={!!filters.openOnly} onChange={(on) => onChange({ openOnly: on || undefined })} />
      )}
      {(filters.dispatchedFrom || filters.dispatchedTo) && (
        <Tag closable data-testid="filter-dispatched" onClose={() => onChange({ dispatchedFrom: undefined, dispatchedTo: undefined })}>
          {stepRangeText('派发', filters.dispatchedFrom, filters.dispatchedTo)}
        </Tag>
      )}
      {(filters.ratedFrom || filters.ratedTo) && (
        <Tag closable data-testid="filter-rated" onClose={() => onChange({ ratedFrom: undefined, ratedTo: undefined })}>
          {stepRangeText('回访', filters.ratedFrom, filters.ratedTo)}
        </Tag>
      )}
      {(filters.closedFrom || filters.closedTo) && (
        <Tag closable data-testid="filter-closed" onClose={() => onChange({ closedFrom: undefined, closedTo: undefined })}>
          {stepRangeText('办结', filters.closedFrom, filters.closedTo)}
        </Tag>
      )}
      {anyFilter && <Button type="link" onClick={onClear}>清空筛选</Button>}
    </Space>
  );
}
