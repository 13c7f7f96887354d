import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { SERIES, type VitalSeries } from './vitals';

// only the parts the chart uses: a line chart with grid, legend and tooltip, drawn as SVG (sharp at any zoom)
echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const COLORS: Record<string, string> = {
  temperature: '#c92a2a',
  systolic: '#1864ab',
  diastolic: '#4dabf7',
  pulse: '#2b8a3e',
  spo2: '#862e9c',
  respiration: '#e67700',
};

function timeLabel(ms: number): string {
  return new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric' }).format(ms);
}

/**
 * The trend of the last weeks' vital signs (ECharts, loaded only with the patient page's chart): 体温 on the right
 * axis (℃), the others on the left; a point marked いつもと違う is drawn larger, in red. Decorative to screen readers:
 * the section around it gives the same numbers as text (VitalsSection).
 */
export default function VitalsChart({ series }: { series: VitalSeries }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) {
      return;
    }
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 40, top: 48, bottom: 28 },
      // one scrolling line of series names: six names wrap to three lines on a 375 px phone and cover the plot
      legend: { type: 'scroll', top: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => String(v) },
      xAxis: { type: 'time', axisLabel: { formatter: (v: number) => timeLabel(v), hideOverlap: true } },
      yAxis: [
        { type: 'value', name: 'mmHg・回/分・%', nameTextStyle: { fontSize: 10, align: 'left' }, scale: true },
        { type: 'value', name: '℃', scale: true, min: 35, max: 41, splitLine: { show: false } },
      ],
      series: SERIES.map((s) => ({
        name: s.label,
        type: 'line',
        yAxisIndex: s.axis,
        color: COLORS[s.key],
        showSymbol: true,
        data: series[s.key].map((p) => ({
          value: [p.time, p.value],
          ...(p.unusual ? { symbolSize: 12, itemStyle: { color: '#c92a2a', borderColor: '#000', borderWidth: 1 } } : {}),
        })),
      })),
    });
    const resize = () => chart.resize();
    const observer = new ResizeObserver(resize);
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [series]);
  return <div ref={element} data-testid="vitals-chart" aria-hidden="true" style={{ width: '100%', height: 260 }} />;
}
