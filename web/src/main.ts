/**
 * The demo page: get a WebGPU device, load the bundled tiny model (or one the user loads), segment a
 * synthetic scene or the user's image, re-segment with classes typed in the page, and fine-tune here.
 * One task runs at a time; `body[data-state]` says which phase the page is in (loading, busy, ready,
 * unavailable) and `window.langsegDemo` exposes the latest results, for people and for the browser tests.
 *
 * URL parameters: `checkpoint` (a checkpoint URL; default models/tiny.safetensors), `scene` (a seed) and
 * `kind` (indoor | outdoor).
 */
import { CheckpointError, LangsegError, type AdapterSummary, type DescriptorSet, type LangsegDevice } from 'langseg';
import { classAreas, pixelAccuracy, truthAsClassIds } from './areas.js';
import { drawOverlay, drawPicture, drawRaster, fillLegend } from './draw.js';
import { fineTune, lossPlot } from './fine-tune.js';
import { adapterRows, openGpu } from './gpu.js';
import { pictureFromFile, syntheticPicture, type Picture } from './picture.js';
import { Segmenter, type Segmentation } from './segmenter.js';
import { formatVocabulary, parseVocabulary } from './vocabulary.js';

/** The bundled model: `langseg export ... --out web/models/tiny.safetensors` (see README). */
export const BUNDLED_CHECKPOINT = 'models/tiny.safetensors';

/** What the page has done so far, for people in the console and for the browser tests. */
export interface DemoState {
  adapter: AdapterSummary | null;
  picture: Picture | null;
  segmentation: Segmentation | null;
  /** Losses of the last "train here" run, one per step. */
  losses: number[];
  /** The last error shown, or null. */
  error: string | null;
}

const state: DemoState = { adapter: null, picture: null, segmentation: null, losses: [], error: null };
(globalThis as { langsegDemo?: DemoState }).langsegDemo = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
let segmenter: Segmenter | null = null;
let device: LangsegDevice | null = null;
let busy = false;
let stopRequested = false;
/** The loaded model in words, and the steps "train here" has added to it. */
let modelSummary = '';
let fineTunedSteps = 0;

function setStatus(text: string): void {
  $('status').textContent = text;
}

function setPhase(phase: 'loading' | 'busy' | 'ready' | 'unavailable'): void {
  document.body.dataset.state = phase;
  const idle = phase === 'ready';
  document.querySelectorAll<HTMLElement>('.needs-model, .needs-gpu').forEach((el) => {
    const enabled = idle && (el.classList.contains('needs-gpu') || segmenter !== null);
    if (el instanceof HTMLButtonElement) el.disabled = !enabled;
    el.classList.toggle('disabled', !enabled);
    el.querySelector('input')?.toggleAttribute('disabled', !enabled);
  });
}

function showBanner(title: string, detail: string, kind: 'error' | 'warning' = 'error'): void {
  const banner = $('banner');
  banner.hidden = false;
  banner.classList.toggle('warning', kind === 'warning');
  $('banner-title').textContent = title;
  $('banner-detail').textContent = detail;
}

/** Run one task at a time; its error is shown, and the page stays usable. */
async function task(what: string, work: () => Promise<string | void>): Promise<void> {
  if (busy) return;
  busy = true;
  setPhase('busy');
  setStatus(`${what}…`);
  try {
    const done = await work();
    state.error = null;
    setStatus(done || 'Ready.');
  } catch (e) {
    state.error = (e as Error).message;
    setStatus(`${what} failed: ${state.error}`);
    // A LangsegError is the user's to fix and says how; anything else is a bug worth a stack trace.
    if (e instanceof LangsegError) console.warn(state.error);
    else console.error(e);
  } finally {
    busy = false;
    setPhase('ready');
  }
}

function currentSet(): DescriptorSet {
  const errorBox = $('vocabulary-error');
  try {
    const set = parseVocabulary($<HTMLTextAreaElement>('vocabulary').value);
    errorBox.hidden = true;
    return set;
  } catch (e) {
    errorBox.hidden = false;
    errorBox.textContent = (e as Error).message;
    throw e;
  }
}

async function segmentPicture(): Promise<string> {
  const picture = state.picture!;
  const seg = await segmenter!.segment(picture, currentSet());
  state.segmentation = seg;
  drawOverlay($('overlay-canvas'), picture, seg.classIds, seg.classes);
  fillLegend($<HTMLTableElement>('legend').tBodies[0]!, classAreas(seg.classIds, seg.classes));
  let accuracy = '';
  if (picture.truth) {
    const truth = truthAsClassIds(picture.truth.labels, picture.truth.classes, seg.classes);
    drawOverlay($('truth-canvas'), picture, truth, seg.classes);
    const acc = pixelAccuracy(seg.classIds, truth);
    accuracy = acc === null ? ', none of its true classes in the list' : `, pixel accuracy ${(100 * acc).toFixed(1)}%`;
  }
  $('truth-figure').hidden = !picture.truth;
  $('overlay-caption').textContent = `segmentation into ${seg.classes.length} classes (${Math.round(seg.milliseconds)} ms${accuracy})`;
  return `Segmented ${picture.name} in ${Math.round(seg.milliseconds)} ms.`;
}

function showPicture(picture: Picture): void {
  state.picture = picture;
  drawPicture($('picture-canvas'), picture);
  $('picture-caption').textContent = `${picture.name}, ${picture.width}x${picture.height}`;
}

function newScene(): Promise<string> {
  const seed = Math.max(0, Math.floor(Number($<HTMLInputElement>('scene-seed').value) || 0));
  const kind = ($<HTMLSelectElement>('scene-kind').value || undefined) as 'indoor' | 'outdoor' | undefined;
  showPicture(syntheticPicture(seed, segmenter!.size, kind));
  return segmentPicture();
}

async function useCheckpoint(bytes: Uint8Array, source: string): Promise<string> {
  const next = await Segmenter.load(device!, bytes);
  segmenter?.destroy();
  segmenter = next;
  const { config, descriptors, parameters } = next.model;
  $<HTMLTextAreaElement>('vocabulary').value = formatVocabulary(descriptors);
  modelSummary =
    `${source}: ${config.preset} ${config.backbone}, input ${config.imageSize.join('x')}, ${parameters.totalFloats.toLocaleString('en')} parameters, ` +
    `${descriptors.classes.length} classes, trained ${parameters.step} steps`;
  fineTunedSteps = 0;
  $('model-info').textContent = `${modelSummary}.`;
  // A scene at the model's size, or the user's picture as it is.
  if (!state.picture || state.picture.truth) return newScene();
  return segmentPicture();
}

async function fetchCheckpoint(url: string): Promise<Uint8Array> {
  const response = await fetch(url).catch((e: Error) => {
    throw new CheckpointError(`cannot fetch ${url}: ${e.message}`);
  });
  if (!response.ok) {
    throw new CheckpointError(`cannot fetch ${url}: HTTP ${response.status}. The bundled model is made by \`npm run web:weights\` (see the README); or load a checkpoint of yours.`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function trainHere(): Promise<string> {
  const number = (id: string) => Number($<HTMLInputElement>(id).value);
  const [steps, batch, lr] = [Math.round(number('train-steps')), Math.round(number('train-batch')), number('train-lr')];
  if (!(steps >= 1 && batch >= 1 && lr > 0)) throw new LangsegError('steps and batch must be at least 1 and the learning rate above 0');
  stopRequested = false;
  $<HTMLButtonElement>('stop-button').disabled = false;
  state.losses = [];
  const canvas = $<HTMLCanvasElement>('loss-canvas');
  const started = performance.now();
  try {
    const result = await fineTune(segmenter!.model, {
      steps,
      batch,
      lr,
      seed: Math.floor(Math.random() * 2 ** 20),
      onStep: (step, losses) => {
        state.losses.push(losses.total);
        drawRaster(canvas, lossPlot(state.losses, 480, 220));
        const perStep = (performance.now() - started) / step / 1000;
        setStatus(`Training here: step ${step} of ${steps}, loss ${losses.total.toFixed(3)}, ${perStep.toFixed(1)} s a step…`);
      },
      shouldStop: () => stopRequested,
    });
    const seconds = (performance.now() - started) / 1000;
    fineTunedSteps += result.losses.length;
    $('model-info').textContent = `${modelSummary}, then fine-tuned ${fineTunedSteps} steps here.`;
    $('train-info').textContent =
      `${result.stopped ? 'Stopped after' : 'Trained'} ${result.losses.length} steps of ${batch} scenes in ${seconds.toFixed(1)} s; ` +
      `loss ${result.losses[0]?.toFixed(3)} → ${result.losses.at(-1)?.toFixed(3)}.`;
  } finally {
    $<HTMLButtonElement>('stop-button').disabled = true;
  }
  return `${$('train-info').textContent} ${await segmentPicture()}`;
}

async function saveCheckpoint(): Promise<string> {
  const bytes = await segmenter!.model.save();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  link.download = 'langseg-finetuned.safetensors';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return `Saved a checkpoint (${(bytes.length / 2 ** 20).toFixed(1)} MiB, with optimizer state).`;
}

function wire(): void {
  const on = (id: string, event: string, handler: (e: Event) => void) => $(id).addEventListener(event, handler);
  on('scene-button', 'click', () => void task('Segmenting a synthetic scene', newScene));
  on('scene-next', 'click', () => {
    const seed = $<HTMLInputElement>('scene-seed');
    seed.value = String((Number(seed.value) || 0) + 1);
    void task('Segmenting a synthetic scene', newScene);
  });
  on('image-file', 'change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void task(`Segmenting ${file.name}`, async () => (showPicture(await pictureFromFile(file, file.name)), segmentPicture()));
  });
  on('checkpoint-file', 'change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void task(`Loading ${file.name}`, async () => useCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name));
  });
  on('resegment-button', 'click', () => void task('Segmenting with your classes', segmentPicture));
  on('vocabulary-reset', 'click', () => {
    $<HTMLTextAreaElement>('vocabulary').value = formatVocabulary(segmenter!.model.descriptors);
    void task("Segmenting with the model's classes", segmentPicture);
  });
  on('train-button', 'click', () => void task('Training here', trainHere));
  on('stop-button', 'click', () => {
    stopRequested = true;
    setStatus('Stopping after this step…');
  });
  on('save-button', 'click', () => void task('Saving', saveCheckpoint));
}

async function start(): Promise<void> {
  wire();
  setPhase('loading');
  setStatus('Asking the browser for a WebGPU device…');
  const gpu = await openGpu();
  if (!gpu.ok) {
    state.error = `${gpu.title} ${gpu.detail}`;
    showBanner(gpu.title, gpu.detail);
    setStatus('WebGPU is not available, so the model cannot run here.');
    setPhase('unavailable');
    return;
  }
  device = gpu.device;
  state.adapter = device.adapter;
  if (gpu.warnings.length > 0) showBanner('Note:', gpu.warnings.join(' '), 'warning');
  $<HTMLTableElement>('adapter').tBodies[0]!.replaceChildren(
    ...adapterRows(device).map(([key, value]) => {
      const row = document.createElement('tr');
      for (const text of [key, value]) row.insertCell().textContent = text;
      return row;
    }),
  );
  const seed = params.get('scene');
  if (seed !== null) $<HTMLInputElement>('scene-seed').value = seed;
  const kind = params.get('kind');
  if (kind === 'indoor' || kind === 'outdoor') $<HTMLSelectElement>('scene-kind').value = kind;
  const url = params.get('checkpoint') ?? BUNDLED_CHECKPOINT;
  await task(`Loading the model (${url})`, async () => useCheckpoint(await fetchCheckpoint(url), url));
}

void start();
