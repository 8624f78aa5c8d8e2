import { QuestionCircleOutlined } from '@ant-design/icons';
import { Card, Col, Row, Statistic, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { dayRangeFilter, type SearchFilters } from '../problems/searchQuery.ts';
import { percent, type Dashboard } from './types.ts';

type Open = (filters: SearchFilters, options?: { wholeTime?: boolean }) => void;

/** 环比 / 同比 as +12.5% or −3.0%; — when the earlier figure is 0. */
function change(now: number, before: number): ReactNode {
  if (!before) return '—';
  const r = (now - before) / before;
  return <span style={{ color: r > 0 ? '#cf1322' : r < 0 ? '#389e0d' : undefined }}>{r > 0 ? '+' : r < 0 ? '−' : ''}{Math.abs(r * 100).toFixed(1)}%</span>;
}

type FigureProps = { title: string; value: string | number; help?: string; footer?: ReactNode; onOpen?: () => void; testId: string; danger?: boolean };

/** One figure; when it has a search behind it, the card opens that search. */
function Figure({ title, value, help, footer, onOpen, testId, danger }: FigureProps) {
  const heading = help ? <Tooltip title={help}><span>{title} <QuestionCircleOutlined style={{ color: '#999' }} /></span></Tooltip> : title;
  return (
    <Card
      size="small"
      hoverable={!!onOpen}
      onClick={onOpen}
      role={onOpen ? 'link' : undefined}
      tabIndex={onOpen ? 0 : undefined}
      onKeyDown={(e) => e.key === 'Enter' && onOpen?.()}
      data-testid={testId}
      style={{ height: '100%' }}
    >
      <Statistic title={heading} value={value} styles={{ content: { color: danger ? '#cf1322' : undefined } }} />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{footer ?? '\u00a0'}</Typography.Text>
    </Card>
  );
}

/** The headline figures of the period; each that a search can reproduce opens it. */
export function KpiCards({ data, onOpen }: { data: Dashboard; onOpen: Open }) {
  const t = data.totals;
  const d = data.definitions;
  const period = dayRangeFilter(data.range);
  const ofPeriod: FigureProps[] = [
    {
      title: '反映问题', value: t.problems, testId: 'kpi-problems', onOpen: () => onOpen({}),
      footer: <>环比 {change(t.problems, t.previous)}　同比 {change(t.problems, t.lastYear)}</>,
      help: `上期 ${t.previous} 件（${data.previous.from} 至 ${data.previous.to}），去年同期 ${t.lastYear} 件`,
    },
    {
      title: '派发', value: t.dispatched, testId: 'kpi-dispatched', footer: `已引导 ${t.redirected} 件`,
      help: '期内派发的工单数（按派发日期计，含协办）。点击查看这些问题（一件问题派发多次只列一次，不论反映时间）',
      onOpen: () => onOpen({ dispatchedFrom: period.from, dispatchedTo: period.to }, { wholeTime: true }),
    },
    {
      title: '办结', value: t.closed, testId: 'kpi-closed', footer: `重办 ${t.redone} 次`,
      help: '期内办结的主办工单数（按办结日期计）。点击查看这些问题（不论反映时间）',
      onOpen: () => onOpen({ closedFrom: period.from, closedTo: period.to }, { wholeTime: true }),
    },
    { title: d.close_on_time_rate.name, value: percent(t.close_on_time_rate), testId: 'kpi-close-on-time', help: d.close_on_time_rate.formula, footer: `${t.closed_on_time}/${t.closed}` },
    {
      title: d.satisfaction_rate.name, value: percent(t.satisfaction_rate), testId: 'kpi-satisfaction', help: `${d.satisfaction_rate.formula}。点击查看不满意的问题`,
      // the rate counts the period's follow-ups, whenever the problems were reported
      footer: `不满意 ${t.unsatisfied} 件 ›`, onOpen: () => onOpen({ satisfaction: 'unsatisfied', ratedFrom: period.from, ratedTo: period.to }, { wholeTime: true }),
    },
    { title: '执法作风问题', value: t.misconduct, testId: 'kpi-misconduct', danger: t.misconduct > 0, footer: '点击查看 ›', onOpen: () => onOpen({ misconduct: 'any' }) },
  ];
  const openNow: FigureProps[] = [
    { title: '在办逾期', value: t.open.overdue, testId: 'kpi-overdue', danger: t.open.overdue > 0, help: '当前尚未办结、且办理中发生过逾期的工单（不限期间；含逾期后已答复、待审核或待回访的，督办看板的“已超期”只计尚未答复的）。点击查看这些问题', footer: '查看逾期问题 ›', onOpen: () => onOpen({ overdue: true, openOnly: true }, { wholeTime: true }) },
    { title: '挂牌督办', value: t.open.listed, testId: 'kpi-listed', help: '当前在办的挂牌督办工单（不限期间）。点击查看这些问题', footer: '查看挂牌问题 ›', onOpen: () => onOpen({ listed: true, openOnly: true }, { wholeTime: true }) },
    { title: '提级督办', value: t.open.escalated, testId: 'kpi-escalated', help: '当前在办的提级督办工单（不限期间）。点击查看这些问题', footer: '查看提级问题 ›', onOpen: () => onOpen({ escalated: true, openOnly: true }, { wholeTime: true }) },
  ];
  return (
    <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
      {ofPeriod.map((f) => (
        <Col key={f.testId} xs={12} md={8} xxl={4}>
          <Figure {...f} />
        </Col>
      ))}
      {openNow.map((f) => (
        <Col key={f.testId} xs={24} md={8}>
          <Figure {...f} />
        </Col>
      ))}
    </Row>
  );
}
