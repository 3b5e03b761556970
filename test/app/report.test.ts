/** The pictures and the report a run writes: overlays, plots, the HTML report. */
import { describe, expect, it } from 'vitest';
import { overlay, colorizeLabels } from '../../src/app/overlay.js';
import { classColor } from '../../src/app/palette.js';
import { linePlot } from '../../src/app/plot.js';
import { lossCurve, pngOf, reportHtml } from '../../src/app/report.js';
import { decodeImage } from '../../src/data/codecs.js';

describe('report pictures', () => {
  it('overlays blend class colours over the image, leave 255 alone, and add a legend of the classes present', () => {
    const [w, h] = [40, 20];
    const image = new Float32Array(3 * w * h).fill(0.5);
    const ids = new Uint8Array(w * h).fill(1);
    ids.fill(255, 0, w); // first row: no class
    const r = overlay(image, ids, w, h, ['sky', 'grass'], { alpha: 0.5 });
    expect(r.height).toBeGreaterThan(h); // legend strip
    expect(Array.from(r.pixels.subarray(0, 3))).toEqual([128, 128, 128]); // uncoloured
    const [cr] = classColor(1);
    expect(r.pixels[w * 4 * 2]).toBe(Math.round(255 * 0.5 * 0.5 + cr * 0.5));
    const png = decodeImage(pngOf(r));
    expect([png.width, png.height]).toEqual([w, r.height]);
    expect(Array.from(colorizeLabels(Uint8Array.from([255]), 1, 1).pixels)).toEqual([0, 0, 0, 255]);
  });

  it('plots survive NaN points, single points and flat series', () => {
    const r = linePlot([{ name: 'a', points: [[0, 1], [1, NaN], [2, 1]], color: [0, 0, 0] }, { name: 'b', points: [[5, 2]], color: [255, 0, 0] }], { title: 't', xLabel: 'x' });
    expect(r.pixels.some((v, i) => i % 4 !== 3 && v < 128)).toBe(true);
    const loss = lossCurve({ losses: [{ step: 1, losses: { total: 2, seg: 1 } }, { step: 2, losses: { total: 1, seg: 0.5 } }], validations: [], stopped: false, lastValidation: null });
    expect(decodeImage(pngOf(loss)).width).toBe(640);
  });

  it('the HTML report escapes names and shows the metrics and every figure', () => {
    const html = reportHtml({
      title: 'run <1>',
      summary: ['a & b'],
      miou: 0.5,
      pixelAccuracy: 0.75,
      perClassIoU: { '<script>': 0.25, sky: null },
      curves: [{ file: 'loss.png', caption: 'loss' }],
      overlays: [{ file: 'overlays/x.png', caption: 'x' }],
    });
    expect(html).toContain('run &lt;1&gt;');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/mIoU <b>0\.500<\/b>.*pixel accuracy <b>0\.750<\/b>/);
    expect(html).toContain('src="loss.png"');
    expect(html).toContain('src="overlays/x.png"');
    expect(html).toContain('n/a');
  });
});
