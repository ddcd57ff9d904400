/** The OpenAPI 3.1 document, generated from the zod schemas the routes validate with, and /docs. */
import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import { IDEMPOTENCY_HEADER } from './idempotency';
import { PROBLEM_BASE } from './problem';
import { route, routeSpecs, type RouteSpec } from './route';

const jsonSchema = (s: z.ZodType, io: 'input' | 'output' = 'input') => z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, any>;

function parameters(spec: RouteSpec<any, any, any>) {
  const out: unknown[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema);
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
    }
  }
  if (spec.idempotent) {
    out.push({
      name: IDEMPOTENCY_HEADER,
      in: 'header',
      required: false,
      description: 'Send the same request again with the same key (1 to 200 visible ASCII characters, e.g. a UUID) after a lost answer or a 503: it answers what the first did (a create: the same case; a command: its outcome) and never does it twice. Kept for a day per caller; the same key on another request is a 422.',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    });
  }
  return out;
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

export function openApiDocument(specs: readonly RouteSpec<any, any, any>[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const p = spec.path.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      [String(spec.status ?? 200)]: {
        description: spec.responseDescription ?? 'Success',
        ...(spec.response ? { content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } } : {}),
      },
      400: problem('The request is not valid: the problem names each failing field'),
    };
    if (spec.roles !== 'public') {
      responses[401] = problem('No valid API key');
      responses[403] = problem('The key may not do this');
      responses[429] = problem('Too many requests from this key, or too many without a valid key from this address: wait the seconds `Retry-After` says');
    }
    if (spec.params) responses[404] = problem('No such resource');
    if (spec.method === 'post' && spec.params) responses[409] = problem('Not allowed in the current state (the body has `state`)');
    if (spec.body) {
      responses[413] = problem('The body is larger than 100 kB, or a text in it is longer than its field takes (the problem names the field and its limit)');
      responses[415] = problem('The body is not JSON');
    }
    if (spec.method === 'put' || spec.method === 'patch') {
      responses[409] = problem('Another writer changed it at the same moment: read it again');
      responses[412] = problem('It changed since the version you read (If-Match, or the version sent back): read it again');
    }
    if (spec.idempotent) {
      responses[409] ??= problem('A request with the same Idempotency-Key is still being handled');
      responses[422] = problem('The Idempotency-Key was used for another request');
      responses[503] = problem('The process did not answer in time: the request may still be applied; send it again with the same Idempotency-Key to learn its outcome');
    }
    (paths[p] ??= {})[spec.method] = {
      tags: [spec.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.roles === 'public' ? { security: [] } : {}),
      ...(Array.isArray(spec.roles) ? { 'x-roles': spec.roles } : {}),
      parameters: parameters(spec),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'iso20k-flow',
      version: '0.1.0',
      description: 'ISO/IEC 20000-1 service management processes as durable workflows. Authenticate with `Authorization: Bearer <API key>`.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from POST /api-keys' } },
      schemas: {
        Problem: {
          type: 'object',
          description: `RFC 9457 problem details; type is ${PROBLEM_BASE}<slug>`,
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            state: { type: 'string', description: 'the current state, on 409' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { in: { type: 'string' }, path: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>iso20k-flow API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;
/** a file of its own, not inline: the content security policy runs only this origin's scripts */
const DOCS_INIT = `SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', persistAuthorization: true });\n`;

/** /openapi.json and /docs, describing the routes of `routers` (and their own). */
export function docsRoutes(routers: readonly Router[]): Router {
  const router = Router();
  let doc: ReturnType<typeof openApiDocument> | undefined;
  route(router, {
    method: 'get',
    path: '/openapi.json',
    tag: 'Docs',
    summary: 'This API as OpenAPI 3.1',
    roles: 'public',
    response: z.record(z.string(), z.unknown()).describe('this OpenAPI 3.1 document'),
    handler: async () => (doc ??= openApiDocument([router, ...routers].flatMap(routeSpecs))),
  });
  // the UI's assets come from the swagger-ui-dist package: nothing is fetched from the internet
  router.use('/docs/assets', express.static(path.dirname(require.resolve('swagger-ui-dist/package.json')), { index: false }));
  router.get('/docs', (_req, res) => res.type('html').send(DOCS_HTML));
  router.get('/docs/init.js', (_req, res) => res.type('text/javascript').send(DOCS_INIT));
  return router;
}
