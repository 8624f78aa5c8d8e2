import { Table, Tag } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import { ROLE } from './labels.ts';
import { Deadline, fmt, OrderFlags, StateTag } from './parts.tsx';
import type { OrderRow } from './types.ts';

/** The list of work orders the inbox and the supervision board share; a row opens the work order. */
export function OrdersTable({ rows, total, loading, offset, pageSize, onPage, showUnit, emptyText }: {
  rows: OrderRow[]; total: number; loading: boolean; offset: number; pageSize: number; onPage: (offset: number) => void; showUnit?: boolean; emptyText: string;
}) {
  const navigate = useNavigate();
  return (
    <Table<OrderRow>
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={rows}
      locale={{ emptyText }}
      onRow={(r) => ({ onClick: () => navigate(`/work-orders/${r.id}`), style: { cursor: 'pointer' } })}
      pagination={{ total, pageSize, current: Math.floor(offset / pageSize) + 1, showSizeChanger: false, showTotal: (n) => `共 ${n} 件`, onChange: (p) => onPage((p - 1) * pageSize) }}
      columns={[
        {
          title: '标题', dataIndex: 'title',
          render: (t: string, r) => (
            <>
              <Link to={`/work-orders/${r.id}`} onClick={(e) => e.stopPropagation()}>{t}</Link>
              <div style={{ marginTop: 4 }}>
                {r.misconduct.map((m) => <Tag key={m} color="red">{m}</Tag>)}
                <OrderFlags o={r} />
              </div>
            </>
          ),
        },
        ...(showUnit ? [{ title: '承办单位', dataIndex: 'unit_name', width: 220 }] : []),
        { title: '主办/协办', dataIndex: 'role', width: 96, render: (r: string) => <Tag color={r === 'lead' ? 'red' : 'default'}>{ROLE[r] ?? r}</Tag> },
        { title: '派发时间', dataIndex: 'dispatched_at', width: 150, render: (t: string) => fmt(t) },
        { title: '办理期限', dataIndex: 'deadline', width: 230, render: (t: string, r) => <Deadline at={t} state={r.state} provisional={r.deadline_provisional} due={r.due} /> },
        { title: '状态', dataIndex: 'state', width: 140, render: (s: string) => <StateTag state={s} /> },
      ]}
    />
  );
}
