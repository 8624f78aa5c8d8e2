import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError, type Me } from '../../api.ts';
import { useAuth } from '../../auth.tsx';

export function LoginPage() {
  const { setMe, expired } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      setMe(await api<Me>('/auth/login', { body: values }));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '登录失败，请稍后再试');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(135deg,#8c1d18,#2b2f3a)' }}>
      <Card style={{ width: 380 }}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginBottom: 4 }}>智慧督</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>行政执法监督平台</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        {!error && expired && <Alert type="warning" showIcon message="登录已过期（长时间未操作或已在别处退出），请重新登录；登录后回到刚才的页面。" style={{ marginBottom: 16 }} data-testid="login-expired" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>登录</Button>
        </Form>
      </Card>
    </div>
  );
}
