/**
 * The CLI end to end on a small budget: train writes every output, --resume continues exactly where an
 * uninterrupted run would be, eval and segment run on the checkpoint (segment also on the real ADE20K
 * samples when ../shared/data is there), and bad input gets a clear message and a non-zero exit without
 * touching existing files.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/io/checkpoint.js';
import { runCli as cli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'langseg-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SMALL = ['--batch', '2', '--val-images', '4', '--validate-every', '100'];
const ADE = join(__dirname, '../../../shared/data/ade20k-sample/images/validation');

describe('langseg train / eval / segment', () => {
  const run = join(root, 'run');
  it('train writes the checkpoint, metrics, curves, overlays and the report', async () => {
    const r = await cli('train', '--steps', '4', '--checkpoint-every', '2', '--out', run, ...SMALL);
    expect(r.code, r.out).toBe(0);
    for (const f of ['checkpoint.safetensors', 'run.json', 'metrics.json', 'history.json', 'loss.png', 'miou.png', 'report.html']) expect(existsSync(join(run, f)), f).toBe(true);
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { miou: number; pixel_accuracy: number; steps: number };
    expect(metrics.steps).toBe(4);
    expect(metrics.miou).toBeGreaterThanOrEqual(0);
    expect(metrics.pixel_accuracy).toBeGreaterThan(0);
    expect(readdirSync(join(run, 'overlays')).filter((f) => f.endsWith('.png')).length).toBe(8);
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toMatch(/validation mIoU <b>/);
  });

  it('--resume continues exactly: 2 + 2 steps give the weights of 4 uninterrupted steps', async () => {
    const part = join(root, 'part');
    expect((await cli('train', '--steps', '2', '--out', part, ...SMALL)).code).toBe(0);
    const r = await cli('train', '--resume', '--steps', '4', '--out', part);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/resuming .* at step 2 of 4/);
    const [a, b] = await Promise.all([run, part].map(async (d) => parseCheckpoint(readFileSync(join(d, 'checkpoint.safetensors')))));
    expect(b!.step).toBe(4);
    for (const [name, t] of Object.entries(a!.tensors)) expect(Array.from(b!.tensors[name]!.data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
  });

  it('--class-balance puts frequency weights into the model config, run.json and the checkpoint; --resume keeps them', async () => {
    const dir = join(root, 'balanced');
    const r = await cli('train', '--steps', '1', '--size', '64', '--class-balance', '0.5', '--out', dir, ...SMALL);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/class balance 0.5: weights \d\.\d\d\.\.\d\.\d\d from the pixel counts of 256 training images/);
    const settings = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { overrides: { losses: { classWeights: number[] } } };
    const weights = settings.overrides.losses.classWeights;
    expect(weights).toHaveLength(16);
    expect(weights.reduce((a, b) => a + b, 0) / 16).toBeCloseTo(1, 6);
    const stored = (d: string) => (parseCheckpoint(readFileSync(join(d, 'checkpoint.safetensors'))) as Promise<{ config: { model: { losses: { classWeights: number[] } } } }>);
    expect((await stored(dir)).config.model.losses.classWeights).toEqual(weights);
    const resumed = await cli('train', '--resume', '--steps', '2', '--out', dir);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).not.toMatch(/class balance/); // counted once, when the run started
    expect((await stored(dir)).config.model.losses.classWeights).toEqual(weights);
  });

  it('eval prints mIoU and writes --json', async () => {
    const json = join(root, 'eval.json');
    const r = await cli('eval', '--checkpoint', join(run, 'checkpoint.safetensors'), '--limit', '4', '--json', json);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/synthetic: 4 images, mIoU \d\.\d{4}, pixel accuracy/);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toHaveProperty('confusion');
  });

  it.skipIf(!existsSync(ADE))(`segment writes label maps and overlays for the real ADE20K samples${existsSync(ADE) ? '' : ` [SKIPPED: ${ADE} is absent]`}`, async () => {
    const out = join(root, 'seg');
    const images = readdirSync(ADE).map((f) => join(ADE, f));
    const r = await cli('segment', '--checkpoint', join(run, 'checkpoint.safetensors'), '--out', out, ...images);
    expect(r.code, r.out).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.overlay.png'))).toHaveLength(images.length);
    // Open vocabulary: other classes by name.
    const r2 = await cli('segment', '--checkpoint', join(run, 'checkpoint.safetensors'), '--out', join(root, 'seg2'), '--classes', 'water,sand,sky', images[0]!);
    expect(r2.code, r2.out).toBe(0);
    expect(r2.out).toMatch(/(water|sand|sky) \d+%/);
  });

  it('refuses bad input with a message and a non-zero exit, touching nothing', async () => {
    const before = readFileSync(join(run, 'metrics.json'));
    const exists = await cli('train', '--steps', '1', '--out', run);
    expect(exists.code).toBe(1);
    expect(exists.out).toMatch(/already exists and is not empty; choose another --out, continue it with --resume, or overwrite with --force/);
    expect(readFileSync(join(run, 'metrics.json'))).toEqual(before);
    const noCheckpoint = await cli('train', '--resume', '--out', join(root, 'nothing'));
    expect(noCheckpoint.out).toMatch(/does not exist; start a new run without --resume/);
    const corrupt = join(root, 'corrupt.safetensors');
    const bytes = readFileSync(join(run, 'checkpoint.safetensors'));
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(corrupt, bytes);
    const bad = await cli('eval', '--checkpoint', corrupt);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/does not match its SHA-256/);
    const missing = await cli('segment', '--checkpoint', join(run, 'checkpoint.safetensors'), '--out', join(root, 'seg3'), join(root, 'no-such.jpg'));
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/no-such\.jpg/);
    expect((await cli('train', '--steps', 'x')).code).toBe(2);
    expect((await cli('train', '--data', 'imagenet')).out).toMatch(/--data must be synthetic, ade20k:DIR or cocostuff:DIR/);
  });
});
