import { Alert, Button, Card, Col, Descriptions, List, Row, Statistic, Tag, Typography } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import { useEffect, useState } from 'react';
import { api, type Role } from '../../api.ts';
import { useAuth, useCan } from '../../auth.tsx';
import type { OrderList } from '../workorders/types.ts';

/** The counts a handler and a supervisor start the day with, each linking to its list. */
const HANDLER_COUNTS = [['pending_sign', '待签收'], ['handling', '办理中'], ['due_soon', '即将超期'], ['overdue', '已超期']] as const;
const SUPERVISOR_COUNTS = [['overdue', '已超期'], ['replied', '待审核'], ['follow_up', '待回访'], ['extension', '延期待批']] as const;

/** Roles whose work comes in later versions, and what that work is. */
const COMING_LATER: Record<string, string> = { reviewer: '案卷评查', officer: '执法记录与培训考试' };

export function HomePage() {
  const { me } = useAuth();
  const can = useCan();
  const [roles, setRoles] = useState<Role[]>([]);
  const [counts, setCounts] = useState<{ units?: number; users?: number }>({});
  const [orders, setOrders] = useState<OrderList['counts'] | null>(null);
  const [calendarWarning, setCalendarWarning] = useState<string | null>(null);
  /** The dispatcher's day: problems waiting in the triage queue. */
  const [queue, setQueue] = useState<number | null>(null);
  const navigate = useNavigate();
  useEffect(() => {
    if (can('reference.manage')) void api<{ warning: string | null }>('/calendar/years').then((c) => setCalendarWarning(c.warning), () => {});
    void api<Role[]>('/roles').then(setRoles);
    if (can('workorder.handle') || can('workorder.supervise')) void api<OrderList>('/work-orders', { query: { tab: 'all', limit: 1 } }).then((r) => setOrders(r.counts), () => {});
    if (can('problem.triage')) void api<{ total: number }>('/triage/queue', { query: { limit: 1 } }).then((q) => setQueue(q.total), () => {});
    if (can('org.read')) {
      void api<unknown[]>('/units').then((u) => setCounts((c) => ({ ...c, units: u.length })));
      void api<{ total: number }>('/users', { query: { limit: 1 } }).then((u) => setCounts((c) => ({ ...c, users: u.total })));
    }
  }, []);
  const roleName = (code: string) => roles.find((r) => r.code === code)?.name ?? code;
  return (
    <>
      <Typography.Title level={4}>您好，{me?.displayName}</Typography.Title>
      {calendarWarning && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={calendarWarning} data-testid="calendar-warning"
          action={<Button size="small" onClick={() => navigate('/calendar')}>去添加</Button>} />
      )}
      {/* roles whose own work (案卷评查, 执法记录与培训考试) is not built yet are told so, not left on an empty page */}
      {!!me?.grants.length && me.grants.every((g) => COMING_LATER[g.role]) && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} data-testid="coming-later"
          title={`${[...new Set(me.grants.map((g) => COMING_LATER[g.role]))].join('、')}功能将在后续版本提供`}
          description="目前您可以录入发现的执法问题线索，查看本单位与人员信息；如需办理工单或查看分析，请联系管理员授予相应角色。" />
      )}
      {queue !== null && (
        <Row gutter={16} style={{ marginBottom: 16 }}>
          <Col xs={24} md={12}>
            <Card title="分拣" extra={<Link to="/triage">分拣队列</Link>}>
              <Row>
                <Col span={12}><Link to="/triage" data-testid="home-queue"><Statistic title="待确认分拣" value={queue} /></Link></Col>
                {orders && <Col span={12}><Link to="/supervision?tab=returned"><Statistic title="退回待重派" value={orders.returned} styles={{ content: { color: orders.returned ? '#cf1322' : undefined } }} /></Link></Col>}
              </Row>
            </Card>
          </Col>
        </Row>
      )}
      {orders && (
        <Row gutter={16} style={{ marginBottom: 16 }}>
          {can('workorder.handle') && (
            <Col xs={24} md={12}>
              <Card title="我的工单" extra={<Link to="/work-orders">进入</Link>}>
                <Row>
                  {HANDLER_COUNTS.map(([k, label]) => (
                    <Col span={6} key={k}><Link to={`/work-orders?tab=${k}`}><Statistic title={label} value={orders[k]} styles={{ content: { color: k === 'overdue' && orders[k] ? '#cf1322' : undefined } }} /></Link></Col>
                  ))}
                </Row>
              </Card>
            </Col>
          )}
          {can('workorder.supervise') && (
            <Col xs={24} md={12}>
              <Card title="督办" extra={<Link to="/supervision">督办看板</Link>}>
                <Row>
                  {SUPERVISOR_COUNTS.map(([k, label]) => (
                    <Col span={6} key={k}><Link to={`/supervision?tab=${k}`}><Statistic title={label} value={orders[k]} styles={{ content: { color: k === 'overdue' && orders[k] ? '#cf1322' : undefined } }} /></Link></Col>
                  ))}
                </Row>
              </Card>
            </Col>
          )}
        </Row>
      )}
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Card title="我的授权">
            <List
              dataSource={me?.grants ?? []}
              locale={{ emptyText: '暂无授权，请联系管理员' }}
              renderItem={(g) => (
                <List.Item>
                  <Tag color="red">{roleName(g.role)}</Tag> 范围：{g.unitName} 及下级单位
                </List.Item>
              )}
            />
          </Card>
        </Col>
        {can('org.read') && (
          <Col xs={24} md={12}>
            <Card title="可见范围">
              <Row>
                <Col span={12}><Statistic title="单位" value={counts.units ?? '-'} /></Col>
                <Col span={12}><Statistic title="人员" value={counts.users ?? '-'} /></Col>
              </Row>
            </Card>
          </Col>
        )}
      </Row>
      <Card title="账号" style={{ marginTop: 16 }}>
        <Descriptions column={1} items={[{ key: 'u', label: '用户名', children: me?.username }, { key: 'r', label: '角色', children: [...new Set(me?.grants.map((g) => roleName(g.role)))].join('、') || '无' }]} />
      </Card>
    </>
  );
}
