// helmet headers and a small CORS policy shared by HTTP and socket.io:
// same-origin by default, explicit origins from CORS_ORIGINS ("*" allows any).
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        // The SPA talks to the cloud (same origin, ws) and to edges (their own origins, wss + media).
        connectSrc: ["'self'", 'https:', 'wss:', 'ws:'],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

export function corsAllows(origins: string[], origin: string | undefined): boolean {
  if (!origin) return true;
  return origins.includes('*') || origins.includes(origin);
}

export function cors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && corsAllows(origins, origin)) {
      res.setHeader('Access-Control-Allow-Origin', origins.includes('*') ? '*' : origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
