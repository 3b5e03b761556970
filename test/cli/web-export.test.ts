/**
 * `langseg export` (weights-only checkpoints for the web page) and the static server behind `langseg web`:
 * 127.0.0.1 only, the page and the bundles at their routes, nothing outside them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStaticPath, serveStatic } from '../../src/cli/static-server.js';
import { demoRoutes, packageRoot } from '../../src/cli/web.js';
import { parametersToCheckpoint } from '../../src/graph/checkpoint.js';
import { Graph } from '../../src/graph/graph.js';
import { Parameters } from '../../src/graph/parameters.js';
import { parseCheckpoint } from '../../src/io/checkpoint.js';
import { useRuntime } from '../helpers/runtime.js';
import { runCli as cli } from '../helpers/cli.js';

const ctx = useRuntime();
const root = mkdtempSync(join(tmpdir(), 'langseg-web-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** GET (or another method) on the test server: status, content type and body. */
function fetchRaw(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((done, fail) => {
    request(url, { method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('latin1')));
      res.on('end', () => done({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body }));
    })
      .on('error', fail)
      .end();
  });
}

describe('langseg export', () => {
  it('writes a weights-only F16 checkpoint with the step and config, and refuses to overwrite without --force', async () => {
    const g = new Graph();
    g.param('fc.weight', [8, 4]);
    g.param('fc.bias', [8], { kind: 'zeros' });
    const params = Parameters.create(ctx.rt, g, { seed: 1 });
    params.step = 7;
    const full = join(root, 'full.safetensors');
    writeFileSync(full, await parametersToCheckpoint(params, { config: { note: 'x' } }));
    params.destroy();
    const out = join(root, 'slim.safetensors');
    const r = await cli('export', '--checkpoint', full, '--dtype', 'f16', '--out', out);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/weights only, F16, trained 7 steps/);
    const slim = await parseCheckpoint(readFileSync(out));
    expect(Object.keys(slim.tensors).sort()).toEqual(['fc.bias', 'fc.weight']);
    expect(slim.tensors['fc.weight']!.dtype).toBe('F16');
    expect([slim.step, slim.config]).toEqual([7, { note: 'x' }]);

    const again = await cli('export', '--checkpoint', full, '--out', out);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/already exists; overwrite it with --force/);
    expect((await cli('export', '--checkpoint', full, '--out', out, '--dtype', 'f8')).code).toBe(2);
    expect((await cli('export', '--checkpoint', join(root, 'nope'), '--out', join(root, 'x'))).out).toMatch(/cannot read checkpoint/);
  });
});

describe('the static server of langseg web', () => {
  it('maps the page to web/ and the bundles to dist/ of the package', () => {
    const pkg = packageRoot();
    expect(readFileSync(join(pkg, 'package.json'), 'utf8')).toMatch(/"name": "langseg"/);
    const routes = demoRoutes(pkg);
    expect(resolveStaticPath(routes, '/')).toBe(join(pkg, 'web', 'index.html'));
    expect(resolveStaticPath(routes, '/dist/langseg.browser.js?v=1')).toBe(join(pkg, 'dist', 'langseg.browser.js'));
    expect(resolveStaticPath(routes, '/models/tiny.safetensors')).toBe(join(pkg, 'web', 'models', 'tiny.safetensors'));
    for (const escape of ['/../package.json', '/dist/../../etc/passwd', '/%2e%2e/package.json', '/dist/%00x', '/%E0%A4%A']) {
      expect(resolveStaticPath(routes, escape), escape).toBeNull();
    }
  });

  it('serves files on 127.0.0.1 with their types, 404 for the rest, GET and HEAD only', async () => {
    const site = join(root, 'site');
    mkdirSync(join(site, 'sub'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<p>hi</p>');
    writeFileSync(join(site, 'sub', 'app.js'), 'export {};');
    writeFileSync(join(root, 'secret.txt'), 'no');
    const server = await serveStatic([{ prefix: '/', dir: site }]);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(await fetchRaw(server.url)).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<p>hi</p>' });
      expect((await fetchRaw(`${server.url}sub/app.js`)).type).toBe('text/javascript; charset=utf-8');
      expect((await fetchRaw(`${server.url}sub/app.js`, 'HEAD')).body).toBe('');
      expect((await fetchRaw(`${server.url}missing.js`)).status).toBe(404);
      expect((await fetchRaw(`${server.url}sub/`)).status).toBe(404); // no index.html there, and no listings
      expect((await fetchRaw(`${server.url}..%2fsecret.txt`)).status).toBe(404);
      expect((await fetchRaw(server.url, 'POST')).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('a port in use gets a message that names it', async () => {
    const first = await serveStatic([{ prefix: '/', dir: root }]);
    try {
      await expect(serveStatic([{ prefix: '/', dir: root }], { port: first.port })).rejects.toThrow(/port \d+ on 127\.0\.0\.1 is in use; choose another with --port/);
    } finally {
      await first.close();
    }
  });

  it('langseg web (npm run web) serves the page, the bundles and the bundled model until Ctrl-C', async () => {
    const child = spawn(process.execPath, ['bin/langseg.js', 'web', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /langseg demo page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) done(m[1]!);
        });
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (code) => fail(new Error(`langseg web exited (${code}) before serving: ${out}`)));
      });
      const page = await fetchRaw(url);
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/"langseg": "\.\/dist\/langseg\.browser\.js"/);
      for (const path of ['dist/langseg.browser.js', 'dist/web/demo.js', 'models/tiny.safetensors', 'style.css']) expect((await fetchRaw(url + path, 'HEAD')).status, path).toBe(200);
      const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      child.kill('SIGINT');
      expect(await exit).toBe(0);
    } finally {
      child.kill();
    }
  });
});
