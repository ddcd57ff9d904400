import type { ApprovalPolicy, ApprovalPolicyBody, ApprovalRecord } from '../domain/approval';
import type { Calendar } from '../domain/calendar';
import type { TaskRecord } from '../domain/task';
import type { Models } from '../models';
import { latestPolicies } from '../models/policies';
import { writeIfNewer } from './persist';

export function createApprovalActivities(models: Models) {
  return {
    /** The people a stage names: its users, and the holders of active keys in its groups. */
    async resolveApprovers({ users, groups }: { users: string[]; groups: string[] }): Promise<string[]> {
      const members = groups.length ? await models.ApiKey.find({ groups: { $in: groups }, revokedAt: null }, { name: 1 }).lean() : [];
      return [...new Set([...users, ...members.map((m) => m.name)])].sort();
    },

    /** The approval policies and calendars in force now; a case keeps the versions it gets here. */
    async loadApprovalPolicies(): Promise<{ policies: ApprovalPolicy[]; calendars: Record<string, Calendar> }> {
      const policies = (await latestPolicies<ApprovalPolicyBody>(models, 'approval-policy')).map((p) => ({ ...p.body, id: p.key, version: p.version }));
      const calendars: Record<string, Calendar> = {};
      for (const c of await latestPolicies<Omit<Calendar, 'id' | 'version'>>(models, 'calendar')) calendars[c.key] = { ...c.body, id: c.key, version: c.version };
      return { policies, calendars };
    },

    async persistApproval(record: ApprovalRecord): Promise<void> {
      await writeIfNewer(models.Approval, { id: record.id }, 'rev', record as unknown as Record<string, unknown>);
    },

    async persistTask(record: TaskRecord): Promise<void> {
      await writeIfNewer(models.Task, { id: record.id }, 'rev', record as unknown as Record<string, unknown>);
    },
  };
}
