// OpenAPI 3.1 document built from the route declarations (zod 4 → JSON Schema).
import { z } from 'zod';
import { ErrorBody } from '#protocol/errors';
import type { RouteDoc } from './api-router.ts';

const schemaOf = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

export function buildOpenApi(
  routes: RouteDoc[],
  info: { title: string; version: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const q = schemaOf(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters,
      responses: {
        [String(r.status)]: {
          description: 'success',
          content: { 'application/json': { schema: schemaOf(r.response, 'output') } },
        },
        default: {
          description: 'error: `{error:{code,message,details?}}`',
          content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } },
        },
      },
      ...(r.auth === 'public' ? { security: [] } : {}),
      ...(r.auth !== 'public' && r.auth.permission ? { 'x-permission': r.auth.permission } : {}),
    };
    if (r.body)
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(r.body, 'input') } },
      };
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
