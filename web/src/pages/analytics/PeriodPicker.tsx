import { DatePicker, Segmented, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { Granularity, PeriodChoice } from './period.ts';

const GRANULARITIES: { value: Granularity; label: string }[] = [{ value: 'month', label: '月' }, { value: 'quarter', label: '季' }, { value: 'year', label: '年' }];
const notFuture = (g: Granularity) => (d: Dayjs) => d.isAfter(dayjs().endOf(g === 'quarter' ? 'month' : g));

/** A month, a quarter or a year. */
export function GranularityPicker({ g, at, onChange }: { g: Granularity; at: Dayjs; onChange: (g: Granularity, at: Dayjs) => void }) {
  return (
    <Space>
      <Segmented<Granularity> value={g} onChange={(next) => onChange(next, at)} options={GRANULARITIES} />
      <DatePicker picker={g} value={at} allowClear={false} onChange={(d) => d && onChange(g, d)} disabledDate={notFuture(g)} />
    </Space>
  );
}

type Kind = PeriodChoice['kind'];

/** 本月 (to today), a month/quarter/year, or 自定义 days. */
export function PeriodPicker({ value, onChange }: { value: PeriodChoice; onChange: (c: PeriodChoice) => void }) {
  const switchTo = (kind: Kind) => {
    if (kind === 'current') onChange({ kind });
    else if (kind === 'custom') onChange({ kind, from: dayjs().startOf('month'), to: dayjs() });
    else onChange({ kind, at: value.kind === 'month' || value.kind === 'quarter' || value.kind === 'year' ? value.at : dayjs() });
  };
  return (
    <Space wrap data-testid="period-picker">
      <Segmented<Kind>
        value={value.kind}
        onChange={switchTo}
        options={[{ value: 'current', label: '本月' }, ...GRANULARITIES, { value: 'custom', label: '自定义' }]}
      />
      {(value.kind === 'month' || value.kind === 'quarter' || value.kind === 'year') && (
        <DatePicker picker={value.kind} value={value.at} allowClear={false} onChange={(d) => d && onChange({ kind: value.kind, at: d } as PeriodChoice)} disabledDate={notFuture(value.kind)} />
      )}
      {value.kind === 'custom' && (
        <DatePicker.RangePicker
          value={[value.from, value.to]}
          allowClear={false}
          disabledDate={(d) => d.isAfter(dayjs().endOf('day'))}
          onChange={(v) => v?.[0] && v[1] && onChange({ kind: 'custom', from: v[0], to: v[1] })}
        />
      )}
    </Space>
  );
}
