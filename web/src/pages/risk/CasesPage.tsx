import { App, Alert, Button, Card, List, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useCan } from '../../auth.tsx';
import { useLoad } from './parts.tsx';

type CaseRow = {
  id: number; kind: 'reconsideration' | 'litigation'; case_no: string; unit_id: number; unit_name: string; domain_name: string | null;
  filed_on: string | null; decided_on: string; result: string; lost: boolean; summary: string;
};
type ImportResult = { inserted: number; updated: number; unknownColumns: string[]; notices: string[]; errors: { row: number; field?: string; message: string }[] };

const KIND: Record<string, string> = { reconsideration: '行政复议', litigation: '行政诉讼' };
const RESULT: Record<string, string> = {
  upheld: '维持', dismissed: '驳回', revoked: '撤销', altered: '变更', unlawful: '确认违法或无效', ordered: '责令履行', withdrawn: '撤回或终止', mediated: '调解或和解',
};
const PAGE = 20;
/** The columns the import understands (synonyms are accepted too, see docs); a template people can fill in. */
const TEMPLATE = '案号,类型,被申请人/被告单位,领域,收案日期,结案日期,结果,摘要\n芜复〔2026〕1号,行政复议,镜湖区城市管理局,城市管理,2026-08-03,2026-10-09,撤销,（示例）对占道经营处罚决定的复议\n';

/** 复议诉讼结果: the outcomes of reconsideration and litigation cases against enforcement units; lost cases feed 风险预警. */
export function CasesPage() {
  const { message } = App.useApp();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const kind = params.get('kind') ?? undefined;
  const lost = params.get('lost') === 'true';
  const unitId = params.get('unitId') ?? undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const { data, error, loading, reload } = useLoad<{ rows: CaseRow[]; total: number }>('/case-outcomes', {
    kind, lost: lost ? 'true' : undefined, unitId, limit: PAGE, offset: (page - 1) * PAGE,
  });
  const [result, setResult] = useState<ImportResult | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== 'page') next.delete('page');
    setParams(next);
  };

  const upload = async (file: File) => {
    setUploadError(null);
    setResult(null);
    const form = new FormData();
    form.append('file', file, file.name);
    const res = await fetch('/api/case-outcomes/import', { method: 'POST', body: form, credentials: 'same-origin' });
    const body = await res.json();
    if (!res.ok) {
      setUploadError(body.message ?? '导入失败');
      return;
    }
    setResult(body as ImportResult);
    message.success(`已保存 ${body.inserted + body.updated} 件（新增 ${body.inserted}，更新 ${body.updated}）`);
    void reload();
  };
  const template = () => {
    const url = URL.createObjectURL(new Blob(['\ufeff', TEMPLATE], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = '复议诉讼结果导入模板.csv';
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      {can('workorder.supervise') && (
        <Card size="small" title="导入复议诉讼结果" extra={<Button onClick={template}>下载模板</Button>}>
          <Typography.Paragraph type="secondary">
            XLSX 或 CSV，每行一件：案号、类型（行政复议/行政诉讼）、被申请人/被告单位（与组织机构中的名称一致）、结案日期、结果必填，领域、收案日期、摘要可选。
            同一类型同一案号再次导入时更新原记录。结果为撤销、变更、确认违法或无效、责令履行的计为败诉，进入单位风险评分和“单位复议诉讼败诉增多”预警规则。
          </Typography.Paragraph>
          <div data-testid="cases-upload">
            <Upload.Dragger accept=".csv,.xlsx" showUploadList={false}
              customRequest={({ file, onSuccess, onError }) => { upload(file as File).then(() => onSuccess?.({}), (e) => onError?.(e)); }}>
              <p>点击或拖入文件（XLSX 或 CSV）</p>
            </Upload.Dragger>
          </div>
          {uploadError && <Alert type="error" showIcon style={{ marginTop: 12 }} title={uploadError} />}
          {result && (
            <Alert style={{ marginTop: 12 }} showIcon type={result.errors.length ? 'warning' : 'success'} data-testid="cases-import-result"
              title={`新增 ${result.inserted} 件，更新 ${result.updated} 件${result.errors.length ? `，${result.errors.length} 处错误（这些行未保存）` : ''}`}
              description={(
                <>
                  {result.notices.map((n) => <div key={n}>{n}</div>)}
                  {result.unknownColumns.length > 0 && <div>未识别的列（已忽略）：{result.unknownColumns.join('、')}</div>}
                  {result.errors.length > 0 && <List size="small" dataSource={result.errors.slice(0, 50)} renderItem={(e) => <List.Item>{e.message}</List.Item>} />}
                </>
              )} />
          )}
        </Card>
      )}
      <Card size="small" title="复议诉讼结果">
        <Space wrap style={{ marginBottom: 12 }}>
          <Select allowClear placeholder="类型" style={{ width: 140 }} value={kind} onChange={(v) => set('kind', v)} options={Object.entries(KIND).map(([value, label]) => ({ value, label }))} />
          <Select style={{ width: 140 }} value={lost ? 'true' : 'all'} onChange={(v) => set('lost', v === 'true' ? 'true' : undefined)}
            options={[{ value: 'all', label: '全部结果' }, { value: 'true', label: '只看败诉' }]} />
          {unitId && <Tag closable onClose={() => set('unitId', undefined)}>单一单位</Tag>}
        </Space>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Table<CaseRow>
          rowKey="id" size="small" loading={loading} dataSource={data?.rows ?? []} data-testid="cases-table"
          locale={{ emptyText: '还没有复议诉讼结果' }}
          pagination={{ current: page, pageSize: PAGE, total: data?.total ?? 0, showSizeChanger: false, onChange: (p) => set('page', String(p)), showTotal: (t) => `共 ${t} 件` }}
          columns={[
            { title: '案号', dataIndex: 'case_no', width: 180 },
            { title: '类型', dataIndex: 'kind', width: 90, render: (k: string) => KIND[k] ?? k },
            { title: '被申请人/被告', dataIndex: 'unit_name', width: 180 },
            { title: '领域', dataIndex: 'domain_name', width: 100, render: (d: string | null) => d ?? '—' },
            { title: '结案日期', dataIndex: 'decided_on', width: 110 },
            { title: '结果', dataIndex: 'result', width: 130, render: (r: string, c) => <Tag color={c.lost ? 'red' : 'default'}>{RESULT[r] ?? r}{c.lost ? '（败诉）' : ''}</Tag> },
            { title: '摘要', dataIndex: 'summary', ellipsis: true },
          ]}
        />
      </Card>
    </Space>
  );
}
