/** Charts of the analysis reports (分析报告): ECharts server-side SVG, rasterised by resvg with the bundled Noto Sans SC. */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import type { BarSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import type { GridComponentOption, LegendComponentOption, TitleComponentOption } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

export type EChartsOption = echarts.ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TitleComponentOption
>;

/** The family name in the font files' name table; the SVG and resvg both look fonts up by it. */
export const CHART_FONT_FAMILY = 'Noto Sans SC';

/** Default canvas in logical pixels; the PNG has twice as many for a sharp print. */
export const DEFAULT_CHART_SIZE = { width: 800, height: 450 } as const;
const PNG_SCALE = 2;

/** A sober palette for government reports: navy, dark red, grey, dark gold, deep green, mauve, lake blue, ochre. */
export const REPORT_PALETTE = [
  '#2F5597', '#B03A2E', '#7F7F7F', '#B8860B', '#4E7D3A', '#6C5B7B', '#2E86AB', '#A0522D',
];

const TEXT_COLOR = '#333333';

// resvg-js 2.6 takes font file paths only (no fontBuffers) and loads them on every render; resolve the paths once.
let fontFiles: string[] | undefined;
function chartFontFiles(): string[] {
  if (!fontFiles) {
    const require = createRequire(import.meta.url);
    fontFiles = [
      require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
      require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
    ];
  }
  return fontFiles;
}

/** Renders a chart option as a PNG on white, at twice the logical size. */
export function renderChartPng(option: EChartsOption, size: { width?: number; height?: number } = {}): Buffer {
  const width = size.width ?? DEFAULT_CHART_SIZE.width;
  const height = size.height ?? DEFAULT_CHART_SIZE.height;
  return svgToPng(renderChartSvg(option, width, height));
}

function renderChartSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const own = option.textStyle && !Array.isArray(option.textStyle) ? (option.textStyle as object) : {};
    chart.setOption({ ...option, animation: false, textStyle: { ...own, fontFamily: CHART_FONT_FAMILY } });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    font: {
      fontFiles: chartFontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}

// Option builders used by the reports

export interface SeriesInput {
  name: string;
  data: number[];
}

export interface CategoryChartInput {
  /** Title drawn inside the chart; none when omitted (the document has its own caption). */
  title?: string;
  categories: string[];
  series: SeriesInput[];
}

function titleOption(title: string | undefined): TitleComponentOption | undefined {
  if (!title) return undefined;
  return { text: title, left: 'center', top: 12, textStyle: { fontSize: 18, fontWeight: 'bold', color: TEXT_COLOR } };
}

// The legend sits under the title, away from rotated category labels.
function legendOption(hasTitle: boolean): LegendComponentOption {
  return {
    top: hasTitle ? 46 : 10,
    left: 'center',
    itemWidth: 18,
    itemHeight: 12,
    textStyle: { fontSize: 13, color: TEXT_COLOR },
  };
}

function gridOption(hasTitle: boolean): GridComponentOption {
  return { left: 24, right: 40, top: hasTitle ? 90 : 56, bottom: 24 };
}

const valueAxis = {
  type: 'value' as const,
  axisLabel: { fontSize: 12, color: TEXT_COLOR },
  splitLine: { lineStyle: { color: '#E0E0E0' } },
};

function categoryAxis(categories: string[], rotateWhenCrowded: boolean) {
  const rotate = rotateWhenCrowded && categories.length > 8 ? 30 : 0;
  return {
    type: 'category' as const,
    data: categories,
    axisLabel: { interval: 0, rotate, fontSize: 12, color: TEXT_COLOR },
    axisLine: { lineStyle: { color: '#666666' } },
    axisTick: { alignWithLabel: true },
  };
}

/** Bar chart; horizontal bars list the first category at the top. */
export function barChart(input: CategoryChartInput & { horizontal?: boolean }): EChartsOption {
  const horizontal = input.horizontal ?? false;
  const categories = { ...categoryAxis(input.categories, !horizontal), inverse: horizontal };
  const series: BarSeriesOption[] = input.series.map((s) => ({
    type: 'bar',
    name: s.name,
    data: s.data,
    barMaxWidth: 36,
    label: { show: true, position: horizontal ? 'right' : 'top', fontSize: 12, color: TEXT_COLOR },
    labelLayout: { hideOverlap: true },
  }));
  return {
    color: REPORT_PALETTE,
    title: titleOption(input.title),
    legend: legendOption(Boolean(input.title)),
    grid: gridOption(Boolean(input.title)),
    xAxis: horizontal ? valueAxis : categories,
    yAxis: horizontal ? categories : valueAxis,
    series,
  };
}

/** Line chart (trend) with each point's value. */
export function lineChart(input: CategoryChartInput): EChartsOption {
  const series: LineSeriesOption[] = input.series.map((s) => ({
    type: 'line',
    name: s.name,
    data: s.data,
    symbol: 'circle',
    symbolSize: 6,
    lineStyle: { width: 2 },
    label: { show: true, position: 'top', fontSize: 12, color: TEXT_COLOR },
    labelLayout: { hideOverlap: true },
  }));
  return {
    color: REPORT_PALETTE,
    title: titleOption(input.title),
    legend: legendOption(Boolean(input.title)),
    grid: gridOption(Boolean(input.title)),
    xAxis: categoryAxis(input.categories, true),
    yAxis: valueAxis,
    series,
  };
}

/** Pie chart (composition) labelled 名称：数值（占比%）. */
export function pieChart(input: { title?: string; data: { name: string; value: number }[] }): EChartsOption {
  const series: PieSeriesOption = {
    type: 'pie',
    data: input.data,
    radius: ['0%', '58%'],
    center: ['50%', input.title ? '58%' : '54%'],
    percentPrecision: 1,
    label: { formatter: '{b}：{c}（{d}%）', fontSize: 13, color: TEXT_COLOR },
    labelLine: { length: 12, length2: 16 },
    itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
  };
  return {
    color: REPORT_PALETTE,
    title: titleOption(input.title),
    legend: legendOption(Boolean(input.title)),
    series: [series],
  };
}
