// Declares REST routes once — method, path, auth, zod schemas, handler — and
// derives both the express wiring (validation + auth on every route) and the
// OpenAPI document from that one declaration, so they cannot drift apart.
import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Permission } from '#protocol/api';
import { validate } from '#protocol/errors';
import type { Principal, TokenService } from '../auth/tokens.ts';
import { forbidden } from '../errors.ts';

type Kind = 'staff' | 'customer' | 'edge';
export type AuthSpec = 'public' | { kinds: readonly Kind[]; permission?: Permission };

export interface RouteDef<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  R extends z.ZodType,
> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path relative to the router, e.g. `/calls/:callId`. */
  path: string;
  summary: string;
  tag: string;
  auth: AuthSpec;
  body?: B;
  query?: Q;
  response: R;
  /** Success status; 200 by default. */
  status?: number;
  handler: (ctx: {
    body: B extends z.ZodType ? z.infer<B> : undefined;
    query: Q extends z.ZodType ? z.infer<Q> : undefined;
    params: Record<string, string>;
    principal: Principal | undefined;
    req: Request;
    res: Response;
  }) => Promise<z.input<R>>;
}

export interface RouteDoc {
  method: string;
  path: string;
  summary: string;
  tag: string;
  auth: AuthSpec;
  body?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  response: z.ZodType;
  status: number;
}

export function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

export class ApiRouter {
  readonly router = express.Router();
  readonly docs: RouteDoc[] = [];

  constructor(
    readonly basePath: string,
    private readonly tokens: TokenService,
  ) {}

  add<
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    R extends z.ZodType = z.ZodType,
  >(def: RouteDef<B, Q, R>): void {
    this.docs.push({ ...def, path: this.basePath + def.path, status: def.status ?? 200 });
    this.router[def.method](def.path, async (req, res) => {
      let principal: Principal | undefined;
      if (def.auth !== 'public') {
        principal = this.tokens.verify(bearer(req), def.auth.kinds);
        const perm = def.auth.permission;
        if (perm && (principal.kind !== 'staff' || !principal.permissions.includes(perm))) {
          throw forbidden('wrong_role', `needs permission ${perm}`);
        }
      }
      const body = (def.body ? validate(def.body, req.body ?? {}, 'request body') : undefined) as never;
      const query = (def.query ? validate(def.query, req.query, 'query') : undefined) as never;
      const params = req.params as Record<string, string>;
      const out = await def.handler({ body, query, params, principal, req, res });
      if (!res.headersSent) res.status(def.status ?? 200).json(out);
    });
  }
}
