import { Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError } from '../../api.ts';
import { CONTRIBUTION, contributionName, LEVEL, STATE, THRESHOLDS } from './labels.ts';
import type { Contribution, Level, WarningState } from './types.ts';

/** Small pieces the risk pages share. */

export const errorText = (e: unknown, fallback = '操作失败') => (e instanceof ApiError ? e.message : fallback);

/** GETs a path (again whenever the path or the query changes); `reload` fetches it anew. */
export function useLoad<T>(path: string | null, query?: Record<string, unknown>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const key = JSON.stringify(query ?? {});
  const reload = useCallback(async () => {
    if (!path) return;
    setLoading(true);
    try {
      setData(await api<T>(path, { query: JSON.parse(key) }));
      setError(null);
      setStatus(null);
    } catch (e) {
      setError(errorText(e, '加载失败'));
      setStatus(e instanceof ApiError ? e.status : null);
    } finally {
      setLoading(false);
    }
  }, [path, key]);
  useEffect(() => void reload(), [reload]);
  return { data, error, status, loading, reload, setData };
}

/** A missing route answers 404 with the router's own message: the server has not got this part yet. */
export const notBuiltYet = (status: number | null) => status === 404;

export function LevelTag({ level, short }: { level: Level; short?: boolean }) {
  const l = LEVEL[level];
  return <Tag color={l?.color ?? 'default'} data-testid="level-tag">{l ? (short ? l.short : l.text) : level}</Tag>;
}

export function StateTag({ state }: { state: WarningState }) {
  return <Tag color={STATE[state]?.color}>{STATE[state]?.text ?? state}</Tag>;
}

/** A 0–100 risk score's colour: calm green through yellow and orange to red. */
export function scoreColor(score: number): string {
  if (score >= 60) return '#cf1322';
  if (score >= 40) return '#fa541c';
  if (score >= 25) return '#fa8c16';
  if (score >= 10) return '#fadb14';
  return '#95de64';
}

/** The same scale, light enough to carry dark text (cells of the treemap). */
export function scoreFill(score: number): string {
  if (score >= 60) return '#ff7875';
  if (score >= 40) return '#ff9c6e';
  if (score >= 25) return '#ffc069';
  if (score >= 10) return '#fff566';
  return '#d9f7be';
}

export const SCORE_BANDS = [
  { from: 60, text: '高（≥60）' },
  { from: 40, text: '较高（40–60）' },
  { from: 25, text: '中（25–40）' },
  { from: 10, text: '较低（10–25）' },
  { from: 0, text: '低（<10）' },
];

export function Score({ score, size = 14 }: { score: number; size?: number }) {
  return <span style={{ color: scoreColor(score), fontWeight: 600, fontSize: size }}>{score.toFixed(1)}</span>;
}

const round = (x: number, digits = 2) => String(Math.round(x * 10 ** digits) / 10 ** digits);

/** How a contribution's points came about: weight × value (÷ the total weight × 100 when the weights do not add up to 100). */
export function contributionFormula(c: Contribution, totalWeight: number): string {
  const value = round(c.value);
  const formula = Math.abs(totalWeight - 100) < 1e-9 ? `权重 ${c.weight} × 取值 ${value}` : `100 × 权重 ${c.weight} ÷ 总权重 ${round(totalWeight)} × 取值 ${value}`;
  return `${contributionName(c.key)}：${formula} = ${c.points.toFixed(1)} 分`;
}

/**
 * A risk score as a bar of its parts (0–100): each part's width is its points, and its tooltip (or the lines below, with
 * `detail`) shows the weight × value it came from.
 */
export function ContributionBar({ contributions, detail = false, height = 12 }: { contributions: Contribution[]; detail?: boolean | 'nonzero'; height?: number }) {
  const total = contributions.reduce((a, c) => a + c.weight, 0);
  const shown = contributions.filter((c) => c.points > 0);
  const lines = detail === 'nonzero' ? [...shown].sort((a, b) => b.points - a.points) : contributions;
  return (
    <div data-testid="contribution-bar">
      <div style={{ display: 'flex', height, background: '#f0f0f0', borderRadius: 3, overflow: 'hidden' }} aria-label="风险评分构成">
        {shown.map((c) => (
          <Tooltip key={c.key} title={contributionFormula(c, total)}>
            <div style={{ width: `${Math.min(100, c.points)}%`, background: CONTRIBUTION[c.key]?.color ?? '#8c8c8c' }} />
          </Tooltip>
        ))}
      </div>
      {detail && (
        <div style={{ marginTop: 6 }}>
          {detail === 'nonzero' && !lines.length && <div style={{ fontSize: 12, color: '#999' }}>各项均为 0 分</div>}
          {lines.map((c) => (
            <div key={c.key} style={{ fontSize: 12, color: c.points > 0 ? undefined : '#999', display: 'flex', alignItems: 'center', gap: 6 }} data-testid="contribution-line">
              <span style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 2, background: CONTRIBUTION[c.key]?.color ?? '#8c8c8c' }} />
              {contributionFormula(c, total)}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/** The colours of the parts, for a legend. */
export function ContributionLegend() {
  return (
    <Space wrap size={12} style={{ fontSize: 12 }}>
      {Object.entries(CONTRIBUTION).map(([k, v]) => (
        <span key={k}><span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 2, background: v.color, marginRight: 4 }} />{v.text}</span>
      ))}
    </Space>
  );
}

// ───────────── statistics in plain words ─────────────

/** p for a person: 0.0032, 2.1e-5, <1e-12 (as the server writes it in titles). */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p < 1e-12) return '<1e-12';
  if (p >= 0.001) return p.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return p.toExponential(1);
}

const sig2 = (x: number) => Number(x.toPrecision(2)).toLocaleString('zh-CN');

/** "约 4.8 万次中才有 1 次": how rare this many (or more) would be if nothing had changed. */
export function chanceText(p: number): string {
  if (!Number.isFinite(p)) return '无法计算';
  if (p >= 0.05) return `约 ${(p * 100).toFixed(0)}%，并不罕见`;
  if (p < 1e-12) return '不到万亿分之一，几乎不可能是偶然';
  const n = 1 / p;
  if (n < 1e4) return `约 ${sig2(n)} 次中才有 1 次`;
  if (n < 1e8) return `约 ${sig2(n / 1e4)} 万次中才有 1 次`;
  return `约 ${sig2(n / 1e8)} 亿次中才有 1 次`;
}

/** The level a (p, ratio) reaches, and what it would need, in words. */
export function levelReason(level: Level): string {
  const t = THRESHOLDS[level];
  return `${LEVEL[level].text}的标准：p ≤ ${formatP(t.pValue)}，且实际为预期的 ${t.ratio} 倍以上（两项同时满足）`;
}

export const num = (x: unknown, digits = 1) => (typeof x === 'number' && Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(digits)) : '—');

export const percent = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—');

export function Hint({ children }: { children: ReactNode }) {
  return <Typography.Text type="secondary" style={{ fontSize: 12 }}>{children}</Typography.Text>;
}
