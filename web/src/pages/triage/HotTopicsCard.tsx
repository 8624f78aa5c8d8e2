import { Card, Empty, Segmented, Space, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../../api.ts';

type Topic = { label: string; terms: string[]; count: number; previous: number; growth: number | null; attention: number; score: number; problemIds: number[] };
type Answer = { problems: number; topics: Topic[] };
const SPANS = { 7: '近 7 天', 30: '近 30 天', 90: '近 90 天' } as const;

/** A fixed span of time (ISO instants, [from, to)) instead of the recent days. */
export type TopicRange = { from: string; to: string; label: string };

/** 热点话题 of the recent days (or of a given range), ranked by volume, growth and attention; each opens its most-noticed problem. */
export function HotTopicsCard({ range }: { range?: TopicRange }) {
  const [days, setDays] = useState<7 | 30 | 90>(30);
  const [data, setData] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const from = range?.from;
  const to = range?.to;
  useEffect(() => {
    let live = true;
    const end = to ?? new Date().toISOString();
    const start = from ?? new Date(Date.parse(end) - days * 86_400_000).toISOString();
    setError(null);
    api<Answer>('/triage/hot-topics', { query: { from: start, to: end, limit: 12 } }).then(
      (r) => live && setData(r),
      (e) => live && setError(e instanceof ApiError ? e.message : '加载失败'),
    );
    return () => {
      live = false;
    };
  }, [days, from, to]);
  return (
    <Card
      size="small"
      title="热点话题"
      style={{ marginBottom: 16 }}
      extra={range ? null : <Segmented size="small" value={days} onChange={(v) => setDays(v as 7 | 30 | 90)} options={Object.entries(SPANS).map(([v, label]) => ({ value: Number(v), label }))} />}
    >
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      {data && !data.topics.length && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={`${range?.label ?? SPANS[days]}的 ${data.problems} 条反映中没有形成热点`} />}
      <Space wrap size={[8, 8]}>
        {data?.topics.map((t) => (
          <Tooltip key={t.label} title={`${t.count} 条反映；上一期 ${t.previous} 条${t.growth === null ? '（新出现）' : `，增长 ${Math.round(t.growth * 100)}%`}；关注度 ${t.attention}`}>
            <Link to={`/problems/${t.problemIds[0]}`}>
              <Tag color={t.growth === null || t.growth > 0.5 ? 'volcano' : 'blue'} style={{ fontSize: 14, padding: '2px 8px' }}>
                {t.label} <b>{t.count}</b>{t.growth !== null && t.growth > 0 ? ` ↑${Math.round(t.growth * 100)}%` : t.growth === null ? ' 新' : ''}
              </Tag>
            </Link>
          </Tooltip>
        ))}
      </Space>
    </Card>
  );
}
