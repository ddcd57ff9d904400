/**
 * An app made with `checkResponses` (as every API test makes it) refuses an answer that its
 * route's documented schema does not allow, so every answer a test receives is checked.
 */
import type { AddressInfo } from 'node:net';
import express, { Router, type ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { HttpProblem } from '../../api/problem';
import { CHECK_RESPONSES, route } from '../../api/route';

function appWith(check: boolean) {
  const router = Router();
  const Answer = z.strictObject({ number: z.string(), seq: z.number().int() });
  route(router, { method: 'get', path: '/as-documented', tag: 't', summary: 's', roles: 'public', response: Answer, handler: async () => ({ number: 'INC0000001', seq: 1 }) });
  route(router, { method: 'get', path: '/undocumented-field', tag: 't', summary: 's', roles: 'public', response: Answer, handler: async () => ({ number: 'INC0000001', seq: 1, secret: 'x' }) });
  route(router, { method: 'get', path: '/wrong-type', tag: 't', summary: 's', roles: 'public', response: Answer, handler: async () => ({ number: 'INC0000001', seq: '1' }) });
  const app = express();
  app.set(CHECK_RESPONSES, check);
  app.use(router);
  const problems: ErrorRequestHandler = (err, _req, res, _next) => {
    const p = err as HttpProblem;
    res.status(p.status ?? 500).json({ status: p.status, slug: p.slug, detail: p.detail });
  };
  app.use(problems);
  return app;
}

async function get(app: express.Express, path: string) {
  const server = app.listen(0);
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } finally {
    server.close();
  }
}

describe('answers checked against their documented schema', () => {
  it('sends an answer the schema allows', async () => {
    expect(await get(appWith(true), '/as-documented')).toEqual({ status: 200, body: { number: 'INC0000001', seq: 1 } });
  });

  it('refuses an answer with a field the schema does not name, or of another type, naming it', async () => {
    const extra = await get(appWith(true), '/undocumented-field');
    expect(extra.status).toBe(500);
    expect(extra.body.slug).toBe('response-not-as-documented');
    expect(extra.body.detail).toMatch(/^GET \/undocumented-field answered what its OpenAPI schema does not allow: .*secret/);
    const wrong = await get(appWith(true), '/wrong-type');
    expect(wrong.status).toBe(500);
    expect(wrong.body.detail).toMatch(/seq: /);
  });

  it('does not check in an app made without it (production)', async () => {
    expect((await get(appWith(false), '/wrong-type')).status).toBe(200);
  });
});
