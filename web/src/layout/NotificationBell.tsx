import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Dropdown, Empty, List, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api.ts';
import { formatTime } from '../time';

type Notification = { id: number; kind: string; title: string; body: string; work_order_id: number | null; created_at: string; read_at: string | null };
type Inbox = { rows: Notification[]; unread: number };

const POLL_MS = 60_000;
/** Where a notice about no work order leads. */
const PAGE_OF_KIND: Record<string, string> = { calendar_missing: '/calendar' };

/** The bell in the header: unread count, the latest unread notices, each opening its work order. */
export function NotificationBell() {
  const navigate = useNavigate();
  const [inbox, setInbox] = useState<Inbox>({ rows: [], unread: 0 });
  const [open, setOpen] = useState(false);
  const load = useCallback(async () => {
    try {
      setInbox(await api<Inbox>('/notifications', { query: { unreadOnly: true, limit: 10 } }));
    } catch {
      // a failed poll keeps the last count; the next one tries again
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);
  const read = async (body: { ids?: number[]; all?: boolean }) => {
    await api('/notifications/read', { body }).catch(() => {});
    await load();
  };
  const openOne = (n: Notification) => {
    setOpen(false);
    void read({ ids: [n.id] });
    if (n.work_order_id) navigate(`/work-orders/${n.work_order_id}`);
    else if (PAGE_OF_KIND[n.kind]) navigate(PAGE_OF_KIND[n.kind]!);
  };
  const panel = (
    <div style={{ width: 360, background: '#fff', borderRadius: 6, boxShadow: '0 6px 16px rgba(0,0,0,.12)' }} data-testid="notification-panel">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '8px 12px', borderBottom: '1px solid #f0f0f0' }}>
        <Typography.Text strong>未读通知（{inbox.unread}）</Typography.Text>
        <Button size="small" type="link" disabled={!inbox.unread} onClick={() => void read({ all: true })}>全部已读</Button>
      </div>
      {inbox.rows.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有未读通知" style={{ padding: 16 }} /> : (
        <List
          size="small"
          style={{ maxHeight: 420, overflow: 'auto' }}
          dataSource={inbox.rows}
          renderItem={(n) => (
            <List.Item style={{ cursor: 'pointer', padding: '8px 12px' }} onClick={() => openOne(n)}>
              <div>
                <div>{n.title}</div>
                {n.body && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{n.body}</Typography.Text>}
                <div style={{ color: '#999', fontSize: 12 }}>{formatTime(n.created_at, 'MM-DD HH:mm')}</div>
              </div>
            </List.Item>
          )}
        />
      )}
    </div>
  );
  return (
    <Dropdown open={open} onOpenChange={(o) => { setOpen(o); if (o) void load(); }} trigger={['click']} popupRender={() => panel} placement="bottomRight">
      <span style={{ cursor: 'pointer', marginRight: 24 }} data-testid="notification-bell" aria-label={`通知，${inbox.unread} 条未读`}>
        <Badge count={inbox.unread} size="small" overflowCount={99}>
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </span>
    </Dropdown>
  );
}
