// The dashboard's charts, drawn by uPlot (canvas): lines, bars (side by side when several) and stacked areas over
// labelled buckets (days, weeks, spans of time). The x axis is the bucket's index, labelled with its label, so days,
// weeks and histogram spans share one way of drawing. Colours and fonts come from the theme (theme.ts); a theme change
// draws the charts again.
import uPlot from 'uplot';
import type { ChartTheme } from './theme';

export interface SeriesSpec {
  label: string;
  values: (number | null)[];
  /** Index into the theme's palette. */
  color: number;
  kind: 'line' | 'bar' | 'area';
  dash?: number[];
  /** The right-hand axis (a second unit, e.g. minutes beside tasks). */
  right?: boolean;
  /** How a value reads in the legend. */
  format?: (v: number) => string;
}

export interface ChartSpec {
  labels: string[];
  series: SeriesSpec[];
  /** Stack the area series (each drawn on top of the ones before it). */
  stacked?: boolean;
  /** The unit of the left and right axes. */
  leftUnit?: string;
  rightUnit?: string;
  /** How an x label reads on the axis (short), e.g. 2026-11-02 → 11-02. */
  axisLabel?: (label: string) => string;
}

export const CHART_HEIGHT = 220;

/** Steps between ticks of a count (tasks, runs, events, minutes): whole numbers only. */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];

const plain = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, ''));

/** At most ~`max` evenly spaced ticks among n buckets. */
function ticks(n: number, max: number): number[] {
  const step = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i);
  return out;
}

/** Running sums, bottom up, of the area series (what a stacked chart draws). */
function stack(series: SeriesSpec[]): (number | null)[][] {
  const sums: (number | null)[][] = [];
  series.forEach((s, i) => sums.push(s.values.map((v, j) => (v ?? 0) + (i > 0 ? (sums[i - 1]![j] ?? 0) : 0))));
  return sums;
}

export function drawChart(mount: HTMLElement, spec: ChartSpec, theme: ChartTheme, width: number): uPlot {
  const n = spec.labels.length;
  const xs = spec.labels.map((_, i) => i);
  const values = spec.stacked ? stack(spec.series) : spec.series.map((s) => s.values);
  const bars = spec.series.filter((s) => s.kind === 'bar');
  const barSize = bars.length > 1 ? 0.8 / bars.length : 0.7;
  const colorOf = (s: SeriesSpec) => theme.palette[s.color % theme.palette.length]!;
  const font = `${theme.fontSize}px ${theme.fontFamily}`;
  const axis = (side: 0 | 1 | 2 | 3, unit: string | undefined, scale: string): uPlot.Axis => ({
    scale,
    side,
    stroke: theme.foreground,
    font,
    labelFont: font,
    label: unit,
    labelSize: unit ? theme.fontSize + 6 : 0,
    grid: { show: side === 3, stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    incrs: WHOLE_STEPS,
    values: (_u, splits) => splits.map((v) => plain(v)),
  });
  const hasRight = spec.series.some((s) => s.right);
  let barIndex = 0;
  const opts: uPlot.Options = {
    width,
    height: CHART_HEIGHT,
    pxAlign: 0,
    cursor: { points: { size: 6 }, drag: { x: false, y: false } },
    legend: { show: true, live: true },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(0.5, n - 0.5)] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      ...(hasRight ? { y2: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, max * 1.1)] as uPlot.Range.MinMax } } : {}),
    },
    axes: [
      {
        stroke: theme.foreground,
        font,
        grid: { show: false },
        ticks: { stroke: theme.grid, width: 1 },
        splits: () => ticks(n, Math.max(2, Math.floor(width / 64))),
        values: (_u, splits) => splits.map((i) => (spec.axisLabel ?? ((l: string) => l))(spec.labels[i] ?? '')),
      },
      axis(3, spec.leftUnit, 'y'),
      ...(hasRight ? [axis(1, spec.rightUnit, 'y2')] : []),
    ],
    series: [
      { label: spec.axisLabel ? 'Date' : 'Span', value: (_u, i) => (i === null || i === undefined ? '' : (spec.labels[i] ?? '')) },
      ...spec.series.map((s): uPlot.Series => {
        const color = colorOf(s);
        // Away from the cursor, the legend reads a bar series' total and a line's latest value.
        const numbers = s.values.filter((v): v is number => v !== null);
        const summary = s.kind === 'bar' ? numbers.reduce((a, v) => a + v, 0) : (numbers[numbers.length - 1] ?? null);
        const raw = (idx: number | null | undefined) => (idx === null || idx === undefined ? summary : s.values[idx]);
        const base: uPlot.Series = {
          label: s.label,
          stroke: color,
          width: s.kind === 'bar' ? 0 : 2,
          scale: s.right ? 'y2' : 'y',
          dash: s.dash,
          points: { show: s.kind === 'line' && !s.dash && n <= 45, size: 5, fill: color },
          spanGaps: false,
          // The legend reads the value the series stands for, not its stacked height.
          value: (_u, _v, _si, idx) => {
            const v = raw(idx);
            return v === null || v === undefined ? '–' : (s.format ?? plain)(v);
          },
        };
        if (s.kind === 'bar') {
          const align = bars.length > 1 ? ((barIndex++ === 0 ? -1 : 1) as -1 | 1) : 0;
          return { ...base, fill: color, paths: uPlot.paths.bars!({ size: [barSize, 64], align, gap: 1 }) };
        }
        if (s.kind === 'area') return { ...base, fill: theme.translucent(color) };
        return base;
      }),
    ],
    // Stacked areas: each filled down to the one below it (the first down to the axis).
    bands: spec.stacked ? spec.series.slice(1).map((s, i) => ({ series: [i + 2, i + 1] as [number, number], fill: theme.translucent(colorOf(s)) })) : undefined,
  };
  if (spec.stacked) opts.series.forEach((s, i) => i > 1 && (s.fill = undefined));
  return new uPlot(opts, [xs, ...values] as uPlot.AlignedData, mount);
}
