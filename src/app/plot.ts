/** Line plots for training reports (loss and mIoU curves), drawn on a Raster with bitmap text. */
import { Raster, textWidth, type Rgb } from './raster.js';

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  color: Rgb;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  width?: number;
  height?: number;
  /** Fix the y range (default: the data's, padded). */
  yRange?: [number, number];
}

/** A "nice" tick step (1, 2 or 5 times a power of ten) for about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
}

const label = (v: number, step: number): string => (step >= 1 ? String(Math.round(v)) : v.toFixed(Math.min(4, Math.ceil(-Math.log10(step)))));

export function linePlot(series: readonly Series[], options: PlotOptions): Raster {
  const { width = 640, height = 360 } = options;
  const r = new Raster(width, height);
  const [left, right, top, bottom] = [64, 16, 36, 40];
  const pw = width - left - right;
  const ph = height - top - bottom;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = options.yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  if (!options.yRange) [y0, y1] = [y0 - 0.05 * (y1 - y0), y1 + 0.05 * (y1 - y0)];
  const sx = (x: number) => left + ((x - x0) / Math.max(1e-9, x1 - x0)) * pw;
  const sy = (y: number) => top + ph - ((y - y0) / (y1 - y0)) * ph;
  const grey: Rgb = [120, 120, 120];
  r.text((width - textWidth(options.title, 2)) / 2, 8, options.title, [20, 20, 20], 2);
  // Grid and ticks.
  const ys0 = tickStep(y1 - y0, 6);
  for (let v = Math.ceil(y0 / ys0) * ys0; v <= y1; v += ys0) {
    r.line(left, sy(v), left + pw, sy(v), [225, 225, 225]);
    const t = label(v, ys0);
    r.text(left - 6 - textWidth(t), sy(v) - 3, t, grey);
  }
  const xs0 = tickStep(x1 - x0 || 1, 8);
  for (let v = Math.ceil(x0 / xs0) * xs0; v <= x1; v += xs0) {
    r.line(sx(v), top + ph, sx(v), top + ph + 4, grey);
    const t = label(v, xs0);
    r.text(sx(v) - textWidth(t) / 2, top + ph + 8, t, grey);
  }
  r.line(left, top, left, top + ph, grey);
  r.line(left, top + ph, left + pw, top + ph, grey);
  r.text(left + (pw - textWidth(options.xLabel)) / 2, height - 14, options.xLabel, grey);
  // Series, and their legend in the top-right corner.
  series.forEach((s, k) => {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    for (let i = 1; i < pts.length; i++) r.line(sx(pts[i - 1]![0]), sy(pts[i - 1]![1]), sx(pts[i]![0]), sy(pts[i]![1]), s.color, 2);
    if (pts.length === 1) r.fillRect(sx(pts[0]![0]) - 2, sy(pts[0]![1]) - 2, 5, 5, s.color);
    const lx = left + pw - textWidth(s.name) - 24;
    const ly = top + 6 + 12 * k;
    r.fillRect(lx, ly + 2, 14, 3, s.color);
    r.text(lx + 18, ly, s.name, [40, 40, 40]);
  });
  return r;
}
