/** Use cases shared by the CLI and the web page: the training loop, evaluation, overlays, plots, reports. */
export { trainLoop } from './train-loop.js';
export type { TrainLoopOptions, TrainHistory, StepInfo } from './train-loop.js';
export { evaluate } from './evaluate.js';
export type { EvalResult, EvaluateOptions } from './evaluate.js';
export { overlay, colorizeLabels } from './overlay.js';
export { linePlot } from './plot.js';
export { Raster, textWidth } from './raster.js';
export type { Rgb } from './raster.js';
export { classColor } from './palette.js';
export { lossCurve, miouCurve, reportHtml, pngOf } from './report.js';
