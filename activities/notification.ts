import type { NotificationType } from '../domain/notification';
import { isDuplicateKey, type Models } from '../models';

export interface NotifyOptions {
  /** where notifications are POSTed as JSON (a chat or paging integration); none: stored only */
  webhookUrl?: string;
}

export interface Notification {
  key: string;
  type: NotificationType;
  number: string;
  at: number;
  [field: string]: unknown;
}

export function createNotificationActivities(models: Models, opts: NotifyOptions) {
  return {
    /**
     * Records a notification once (keyed) and delivers it to the webhook when one is set.
     * A failed delivery fails the activity, so Temporal retries it; the record is not duplicated.
     */
    async notify(n: Notification): Promise<void> {
      try {
        // keyed by its key: recording it again, and marking it delivered, are primary-key writes
        await models.Notification.collection.insertOne({ _id: n.key, key: n.key, type: n.type, caseId: n.number, payload: n, createdAt: new Date(), deliveredAt: null } as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      if (!opts.webhookUrl) return;
      const existing = await models.Notification.collection.findOne({ _id: n.key } as never);
      if (existing?.deliveredAt) return;
      const res = await fetch(opts.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...n, at: new Date(n.at).toISOString() }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      await models.Notification.collection.updateOne({ _id: n.key } as never, { $set: { deliveredAt: new Date() } });
    },
  };
}
