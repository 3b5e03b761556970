/**
 * `langseg web`: serve the demo page (web/) and the browser bundles (dist/) on 127.0.0.1, so a browser
 * with WebGPU can segment and fine-tune in the page. Nothing is fetched from the network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LangsegError } from '../errors.js';
import { intOption, type Command } from './command.js';
import { serveStatic, type StaticRoute } from './static-server.js';

/** The langseg package folder: the CLI runs from src/cli in tests and from dist/node (or a chunk of it) when built. */
export function packageRoot(from = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'langseg') return dir;
  }
  throw new LangsegError(`cannot find the langseg package folder above ${from}`);
}

/** The demo page's routes: the page at /, the bundles at /dist/. */
export function demoRoutes(root = packageRoot()): StaticRoute[] {
  return [
    { prefix: '/', dir: join(root, 'web') },
    { prefix: '/dist/', dir: join(root, 'dist') },
  ];
}

/** Files the page cannot work without, and what makes them. */
const NEEDED = [
  ['dist/langseg.browser.js', 'npm run build'],
  ['dist/web/demo.js', 'npm run build'],
  ['web/index.html', 'a complete langseg checkout or package'],
] as const;

export const webCommand: Command = {
  name: 'web',
  summary: 'serve the demo page on 127.0.0.1: segment, change the classes and fine-tune in the browser',
  help: `usage: langseg web [--port N]

Serves the demo page at http://127.0.0.1:N/ (default 8765; 0 picks a free port; only this machine can
reach it). Open it in a browser with WebGPU (Chrome or Edge; Chromium with --enable-unsafe-webgpu). The
page segments a synthetic scene or an image of yours with the bundled tiny model
(web/models/tiny.safetensors) or a checkpoint you load, lets you type new classes and descriptors, and
fine-tunes the model on synthetic scenes in the page. Ctrl-C stops the server.`,
  options: { port: { type: 'string' } },
  needsDevice: false,
  async run(ctx) {
    const port = intOption(ctx.values, 'port', 8765, 0, 65535);
    const root = packageRoot();
    for (const [file, fix] of NEEDED) {
      if (!existsSync(join(root, file))) throw new LangsegError(`${join(root, file)} is missing; run ${fix} first`);
    }
    const server = await serveStatic(demoRoutes(root), { port });
    ctx.log(`langseg demo page: ${server.url}  (serving ${join(root, 'web')} and ${join(root, 'dist')}; Ctrl-C stops)`);
    await new Promise<void>((done) => process.once('SIGINT', () => done()));
    await server.close();
    return 0;
  },
};
