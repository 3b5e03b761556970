/**
 * What a training run shows a person: loss and mIoU curves (PNG), colour overlays of validation images
 * with legends (PNG), a per-class IoU table, and one report.html that shows them all. Built in memory
 * (browser-safe); the CLI writes the files.
 */
import { encodePng } from '../data/codecs.js';
import { classColor } from './palette.js';
import { linePlot } from './plot.js';
import type { Raster } from './raster.js';
import type { TrainHistory } from './train-loop.js';

export const pngOf = (r: Raster): Uint8Array => encodePng(r.pixels, r.width, r.height);

/** Total loss and each term per step (a running mean over 10 steps, so the trend is visible). */
export function lossCurve(history: TrainHistory): Raster {
  const keys = ['total', 'seg', 'gen', 'triplet', 'ms'] as const;
  const colors = { total: [30, 30, 30], seg: [31, 119, 180], gen: [255, 127, 14], triplet: [44, 160, 44], ms: [214, 39, 40] } as const;
  const series = keys
    .filter((k) => history.losses.some((l) => l.losses[k] !== undefined))
    .map((k) => {
      const raw = history.losses.map((l) => [l.step, l.losses[k] ?? NaN] as const);
      const points = raw.map(([step], i) => {
        const window = raw.slice(Math.max(0, i - 9), i + 1).map((p) => p[1]);
        return [step, window.reduce((a, b) => a + b, 0) / window.length] as const;
      });
      return { name: k, points, color: colors[k] };
    });
  return linePlot(series, { title: 'training loss', xLabel: 'step' });
}

export function miouCurve(history: TrainHistory): Raster {
  return linePlot(
    [
      { name: 'mIoU', points: history.validations.map((v) => [v.step, v.miou] as const), color: [31, 119, 180] },
      { name: 'pixel accuracy', points: history.validations.map((v) => [v.step, v.pixelAccuracy] as const), color: [255, 127, 14] },
    ],
    { title: 'validation', xLabel: 'step', yRange: [0, 1] },
  );
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface ReportInput {
  title: string;
  /** Lines shown under the title (data, model, steps, time). */
  summary: string[];
  miou: number;
  pixelAccuracy: number;
  perClassIoU: Record<string, number | null>;
  /** Relative paths of the images to show, with captions. */
  curves: { file: string; caption: string }[];
  overlays: { file: string; caption: string }[];
}

/** report.html: the summary, the curves, the per-class IoU table and the overlays. */
export function reportHtml(r: ReportInput): string {
  const classes = Object.entries(r.perClassIoU);
  const rows = classes
    .map(([name, iou], c) => {
      const [cr, cg, cb] = classColor(c);
      const bar = iou === null ? '' : `<span class="bar" style="width:${Math.round(iou * 200)}px"></span>`;
      return `<tr><td><span class="swatch" style="background:rgb(${cr},${cg},${cb})"></span>${escape(name)}</td><td>${iou === null ? 'n/a' : iou.toFixed(3)}</td><td>${bar}</td></tr>`;
    })
    .join('\n');
  const figure = (f: { file: string; caption: string }) => `<figure><img src="${escape(f.file)}" alt="${escape(f.caption)}"><figcaption>${escape(f.caption)}</figcaption></figure>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(r.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } .big { font-size: 1.3em; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; } figcaption { color: #555; font-size: 0.9em; }
img { image-rendering: pixelated; border: 1px solid #ddd; }
figure img[src^="overlays/"] { width: 256px; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: left; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
.bar { display: inline-block; height: 10px; background: #4a7fc1; }
</style></head><body>
<h1>${escape(r.title)}</h1>
${r.summary.map((l) => `<div>${escape(l)}</div>`).join('\n')}
<p class="big">validation mIoU <b>${r.miou.toFixed(3)}</b> &middot; pixel accuracy <b>${r.pixelAccuracy.toFixed(3)}</b></p>
<h2>Curves</h2>
${r.curves.map(figure).join('\n')}
<h2>Per-class IoU</h2>
<table><tr><th>class</th><th>IoU</th><th></th></tr>
${rows}
</table>
<h2>Validation images</h2>
${r.overlays.map(figure).join('\n')}
</body></html>
`;
}
