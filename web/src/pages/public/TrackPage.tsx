import { Alert, Card, Descriptions, Input, Tag } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../../api.ts';
import { STATUS } from '../problems/labels.ts';
import { PublicShell } from './PublicReportPage.tsx';

type Tracked = { trackingCode: string; title: string; kind: string | null; status: string; reportedAt: string; updatedAt: string };

export function TrackPage() {
  const [params] = useSearchParams();
  const [result, setResult] = useState<Tracked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const look = async (code: string) => {
    setError(null);
    setResult(null);
    if (!code.trim()) return;
    try {
      setResult(await api<Tracked>(`/public/track/${encodeURIComponent(code.trim())}`));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '查询失败');
    }
  };
  useEffect(() => {
    const code = params.get('code');
    if (code) void look(code);
  }, []);
  return (
    <PublicShell>
      <Card title="查询办理进度">
        <Input.Search placeholder="请输入查询码，如 ZD12AB34CD56" enterButton="查询" defaultValue={params.get('code') ?? ''} onSearch={look} />
        {error && <Alert type="warning" showIcon style={{ marginTop: 16 }} message={error} />}
        {result && (
          <Descriptions style={{ marginTop: 16 }} column={1} bordered size="small" items={[
            { key: 't', label: '标题', children: result.title },
            { key: 'k', label: '类型', children: result.kind ?? '—' },
            { key: 's', label: '状态', children: <Tag color={STATUS[result.status]?.color}>{STATUS[result.status]?.text ?? result.status}</Tag> },
            { key: 'r', label: '反映时间', children: dayjs(result.reportedAt).format('YYYY-MM-DD HH:mm') },
            { key: 'u', label: '最近更新', children: dayjs(result.updatedAt).format('YYYY-MM-DD HH:mm') },
          ]} />
        )}
      </Card>
    </PublicShell>
  );
}
