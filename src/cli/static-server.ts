/**
 * A small static file server for the demo page and the browser tests: GET and HEAD only, bound to
 * 127.0.0.1 (never the network), URL prefixes mapped to folders, no path outside a folder served, nothing
 * cached (the bundles change with every build). Node only.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { LangsegError } from '../errors.js';

/** URLs under `prefix` (starting and ending with '/') are files under `dir`. */
export interface StaticRoute {
  prefix: string;
  dir: string;
}

export interface StaticServer {
  /** e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wgsl': 'text/plain; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

/** The file a URL path names, or null when no route holds it (or it tries to climb out of its folder). */
export function resolveStaticPath(routes: readonly StaticRoute[], urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  // Longest prefix first, so '/dist/' wins over '/'.
  const route = [...routes].sort((a, b) => b.prefix.length - a.prefix.length).find((r) => path.startsWith(r.prefix));
  if (!route) return null;
  const root = resolve(route.dir);
  let file = resolve(join(root, path.slice(route.prefix.length)));
  if (file !== root && !file.startsWith(root + sep)) return null;
  if (path.endsWith('/')) file = join(file, 'index.html');
  return file;
}

async function handle(routes: readonly StaticRoute[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const file = resolveStaticPath(routes, req.url ?? '/');
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${req.url}\n`);
    return;
  }
  res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** Serve `routes` on 127.0.0.1:`port` (0: any free port). */
export async function serveStatic(routes: readonly StaticRoute[], options: { port?: number } = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    handle(routes, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new LangsegError(e.code === 'EADDRINUSE' ? `port ${options.port} on 127.0.0.1 is in use; choose another with --port` : `cannot serve on 127.0.0.1: ${e.message}`)),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
