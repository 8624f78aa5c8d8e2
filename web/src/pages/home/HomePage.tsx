import { Card, Col, Descriptions, List, Row, Statistic, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Role } from '../../api.ts';
import { useAuth, useCan } from '../../auth.tsx';

export function HomePage() {
  const { me } = useAuth();
  const can = useCan();
  const [roles, setRoles] = useState<Role[]>([]);
  const [counts, setCounts] = useState<{ units?: number; users?: number }>({});
  useEffect(() => {
    void api<Role[]>('/roles').then(setRoles);
    if (can('org.read')) {
      void api<unknown[]>('/units').then((u) => setCounts((c) => ({ ...c, units: u.length })));
      void api<{ total: number }>('/users', { query: { limit: 1 } }).then((u) => setCounts((c) => ({ ...c, users: u.total })));
    }
  }, []);
  const roleName = (code: string) => roles.find((r) => r.code === code)?.name ?? code;
  return (
    <>
      <Typography.Title level={4}>您好，{me?.displayName}</Typography.Title>
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
