import { Alert, App, Button, Card, Form, Input, Result, Select, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, formErrorBanner, formErrors } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { KINDS } from './labels.ts';

/** 录入线索: staff record what they found on site; the clue is filed under their own unit. */
export function StaffEntryPage() {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const can = useCan();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [created, setCreated] = useState<{ id: number; trackingCode: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: Record<string, unknown>) => {
    setError(null);
    try {
      const r = await api<{ id: number; trackingCode: string }>('/problems', { body: v });
      if (files.length) {
        const fd = new FormData();
        for (const f of files) fd.append('file', f.originFileObj as File, f.name);
        const res = await fetch(`/api/problems/${r.id}/attachments`, { method: 'POST', body: fd, credentials: 'same-origin' });
        if (!res.ok) message.warning(`线索已保存，但附件未能上传：${(await res.json()).message}`);
      }
      setCreated(r);
      form.resetFields();
      setFiles([]);
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      setError(formErrorBanner(e, '保存失败'));
    }
  };
  if (created) {
    return (
      <Card>
        <Result status="success" title="线索已录入" subTitle={`查询码 ${created.trackingCode}`} extra={[
          can('problem.read') && <Button key="v" type="primary" onClick={() => navigate(`/problems/${created.id}`)}>查看</Button>,
          <Button key="n" onClick={() => setCreated(null)}>继续录入</Button>,
        ]} />
      </Card>
    );
  }
  return (
    <Card title="录入线索" style={{ maxWidth: 760 }}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'report' }}>
        <Form.Item name="kind" label="类型"><Select options={Object.entries(KINDS).map(([value, label]) => ({ value, label }))} /></Form.Item>
        <Form.Item name="title" label="标题"><Input maxLength={100} /></Form.Item>
        <Form.Item name="content" label="内容" rules={[{ required: true, message: '请填写线索内容' }, { min: 10, message: '请至少用 10 个字描述' }]}><Input.TextArea rows={5} maxLength={5000} showCount /></Form.Item>
        <Form.Item name="address" label="地点"><Input maxLength={200} /></Form.Item>
        <Form.Item name="target" label="被反映对象（单位、商户或人员）"><Input maxLength={100} /></Form.Item>
        <Form.Item name="contactName" label="反映人（如有）"><Input maxLength={50} /></Form.Item>
        <Form.Item name="contactPhone" label="反映人电话（如有）"><Input maxLength={20} /></Form.Item>
        <Form.Item label="附件">
          <Upload multiple accept=".jpg,.jpeg,.png,.webp,.pdf,.docx,.xlsx" fileList={files} beforeUpload={() => false} onChange={({ fileList }) => setFiles(fileList.slice(0, 9))}><Button>选择文件</Button></Upload>
        </Form.Item>
        <Button type="primary" htmlType="submit">保存</Button>
      </Form>
    </Card>
  );
}
