/**
 * Serves the built dashboard (`npm run build:client` → client/dist) under /dashboard/: hashed assets cached for a
 * year, index.html revalidated every time, and index.html for any other path under /dashboard/ so client-side
 * routes (/dashboard/sync/jobs/<id>) survive a reload or a shared link. Without a build it answers 503 with how to
 * make one (or to use the Vite dev server on :3000).
 */
import { createReadStream, existsSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_BASE = '/dashboard';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * client/dist from this file, whether it runs from the sources (server/http/) or from the compiled build
 * (dist/server/http/).
 */
export function findDashboardDir(): string {
  const candidates = ['../../client/dist', '../../../client/dist'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s : undefined;
  } catch {
    return undefined;
  }
}

export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createDashboardAssets(options: { dir?: string } = {}): DashboardHandler {
  const root = resolve(options.dir ?? findDashboardDir());
  const index = join(root, 'index.html');

  function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(text);
  }

  function sendFile(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    stats: Stats,
    immutable: boolean,
  ) {
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(stats.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    }
    if (path === DASHBOARD_BASE || path === `${DASHBOARD_BASE}/`) {
      res.writeHead(302, { location: `${DASHBOARD_BASE}/sync` });
      res.end();
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice(DASHBOARD_BASE.length + 1));
    } catch {
      return sendText(res, 400, 'Bad path');
    }
    const target = resolve(root, relative);
    if (target !== root && !target.startsWith(root + sep)) return sendText(res, 404, 'Not found');

    const asset = relative.includes('\0') ? undefined : await fileStats(target);
    if (asset && target !== index) return sendFile(req, res, target, asset, relative.startsWith('assets/'));
    // A missing file with an extension is a missing asset, not a client-side route.
    if (!asset && extname(relative) !== '') return sendText(res, 404, 'Not found');

    const page = await fileStats(index);
    if (!page) {
      return sendText(
        res,
        503,
        'The dashboard is not built. Run `npm run build:client` (serves it here), or `npm run dev:client` and ' +
          'open http://localhost:3000/dashboard/sync.',
      );
    }
    return sendFile(req, res, index, page, false);
  };
}
