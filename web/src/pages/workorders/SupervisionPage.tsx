import { Alert, Card, Space, Statistic, TreeSelect, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api.ts';
import { useUnits } from '../orgs/useUnits.ts';
import { OrdersTable } from './OrdersTable.tsx';
import { errorText } from './parts.tsx';
import type { CountKey, OrderList } from './types.ts';

/** The board's cards: each a count and the tab of the list it opens. */
const CARDS: { key: CountKey; title: string; color: string; hint: string }[] = [
  { key: 'overdue', title: '已超期', color: '#cf1322', hint: '超过办理期限仍未答复' },
  { key: 'due_soon', title: '即将超期', color: '#d46b08', hint: '临近办理期限' },
  { key: 'listed', title: '挂牌督办', color: '#cf1322', hint: '已挂牌、尚未办结' },
  { key: 'escalated', title: '提级督办', color: '#c41d7f', hint: '重办或流转次数过多' },
  { key: 'extension', title: '延期待批', color: '#d48806', hint: '承办单位申请延期' },
  { key: 'replied', title: '待审核', color: '#531dab', hint: '审核队列：已答复待审核' },
  { key: 'follow_up', title: '待回访', color: '#08979c', hint: '回访队列：审核通过待回访' },
  { key: 'returned', title: '退回待重派', color: '#595959', hint: '承办单位退回，等待重新派发' },
];
const EMPTY: Record<string, string> = {
  overdue: '没有超期工单', due_soon: '没有即将超期的工单', listed: '没有挂牌督办的工单', escalated: '没有提级督办的工单',
  extension: '没有待批的延期申请', replied: '审核队列为空', follow_up: '回访队列为空', returned: '没有等待重新派发的问题',
};
const PAGE = 20;

/** 督办看板: what needs the supervision office's attention, with the 审核队列 (replied) and 回访队列 (follow_up). */
export function SupervisionPage() {
  const [params, setParams] = useSearchParams();
  const tab = (CARDS.find((c) => c.key === params.get('tab'))?.key ?? 'overdue') as CountKey;
  const [unitId, setUnitId] = useState<number | undefined>();
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<OrderList | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { treeSelect } = useUnits();
  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await api<OrderList>('/work-orders', { query: { tab, unitId, limit: PAGE, offset } }));
    } catch (e) {
      setError(errorText(e, '加载失败'));
    } finally {
      setLoading(false);
    }
  }, [tab, unitId, offset]);
  useEffect(() => void load(), [load]);
  const current = CARDS.find((c) => c.key === tab)!;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>督办看板</Typography.Title>
        <TreeSelect
          style={{ width: 320 }}
          allowClear
          showSearch={{ treeNodeFilterProp: 'title' }}
          placeholder="全部单位（可选择单位筛选）"
          treeData={treeSelect}
          value={unitId}
          onChange={(v) => {
            setUnitId(v ?? undefined);
            setOffset(0);
          }}
        />
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(160px, 1fr))', gap: 12 }}>
        {CARDS.map((c) => (
          <Card
            key={c.key}
            size="small"
            hoverable
            onClick={() => {
              setOffset(0);
              setParams({ tab: c.key });
            }}
            style={{ borderColor: c.key === tab ? c.color : undefined, borderWidth: c.key === tab ? 2 : 1 }}
            data-testid={`card-${c.key}`}
          >
            <Statistic title={c.title} value={data?.counts[c.key] ?? '-'} styles={{ content: { color: (data?.counts[c.key] ?? 0) > 0 ? c.color : undefined } }} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.hint}</Typography.Text>
          </Card>
        ))}
      </div>
      <Card title={`${current.title}（${data?.total ?? 0}）`}>
        <OrdersTable rows={data?.rows ?? []} total={data?.total ?? 0} loading={loading} offset={offset} pageSize={PAGE} onPage={setOffset} showUnit emptyText={EMPTY[tab] ?? '暂无数据'} />
      </Card>
    </Space>
  );
}
