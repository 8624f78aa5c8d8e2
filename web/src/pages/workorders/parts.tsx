import { Space, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { formatTime } from '../../time';
import { ApiError } from '../../api.ts';
import { DUE_SOON_HOURS, OPEN_STATES, STATE } from './labels.ts';

/** Small pieces the work-order pages share. */

export const fmt = (t: string | null | undefined) => formatTime(t);

export const errorText = (e: unknown, fallback = '操作失败') => (e instanceof ApiError ? e.message : fallback);

export function StateTag({ state, text }: { state: string; text?: string }) {
  return <Tag color={STATE[state]?.color}>{text ?? STATE[state]?.text ?? state}</Tag>;
}

/** The deadline, red when passed and orange when due soon (only while the order is open), with 暂定 when the calendar for its year is missing. */
export function Deadline({ at, state, provisional, due }: { at: string; state: string; provisional?: boolean; due?: 'overdue' | 'due_soon' | null }) {
  const open = OPEN_STATES.includes(state);
  const left = dayjs(at).diff(dayjs(), 'minute');
  // the server says what is due by the city's setting; without it, a day's notice
  const overdue = due !== undefined ? due === 'overdue' : open && left <= 0;
  const soon = due !== undefined ? due === 'due_soon' : open && !overdue && left <= DUE_SOON_HOURS * 60;
  const color = overdue ? '#cf1322' : soon ? '#d46b08' : undefined;
  return (
    <Space size={4} wrap>
      <Typography.Text style={{ color, fontWeight: overdue || soon ? 600 : undefined }}>{fmt(at)}</Typography.Text>
      {overdue && <Tag color="red">已超期</Tag>}
      {soon && <Tag color="orange">即将超期</Tag>}
      {provisional && (
        <Tooltip title="该期限跨入尚未公布节假日安排的年份，暂按周一至周五计算；录入该年日历后自动重算">
          <Tag>暂定</Tag>
        </Tooltip>
      )}
    </Space>
  );
}

/** 紧急 / 挂牌 / 提级 / 延期申请 markers of an order. */
export function OrderFlags({ o }: { o: { urgency: string; listed_at: string | null; escalated_at: string | null; extension_request: unknown; redo_count: number } }) {
  return (
    <>
      {o.urgency === 'urgent' && <Tag color="volcano">紧急</Tag>}
      {o.listed_at && <Tag color="red">挂牌督办</Tag>}
      {o.escalated_at && <Tag color="magenta">提级督办</Tag>}
      {!!o.extension_request && <Tag color="gold">延期待批</Tag>}
      {o.redo_count > 0 && <Tag color="orange">重办 {o.redo_count} 次</Tag>}
    </>
  );
}
