import { Fragment, type ReactNode } from 'react';

/** Text with its matched ranges [start, end) as <mark>, built as elements (never as HTML). */
export function Highlighted({ text, hits }: { text: string; hits: [number, number][] }) {
  if (!hits.length) return <>{text}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  hits.forEach(([start, end], i) => {
    if (start < at || end <= start) return;
    if (start > at) parts.push(<Fragment key={`t${i}`}>{text.slice(at, start)}</Fragment>);
    parts.push(<mark key={`m${i}`}>{text.slice(start, end)}</mark>);
    at = end;
  });
  if (at < text.length) parts.push(<Fragment key="rest">{text.slice(at)}</Fragment>);
  return <>{parts}</>;
}
