/** Pictures, overlays, plots and the legend onto the page. */
import { app, planarToRgb } from 'langseg';
import type { ClassArea } from './areas.js';
import type { Picture } from './picture.js';

type Raster = InstanceType<typeof app.Raster>;

/** Resize `canvas` to `width` x `height` and put RGBA bytes on it. */
function putPixels(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): void {
  [canvas.width, canvas.height] = [width, height];
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
}

export function drawRaster(canvas: HTMLCanvasElement, raster: Raster): void {
  putPixels(canvas, new Uint8ClampedArray(raster.pixels), raster.width, raster.height);
}

export function drawPicture(canvas: HTMLCanvasElement, picture: Picture): void {
  const rgb = planarToRgb(picture.image, picture.width, picture.height);
  const rgba = new Uint8ClampedArray(picture.width * picture.height * 4);
  for (let p = 0; p < picture.width * picture.height; p++) {
    rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  putPixels(canvas, rgba, picture.width, picture.height);
}

/** The picture with class colours over it (no legend: the page's table is the legend). */
export function drawOverlay(canvas: HTMLCanvasElement, picture: Picture, classIds: ArrayLike<number>, classes: readonly string[]): void {
  drawRaster(canvas, app.overlay(picture.image, classIds, picture.width, picture.height, classes, { legend: false, alpha: 0.55 }));
}

/** The legend: colour, class, share of the picture, pixels. */
export function fillLegend(body: HTMLTableSectionElement, areas: readonly ClassArea[]): void {
  body.replaceChildren(
    ...areas.map((a) => {
      const row = document.createElement('tr');
      const [r, g, b] = app.classColor(a.id);
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = `rgb(${r}, ${g}, ${b})`;
      const cells = [swatch, a.name, `${(100 * a.fraction).toFixed(1)}%`, a.pixels.toLocaleString('en')];
      cells.forEach((content, i) => {
        const cell = document.createElement('td');
        cell.append(content);
        if (i >= 2) cell.className = 'num';
        row.append(cell);
      });
      return row;
    }),
  );
}
