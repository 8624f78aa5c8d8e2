import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Input, Segmented, Space, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../../api.ts';
import { downloadFile } from '../../download.ts';
import { SearchFilterBar } from './SearchFilterBar.tsx';
import { PAGE_SIZE, SearchResults, type SearchAnswer } from './SearchResults.tsx';
import { mayShowInUrl, readSearch, writeSearch, type SearchFilters, type SearchSort, type SearchState } from './searchQuery.ts';
import { useSearchLists } from './useSearchLists.ts';

const SYNTAX_HINT = '空格分隔的词须同时出现；"引号"内为短语；-词 表示排除；也可输入查询码，或反映人的电话（需查看联系方式权限）';
const EXPORT_MAX = 10_000;

/** One page of results for these filters; a newer request wins over a slower older one. */
function useSearch(filters: SearchFilters, sort: SearchSort, page: number) {
  const [data, setData] = useState<SearchAnswer | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const body = JSON.stringify({ filters, sort, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    api<SearchAnswer>('/search', { body: JSON.parse(body) })
      .then((r) => live && setData(r), (e) => live && setError(e instanceof ApiError ? e.message : '检索失败'))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [body]);
  return { data, loading, error };
}

/** 问题库: full-text search with filters; the filters live in the URL, the dashboard links here. */
export function ProblemsPage() {
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  // words that look like a phone number are kept here instead of in the URL
  const [privateQ, setPrivateQ] = useState<string>();
  const state = useMemo(() => readSearch(params), [params]);
  const filters = useMemo(() => ({ ...state.filters, q: state.filters.q ?? privateQ }), [state.filters, privateQ]);
  const [typed, setTyped] = useState(filters.q ?? '');
  useEffect(() => setTyped(filters.q ?? ''), [filters.q]);
  const lists = useSearchLists();
  const { data, loading, error } = useSearch(filters, state.sort, state.page);
  const [exporting, setExporting] = useState(false);

  const go = (next: Partial<SearchState>) => setParams(writeSearch({ ...state, page: 1, ...next }));
  const setFilters = (patch: Partial<SearchFilters>) => go({ filters: { ...state.filters, ...patch } });
  const submitWords = (raw: string) => {
    const q = raw.trim() || undefined;
    const hidden = q !== undefined && !mayShowInUrl(q);
    setPrivateQ(hidden ? q : undefined);
    go({ filters: { ...state.filters, q: hidden ? undefined : q }, sort: q ? state.sort : 'time' });
  };
  const clearFilters = () => go({ filters: { q: state.filters.q }, sort: state.sort });

  async function exportResults() {
    setExporting(true);
    try {
      await downloadFile('/search/export', { body: { filters }, fallbackName: '问题检索.xlsx' });
      message.success(`已导出：最多 ${EXPORT_MAX} 条（最新的在前），联系方式已打码`);
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '导出失败');
    } finally {
      setExporting(false);
    }
  }

  const totalText = !data ? '共 … 条' : data.capped ? `约 ${data.total.toLocaleString('zh-CN')} 条（超过 1 万条时为估计值）` : `共 ${data.total} 条`;
  return (
    <Card title="问题库">
      <Input.Search
        placeholder="输入检索词，如：乱罚款 镜湖区"
        aria-label="检索词"
        allowClear
        enterButton="检索"
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
        onSearch={submitWords}
        style={{ maxWidth: 560 }}
        data-testid="search-input"
      />
      <Typography.Paragraph type="secondary" style={{ margin: '4px 0 12px', fontSize: 12 }}>{SYNTAX_HINT}</Typography.Paragraph>
      <SearchFilterBar filters={state.filters} lists={lists} onChange={setFilters} onClear={clearFilters} />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {data?.phone && (
        <Alert
          type={data.phone.permitted ? 'info' : 'warning'}
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="phone-lookup"
          title={data.phone.permitted
            ? `按反映人电话 ${data.phone.masked} 查找：列出这位反映人的问题（检索词中另有词语时，只列含这些词语的）；此次查找已记入审计`
            : `检索词含电话号码（${data.phone.masked}）：没有查看举报人联系方式的权限，不能按反映人电话查找；正文中的号码已打码，也不能按号码检索`}
        />
      )}
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }} wrap>
        <Typography.Text data-testid="search-total">{totalText}</Typography.Text>
        <Space>
          <Segmented<SearchSort>
            value={filters.q ? state.sort : 'time'}
            onChange={(sort) => go({ sort, page: 1 })}
            options={[{ value: 'time', label: '按时间' }, { value: 'relevance', label: '按相关度', disabled: !filters.q }]}
          />
          <Tooltip title={`导出当前条件下最新的至多 ${EXPORT_MAX} 条，联系方式打码，导出记入审计`}>
            <Button icon={<DownloadOutlined />} loading={exporting} disabled={!data?.total} onClick={() => void exportResults()}>导出 Excel</Button>
          </Tooltip>
        </Space>
      </Space>
      <SearchResults data={data} loading={loading} page={state.page} onPage={(page) => go({ page })} />
    </Card>
  );
}
