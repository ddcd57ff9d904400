import { verificationNumber, type VerificationEvent, type VerificationRecord } from '../domain/verification';
import type { Models } from '../models';
import { nextNumber, numberOnce } from '../models/counter';
import { dueForVerification, verificationStored, type DueVerifications } from '../models/verification';
import { persistCase } from './persist';

export function createVerificationActivities(models: Models) {
  return {
    async persistVerification({ record, event }: { record: VerificationRecord; event: VerificationEvent }): Promise<void> {
      await persistCase(models, models.Verification, verificationStored, 'verification', record, event);
    },

    /** The CIs to verify (models/verification dueForVerification). */
    dueVerifications: ({ cis }: { cis?: string[] } = {}): Promise<DueVerifications> => dueForVerification(models, cis),

    /** Marks a CI verified (as found, or with a difference recorded) by a verification case. */
    async recordVerification(v: { ci: string; case: string; result: 'verified' | 'different'; findings: string | null; by: string; at: number }): Promise<void> {
      await models.ConfigurationItem.collection.updateOne({ _id: v.ci } as never, { $set: { verifiedAt: new Date(v.at), verification: { case: v.case, result: v.result, findings: v.findings, by: v.by, at: new Date(v.at) } } });
    },

    /** The number of the day's audit, taken once (collection ci_verification_schedule), so a run repeated opens none twice. */
    auditNumber: ({ day }: { day: string }): Promise<string> =>
      numberOnce(models.Counter, 'ci_verification_schedule', day, async () => verificationNumber(await nextNumber(models.Counter, 'VER'))),
  };
}
