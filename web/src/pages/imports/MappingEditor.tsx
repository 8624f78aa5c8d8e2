import { Alert, Button, Card, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';

/** What the server found in a file whose headers did not supply every required field (MISSING_COLUMNS). */
export type MissingColumns = {
  columns: { headers: string[]; recognized: Record<string, string>; missing: string[] };
  fields: Record<string, string>;
};

/**
 * 列映射: each header of the file → a field, the ones the channel recognised filled in, the missing fields named.
 * Saved under a name for this channel; the page imports the same file with it.
 */
export function MappingEditor({ found, defaultName, saving, onSave, onCancel }: {
  found: MissingColumns;
  defaultName: string;
  saving: boolean;
  onSave: (name: string, mapping: Record<string, string>) => void;
  onCancel: () => void;
}) {
  const [choice, setChoice] = useState<Record<string, string | undefined>>(() => ({ ...found.columns.recognized }));
  const [name, setName] = useState(defaultName);
  const chosen = new Set(Object.values(choice).filter(Boolean));
  const stillMissing = found.columns.missing.filter((f) => !chosen.has(f));
  const fieldOptions = Object.entries(found.fields).filter(([code]) => code !== 'extra').map(([value, label]) => ({ value, label }));
  const mapping = Object.fromEntries(Object.entries(choice).filter((e): e is [string, string] => !!e[1]));
  return (
    <Card size="small" style={{ marginTop: 16 }} title="设置列映射" data-testid="mapping-editor">
      <Typography.Paragraph type="secondary">
        为文件的每一列选择对应的字段（已识别的列已填好；不需要的列留空，原样保存在原始记录中）。保存后将用这份映射导入本文件，以后同格式的文件也可直接选用。
      </Typography.Paragraph>
      {stillMissing.length > 0 && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={`还需要指定：${stillMissing.map((f) => found.fields[f] ?? f).join('、')}`} />
      )}
      <Table
        rowKey="header"
        size="small"
        pagination={false}
        dataSource={found.columns.headers.filter((h) => h.trim()).map((header) => ({ header }))}
        columns={[
          { title: '文件中的列', dataIndex: 'header' },
          {
            title: '对应字段',
            key: 'field',
            render: (_, { header }) => (
              <Select aria-label={`“${header}”对应的字段`} allowClear showSearch optionFilterProp="label" placeholder="不使用" style={{ width: 200 }} value={choice[header]} options={fieldOptions}
                onChange={(v: string | undefined) => setChoice((c) => ({ ...c, [header]: v }))} />
            ),
          },
        ]}
      />
      <Form layout="inline" style={{ marginTop: 12 }}>
        <Form.Item label="映射名称" required>
          <Input aria-label="映射名称" value={name} maxLength={50} onChange={(e) => setName(e.target.value)} style={{ width: 220 }} />
        </Form.Item>
        <Space>
          <Button type="primary" loading={saving} disabled={!name.trim() || stillMissing.length > 0} onClick={() => onSave(name.trim(), mapping)}>保存映射并导入</Button>
          <Button onClick={onCancel}>取消</Button>
        </Space>
      </Form>
    </Card>
  );
}
