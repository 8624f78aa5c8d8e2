import { Alert, Badge, Card, Tabs } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api.ts';
import { TAB } from './labels.ts';
import { OrdersTable } from './OrdersTable.tsx';
import { errorText } from './parts.tsx';
import type { CountKey, OrderList } from './types.ts';

const TABS: (CountKey | 'all')[] = ['pending_sign', 'handling', 'due_soon', 'overdue', 'replied', 'all'];
const EMPTY: Record<string, string> = {
  pending_sign: '没有待签收的工单',
  handling: '没有办理中的工单',
  due_soon: '没有即将超期的工单',
  overdue: '没有已超期的工单',
  replied: '没有待审核的答复',
  all: '本单位暂无工单',
};
const PAGE = 20;

/** 我的工单: the handling unit's inbox. */
export function MyWorkOrdersPage() {
  const [params, setParams] = useSearchParams();
  const tab = TABS.includes(params.get('tab') as CountKey) ? (params.get('tab') as CountKey | 'all') : 'pending_sign';
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<OrderList | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await api<OrderList>('/work-orders', { query: { tab, limit: PAGE, offset } }));
    } catch (e) {
      setError(errorText(e, '加载失败'));
    } finally {
      setLoading(false);
    }
  }, [tab, offset]);
  useEffect(() => void load(), [load]);
  const label = (k: CountKey | 'all') => {
    const n = k === 'all' ? undefined : data?.counts[k];
    const danger = k === 'overdue' || k === 'due_soon';
    return (
      <span>
        {TAB[k]} {n !== undefined && <Badge count={n} showZero color={n && danger ? (k === 'overdue' ? '#cf1322' : '#d46b08') : '#8c8c8c'} overflowCount={999} />}
      </span>
    );
  };
  return (
    <Card title="我的工单">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Tabs
        activeKey={tab}
        onChange={(k) => {
          setOffset(0);
          setParams({ tab: k });
        }}
        items={TABS.map((k) => ({ key: k, label: label(k) }))}
      />
      <OrdersTable rows={data?.rows ?? []} total={data?.total ?? 0} loading={loading} offset={offset} pageSize={PAGE} onPage={setOffset} emptyText={EMPTY[tab] ?? '暂无数据'} />
    </Card>
  );
}
