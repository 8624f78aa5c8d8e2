import { Alert, Button, Card, Checkbox, Form, Input, Result, Select, Upload, type UploadFile } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, formErrorBanner, formErrors } from '../../api.ts';
import { CONTENT_MAX, contentFullHint, sendAttachments } from '../../uploads.ts';
import { KINDS } from './labels.ts';

type Created = { id: number; trackingCode: string; uploadToken: string; canOpen: boolean; attachmentError?: string | null };

/** 录入线索: staff record what they found on site; the clue is filed under their own unit. */
export function StaffEntryPage() {
  const [form] = Form.useForm();
  const contentHint = contentFullHint(Form.useWatch('content', form));
  const navigate = useNavigate();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [limits, setLimits] = useState({ maxBytes: 10 * 1024 * 1024, perProblem: 9, extensions: ['jpg', 'jpeg', 'png', 'webp', 'pdf', 'docx', 'xlsx'] });
  useEffect(() => {
    void api<typeof limits>('/public/attachment-limits').then(setLimits, () => {});
  }, []);
  const submit = async (v: Record<string, unknown>) => {
    setError(null);
    setSaving(true);
    let r: Created;
    try {
      r = await api<Created>('/problems', { body: v });
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      setError(formErrorBanner(e, '保存失败'));
      setSaving(false);
      return;
    }
    // the clue is saved from here on: a failed upload is said as such, never as a failed save
    const attachmentError = files.length
      ? (await sendAttachments(`/api/problems/${r.id}/attachments`, files.map((f) => ({ file: f.originFileObj as File, name: f.name })), r.uploadToken)).problem
      : null;
    setCreated({ ...r, attachmentError });
    form.resetFields();
    setFiles([]);
    setSaving(false);
  };
  if (created) {
    return (
      <Card>
        <Result status={created.attachmentError ? 'warning' : 'success'} title={created.attachmentError ? '线索已保存，附件未全部上传' : '线索已录入'}
          subTitle={<>
            <div data-testid="entry-number">问题编号 {created.id}（向同事或督办人员说明这条线索时使用）</div>
            <div>查询码 {created.trackingCode}（供反映人查询进度和评价，工作人员看到的是打码的）</div>
            {created.attachmentError && <div>附件：{created.attachmentError}。线索不必重新录入；可把附件交给能查看该问题的同事补传。</div>}
          </>} extra={[
          created.canOpen && <Button key="v" type="primary" onClick={() => navigate(`/problems/${created.id}`)}>查看</Button>,
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
        <Form.Item name="content" label="内容" rules={[{ required: true, message: '请填写线索内容' }, { min: 10, message: '请至少用 10 个字描述' }]} extra={contentHint}><Input.TextArea rows={5} maxLength={CONTENT_MAX} showCount /></Form.Item>
        <Form.Item name="address" label="地点"><Input maxLength={200} /></Form.Item>
        <Form.Item name="target" label="被反映对象（单位、商户或人员）"><Input maxLength={100} /></Form.Item>
        <Form.Item name="contactName" label="反映人（如有）"><Input maxLength={50} /></Form.Item>
        <Form.Item name="contactPhone" label="反映人电话（如有）"><Input maxLength={20} /></Form.Item>
        <Form.Item name="confidential" valuePropName="checked"><Checkbox>反映人要求对承办单位保密身份</Checkbox></Form.Item>
        <Form.Item label="附件" extra={`最多 ${limits.perProblem} 个，每个不超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB（${limits.extensions.join('、')}）`}>
          <Upload multiple accept={limits.extensions.map((e) => `.${e}`).join(',')} fileList={files} beforeUpload={() => false} onChange={({ fileList }) => setFiles(fileList.slice(0, limits.perProblem))}><Button>选择文件</Button></Upload>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>保存</Button>
      </Form>
    </Card>
  );
}
