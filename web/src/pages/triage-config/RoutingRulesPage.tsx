import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Segmented, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, formErrors, type Reference } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { UnitSelect } from '../workorders/UnitSelect.tsx';
import { errorText, PageHead } from './shared.tsx';
import { formatTime } from '../../time';

type Rule = {
  id: number; domain_code: string; domain_name: string | null; region_code: string | null; region_name: string | null; kind_code: string | null; kind_name: string | null;
  unit_id: number; unit_name: string; unit_active: boolean; note: string; created_at: string; created_by_name: string | null; retired_at: string | null; retired_by_name: string | null;
};
type Region = { code: string; name: string; level: string; parent_code: string | null; sort: number };
type Shown = 'live' | 'retired' | 'all';
type RegionNode = { value: string; title: string; children?: RegionNode[] };

const fmt = (t: string | null) => formatTime(t);

/** The region list as a tree below the city (the province is not a choice). */
function regionTree(regions: Region[]): RegionNode[] {
  const nodes = new Map<string, RegionNode & { parent: string | null }>(regions.map((r) => [r.code, { value: r.code, title: r.name, parent: r.parent_code }]));
  const roots: RegionNode[] = [];
  for (const r of regions) {
    const n = nodes.get(r.code)!;
    const parent = r.parent_code ? nodes.get(r.parent_code) : undefined;
    if (parent && regions.find((x) => x.code === r.parent_code)?.level !== 'province') (parent.children ??= []).push(n);
    else if (r.level !== 'province') roots.push(n);
  }
  const clean = (n: RegionNode & { parent?: string | null }): RegionNode => ({ value: n.value, title: n.title, children: n.children?.map(clean) });
  return roots.map(clean);
}

/** 路由规则: domain × region × kind → the unit proposed to handle it; created and retired, never edited, the history kept. */
export function RoutingRulesPage() {
  const { message } = App.useApp();
  const can = useCan();
  const manage = can('reference.manage');
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ref, setRef] = useState<Reference | null>(null);
  const [regions, setRegions] = useState<Region[]>([]);
  const [shown, setShown] = useState<Shown>('live');
  const [domain, setDomain] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm();
  const load = useCallback(() => api<Rule[]>('/routing-rules').then((r) => { setRules(r); setError(null); }, (e) => setError(errorText(e, '加载失败'))), []);
  useEffect(() => {
    void load();
    void api<Reference>('/reference').then(setRef);
    if (can('org.read')) void api<Region[]>('/regions').then(setRegions, () => setRegions([]));
  }, [load]);

  const tree = useMemo(() => regionTree(regions), [regions]);
  const rows = useMemo(() => (rules ?? []).filter((r) => (shown === 'all' || (shown === 'live') === !r.retired_at) && (!domain || r.domain_code === domain)), [rules, shown, domain]);
  const live = (rules ?? []).filter((r) => !r.retired_at).length;

  const create = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    try {
      const r = await api<{ id: number }>('/routing-rules', { body: { domain: v.domain, region: v.region ?? null, kind: v.kind ?? null, unitId: v.unitId, note: (v.note ?? '').trim() } });
      message.success(`已新增路由规则（编号 ${r.id}），下一次分拣起生效`);
      setCreating(false);
      await load();
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      else message.error(errorText(e, '保存失败'));
    } finally {
      setSaving(false);
    }
  };
  const retire = async (r: Rule) => {
    try {
      await api(`/routing-rules/${r.id}/retire`, { method: 'POST', body: {} });
      message.success('已停用，规则保留在历史中');
      await load();
    } catch (e) {
      message.error(errorText(e, '停用失败'));
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <PageHead title="路由规则" extra={manage && <Button type="primary" onClick={() => setCreating(true)}>新增规则</Button>}>
        分拣为问题建议承办单位时，取与问题领域相同、区域包含问题所在地、类型相符的最具体的有效规则：区划越细越优先（镇街 &gt; 区县 &gt; 全市），
        类型相同次之，同样具体时取最新的；没有规则时按近 180 天的派发习惯建议。规则不原地修改：要变更请新增一条再停用旧的，历史完整保留。
      </PageHead>
      {error && <Alert type="error" showIcon title={error} />}
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented<Shown> aria-label="显示" value={shown} onChange={setShown}
            options={[{ value: 'live', label: `有效（${live}）` }, { value: 'retired', label: `已停用（${(rules?.length ?? 0) - live}）` }, { value: 'all', label: '全部' }]} />
          <Select aria-label="领域" allowClear placeholder="全部领域" style={{ width: 180 }} value={domain} onChange={setDomain}
            options={(ref?.domains ?? []).map((d) => ({ value: d.code, label: d.name }))} />
        </Space>
        <Table<Rule>
          rowKey="id"
          size="middle"
          loading={!rules && !error}
          dataSource={rows}
          pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true, showTotal: (n) => `共 ${n} 条` }}
          locale={{ emptyText: shown === 'retired' ? '没有已停用的规则' : '还没有路由规则' }}
          columns={[
            { title: '编号', dataIndex: 'id', width: 70 },
            { title: '领域', dataIndex: 'domain_name', render: (n: string | null, r) => n ?? r.domain_code },
            { title: '区域', dataIndex: 'region_name', render: (n: string | null, r) => (r.region_code ? n ?? r.region_code : <Typography.Text type="secondary">全市</Typography.Text>) },
            { title: '类型', dataIndex: 'kind_name', render: (n: string | null, r) => (r.kind_code ? n ?? r.kind_code : <Typography.Text type="secondary">不限</Typography.Text>) },
            { title: '承办单位', dataIndex: 'unit_name', render: (n: string, r) => <>{n}{!r.unit_active && <Tag style={{ marginLeft: 6 }}>单位已停用</Tag>}</> },
            { title: '说明', dataIndex: 'note', render: (n: string) => n || '—' },
            { title: '新增', key: 'created', width: 170, render: (_, r) => <><div>{fmt(r.created_at)}</div><Typography.Text type="secondary">{r.created_by_name ?? '系统'}</Typography.Text></> },
            {
              title: '状态', key: 'state', width: 170,
              render: (_, r) => (r.retired_at
                ? <><Tag>已停用</Tag><div><Typography.Text type="secondary">{fmt(r.retired_at)} {r.retired_by_name ?? ''}</Typography.Text></div></>
                : <Tag color="green">有效</Tag>),
            },
            ...(manage ? [{
              title: '操作', key: 'x', width: 80,
              render: (_: unknown, r: Rule) => !r.retired_at && (
                <Popconfirm title={`停用规则 ${r.id}？`} description="停用后不再据此建议承办单位，规则保留在历史中。" okText="停用" cancelText="取消" onConfirm={() => void retire(r)}>
                  <a>停用</a>
                </Popconfirm>
              ),
            }] : []),
          ]}
        />
      </Card>
      <Modal open={creating} title="新增路由规则" okText="保存" cancelText="取消" confirmLoading={saving} onOk={() => void create()} onCancel={() => setCreating(false)} destroyOnHidden width={560}>
        <Form form={form} layout="vertical" name="routing-rule">
          <Form.Item name="domain" label="领域" rules={[{ required: true, message: '请选择领域' }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} placeholder="选择领域" options={(ref?.domains ?? []).map((d) => ({ value: d.code, label: d.name }))} />
          </Form.Item>
          <Form.Item name="region" label="区域" extra="不选即全市；选区县或镇街则只适用于该区域的问题。">
            <TreeSelect allowClear treeData={tree} placeholder="全市" showSearch={{ treeNodeFilterProp: 'title' }} />
          </Form.Item>
          <Form.Item name="kind" label="类型" extra="不选即不限类型。">
            <Select allowClear placeholder="不限" options={(ref?.kinds ?? []).map((k) => ({ value: k.code, label: k.name }))} />
          </Form.Item>
          <Form.Item name="unitId" label="承办单位" rules={[{ required: true, message: '请选择承办单位' }]}>
            <UnitSelect placeholder="输入单位名称搜索" />
          </Form.Item>
          <Form.Item name="note" label="说明" rules={[{ max: 200, message: '说明不超过 200 字' }]}>
            <Input.TextArea rows={2} maxLength={200} showCount placeholder="如：依据三定方案，鸠江区占道经营由区城管局承办" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
