// Serves the built React client with an SPA fallback to index.html. Without a
// build, `/` explains how to make one instead of failing.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

export function staticClient(distDir: string): { router: Router; present: boolean } {
  const router = express.Router();
  const index = path.join(distDir, 'index.html');
  const present = existsSync(index);
  if (present) {
    router.use(express.static(distDir, { index: false, maxAge: '1h' }));
    router.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  } else {
    router.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send(
          `BranchEdge cloud is running, but the web client is not built (no ${index}).\nRun \`npm run build\`, or use the API at /api/v1 (docs: /api/v1/openapi.json).\n`,
        );
    });
  }
  return { router, present };
}
