/**
 * The notifications the processes send (escalations, SLA warnings and breaches, major incidents,
 * a change's impact on services, improvement actions) as a feed: newest first, by type, case or
 * time. Every notification is also posted to the webhook when one is set; `deliveredAt` says when.
 */
import { Router } from 'express';
import { z } from 'zod';
import { NOTIFICATION_TYPES } from '../domain/notification';
import { Instant, PageOf } from '../domain/schemas/answers';
import type { Models } from '../models';
import { Page, pageOf } from './lists';
import { forbidden } from './problem';
import { route } from './route';

const NotificationAnswer = z.strictObject({
  key: z.string().describe('what makes it one notification (a case, a clock, a level): sent once'),
  type: z.string().describe(NOTIFICATION_TYPES.join(', ')),
  case: z.string().nullable(),
  at: Instant,
  deliveredAt: Instant.nullable().describe('when the webhook took it; null: not (yet) delivered, or no webhook'),
  details: z.record(z.string(), z.unknown()),
});

export function notificationRoutes({ models }: { models: Models }): Router {
  const router = Router();

  route(router, {
    method: 'get',
    path: '/notifications',
    tag: 'Notifications',
    summary: 'The notifications, newest first: ?type=sla_breach, ?case=INC0000001, ?since=<instant>',
    description: 'For the service teams and those who oversee them (every role but requester: a requester-only key is refused).',
    roles: 'authenticated',
    query: Page.extend({
      type: z.enum(NOTIFICATION_TYPES).optional(),
      case: z.string().regex(/^[A-Z]{3}\d{7,}$/, 'a case number such as INC0000001').optional(),
      since: z.iso.datetime({ offset: true }).optional(),
    }).strict(),
    response: PageOf(NotificationAnswer),
    handler: async ({ query, actor }) => {
      if (!actor.roles.some((r) => r !== 'requester')) throw forbidden('notifications are for the service teams: a requester follows their cases at /incidents and /requests');
      const filter: Record<string, unknown> = { createdAt: { $gte: query.since ? new Date(query.since) : new Date(0) } };
      if (query.type) filter.type = query.type;
      if (query.case) filter.caseId = query.case;
      return pageOf(models.Notification, filter, [['createdAt', -1], ['_id', -1]], query, (n: { _id: string; type: string; caseId?: string; createdAt: Date; deliveredAt: Date | null; payload?: Record<string, unknown> }) => {
        const { key: _k, type: _t, number: _n, at: _a, ...details } = n.payload ?? {};
        return { key: n._id, type: n.type, case: n.caseId ?? null, at: n.createdAt, deliveredAt: n.deliveredAt ?? null, details };
      });
    },
  });

  return router;
}
