import { LogoutOutlined, LockOutlined, UserOutlined } from '@ant-design/icons';
import { Dropdown, Layout, Menu, Typography } from 'antd';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth, useCan } from '../auth.tsx';
import { visibleMenu, type MenuEntry } from '../menu.tsx';
import { NotificationBell } from './NotificationBell.tsx';

const toItems = (entries: MenuEntry[]): any[] =>
  entries.filter((e) => !e.hidden).map((e) => ({ key: e.key, label: e.label, icon: e.icon, children: e.children ? toItems(e.children) : undefined }));

/** The menu entry a page belongs to: the longest shown key the path starts with (/risk/warnings/7 → /risk/warnings, /problems/7 → /problems). */
function selectedKey(entries: MenuEntry[], pathname: string): string {
  const keys = entries.flatMap(function shown(e): string[] { return e.hidden ? [] : e.children ? e.children.flatMap(shown) : [e.key]; });
  const match = keys.filter((k) => k.startsWith('/') && (pathname === k || (k !== '/' && pathname.startsWith(`${k}/`))));
  return match.sort((a, b) => b.length - a.length)[0] ?? '/' + (pathname.split('/')[1] ?? '');
}

export function AppLayout() {
  const { me, logout } = useAuth();
  const can = useCan();
  const navigate = useNavigate();
  const location = useLocation();
  const menu = visibleMenu(can);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={220} theme="dark" breakpoint="lg" collapsedWidth={64}>
        <div style={{ color: '#fff', fontSize: 18, fontWeight: 600, padding: '18px 20px', whiteSpace: 'nowrap' }}>智慧督</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selectedKey(menu, location.pathname)]}
          defaultOpenKeys={menu.filter((m) => m.children).map((m) => m.key)}
          items={toItems(menu)}
          onClick={({ key }) => navigate(key)}
          data-testid="main-menu"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '0 24px' }}>
          <Typography.Text strong>行政执法监督平台</Typography.Text>
          <span style={{ display: 'flex', alignItems: 'center' }}>
            <NotificationBell />
            <Dropdown
              menu={{
                items: [
                  { key: 'pw', icon: <LockOutlined />, label: '修改密码', onClick: () => navigate('/account/password') },
                  { key: 'logout', icon: <LogoutOutlined />, label: '退出登录', onClick: () => void logout().then(() => navigate('/')) },
                ],
              }}
            >
              <span style={{ cursor: 'pointer' }} data-testid="user-menu">
                <UserOutlined /> {me?.displayName}
              </span>
            </Dropdown>
          </span>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
