/**
 * The Express app, built from its dependencies (database models, Temporal client) so that tests
 * and the embedded stack hand it real ones; api/server.ts only listens.
 */
import express, { type ErrorRequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Models } from '../models';
import type { Process } from '../domain/processes';
import helmet from 'helmet';
import { config, TASK_QUEUE } from '../stack/config';
import { limitFailedAuthentication, limitPerKey, type RateLimits } from './limits';
import { apiKeyRoutes } from './api-keys';
import { approvalPolicyRoutes } from './approval-policies';
import { changeRoutes } from './changes';
import { delegationRoutes } from './delegations';
import { authenticate, KeyCache } from './auth';
import { healthRoutes } from './health';
import { improvementRoutes } from './improvements';
import { incidentRoutes } from './incidents';
import { nonconformityRoutes } from './nonconformities';
import { reviewRoutes } from './reviews';
import { verificationRoutes } from './verifications';
import { releaseRoutes } from './releases';
import { transitionRoutes } from './transitions';
import { metricsRoutes, timeRequests } from './metrics';
import { docsRoutes } from './openapi';
import { policyRoutes } from './policies';
import { problemRoutes } from './problems';
import { requestRoutes } from './requests';
import { serviceRoutes } from './services';
import { cmdbRoutes } from './cmdb';
import { baselineRoutes } from './baselines';
import { slaRoutes } from './slas';
import { notificationRoutes } from './notifications';
import { reportRoutes } from './reports';
import { workRoutes } from './work';
import { HttpProblem, notFound } from './problem';
import { processUnavailable } from './commands';
import { IDEMPOTENCY_HEADER } from './idempotency';
import { CHECK_RESPONSES, routeSpecs } from './route';

export interface AppDeps {
  models: Models;
  client: Client;
  logger: Logger;
  taskQueue?: string;
  /** the trend scan's Schedule (tests name their own) */
  trendScheduleId?: string;
  /** how long a key read from the database serves requests before it is read again (30 s) */
  keyCacheTtlMs?: number;
  /** refuse (500) any answer that does not match its route's documented schema: the tests run so */
  checkResponses?: boolean;
  /** rate limits (RATE_LIMIT_PER_KEY, RATE_LIMIT_FAILED_AUTH unless given) */
  rateLimits?: RateLimits;
}

/** Each process's routes (domain/processes.ts), one line per process. */
const PROCESS_ROUTES = {
  incident: incidentRoutes,
  change: changeRoutes,
  request: requestRoutes,
  problem: problemRoutes,
  improvement: improvementRoutes,
  nonconformity: nonconformityRoutes,
  review: reviewRoutes,
  verification: verificationRoutes,
  release: releaseRoutes,
  transition: transitionRoutes,
} satisfies Record<Process, (deps: AppDeps & { taskQueue: string }) => express.Router>;

export function createApp(deps: AppDeps): express.Express {
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set(CHECK_RESPONSES, deps.checkResponses ?? false);

  app.use(timeRequests());
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.logger.info({
        method: req.method,
        path: req.originalUrl,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        actor: (res.locals.actor as { name?: string } | undefined)?.name,
      }, 'request');
    });
    next();
  });
  app.use(securityHeaders());
  const limits = deps.rateLimits ?? { perKeyPerMinute: config.rateLimitPerKey, failedAuthPerMinute: config.rateLimitFailedAuth };
  const keys = new KeyCache(deps.models, deps.keyCacheTtlMs ?? 30_000, Math.min(deps.keyCacheTtlMs ?? 5_000, 5_000));

  // every router declares its routes; the OpenAPI document is built from the same list
  const routers = [
    metricsRoutes(),
    healthRoutes({ ...deps, taskQueue }),
    apiKeyRoutes({ ...deps, keys }),
    policyRoutes(deps),
    approvalPolicyRoutes(deps),
    serviceRoutes(deps),
    cmdbRoutes(deps),
    baselineRoutes(deps),
    slaRoutes(deps),
    notificationRoutes(deps),
    reportRoutes(deps),
    delegationRoutes(deps),
    ...Object.values(PROCESS_ROUTES).map((routes) => routes({ ...deps, taskQueue })),
    workRoutes(deps),
  ];
  const docs = docsRoutes(routers);
  const declared = [docs, ...routers].flatMap((r) => routeSpecs(r)).map((spec) => ({ method: spec.method.toUpperCase(), path: new RegExp(`^${spec.path.replace(/:\w+/g, '[^/]+')}/?$`), public: spec.roles === 'public' }));
  // a public route (health, docs, metrics) reads no key, so it never waits for the database
  const isPublic = (req: express.Request) => /^\/(docs|metrics)(\/|$)/.test(req.path) || declared.some((d) => d.public && d.method === req.method && d.path.test(req.path));

  app.use(limitFailedAuthentication(limits, (authorization) => keys.knownGood(authorization)));
  app.use(authenticate(keys, isPublic));
  app.use(limitPerKey(limits));
  app.use(express.json({ limit: '100kb', strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(docs);
  for (const router of routers) app.use(router);

  // a path that is there, asked with a method it does not take, is a 405 naming the ones it does
  app.use((req, res) => {
    const allowed = [...new Set(declared.filter((d) => d.path.test(req.path)).map((d) => d.method))];
    if (allowed.length === 0) throw notFound(`no route ${req.method} ${req.path}`);
    if (allowed.includes('GET')) allowed.push('HEAD');
    res.set('Allow', allowed.join(', '));
    throw new HttpProblem(405, 'method-not-allowed', 'Method not allowed', `${req.path} takes ${allowed.join(', ')}, not ${req.method}`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/**
 * Security headers on every answer (helmet): no sniffing, no framing, a content security policy
 * that lets /docs run only this origin's scripts; and no answer stored by a cache (they carry
 * cases, and a new key's secret), but the docs' assets, which set their own.
 */
function securityHeaders(): express.RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'frame-ancestors': ["'none'"], 'upgrade-insecure-requests': null, 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
    },
    frameguard: { action: 'deny' },
  });
  return (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    headers(req, res, next);
  };
}

/**
 * The database did not answer: the driver found no server in time (`serverSelectionTimeoutMS`),
 * its socket went quiet (`socketTimeoutMS`), the server ran out of the time the request gave it
 * (`MaxTimeMSExpired`), or the connection is down (no buffering on the API's).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (/^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed|PoolCleared|OperationTimeout)Error$/.test(e.name ?? '')) return true;
  // the request's time (timeoutMS) went to the server as maxTimeMS, and the server ran out of it first
  if (e.name === 'MongoServerError' && ((e as { code?: number }).code === 50 || (e as { codeName?: string }).codeName === 'MaxTimeMSExpired')) return true;
  return e.name === 'MongooseError' && /buffering timed out|bufferCommands = false|not connected/i.test(e.message ?? '');
}

/** Temporal could not be reached (gRPC UNAVAILABLE), as opposed to a process that did not answer in time. */
export function isTemporalUnavailable(err: unknown): boolean {
  const code = (e: unknown) => (e as { code?: number } | undefined)?.code;
  return code(err) === 14 || code((err as { cause?: unknown })?.cause) === 14;
}

/** The one place error bodies are written. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (isDatabaseUnavailable(err)) {
      res.set('Retry-After', '5');
      problem = new HttpProblem(503, 'database-unavailable', 'Database unavailable', `the database did not answer: retry in a few seconds${req.method === 'POST' ? ` (a create or a command may have been applied: retry it with the same ${IDEMPOTENCY_HEADER})` : ''}`);
    } else if (isTemporalUnavailable(err)) {
      res.set('Retry-After', '5');
      problem = processUnavailable(`Temporal did not answer: retry in a few seconds${req.method === 'POST' ? ` (with the same ${IDEMPOTENCY_HEADER}: it may have been applied)` : ''}`);
    }
    else if (err?.type === 'entity.parse.failed') problem = new HttpProblem(400, 'malformed-json', 'Malformed JSON', `the body is not valid JSON: ${err.message}`);
    else if (err?.type === 'entity.too.large') problem = new HttpProblem(413, 'body-too-large', 'Body too large', `the body is larger than the limit of ${err.limit} bytes`);
    else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') problem = new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', err.message);
    else if (err?.expose && err.status >= 400 && err.status < 500) problem = new HttpProblem(err.status, 'bad-request', 'Bad request', err.message);
    else {
      logger.error({ err, method: req.method, path: req.originalUrl }, 'unhandled error');
      problem = new HttpProblem(500, 'internal-error', 'Internal error', 'the server failed to answer; the error is logged');
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.toJSON()));
  };
}
