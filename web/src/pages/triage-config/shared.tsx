import { Space, Typography } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError } from '../../api.ts';

/** Small pieces the 分拣配置 pages share. */

export type Target = 'domain' | 'kind';
export const TARGETS: { value: Target; label: string }[] = [{ value: 'domain', label: '领域' }, { value: 'kind', label: '类型' }];
export type Code = { code: string; name: string; active?: boolean };
export type Page<T> = { rows: T[]; total: number };

export const errorText = (e: unknown, fallback = '操作失败') => (e instanceof ApiError ? e.message : fallback);

export const PAGE_SIZE = 20;

/**
 * One page of a long list from the server, fetched again when the filter or the page changes; a new filter starts
 * at the first page. `reload` keeps the page (after a deletion it steps back when the page became empty).
 */
export function usePagedList<T, F extends Record<string, unknown>>(path: string, filter: F) {
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<(Page<T> & Record<string, unknown>) | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);
  useEffect(() => setOffset(0), [key]);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const r = await api<Page<T> & Record<string, unknown>>(path, { query: { ...JSON.parse(key), limit: PAGE_SIZE, offset } });
      if (!r.rows.length && offset > 0 && r.total > 0) {
        setOffset(Math.max(0, Math.floor((r.total - 1) / PAGE_SIZE) * PAGE_SIZE));
        return;
      }
      setData(r);
      setError(null);
    } catch (e) {
      setError(errorText(e, '加载失败'));
    } finally {
      setLoading(false);
    }
  }, [path, key, offset]);
  useEffect(() => void reload(), [reload]);
  const pagination = {
    current: Math.floor(offset / PAGE_SIZE) + 1,
    pageSize: PAGE_SIZE,
    total: data?.total ?? 0,
    showSizeChanger: false,
    showTotal: (n: number) => `共 ${n} 条`,
    onChange: (page: number) => setOffset((page - 1) * PAGE_SIZE),
  };
  return { data, loading, error, reload, pagination };
}

/** The page's title and what the data is for, in a sentence or two. */
export function PageHead({ title, children, extra }: { title: string; children?: ReactNode; extra?: ReactNode }) {
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>{title}</Typography.Title>
        {extra}
      </div>
      {children && <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{children}</Typography.Paragraph>}
    </Space>
  );
}
