import { App, Button, Card, DatePicker, Descriptions, Input, Select, Space, Table, Typography } from 'antd';
import { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { useCanCityWide } from '../../auth.tsx';
import { formatTime } from '../../time';

type Row = { id: number; at: string; actor_label: string; action: string; target_type: string; target_id: string | null; unit_name: string | null; ip: string | null; summary: Record<string, unknown> };
type Filter = { action?: string; actor?: string; from?: string; to?: string; offset: number };

/** What a row is about, as people call it (the table's name is for the code). */
const TARGETS: Record<string, string> = {
  problem: '问题', app_user: '人员', work_order: '工单', warning: '预警', unit: '单位', triage_lexicon: '分拣词表', triage_label_map: '标签对照',
  user_word: '自定义词', system: '系统', routing_rule: '路由规则', job: '后台任务', api_key: '接入密钥', analysis_report: '分析报告',
  triage_model: '分类模型', risk_rule: '预警规则', import_batch: '导入批次', deadline_policy: '时限规则', column_mapping: '列映射',
  case_outcome: '复议诉讼结果', calendar_year: '节假日安排', app_setting: '运行设置', misconduct_term: '执法作风词', exclusion_term: '不予派发事项',
};

/** Kinds of operation, by the start of their codes: a filter on 工单 finds every step of a work order. */
const ACTION_GROUPS: Record<string, string> = {
  'auth.': '登录与账号（全部）', 'workorder.': '工单（全部）', 'triage.': '分拣与配置（全部）', 'problem.': '问题（全部）', 'intake.': '导入（全部）',
  'warning.': '风险预警（全部）', 'search.': '检索与导出（全部）', 'report.': '分析报告（全部）', 'user.': '人员（全部）', 'unit.': '单位（全部）',
};

/** What an audit row's summary says, its usual names in words; the rest as they are. */
const SUMMARY_KEYS: Record<string, string> = {
  from: '原状态', to: '新状态', note: '说明', reason: '理由', username: '用户名', channel: '渠道', inserted: '新增', changed: '更新', count: '数量',
  rows: '行数', purpose: '用途', phone: '电话', domain: '领域', kind: '类型', predicted: '预测', problemId: '问题', workOrderId: '工单', unitId: '单位',
  deadline: '期限', version: '版本', words: '词语', category: '类别', before: '修改前', after: '修改后', checked: '检查', matched: '对上', rerouted: '重新建议承办',
};

function Summary({ summary }: { summary: Record<string, unknown> }) {
  const entries = Object.entries(summary ?? {});
  if (!entries.length) return <Typography.Text type="secondary">无</Typography.Text>;
  return (
    <Descriptions size="small" column={1} items={entries.map(([k, v]) => ({
      key: k, label: SUMMARY_KEYS[k] ?? k,
      children: typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : <Typography.Text code>{JSON.stringify(v)}</Typography.Text>,
    }))} />
  );
}

const ACTIONS: Record<string, string> = {
  'auth.login': '登录', 'auth.logout': '退出', 'auth.login_failed': '登录失败', 'auth.lockout': '账号锁定', 'auth.password_changed': '修改密码',
  'unit.create': '新建单位', 'unit.update': '修改单位', 'user.create': '新建人员', 'user.update': '修改人员', 'user.reset_password': '重置密码',
  'grant.add': '授予角色', 'grant.remove': '撤销授权', 'apikey.create': '新建密钥', 'apikey.revoke': '吊销密钥', 'seed.demo': '导入演示数据', 'db.restore': '恢复数据库',
  'intake.import': '导入数据', 'intake.mapping_saved': '保存列映射', 'attachment.add': '上传附件', 'problem.merge': '合并问题', 'problem.split': '拆分问题',
  'problem.reveal_contact': '查看联系方式', 'region.former_names': '修改区划旧名', 'problem.rematch_regions': '重新匹配区域', 'search.reporter_phone': '按反映人电话查找', 'triage.confirm': '确认分拣', 'triage.correct': '更正分拣', 'triage.redirect': '引导办理', 'triage.auto': '自动分拣',
  'triage.train': '训练分拣模型', 'triage.retrain_requested': '申请重新训练',
  'triage.label_map.create': '新增标签映射', 'triage.label_map.update': '修改标签映射', 'triage.label_map.delete': '删除标签映射',
  'triage.lexicon.create': '新增领域关键词', 'triage.lexicon.update': '修改领域关键词', 'triage.lexicon.delete': '删除领域关键词',
  'triage.misconduct.create': '新增执法作风词', 'triage.misconduct.delete': '删除执法作风词',
  'triage.exclusion.create': '新增不予派发事项', 'triage.exclusion.delete': '删除不予派发事项',
  'triage.user_word.create': '新增分词用户词', 'triage.user_word.delete': '删除分词用户词', 'search.reindex_requested': '申请重建检索索引',
  'routing.create': '新增路由规则', 'routing.retire': '停用路由规则', 'workorder.dispatch': '派发工单', 'workorder.auto_dispatch': '自动派发工单',
  'workorder.sign': '签收工单', 'workorder.return': '退回工单', 'workorder.reply': '答复', 'workorder.request_extension': '申请延期',
  'workorder.approve_extension': '批准延期', 'workorder.refuse_extension': '不予延期', 'workorder.accept': '审核通过', 'workorder.reject': '退回重办',
  'workorder.follow_up': '回访', 'workorder.closed': '回访办结', 'workorder.redo': '重办', 'workorder.overdue': '逾期督办', 'workorder.escalated': '提级督办',
  'workorder.reminded': '自动催办', 'workorder.assist': '协办', 'workorder.transfer': '转办', 'workorder.list': '挂牌督办', 'workorder.remind': '催办', 'workorder.citizen_rating': '群众评价',
  'calendar.save_year': '保存工作日历', 'deadline_policy.update': '修改办理时限', 'setting.update': '修改运行设置',
  'search.export': '导出检索结果', 'report.generate': '生成分析报告', 'report.download': '下载分析报告',
  'risk.rule_update': '修改预警规则', 'warning.raise': '产生预警', 'warning.assess': '研判预警', 'warning.dispatch': '交办预警',
  'warning.resolve': '化解预警', 'warning.dismiss': '排除预警', 'case_outcome.import': '导入复议诉讼结果',
};
const ACTION_OPTIONS = [
  ...Object.entries(ACTION_GROUPS).map(([value, label]) => ({ value, label })),
  ...Object.entries(ACTIONS).map(([value, label]) => ({ value, label })),
];

export function AuditPage() {
  const { message, modal } = App.useApp();
  const canCityWide = useCanCityWide();
  const [filter, setFilter] = useState<Filter>({ offset: 0 });
  const [data, setData] = useState<{ rows: Row[]; total: number }>({ rows: [], total: 0 });
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api('/audit', { query: { ...filter, limit: 50 } }));
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => void load(), [load]);
  const verify = async () => {
    try {
      const r = await api<{ ok: boolean; rows: number; brokenId?: number; reason?: string }>('/audit/verify', { body: {} });
      if (r.ok) modal.success({ title: '哈希链完整', content: `共校验 ${r.rows} 行。` });
      else modal.error({ title: '哈希链断裂', content: `第 ${r.brokenId} 行：${r.reason}` });
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : '校验失败');
    }
  };
  const range = (v: [Dayjs | null, Dayjs | null] | null) => setFilter((f) => ({ ...f, from: v?.[0]?.startOf('day').toISOString(), to: v?.[1]?.endOf('day').toISOString(), offset: 0 }));
  return (
    <Card title="审计日志" extra={canCityWide('audit.read') && <Button onClick={verify}>校验哈希链</Button>}>
      <Space style={{ marginBottom: 16 }} wrap>
        <DatePicker.RangePicker onChange={(v) => range(v as [Dayjs | null, Dayjs | null] | null)} />
        <Select placeholder="操作（可输入文字查找）" allowClear showSearch optionFilterProp="label" options={ACTION_OPTIONS} onChange={(action?: string) => setFilter((f) => ({ ...f, action, offset: 0 }))} style={{ width: 240 }} data-testid="audit-action" />
        <Input.Search placeholder="操作人" allowClear onSearch={(actor) => setFilter((f) => ({ ...f, actor, offset: 0 }))} style={{ width: 200 }} />
      </Space>
      <Table<Row>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data.rows}
        pagination={{ total: data.total, pageSize: 50, current: filter.offset / 50 + 1, onChange: (p) => setFilter((f) => ({ ...f, offset: (p - 1) * 50 })), showTotal: (t) => `共 ${t} 条` }}
        expandable={{ expandedRowRender: (r) => <Summary summary={r.summary} /> }}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          { title: '时间', dataIndex: 'at', width: 170, render: (t) => formatTime(t, 'YYYY-MM-DD HH:mm:ss') },
          { title: '操作人', dataIndex: 'actor_label' },
          { title: '操作', dataIndex: 'action', render: (a) => ACTIONS[a] ?? a },
          { title: '对象', key: 't', render: (_, r) => `${TARGETS[r.target_type] ?? r.target_type}${r.target_id ? ` ${r.target_id} 号` : ''}` },
          { title: '单位', dataIndex: 'unit_name' },
          { title: '来源地址', dataIndex: 'ip', width: 130 },
        ]}
      />
    </Card>
  );
}
