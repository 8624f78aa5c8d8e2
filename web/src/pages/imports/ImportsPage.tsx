import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Progress, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type Reference } from '../../api.ts';
import { MappingEditor, type MissingColumns } from './MappingEditor.tsx';
import { formatTime } from '../../time';

type UploadAnswer = { status: number; body: { message?: string; code?: string; columns?: unknown; fields?: Record<string, string>; batchId?: number } | null };

/** Posts the form with upload progress; any answer, ours or a proxy's page, or none at all (status 0), is returned. */
function send(form: FormData, onProgress: (percent: number) => void): Promise<UploadAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/imports');
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.floor((e.loaded * 100) / e.total));
    xhr.onload = () => {
      let body: UploadAnswer['body'] = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: null });
    xhr.send(form);
  });
}

type Batch = { id: number; channel: string; origin: string; file_name: string | null; state: string; read: number; inserted: number; changed: number; repeats: number; rejected: number; bytes_total: number | null; bytes_read: number | null; error: string | null; unknown_columns: string[]; notices: string[]; started_at: string; finished_at: string | null; started_by: string | null };
type Mapping = { id: number; channel: string; name: string };
const FILE_CHANNELS = ['hotline12345', 'people_board', 'portal_mailbox', 'wanshitong', 'gov_service', 'wechat', 'weibo', 'generic'];
const BATCH_PAGE = 20;
const STATE: Record<string, [string, string]> = { running: ['导入中', 'processing'], done: ['已完成', 'success'], failed: ['失败', 'error'] };

type Rejected = { rowNo: number | null; externalId: string | null; field: string | null; message: string };

/** The rejected rows of a finished batch, the first 100 on the page (all of them in the CSV). */
function RejectedRows({ batchId, total }: { batchId: number; total: number }) {
  const [rows, setRows] = useState<Rejected[] | null>(null);
  useEffect(() => {
    void api<Rejected[]>(`/imports/${batchId}/errors`).then(setRows, () => setRows([]));
  }, [batchId]);
  return (
    <Table<Rejected> size="small" style={{ marginTop: 12 }} rowKey={(r, i) => `${r.rowNo}-${i}`} loading={!rows} dataSource={rows ?? []} pagination={{ pageSize: 10, hideOnSinglePage: true }}
      data-testid="rejected-rows" title={() => (total > 100 ? `拒收的行（共 ${total} 行，这里列出前 100 行，全部见拒收明细）` : '拒收的行')}
      columns={[
        { title: '行号', dataIndex: 'rowNo', width: 80 },
        { title: '记录编号', dataIndex: 'externalId', width: 180 },
        { title: '字段', dataIndex: 'field', width: 120, render: (f: string | null) => f?.replace(/^[\w.]+（(.+)）$/, '$1') ?? '' },
        { title: '原因', dataIndex: 'message' },
      ]} />
  );
}

export function ImportsPage() {
  const { message } = App.useApp();
  const [ref, setRef] = useState<Reference | null>(null);
  const [mappings, setMappings] = useState<Mapping[]>([]);
  const [batches, setBatches] = useState<{ rows: Batch[]; total: number }>({ rows: [], total: 0 });
  const [batchPage, setBatchPage] = useState(1);
  const [channel, setChannel] = useState<string>('hotline12345');
  const [mapping, setMapping] = useState<string | undefined>();
  const [current, setCurrent] = useState<Batch | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState<{ file: File; found: MissingColumns } | null>(null);
  const [savingMapping, setSavingMapping] = useState(false);
  const [uploading, setUploading] = useState<{ name: string; percent: number } | null>(null);
  const loadBatches = useCallback(async () => setBatches(await api<{ rows: Batch[]; total: number }>('/imports', { query: { limit: BATCH_PAGE, offset: (batchPage - 1) * BATCH_PAGE } })), [batchPage]);
  useEffect(() => {
    void api<Reference>('/reference').then(setRef);
    void api<Mapping[]>('/column-mappings').then(setMappings);
  }, []);
  useEffect(() => {
    void loadBatches();
  }, [loadBatches]);
  // follow the running batch until it ends
  useEffect(() => {
    if (!current || current.state !== 'running') return;
    const timer = setTimeout(async () => {
      const b = await api<Batch>(`/imports/${current.id}`);
      setCurrent(b);
      if (b.state !== 'running') void loadBatches();
    }, 1000);
    return () => clearTimeout(timer);
  }, [current, loadBatches]);
  // imports still running in the list (another person's, a push, a CLI run) move on by themselves
  const listRunning = batches.rows.some((b) => b.state === 'running');
  useEffect(() => {
    if (!listRunning) return;
    const timer = setTimeout(() => void loadBatches(), 3000);
    return () => clearTimeout(timer);
  }, [batches, listRunning, loadBatches]);

  const upload = async (file: File, withMapping = mapping) => {
    setBatchPage(1);
    setError(null);
    setMissing(null);
    setCurrent(null);
    const form = new FormData();
    form.append('channel', channel);
    if (withMapping) form.append('mapping', withMapping);
    form.append('file', file, file.name);
    setUploading({ name: file.name, percent: 0 });
    let res: UploadAnswer;
    try {
      res = await send(form, (percent) => setUploading({ name: file.name, percent }));
    } finally {
      setUploading(null);
    }
    const body = res.body;
    if (res.status === 0 || !body || res.status >= 400) {
      // a proxy's page instead of ours (too large, gateway down), or no answer at all, is said as such too
      setError(body?.message ?? (res.status === 0 ? '上传失败：网络中断，请重试' : res.status === 413 ? '上传失败：文件过大' : `上传失败（服务器返回 ${res.status}）`));
      if (!body) return;
      // headers that do not supply every required field: offer to map them, then import the same file
      if (body.code === 'MISSING_COLUMNS') setMissing({ file, found: { columns: body.columns as MissingColumns['columns'], fields: body.fields! } });
      return;
    }
    const batch = await api<Batch>(`/imports/${body.batchId}`);
    setCurrent(batch);
    // a small file may be done already: the list below shows it at once (a running one is listed when it ends)
    if (batch.state !== 'running') void loadBatches();
    message.success(batch.state === 'running' ? '文件已上传，正在导入' : '文件已上传并导入');
  };
  const saveMapping = async (name: string, columns: Record<string, string>) => {
    if (!missing) return;
    setSavingMapping(true);
    try {
      await api('/column-mappings', { body: { channel, name, mapping: columns } });
      setMappings(await api<Mapping[]>('/column-mappings'));
      setMapping(name);
      message.success(`列映射“${name}”已保存`);
      await upload(missing.file, name);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '列映射未能保存');
    } finally {
      setSavingMapping(false);
    }
  };
  const channelName = (c: string) => ref?.channels.find((x) => x.code === c)?.name ?? c;
  /** How far into the file the import has read (a file's bytes; a push has no file and shows no share). */
  const pct = (b: Batch) => (b.state !== 'running' ? 100 : b.bytes_total ? Math.min(99, Math.floor(((b.bytes_read ?? 0) * 100) / b.bytes_total)) : 0);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card title="数据导入">
        <Form layout="inline" style={{ marginBottom: 16 }}>
          <Form.Item label="渠道"><Select aria-label="渠道" value={channel} style={{ width: 220 }} onChange={(c) => { setChannel(c); setMapping(undefined); setMissing(null); }} options={FILE_CHANNELS.map((c) => ({ value: c, label: channelName(c) }))} /></Form.Item>
          <Form.Item label="列映射"><Select aria-label="列映射" value={mapping} allowClear placeholder="按渠道默认表头识别" style={{ width: 220 }} onChange={setMapping} options={mappings.filter((m) => m.channel === channel).map((m) => ({ value: m.name, label: m.name }))} /></Form.Item>
        </Form>
        <Upload.Dragger disabled={!!uploading} accept=".csv,.tsv,.xlsx,.jsonl,.json,.txt" showUploadList={false} customRequest={({ file, onSuccess, onError }) => { upload(file as File).then(() => onSuccess?.({}), (e) => onError?.(e)); }}>
          <p className="ant-upload-drag-icon"><InboxOutlined /></p>
          <p>点击或拖拽文件到此处上传</p>
          <p className="ant-upload-hint">支持 XLSX、CSV（UTF-8 或 GB18030）、JSON 行与 JSON 数组；同一文件重复导入不会重复入库</p>
        </Upload.Dragger>
        {uploading && <div style={{ marginTop: 16 }} data-testid="upload-progress">正在上传 {uploading.name}<Progress percent={uploading.percent} size="small" /></div>}
        {error && <Alert type="error" showIcon style={{ marginTop: 16 }} message={error} data-testid="import-error" />}
        {missing && (
          <MappingEditor key={missing.file.name + channel} found={missing.found} defaultName={missing.file.name.replace(/\.[^.]+$/, '')} saving={savingMapping}
            onSave={(name, columns) => void saveMapping(name, columns)} onCancel={() => setMissing(null)} />
        )}
        {current && (
          <Card size="small" style={{ marginTop: 16 }} title={`批次 ${current.id}：${current.file_name ?? ''}`}
            extra={<Tag color={STATE[current.state]?.[1]} data-testid="import-state">{STATE[current.state]?.[0] ?? current.state}</Tag>}>
            <Progress percent={pct(current)} status={current.state === 'failed' ? 'exception' : current.state === 'running' ? 'active' : 'success'} showInfo={current.state !== 'running' || !!current.bytes_total} />
            <Typography.Text data-testid="import-summary">
              已读取 {current.read} 条：新增 {current.inserted}，更新 {current.changed}，重复 {current.repeats}，拒收 {current.rejected}
            </Typography.Text>
            {current.rejected > 0 && <Button type="link" href={`/api/imports/${current.id}/errors.csv`}>下载拒收明细</Button>}
            {current.error && <Alert type="error" message={current.error} style={{ marginTop: 8 }} />}
            {current.state !== 'running' && current.notices.length > 0 && (
              <Alert type="warning" showIcon style={{ marginTop: 8 }} data-testid="import-notices"
                message={current.notices.length === 1 ? current.notices[0] : <>{current.notices.map((n) => <div key={n}>{n}</div>)}</>} />
            )}
            {current.state !== 'running' && current.unknown_columns.length > 0 && (
              <Alert type="info" showIcon style={{ marginTop: 8 }} data-testid="unknown-columns"
                message={`未能识别的列：${current.unknown_columns.join('、')}`}
                description="这些列的内容原样保存在原始记录中，但没有用作问题的字段。如果其中有标题、内容、时间等应当识别的列，请先保存列映射，再导入之后的文件。" />
            )}
            {current.state === 'done' && current.read === 0 && <Alert type="warning" showIcon message="文件中没有数据行：只有表头，或全是空行" style={{ marginTop: 8 }} />}
            {current.state !== 'running' && current.rejected > 0 && <RejectedRows batchId={current.id} total={current.rejected} />}
          </Card>
        )}
      </Card>
      <Card title="最近导入">
        <Table<Batch>
          rowKey="id"
          size="small"
          dataSource={batches.rows}
          // a batch of the list opens above with its notices, unknown columns and rejected rows
          onRow={(b) => ({ onClick: () => setCurrent(b), style: { cursor: 'pointer' } })}
          pagination={{ total: batches.total, pageSize: BATCH_PAGE, current: batchPage, onChange: setBatchPage, showSizeChanger: false, hideOnSinglePage: true, showTotal: (n) => `共 ${n} 批` }}
          columns={[
            { title: '批次', dataIndex: 'id', width: 70 },
            { title: '渠道', dataIndex: 'channel', render: channelName },
            { title: '来源', dataIndex: 'origin', render: (o, r) => (o === 'form' && r.channel === 'staff' ? '工作人员录入' : ({ cli: '命令行', api: '接口推送', web: '网页上传', form: '公众表单', seed: '演示数据' })[o as string] ?? o) },
            { title: '文件', dataIndex: 'file_name' },
            { title: '导入人', dataIndex: 'started_by', render: (n: string | null, b) => n ?? (b.origin === 'cli' || b.origin === 'seed' ? '系统' : '—') },
            { title: '开始时间', dataIndex: 'started_at', render: (t) => formatTime(t, 'MM-DD HH:mm:ss') },
            { title: '状态', dataIndex: 'state', render: (s) => <Tag color={STATE[s]?.[1]}>{STATE[s]?.[0] ?? s}</Tag> },
            { title: '新增/更新/重复/拒收', key: 'n', render: (_, b) => `${b.inserted} / ${b.changed} / ${b.repeats} / ${b.rejected}` },
            { title: '', key: 'e', render: (_, b) => b.rejected > 0 && <a href={`/api/imports/${b.id}/errors.csv`} onClick={(e) => e.stopPropagation()}>拒收明细</a> },
          ]}
        />
      </Card>
    </Space>
  );
}
