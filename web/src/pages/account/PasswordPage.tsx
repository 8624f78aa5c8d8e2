import { Alert, App, Button, Card, Form, Input } from 'antd';
import { api, ApiError, formErrors } from '../../api.ts';
import { useAuth } from '../../auth.tsx';

export function PasswordPage({ forced = false }: { forced?: boolean }) {
  const [form] = Form.useForm();
  const { refresh, logout } = useAuth();
  const { message } = App.useApp();
  const submit = async (v: { oldPassword: string; newPassword: string }) => {
    try {
      await api('/auth/password', { body: { oldPassword: v.oldPassword, newPassword: v.newPassword } });
      message.success('密码已修改');
      form.resetFields();
      await refresh();
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      else message.error(e instanceof ApiError ? e.message : '修改失败');
    }
  };
  return (
    <div style={forced ? { maxWidth: 460, margin: '80px auto' } : { maxWidth: 460 }}>
      <Card title="修改密码">
        {forced && <Alert type="warning" showIcon style={{ marginBottom: 16 }} message="您正在使用管理员设置的临时密码，请先设置自己的密码。" />}
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item name="oldPassword" label="原密码" rules={[{ required: true, message: '请输入原密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item name="newPassword" label="新密码" extra="至少 8 位，包含大写字母、小写字母、数字、符号中的至少 3 类" rules={[{ required: true, message: '请输入新密码' }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label="确认新密码"
            dependencies={['newPassword']}
            rules={[{ required: true, message: '请再次输入新密码' }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致'))) })]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit">保存</Button>
          {forced && <Button style={{ marginLeft: 8 }} onClick={() => void logout()}>退出登录</Button>}
        </Form>
      </Card>
    </div>
  );
}
