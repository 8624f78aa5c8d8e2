import { QuestionCircleOutlined } from '@ant-design/icons';
import { Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { percent, type RankingDefinitions, type UnitRank } from './types.ts';

type RateKey = 'sign_on_time_rate' | 'close_on_time_rate' | 'satisfaction_rate' | 'redo_rate';

/** Sorts rates with the units that have no figure last. */
const byRate = (k: RateKey) => (a: UnitRank, b: UnitRank) => (a[k] ?? -1) - (b[k] ?? -1);
const byNumber = (k: 'rank' | 'dispatched' | 'closed' | 'overdue' | 'score') => (a: UnitRank, b: UnitRank) => a[k] - b[k];

/** A column title with its formula on hover. */
function Help({ definition }: { definition?: { name: string; formula: string } }) {
  if (!definition) return null;
  return (
    <Tooltip title={definition.formula}>
      <span>{definition.name} <QuestionCircleOutlined style={{ color: '#999' }} aria-label={`${definition.name}的计算公式`} /></span>
    </Tooltip>
  );
}

const fraction = (n: number, d: number) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{n}/{d}</Typography.Text>;

function columns(defs: RankingDefinitions | undefined, compact: boolean, onOpenUnit?: (unitId: number) => void): ColumnsType<UnitRank> {
  const rate = (k: RateKey, n: keyof UnitRank, d: keyof UnitRank) => ({
    title: <Help definition={defs?.[k]} />, key: k, width: 116, sorter: byRate(k),
    render: (_: unknown, r: UnitRank) => <>{percent(r[k])} {!compact && fraction(r[n] as number, r[d] as number)}</>,
  });
  const all: (ColumnsType<UnitRank>[number] & { full?: boolean })[] = [
    { title: '名次', dataIndex: 'rank', width: 70, sorter: byNumber('rank'), defaultSortOrder: compact ? undefined : 'ascend' },
    {
      title: '单位', dataIndex: 'unit_name', width: 180, sorter: (a, b) => a.unit_name.localeCompare(b.unit_name, 'zh-CN'),
      render: (name: string, r) => (onOpenUnit ? <Typography.Link onClick={() => onOpenUnit(r.unit_id)}>{name}</Typography.Link> : name),
    },
    { title: '派发', dataIndex: 'dispatched', width: 72, sorter: byNumber('dispatched') },
    { title: '办结', dataIndex: 'closed', width: 72, sorter: byNumber('closed') },
    { ...rate('sign_on_time_rate', 'signed_on_time', 'sign_due'), full: true },
    rate('close_on_time_rate', 'closed_on_time', 'closed'),
    rate('satisfaction_rate', 'satisfied', 'rated'),
    { ...rate('redo_rate', 'redone', 'closed'), full: true },
    {
      title: <Help definition={defs?.overdue_count} />, dataIndex: 'overdue', width: 90, sorter: byNumber('overdue'), full: true,
      render: (n: number) => <span style={{ color: n > 0 ? '#cf1322' : undefined }}>{n}</span>,
    },
    { title: <Help definition={defs?.score} />, dataIndex: 'score', width: 110, sorter: byNumber('score'), render: (s: number) => <b>{s.toFixed(1)}</b> },
  ];
  return all.filter((c) => !compact || !c.full).map(({ full: _, ...c }) => c);
}

type Props = { units: UnitRank[]; definitions?: RankingDefinitions; loading?: boolean; compact?: boolean; onOpenUnit?: (unitId: number) => void };

/** 考核评议排名: the units by composite score, each KPI with its formula, every column sortable. */
export function UnitRankingTable({ units, definitions, loading, compact = false, onOpenUnit }: Props) {
  return (
    <div data-testid="unit-ranking">
      <Table<UnitRank>
        rowKey="unit_id"
        size={compact ? 'small' : 'middle'}
        loading={loading}
        dataSource={units}
        columns={columns(definitions, compact, onOpenUnit)}
        locale={{ emptyText: '该期间没有派发、办结或回访的工单' }}
        pagination={compact ? false : { pageSize: 50, hideOnSinglePage: true }}
      />
    </div>
  );
}
