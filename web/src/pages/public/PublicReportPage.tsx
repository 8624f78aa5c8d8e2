import { Alert, Button, Card, Checkbox, Form, Input, Result, Select, Typography, Upload, type UploadFile } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, formErrorBanner, formErrors } from '../../api.ts';
import { CONTENT_MAX, contentFullHint, sendAttachments } from '../../uploads.ts';
import { KINDS } from '../problems/labels.ts';

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export function PublicShell({ children }: { children: React.ReactNode }) {
  return (
    <div style={{ minHeight: '100vh', background: '#f5f5f5', padding: '32px 16px' }}>
      <div style={{ maxWidth: 720, margin: '0 auto' }}>
        <Typography.Title level={3} style={{ textAlign: 'center' }}>智慧督 · 行政执法监督</Typography.Title>
        {children}
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center', marginTop: 24 }}>
          <Link to="/report">我要反映</Link> · <Link to="/track">查询办理进度</Link>
        </Typography.Paragraph>
      </div>
    </div>
  );
}

export function PublicReportPage() {
  const [form] = Form.useForm();
  const contentHint = contentFullHint(Form.useWatch('content', form));
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [warning, setWarning] = useState<string | null>(null);
  const [limits, setLimits] = useState({ maxBytes: 10 * 1024 * 1024, perProblem: 9, extensions: ['jpg', 'jpeg', 'png', 'webp', 'pdf', 'docx', 'xlsx'] });
  const [uploadToken, setUploadToken] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  useEffect(() => {
    void api<typeof limits>('/public/attachment-limits').then(setLimits, () => {});
  }, []);
  /** Files are checked when chosen: one too large or one too many is named at once, not after the report is sent. */
  const chooseFiles = (list: UploadFile[]) => {
    const allowed = (f: UploadFile) => limits.extensions.includes(f.name.split('.').pop()?.toLowerCase() ?? '');
    const wrongType = list.filter((f) => !allowed(f));
    const tooLarge = list.filter((f) => allowed(f) && (f.size ?? 0) > limits.maxBytes);
    const fitting = list.filter((f) => allowed(f) && (f.size ?? 0) <= limits.maxBytes);
    const kept = fitting.slice(0, limits.perProblem);
    const names = (fs: UploadFile[]) => fs.map((f) => `“${f.name}”`).join('、');
    const notes = [
      ...(wrongType.length ? [`${names(wrongType)}类型不支持，未添加（支持 ${limits.extensions.join('、')}）`] : []),
      ...(tooLarge.length ? [`${names(tooLarge)}超过 ${mb(limits.maxBytes)} MB，未添加`] : []),
      ...(fitting.length > limits.perProblem ? [`最多 ${limits.perProblem} 个附件，多出的未添加`] : []),
    ];
    setFileProblem(notes.length ? notes.join('；') : null);
    setFiles(kept);
  };
  /** Sends the chosen files with the report's upload token; sending them again adds none twice (the server compares contents). */
  const upload = async (token: string) => {
    setUploading(true);
    try {
      const { problem, retry } = await sendAttachments('/api/public/attachments', files.map((f) => ({ file: f.originFileObj as File, name: f.name })), token);
      setWarning(problem && `附件未全部上传：${problem}`);
      if (!retry) setFiles([]);
    } finally {
      setUploading(false);
    }
  };
  const submit = async (v: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    let r: { trackingCode: string; uploadToken: string };
    try {
      r = await api<{ trackingCode: string; uploadToken: string }>('/public/reports', { body: { ...v, confidential: !!v.confidential } });
    } catch (e) {
      const fields = formErrors(e);
      if (fields.length) form.setFields(fields);
      setError(formErrorBanner(e, '提交失败，请稍后再试'));
      setBusy(false);
      return;
    }
    // the report is saved: its code is shown whatever becomes of the files
    setCode(r.trackingCode);
    setUploadToken(r.uploadToken);
    window.scrollTo({ top: 0 });
    if (files.length) await upload(r.uploadToken);
    setBusy(false);
  };
  const another = () => {
    form.resetFields();
    setFiles([]);
    setWarning(null);
    setCode(null);
    setUploadToken(null);
  };
  if (code) {
    return (
      <PublicShell>
        <Card>
          {uploading && <Alert type="info" showIcon message={`正在上传附件（${files.length} 个）…`} />}
          {warning && (
            <Alert type="warning" showIcon message={`反映已提交；${warning}`} data-testid="attachment-warning"
              description={files.length ? '可再试一次（已上传的不会重复保存）；30 分钟内有效。' : undefined}
              action={files.length && uploadToken ? <Button size="small" loading={uploading} onClick={() => void upload(uploadToken)}>重新上传附件</Button> : undefined} />
          )}
          <Result status="success" title="已收到您的反映" subTitle={<>查询码：<Typography.Text copyable strong data-testid="tracking-code">{code}</Typography.Text><br />请妥善保存，可凭查询码查看办理进度。</>}
            extra={[<Link key="track" to={`/track?code=${code}`}><Button type="primary">查看进度</Button></Link>, <Button key="again" onClick={another}>再反映一件</Button>]} />
        </Card>
      </PublicShell>
    );
  }
  return (
    <PublicShell>
      <Card title="我要反映：行政执法问题与线索">
        <Typography.Paragraph type="secondary">请如实反映行政执法中的问题（如乱罚款、不作为、态度恶劣等）和违法线索。联系方式选填；勾选“保密”后，承办单位看不到您的身份。</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'complaint' }}>
          <Form.Item name="kind" label="类型"><Select options={Object.entries(KINDS).map(([value, label]) => ({ value, label }))} /></Form.Item>
          <Form.Item name="title" label="标题"><Input maxLength={100} placeholder="一句话概括（选填）" /></Form.Item>
          <Form.Item name="content" label="内容" rules={[{ required: true, message: '请描述您反映的问题' }, { min: 10, message: '请至少用 10 个字描述问题' }]} extra={contentHint}>
            <Input.TextArea rows={6} maxLength={CONTENT_MAX} showCount placeholder="时间、地点、涉及的单位或人员、经过" />
          </Form.Item>
          <Form.Item name="address" label="发生地点"><Input maxLength={200} placeholder="如：鸠江区湾里街道某路" /></Form.Item>
          <Form.Item name="contactName" label="您的称呼"><Input maxLength={50} /></Form.Item>
          <Form.Item name="contactPhone" label="联系电话"><Input maxLength={20} /></Form.Item>
          <Form.Item label={`附件（照片、PDF、Word（.docx）、Excel（.xlsx），最多 ${limits.perProblem} 个，每个不超过 ${mb(limits.maxBytes)} MB）`} validateStatus={fileProblem ? 'error' : undefined} help={fileProblem}>
            <Upload multiple accept={limits.extensions.map((e) => `.${e}`).join(',')} fileList={files} beforeUpload={() => false} onChange={({ fileList }) => chooseFiles(fileList)}>
              <Button>选择文件</Button>
            </Upload>
          </Form.Item>
          <Form.Item name="confidential" valuePropName="checked"><Checkbox>对承办单位保密我的身份</Checkbox></Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} block>提交</Button>
        </Form>
      </Card>
    </PublicShell>
  );
}
