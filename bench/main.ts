/**
 * Benchmark CLI: `npm run bench -- --suite kernels|graph [--json path] [--repeats N] [--filter text]`.
 * Prints a table to stdout (progress goes to stderr); exits 1 if any case failed its check, 2 on bad usage.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { getDevice, type LangsegDevice } from '../src/device/device.js';
import { nodeGPU } from '../src/device/node-gpu.js';
import { CapturingRuntime } from './capture.js';
import { graphCases } from './graph/graph.bench.js';
import { langSegTrainSuite } from './graph/langseg-train.bench.js';
import { kernelCases } from './kernels/kernels.bench.js';
import { visionCases } from './kernels/vision.bench.js';
import { attentionCases } from './kernels/attention.bench.js';
import { layoutCases } from './kernels/layout.bench.js';
import { formatTable, writeJsonAtomic } from './report.js';
import { TOLERANCE, type CaseResult } from './run-case.js';
import { CHECK_STEPS, LOSS_TOLERANCE } from './run-graph-case.js';
import { kernelSuite, trainSuite, type BenchCase, type Suite } from './suite.js';
import { exposeNavigatorGPU, tfjsOnDevice, type TfjsOnDevice } from './tfjs.js';

const SUITES: Record<string, Suite> = {
  kernels: kernelSuite(kernelCases),
  vision: kernelSuite(visionCases),
  attention: kernelSuite(attentionCases),
  layout: kernelSuite(layoutCases),
  graph: trainSuite(graphCases),
  train: langSegTrainSuite,
};
const DEFAULT_REPEATS = 10;
const DEFAULT_WARMUP = 3;
const DEFAULT_MIN_TIME_MS = 2000;

const USAGE = `usage: npm run bench -- [options]

  --suite NAME     suite to run (${Object.keys(SUITES).join(', ')}; default kernels)
  --json PATH      also write the results as JSON to PATH (atomically)
  --repeats N      the fewest timed runs per case and side (default ${DEFAULT_REPEATS}); the median is reported
  --min-time MS    time each side for at least about MS ms, up to 200 runs (default ${DEFAULT_MIN_TIME_MS});
                   small cases then get enough samples for a stable median
  --warmup N       untimed runs first (default ${DEFAULT_WARMUP}; compiles pipelines, fills pools)
  --filter TEXT    only cases whose "op shape" contains TEXT
  --help           show this help

Each case is checked against TF.js before it is timed: kernels by max |ours - tfjs| / max |tfjs| <= ${TOLERANCE};
training steps by the relative loss difference (<= ${LOSS_TOLERANCE}) at each of ${CHECK_STEPS} steps
from identical weights.`;

class UsageError extends Error {}

interface Options {
  suite: Suite;
  cases: readonly BenchCase[];
  json?: string;
  repeats: number;
  warmup: number;
  minTimeMs: number;
}

function positiveInt(value: string | undefined, fallback: number, flag: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got '${value}'`);
  return n;
}

function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        suite: { type: 'string', default: 'kernels' },
        json: { type: 'string' },
        repeats: { type: 'string' },
        warmup: { type: 'string' },
        'min-time': { type: 'string' },
        filter: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.help) return 'help';
  const suite = SUITES[parsed.suite];
  if (!suite) throw new UsageError(`unknown suite '${parsed.suite}' (known: ${Object.keys(SUITES).join(', ')})`);
  const filter = parsed.filter;
  const cases = filter === undefined ? suite.cases : suite.cases.filter((c) => `${c.op} ${c.shape}`.includes(filter));
  if (cases.length === 0) throw new UsageError(`--filter '${filter}' matches no case of suite '${parsed.suite}'`);
  return {
    suite,
    cases,
    json: parsed.json,
    repeats: positiveInt(parsed.repeats, DEFAULT_REPEATS, '--repeats', 1),
    warmup: positiveInt(parsed.warmup, DEFAULT_WARMUP, '--warmup', 0),
    minTimeMs: positiveInt(parsed['min-time'], DEFAULT_MIN_TIME_MS, '--min-time', 0),
  };
}

async function run(options: Options): Promise<number> {
  const gpu = await nodeGPU();
  // TF.js finds WebGPU through navigator.gpu: give it the very GPU object our device comes from.
  exposeNavigatorGPU(gpu);
  let dev: LangsegDevice | undefined;
  let tfjs: TfjsOnDevice | undefined;
  try {
    dev = await getDevice({ gpu });
    const rt = new CapturingRuntime(dev);
    tfjs = await tfjsOnDevice(dev, dev.adapter);
    const a = dev.adapter;
    const adapter = [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ');
    const common = {
      adapter,
      date: new Date().toISOString(),
      device_note: tfjs.note,
      // Lavapipe shares the CPU with everything else: a busy machine slows both sides.
      cpu_load_1m: Number(loadavg()[0]!.toFixed(2)),
    };
    console.error(`adapter: ${adapter}; ${options.cases.length} case(s), warmup ${options.warmup}, repeats >= ${options.repeats}, min time ${options.minTimeMs} ms`);
    const results: (CaseResult & typeof common)[] = [];
    for (const kc of options.cases) {
      const t0 = performance.now();
      const r = await kc.run({ rt, tfjs }, {
        warmup: Math.max(1, options.warmup),
        repeats: options.repeats,
        minTotalMs: options.minTimeMs,
      });
      console.error(`  ${kc.op} ${kc.shape}: ${r.check} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      if (r.check === 'MISMATCH') {
        console.error(`!! MISMATCH: ${kc.op} ${kc.shape} differs from TF.js by ${r.max_rel_err} (see the tolerances in --help); not timed`);
      } else if (r.check === 'ERROR') {
        console.error(`!! ERROR: ${kc.op} ${kc.shape}: ${r.error}`);
      }
      results.push({ ...r, ...common });
    }
    console.log(formatTable(results));
    if (options.suite.summary) console.log(`\n${options.suite.summary(results)}`);
    if (options.json) {
      await writeJsonAtomic(options.json, results);
      console.error(`wrote ${options.json}`);
    }
    return results.every((r) => r.check === 'ok') ? 0 : 1;
  } finally {
    tfjs?.dispose();
    // Destroying the device is what lets Node exit: Dawn keeps the event loop alive while it lives.
    dev?.destroy();
  }
}

async function main(): Promise<void> {
  let options: Options | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  process.exitCode = await run(options);
}

await main();
