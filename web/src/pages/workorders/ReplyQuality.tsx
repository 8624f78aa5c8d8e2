import { Col, Descriptions, Progress, Row, Space, Tag, Tooltip, Typography } from 'antd';
import { KEY_POINT_KIND, QUALITY_LEVEL } from './labels.ts';
import type { ReplyQuality } from './types.ts';

const evidence = (found: string[]) => (found.length ? found.map((t) => <Tag key={t} color="green">{t}</Tag>) : <Tag color="red">未写明</Tag>);

/** The reply-quality check, for the reviewer: a score with its reasons, never an automatic verdict. */
export function ReplyQualityPanel({ q }: { q: ReplyQuality }) {
  const level = QUALITY_LEVEL[q.level];
  const addressed = q.keyPoints.filter((k) => k.addressed);
  const missed = q.keyPoints.filter((k) => !k.addressed);
  const point = (k: ReplyQuality['keyPoints'][number]) => (
    <Tooltip key={`${k.kind}:${k.term}`} title={KEY_POINT_KIND[k.kind] ?? k.kind}>
      <Tag color={k.addressed ? 'green' : 'red'}>{k.term}</Tag>
    </Tooltip>
  );
  const t = q.timeliness;
  return (
    <div style={{ background: '#fafafa', border: '1px solid #f0f0f0', borderRadius: 4, padding: 12 }} data-testid="reply-quality">
      <Row gutter={16} align="middle">
        <Col flex="160px" style={{ textAlign: 'center' }}>
          <Progress type="dashboard" size={96} percent={q.score} format={(p) => `${p} 分`} strokeColor={q.level === 'good' ? '#389e0d' : q.level === 'fair' ? '#d46b08' : '#cf1322'} />
          <div>
            <Typography.Text data-testid="quality-score">答复质量 {q.score} 分</Typography.Text> <Tag color={level?.color}>{level?.text ?? q.level}</Tag>
          </div>
        </Col>
        <Col flex="auto">
          <Descriptions size="small" column={1} items={[
            {
              key: 'kp', label: `诉求要点（回应 ${Math.round(q.coverage * 100)}%）`,
              children: q.keyPoints.length ? (
                <Space orientation="vertical" size={4}>
                  <span>已回应：{addressed.length ? addressed.map(point) : '—'}</span>
                  <span>未回应：{missed.length ? missed.map(point) : '—'}</span>
                </Space>
              ) : '未提取到要点',
            },
            { key: 'm', label: '措施', children: evidence(q.elements.measures) },
            { key: 'b', label: '依据', children: evidence(q.elements.basis) },
            { key: 'r', label: '结果', children: evidence(q.elements.result) },
            {
              key: 'bp', label: '套话',
              children: (
                <>
                  {!q.boilerplate.isBoilerplate ? <Tag color="green">内容具体</Tag> : <Tag color="red">{q.boilerplate.phrases.length ? '疑似套话' : '内容空泛'}</Tag>}
                  套话占比 {Math.round(q.boilerplate.ratio * 100)}%
                  {q.boilerplate.phrases.length > 0 && <>：{q.boilerplate.phrases.map((p) => <Tag key={p}>{p}</Tag>)}</>}
                </>
              ),
            },
            {
              key: 't', label: '时效',
              children: (
                <>
                  {t.onTime === null ? <Tag>未知</Tag> : t.onTime ? <Tag color="green">按时</Tag> : <Tag color="red">超时</Tag>}
                  {t.workingDaysTaken !== null && `用时 ${t.workingDaysTaken} 个工作日`}
                  {t.workingDaysAllowed !== null && `（时限 ${t.workingDaysAllowed} 个工作日）`}
                </>
              ),
            },
          ]} />
        </Col>
      </Row>
      {q.reasons.length > 0 && (
        <>
          <Typography.Text strong>评分理由</Typography.Text>
          <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>{q.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
        </>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>质量检查仅供审核参考，是否通过由审核人员决定。</Typography.Text>
    </div>
  );
}
