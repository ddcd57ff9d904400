/**
 * Abuse: rate limits per key and, for failed authentication, per client address (429 with
 * Retry-After, and no database read for a limited bad key), and the security headers.
 */
import { startApi, type RunningApi } from '../support/harness';

let api: RunningApi;
let agent: string, other: string;

beforeAll(async () => {
  api = await startApi('api_limits', { rateLimits: { perKeyPerMinute: 40, failedAuthPerMinute: 10 } });
  [agent, other] = await Promise.all([api.key('alice', ['agent'], ['network']), api.key('bob', ['agent'], ['network'])]);
});
afterAll(async () => api?.stop());

/** the database commands the API sent meanwhile */
async function commandsDuring(run: () => Promise<void>): Promise<number> {
  let n = 0;
  const count = () => void n++;
  const client = api.apiModels.conn.getClient();
  client.on('commandStarted', count);
  try {
    await run();
  } finally {
    client.off('commandStarted', count);
  }
  return n;
}

it('limits each key on its own', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 45; i++) statuses.push((await api.call('GET', '/incidents?limit=1', { key: agent })).status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(40);
  expect(statuses.slice(40)).toEqual(Array(5).fill(429));
  const limited = await api.call('GET', '/incidents?limit=1', { key: agent });
  expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(limited.body.detail).toMatch(/^this API key made more than 40 requests a minute: retry after \d+ s$/);
  // another key is not held back by it
  expect((await api.call('GET', '/incidents?limit=1', { key: other })).status).toBe(200);
});

it('sends security headers on every answer, no-store on what carries a secret, and a strict policy on the docs', async () => {
  const created = await api.call('POST', '/api-keys', { key: api.adminKey, body: { name: 'carol', roles: ['auditor'] } });
  expect(created.status).toBe(201);
  expect(created.headers.get('cache-control')).toBe('no-store');
  for (const path of ['/healthz', '/openapi.json', '/docs', '/nowhere']) {
    const r = await api.call('GET', path);
    expect([path, r.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
  }
  const docs = await api.call('GET', '/docs');
  const csp = docs.headers.get('content-security-policy')!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(docs.headers.get('x-frame-options')).toBe('DENY');
  expect(docs.body).not.toMatch(/<script>/); // no inline script for the policy to refuse
  expect((await api.call('GET', '/docs/init.js')).status).toBe(200);
});

it('refuses a flood of bad keys from one address with 429 and Retry-After, without a database read each, and not a key found valid lately', async () => {
  const statuses: number[] = [];
  const reads = await commandsDuring(async () => {
    for (let i = 0; i < 60; i++) statuses.push((await api.call('GET', '/incidents', { key: `isk_guess_${i}` })).status);
  });
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.slice(10)).toEqual(Array(50).fill(429));
  // ten guesses looked up, the fifty refused before their keys were
  expect(reads).toBeGreaterThanOrEqual(1);
  expect(reads).toBeLessThanOrEqual(10);
  const limited = await api.call('GET', '/incidents', { key: 'isk_guess_more' });
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(limited.body).toMatchObject({ type: 'urn:iso20k-flow:problem:rate-limited', status: 429, detail: expect.stringMatching(/^more than 10 requests a minute from this address had no valid API key: retry after \d+ s$/) });
  // a probe, which sends no key, is never refused by it, nor a key found valid lately from the same address
  expect((await api.call('GET', '/healthz')).status).toBe(200);
  expect((await api.call('GET', '/incidents?limit=1', { key: other })).status).toBe(200);
});
