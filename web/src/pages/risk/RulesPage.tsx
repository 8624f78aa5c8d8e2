import { Alert, App, Button, Card, Descriptions, Drawer, Empty, Form, Input, InputNumber, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, formErrors } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { Chart } from '../analytics/Chart.tsx';
import { LEVEL, PARAM, PARAM_ORDER, paramLabel, RULE, SIGNAL } from './labels.ts';
import { errorText, LevelTag, notBuiltYet, useLoad } from './parts.tsx';
import { perMonthOption } from './riskCharts.ts';
import type { Backtest, BacktestWarning, Level, RiskRule } from './types.ts';
import { formatTime } from '../../time';

const fmt = (t: string | null | undefined) => formatTime(t);

/** A rule's parameters in the order people read them, the known ones first. */
const paramKeys = (params: Record<string, unknown>) => [
  ...PARAM_ORDER.filter((k) => k in params),
  ...Object.keys(params).filter((k) => !PARAM_ORDER.includes(k)),
];

function ParamsText({ params }: { params: Record<string, unknown> }) {
  return (
    <Space orientation="vertical" size={0}>
      {paramKeys(params).map((k) => <span key={k} style={{ fontSize: 13, whiteSpace: 'nowrap' }}>{paramLabel(k)}：<b>{String(params[k])}</b></span>)}
    </Space>
  );
}

/** The history endpoint's versions, whether it answers a list or { versions } / { rules } / { history }. */
function versionsOf(r: unknown): RiskRule[] {
  if (Array.isArray(r)) return r as RiskRule[];
  const o = (r ?? {}) as Record<string, unknown>;
  for (const k of ['versions', 'rules', 'history', 'rows']) if (Array.isArray(o[k])) return o[k] as RiskRule[];
  return [];
}

/** A backtest's warning, whether the server writes its fields snake_case (scope_key) or camelCase (scopeKey). */
function backtestWarning(w: Record<string, any>): BacktestWarning {
  return {
    scope_key: w.scope_key ?? w.scopeKey, title: w.title, level: w.level, started_on: w.started_on ?? w.startedOn,
    raised_on: w.raised_on ?? w.raisedOn, ended_on: w.ended_on ?? w.endedOn, days: w.days,
  };
}

/** A server message with the parameters' Chinese names (“参数 windowDays 不合要求” → “参数 统计窗口（天） 不合要求”). */
const localize = (message: string) => PARAM_ORDER.reduce((m, k) => m.replaceAll(k, paramLabel(k)), message);

/** The rules in a fixed order (an edit gives the rule a new row, which must not move it to the end). */
const ORDER = Object.keys(RULE);
const byOrder = (a: RiskRule, b: RiskRule) => (ORDER.indexOf(a.code) + 1 || 99) - (ORDER.indexOf(b.code) + 1 || 99) || a.code.localeCompare(b.code);

/** The form's numbers over the rule's parameters (anything not a number is kept as it was). */
const paramsFrom = (rule: RiskRule, values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(rule.params).map(([k, v]) => [k, typeof v === 'number' && typeof values[k] === 'number' ? values[k] : v]));

function EditForm({ rule, editable, onSaved, onBacktest }: {
  rule: RiskRule; editable: boolean; onSaved: () => void; onBacktest: (params: Record<string, unknown>) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const numeric = paramKeys(rule.params).filter((k) => typeof rule.params[k] === 'number');
  useEffect(() => {
    form.setFieldsValue({ params: Object.fromEntries(numeric.map((k) => [k, rule.params[k]])), active: rule.active, note: rule.note });
  }, [rule]);
  if (!editable) {
    return (
      <Descriptions size="small" column={1} bordered items={[
        ...paramKeys(rule.params).map((k) => ({ key: k, label: paramLabel(k), children: String(rule.params[k]) })),
        { key: 'active', label: '状态', children: rule.active ? '启用' : '停用' },
        { key: 'note', label: '说明', children: rule.note || '—' },
      ]} />
    );
  }
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await api<RiskRule>(`/risk/rules/${rule.code}`, { method: 'PUT', body: { params: paramsFrom(rule, v.params ?? {}), active: v.active, note: v.note.trim() } });
      message.success(`已保存为第 ${saved?.version ?? rule.version + 1} 版`);
      onSaved();
    } catch (e) {
      const fields = formErrors(e).map((f) => ({ ...f, errors: f.errors.map(localize) }));
      if (fields.length) form.setFields(fields);
      setError(notBuiltYet(e instanceof ApiError ? e.status : null) ? '修改规则的接口（PUT /api/risk/rules/:code）尚未提供。' : localize(errorText(e, '保存失败')));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" name="rule-edit">
        <Space wrap size={16} align="start">
          {numeric.map((k) => (
            <Form.Item key={k} name={['params', k]} label={paramLabel(k)} extra={PARAM[k]?.hint}
              rules={[{ required: true, message: `请填写${paramLabel(k)}` }]}>
              <InputNumber min={PARAM[k]?.min ?? 0} max={PARAM[k]?.max} precision={0} style={{ width: 140 }} />
            </Form.Item>
          ))}
        </Space>
        <Form.Item name="active" label="启用" valuePropName="checked">
          <Switch checkedChildren="启用" unCheckedChildren="停用" />
        </Form.Item>
        <Form.Item name="note" label="说明" extra="写明规则的口径，修改时写明修改原因；每次保存都会保留一个版本。"
          rules={[{ required: true, whitespace: true, message: '请填写说明' }]}>
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
        <Space>
          <Button type="primary" loading={busy} onClick={() => void save()}>保存为新版本</Button>
          <Button onClick={() => void form.validateFields().then((v) => onBacktest(paramsFrom(rule, v.params ?? {})), () => {})}>按表单参数回测</Button>
        </Space>
      </Form>
    </>
  );
}

function BacktestPanel({ rule, params, onParamsCleared }: { rule: RiskRule; params: Record<string, unknown> | null; onParamsCleared: () => void }) {
  const [months, setMonths] = useState(12);
  const [result, setResult] = useState<Backtest | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (p: Record<string, unknown> | null) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<Backtest>(`/risk/rules/${rule.code}/backtest`, { body: { months, ...(p ? { params: p } : {}) } });
      setResult({ ...r, warnings: (r.warnings ?? []).map(backtestWarning), perMonth: r.perMonth ?? [] });
    } catch (e) {
      setResult(null);
      setError(notBuiltYet(e instanceof ApiError ? e.status : null) ? '回测接口（POST /api/risk/rules/:code/backtest）尚未提供。' : localize(errorText(e, '回测失败')));
    } finally {
      setBusy(false);
    }
  }, [rule.code, months]);
  // the form's "按表单参数回测" runs at once
  useEffect(() => {
    if (params) void run(params);
  }, [params]);
  const option = useMemo(() => perMonthOption(result?.perMonth ?? []), [result]);
  const byLevel = (l: Level) => result?.warnings.filter((w) => w.level === l).length ?? 0;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        回测：假如这条规则在过去一段时间里每天运行，会产生哪些预警。用来检验阈值是否过松（预警太多）或过严（该发现的没有发现）。
      </Typography.Paragraph>
      <Space wrap>
        <span>回测期间</span>
        <Select aria-label="回测期间" value={months} onChange={setMonths} style={{ width: 120 }} options={[3, 6, 12, 24].map((m) => ({ value: m, label: `近 ${m} 个月` }))} />
        <Button type="primary" loading={busy} onClick={() => { onParamsCleared(); void run(null); }}>按当前规则回测</Button>
        {params && <Tag color="purple">使用表单中的参数（未保存）</Tag>}
      </Space>
      {error && <Alert type="error" showIcon title={error} />}
      {result && (
        <div data-testid="backtest-result">
          <Alert type="info" showIcon style={{ marginBottom: 12 }}
            title={`${result.from} 至 ${result.to}，这条规则会产生 ${result.warnings.length} 条预警`}
            description={(['red', 'orange', 'yellow', 'blue'] as Level[]).filter((l) => byLevel(l)).map((l) => `${LEVEL[l].text} ${byLevel(l)} 条`).join('，') || '期间内不会产生预警'} />
          <Card size="small" title="每月预警数">
            {result.perMonth.length ? <Chart label="回测每月预警数" testId="backtest-chart" option={option} height={220} /> : <Empty description="没有数据" />}
          </Card>
          <Table<BacktestWarning> size="small" rowKey={(w) => `${w.scope_key}|${w.raised_on ?? w.started_on}`} style={{ marginTop: 12 }} dataSource={result.warnings}
            pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }} locale={{ emptyText: '不会产生预警' }}
            columns={[
              { title: '等级', dataIndex: 'level', width: 96, render: (l: Level) => <LevelTag level={l} /> },
              { title: '会产生的预警', dataIndex: 'title' },
              { title: '开始', dataIndex: 'started_on', width: 104 },
              { title: '发出', dataIndex: 'raised_on', width: 104, render: (d?: string) => d ?? '—' },
              { title: '最后一天', dataIndex: 'ended_on', width: 104 },
              { title: '持续', dataIndex: 'days', width: 70, render: (d: number) => `${d} 天` },
            ]} />
        </div>
      )}
    </Space>
  );
}

/** The rule's versions, newest first (remounted with a new key after each save). */
function HistoryPanel({ rule }: { rule: RiskRule }) {
  const { data, error, status } = useLoad<unknown>(`/risk/rules/${rule.code}/history`);
  const versions = useMemo(() => versionsOf(data).slice().sort((a, b) => b.version - a.version), [data]);
  if (error) return <Alert type="error" showIcon title={notBuiltYet(status) ? '版本历史的接口（GET /api/risk/rules/:code/history）尚未提供。' : error} />;
  return (
    <Table<RiskRule> size="small" rowKey="id" dataSource={versions} pagination={false} locale={{ emptyText: '没有历史版本' }} data-testid="rule-history"
      columns={[
        { title: '版本', dataIndex: 'version', width: 70, render: (v: number) => <>第 {v} 版{v === rule.version && <Tag color="green" style={{ marginLeft: 4 }}>当前</Tag>}</> },
        { title: '参数', dataIndex: 'params', render: (p: Record<string, unknown>) => <ParamsText params={p ?? {}} /> },
        { title: '状态', dataIndex: 'active', width: 70, render: (a: boolean) => (a ? '启用' : '停用') },
        { title: '说明', dataIndex: 'note' },
        { title: '时间', dataIndex: 'created_at', width: 140, render: fmt },
      ]} />
  );
}

/** 预警规则: the rules with their parameters; admins edit them (a new version each time), everyone may see the history and run a 回测. */
export function RulesPage() {
  const can = useCan();
  const editable = can('reference.manage');
  const { data, error, status, loading, reload } = useLoad<{ rules: RiskRule[] }>('/risk/rules');
  const rules = useMemo(() => [...(data?.rules ?? [])].sort(byOrder), [data]);
  const [openCode, setOpenCode] = useState<string | null>(null);
  const [tab, setTab] = useState('params');
  const [trial, setTrial] = useState<Record<string, unknown> | null>(null);
  const rule = rules.find((r) => r.code === openCode) ?? null;
  const open = (code: string, t: string) => {
    setOpenCode(code);
    setTab(t);
    setTrial(null);
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>预警规则</Typography.Title>
        <Button onClick={() => void reload()}>刷新</Button>
      </Space>
      <Alert type="info" showIcon title="规则以统计检验判断异常：与自身历史相比，偶然出现的可能性（p 值）足够小、且实际达到预期的一定倍数才预警；蓝、黄、橙、红四级的标准依次提高。"
        description={editable ? '修改参数后先回测，确认预警数量合适再保存；每次保存都会保留历史版本。' : '只有系统管理员可以修改规则。'} />
      {error && <Alert type="error" showIcon title={status === 403 ? `${editable ? '您的账号可以修改规则，但' : '您的账号'}没有查看预警规则的权限（需要“领导”“督办人员”等可查看分析报告的角色），请联系管理员。` : error} />}
      <Card>
        <Table<RiskRule> rowKey="code" loading={loading} dataSource={rules} pagination={false} data-testid="rules-table" scroll={{ x: 1000 }}
          columns={[
            { title: '规则', dataIndex: 'name', width: 170, render: (n: string) => <b>{n}</b> },
            { title: '监测', dataIndex: 'signal', width: 110, render: (s: string) => SIGNAL[s] ?? s },
            { title: '参数', dataIndex: 'params', width: 180, render: (p: Record<string, unknown>) => <ParamsText params={p} /> },
            { title: '状态', dataIndex: 'active', width: 72, render: (a: boolean) => (a ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
            { title: '版本', dataIndex: 'version', width: 72, render: (v: number) => `第 ${v} 版` },
            { title: '说明', dataIndex: 'note' },
            {
              // kept in view at the right edge when the table scrolls
              title: '操作', key: 'op', width: 190, fixed: 'right',
              render: (_: unknown, r) => (
                <Space size={4} wrap>
                  <Button size="small" type={editable ? 'primary' : 'default'} onClick={() => open(r.code, 'params')}>{editable ? '修改' : '参数'}</Button>
                  <Button size="small" onClick={() => open(r.code, 'backtest')}>回测</Button>
                  <Button size="small" onClick={() => open(r.code, 'history')}>历史</Button>
                </Space>
              ),
            },
          ]} />
      </Card>
      <Drawer open={!!rule} onClose={() => setOpenCode(null)} size={820} title={rule ? `${rule.name}（第 ${rule.version} 版）` : ''} destroyOnHidden>
        {rule && (
          <Tabs activeKey={tab} onChange={setTab} items={[
            { key: 'params', label: editable ? '修改参数' : '参数', children: <EditForm rule={rule} editable={editable} onSaved={() => void reload()} onBacktest={(p) => { setTrial(p); setTab('backtest'); }} /> },
            { key: 'backtest', label: '回测', children: <BacktestPanel rule={rule} params={trial} onParamsCleared={() => setTrial(null)} /> },
            { key: 'history', label: '版本历史', children: <HistoryPanel key={rule.version} rule={rule} /> },
          ]} />
        )}
      </Drawer>
    </Space>
  );
}
