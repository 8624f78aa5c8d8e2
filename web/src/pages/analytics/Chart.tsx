import { BarChart, LineChart, PieChart, TreemapChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption, type TreemapSeriesOption } from 'echarts/charts';
import {
  GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent,
  type GridComponentOption, type LegendComponentOption, type MarkAreaComponentOption, type MarkLineComponentOption, type TitleComponentOption, type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// only the pieces the dashboard and the risk pages draw, not the whole library
echarts.use([LineChart, BarChart, PieChart, TreemapChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, MarkAreaComponent, MarkLineComponent, CanvasRenderer]);

export type ChartOption = echarts.ComposeOption<
  | LineSeriesOption | BarSeriesOption | PieSeriesOption | TreemapSeriesOption
  | GridComponentOption | TooltipComponentOption | LegendComponentOption | TitleComponentOption | MarkAreaComponentOption | MarkLineComponentOption
>;
/** What a click on a bar, a slice or a point says. */
export type ChartClick = { seriesIndex: number; dataIndex: number; name: string };

type Props = { option: ChartOption; onClick?: (e: ChartClick) => void; height?: number; testId?: string; label: string };

/** An ECharts chart: made on mount, redrawn when the option changes, resized with its box, disposed on unmount. */
export function Chart({ option, onClick, height = 280, testId, label }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickHandler = useRef(onClick);
  clickHandler.current = onClick;

  useEffect(() => {
    const instance = echarts.init(box.current!, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (e) => clickHandler.current?.({ seriesIndex: e.seriesIndex ?? 0, dataIndex: e.dataIndex, name: e.name }));
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(box.current!);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} role="img" aria-label={label} data-testid={testId} style={{ width: '100%', height }} />;
}
