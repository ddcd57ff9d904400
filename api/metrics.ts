/** Prometheus metrics at /metrics (see README: Observability), and the timing of every request. */
import { Router, type RequestHandler } from 'express';
import { httpDuration, registry, scrape } from '../stack/metrics';

/** Times each request under the route it matched, as declared (`/incidents/:number/assign`). */
export function timeRequests(): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path as string}` : 'unmatched';
      httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

export function metricsRoutes(): Router {
  const router = Router();
  // plain text for Prometheus, outside the JSON API and its OpenAPI document
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await scrape());
  });
  return router;
}
