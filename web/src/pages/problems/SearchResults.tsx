import { Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { Highlighted } from './Highlighted.tsx';
import { SATISFACTION, STATUS } from './labels.ts';
import { formatTime } from '../../time';

type Hits = [number, number][];
export type SearchRow = {
  id: number; tracking_code: string; channel_name: string; title: string; kind_name: string | null; domain_name: string | null; reported_at: string;
  region_name: string | null; target_text: string | null; status: string; misconduct: string[]; source_count: number; confidential: boolean;
  lead_order: { unit: string; state: string; deadline: string; overdue: boolean; listed: boolean } | null;
  satisfaction: string | null;
  reporter: { name: string | null; phone: string | null };
  titleHits: Hits;
  snippet: { text: string; hits: Hits };
  snippetFrom: 'body' | 'reply';
};
const MAX_RESULTS = 10_000;

export type SearchAnswer = { total: number; capped: boolean; words: string[]; phone: { masked: string; permitted: boolean } | null; rows: SearchRow[] };

export const PAGE_SIZE = 20;

function ProblemCell({ r }: { r: SearchRow }) {
  return (
    <div>
      <Typography.Text strong data-testid="result-title"><Highlighted text={r.title} hits={r.titleHits} /></Typography.Text>
      {r.confidential && <Tag style={{ marginLeft: 6 }}>保密</Tag>}
      {r.misconduct.map((m) => <Tag key={m} color="red" style={{ marginLeft: 4 }}>{m}</Tag>)}
      <div style={{ color: 'rgba(0,0,0,0.55)', fontSize: 13, marginTop: 2 }} data-testid="result-snippet">
        {r.snippetFrom === 'reply' && <Tag color="purple">答复中匹配</Tag>}
        <Highlighted text={r.snippet.text} hits={r.snippet.hits} />
      </div>
    </div>
  );
}

function LeadUnitCell({ order }: { order: SearchRow['lead_order'] }) {
  if (!order) return <>—</>;
  return (
    <Space size={2} wrap>
      <span>{order.unit}</span>
      {order.overdue && <Tooltip title={`办理期限 ${formatTime(order.deadline)}`}><Tag color="red">逾期</Tag></Tooltip>}
      {order.listed && <Tag color="volcano">挂牌督办</Tag>}
    </Space>
  );
}

/** One page of matches; a row opens the problem. */
export function SearchResults({ data, loading, page, onPage }: { data: SearchAnswer | null; loading: boolean; page: number; onPage: (page: number) => void }) {
  const navigate = useNavigate();
  return (
    <Table<SearchRow>
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={data?.rows ?? []}
      // fits the content area of a 1366-wide screen (the common office laptop) without scrolling sideways
      scroll={{ x: 1040 }}
      locale={{ emptyText: '没有符合条件的问题' }}
      onRow={(r) => ({ onClick: () => navigate(`/problems/${r.id}`), style: { cursor: 'pointer' } })}
      pagination={{
        // pages reach the 10,000th match at most; beyond the exact count the total is the database's estimate
        total: Math.min(data?.total ?? 0, MAX_RESULTS), pageSize: PAGE_SIZE, current: page, showSizeChanger: false, onChange: onPage,
        showTotal: () => (data?.capped ? `约 ${data.total.toLocaleString('zh-CN')} 条（估计）` : `共 ${data?.total ?? 0} 条`),
      }}
      columns={[
        { title: '反映时间', dataIndex: 'reported_at', width: 100, render: (t: string) => <>{formatTime(t, 'YYYY-MM-DD')}<br />{formatTime(t, 'HH:mm')}</> },
        { title: '问题', key: 'problem', render: (_, r) => <ProblemCell r={r} /> },
        {
          // the first source's channel; a problem with more (merged duplicates, later versions) says how many
          title: '渠道', key: 'channel', width: 110,
          render: (_, r) => (r.source_count > 1 ? <>{r.channel_name}<br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>共 {r.source_count} 条来源记录</Typography.Text></> : r.channel_name),
        },
        { title: '类型 · 领域', key: 'kind', width: 120, render: (_, r) => [r.kind_name, r.domain_name].filter(Boolean).join(' · ') || '—' },
        { title: '区域', dataIndex: 'region_name', width: 90, render: (n: string | null) => n ?? '—' },
        {
          title: '状态', key: 'status', width: 90,
          render: (_, r) => (
            <Space size={2} wrap>
              <Tag color={STATUS[r.status]?.color}>{STATUS[r.status]?.text ?? r.status}</Tag>
              {r.satisfaction && r.satisfaction !== 'unrated' && <Tag color={r.satisfaction === 'unsatisfied' ? 'red' : 'green'}>{SATISFACTION[r.satisfaction]}</Tag>}
            </Space>
          ),
        },
        { title: '承办单位', key: 'unit', width: 150, render: (_, r) => <LeadUnitCell order={r.lead_order} /> },
        { title: '反映人', key: 'who', width: 110, render: (_, r) => (r.reporter.name || r.reporter.phone ? <>{r.reporter.name}{r.reporter.name && r.reporter.phone && <br />}{r.reporter.phone}</> : '—') },
      ]}
    />
  );
}
