import type { ApprovalPolicy, ApprovalPolicyBody, ApprovalRecord } from '../domain/approval';
import type { Calendar } from '../domain/calendar';
import type { TaskRecord } from '../domain/task';
import type { Models } from '../models';
import { approvalStored } from '../models/approval';
import { linkKey, syncLinks } from '../models/link';
import { latestPolicies } from '../models/policies';
import { findIndexed } from '../models/query';
import { taskStored } from '../models/task';
import { writeIfNewer } from './persist';

/** How many holders of one group's keys an approval stage resolves to, at most. */
const GROUP_MEMBERS_LIMIT = 500;

export function createApprovalActivities(models: Models) {
  return {
    /** The people a stage names: its users, and the holders of active keys in its groups. */
    async resolveApprovers({ users, groups }: { users: string[]; groups: string[] }): Promise<string[]> {
      const names = new Set(users);
      for (const g of groups) {
        const links = await findIndexed<{ target: string }>(models.Link, { k: linkKey('api_keys', 'groups', g), open: true }, { limit: GROUP_MEMBERS_LIMIT, projection: { target: 1 } });
        for (const l of links) {
          const key = await models.ApiKey.findById(l.target, { name: 1, revokedAt: 1 }).lean();
          if (key && !key.revokedAt) names.add(key.name as string);
        }
      }
      return [...names].sort();
    },

    /** The approval policies and calendars in force now; a case keeps the versions it gets here. */
    async loadApprovalPolicies(): Promise<{ policies: ApprovalPolicy[]; calendars: Record<string, Calendar> }> {
      const policies = (await latestPolicies<ApprovalPolicyBody>(models, 'approval-policy')).map((p) => ({ ...p.body, id: p.key, version: p.version }));
      const calendars: Record<string, Calendar> = {};
      for (const c of await latestPolicies<Omit<Calendar, 'id' | 'version'>>(models, 'calendar')) calendars[c.key] = { ...c.body, id: c.key, version: c.version };
      return { policies, calendars };
    },

    async persistApproval(record: ApprovalRecord): Promise<void> {
      const doc = { ...record, ...approvalStored.derive(record) } as unknown as Record<string, unknown>;
      if (await writeIfNewer(models.Approval, record.id, 'rev', doc)) {
        await syncLinks(models.Link, 'approvals', record.id, approvalStored.links(record), doc.open as boolean, record.dueAt);
      }
    },

    async persistTask(record: TaskRecord): Promise<void> {
      await writeIfNewer(models.Task, record.id, 'rev', { ...record, ...taskStored.derive(record) } as unknown as Record<string, unknown>);
    },
  };
}
