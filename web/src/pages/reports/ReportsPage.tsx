import { FileExcelOutlined, FileWordOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { downloadFile } from '../../download.ts';
import { periodOf, type Granularity } from '../analytics/period.ts';
import { GranularityPicker } from '../analytics/PeriodPicker.tsx';
import { percent } from '../analytics/types.ts';
import { formatTime } from '../../time';

type Summary = { problems?: number; closed?: number; close_on_time_rate?: number | null; satisfaction_rate?: number | null; misconduct?: number };
type Report = { id: number; period: string; period_kind: Granularity; title: string; summary: Summary | null; generated_at: string; generated_by_name: string | null };
type ReportList = { rows: Report[]; total: number; notice: string | null };

const PAGE_SIZE = 20;
const KIND_NAMES: Record<Granularity, string> = { month: '月报', quarter: '季报', year: '年报' };

const summaryText = (s: Summary | null) =>
  s ? `反映问题 ${s.problems ?? 0} 件，办结 ${s.closed ?? 0} 件，按时办结率 ${percent(s.close_on_time_rate)}，满意率 ${percent(s.satisfaction_rate)}，执法作风问题 ${s.misconduct ?? 0} 件` : '—';

const errorText = (e: unknown, fallback: string) => (e instanceof ApiError ? e.message : fallback);

/** The Word and Excel downloads of one report. */
function Downloads({ report }: { report: Report }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState<'docx' | 'xlsx' | null>(null);
  const get = async (format: 'docx' | 'xlsx') => {
    setBusy(format);
    try {
      await downloadFile(`/reports/${report.id}/${format}`, { fallbackName: `${report.title}.${format}` });
    } catch (e) {
      message.error(errorText(e, '下载失败'));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Space size={0}>
      <Button type="link" icon={<FileWordOutlined />} loading={busy === 'docx'} onClick={() => void get('docx')}>Word</Button>
      <Button type="link" icon={<FileExcelOutlined />} loading={busy === 'xlsx'} onClick={() => void get('xlsx')}>Excel</Button>
    </Space>
  );
}

/** 分析报告: generate a month's, a quarter's or a year's report and download the ones made before. */
export function ReportsPage() {
  const { message } = App.useApp();
  // the monthly report is of the month just past
  const [g, setG] = useState<Granularity>('month');
  const [at, setAt] = useState<Dayjs>(dayjs().subtract(1, 'month'));
  const [page, setPage] = useState(1);
  const [list, setList] = useState<ReportList | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [generating, setGenerating] = useState(false);
  const period = periodOf(at, g);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setList(await api<ReportList>('/reports', { query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } }));
      setError(null);
    } catch (e) {
      setError(errorText(e, '加载失败'));
    } finally {
      setLoading(false);
    }
  }, [page]);
  useEffect(() => void load(), [load]);

  async function generate() {
    setGenerating(true);
    try {
      const r = await api<{ title: string }>('/reports', { body: { period } });
      message.success(`已生成：${r.title}`);
      if (page === 1) await load();
      else setPage(1);
    } catch (e) {
      message.error(errorText(e, '生成失败'));
    } finally {
      setGenerating(false);
    }
  }

  return (
    <Card
      title="分析报告"
      extra={
        <Space wrap>
          <GranularityPicker g={g} at={at} onChange={(nextG, nextAt) => { setG(nextG); setAt(nextAt); }} />
          <Button type="primary" loading={generating} disabled={generating || !!error} onClick={() => void generate()}>
            {generating ? '正在生成…' : '生成报告'}
          </Button>
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {list?.notice && <Alert type="warning" showIcon title={list.notice} style={{ marginBottom: 16 }} />}
      {generating && <Alert type="info" showIcon title={`正在按当前数据生成 ${period} 的报告（Word 公文与 Excel 表格），约需数秒，请稍候…`} style={{ marginBottom: 16 }} />}
      <Typography.Paragraph type="secondary">报告按生成时的数据计算，可重复生成；每月第一个工作日自动生成上月月报。</Typography.Paragraph>
      <Table<Report>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={list?.rows ?? []}
        locale={{ emptyText: '还没有生成过报告' }}
        pagination={{ total: list?.total ?? 0, pageSize: PAGE_SIZE, current: page, onChange: setPage, showSizeChanger: false, hideOnSinglePage: true }}
        columns={[
          { title: '报告', dataIndex: 'title', render: (t: string, r) => <><Typography.Text strong>{t}</Typography.Text><div style={{ fontSize: 12, color: 'rgba(0,0,0,0.55)' }}>{summaryText(r.summary)}</div></> },
          { title: '期间', key: 'period', width: 120, render: (_, r) => `${r.period}（${KIND_NAMES[r.period_kind] ?? r.period_kind}）` },
          { title: '生成时间', dataIndex: 'generated_at', width: 150, render: (t: string) => formatTime(t) },
          { title: '生成人', dataIndex: 'generated_by_name', width: 100, render: (n: string | null) => n ?? '系统' },
          { title: '下载', key: 'download', width: 190, render: (_, r) => <Downloads report={r} /> },
        ]}
      />
    </Card>
  );
}
