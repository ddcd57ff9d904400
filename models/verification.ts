import type { Connection } from 'mongoose';
import { DEFAULT_CI_VERIFICATION_POLICY, verificationPeriodDays, type CiVerificationPolicyBody, type VerificationItemInput } from '../domain/verification';
import type { ServiceBody } from '../domain/schemas/service';
import type { Models } from '.';
import type { CiDoc } from './configuration-item';
import { findLatestPolicy, latestPolicies } from './policies';
import { findIndexed } from './query';
import { caseRecordSchema, plainCase } from './case-record';

/** CI verifications, as their workflows persist them (see domain/verification VerificationRecord), keyed by number. */
const schema = caseRecordSchema({}, {});

export const verificationModel = (conn: Connection) => conn.model('Verification', schema, 'ci_verifications');

export const verificationStored = plainCase<{ state: string; openedAt: number }>();

const DAY = 86_400_000;
/** what the audit reads of a CI */
const CI_FIELDS = { _id: 1, class: 1, owner: 1, status: 1, verifiedAt: 1 } as const;

export interface DueVerifications {
  policy: { version: number; body: CiVerificationPolicyBody };
  items: VerificationItemInput[];
  /** CIs asked for by name that the CMDB does not have */
  unknown: string[];
  /** CIs asked for by name that cannot be verified now: retired, or being verified (with the case) */
  refused: string[];
}

/** The CIs some open verification is checking already. */
async function underVerification(models: Models): Promise<Map<string, string>> {
  const open = await findIndexed<{ number: string; items: Array<{ ci: string; result: string | null }> }>(models.Verification, { open: true }, { sort: [['_id', -1]], limit: 1000, projection: { number: 1, items: 1 } });
  return new Map(open.flatMap((v) => v.items.filter((i) => i.result === null).map((i) => [i.ci, v.number] as const)));
}

/**
 * The CIs to verify: those named, or those the policy says are due (not verified within their
 * class's period, the longest unverified first, not retired, none under an open verification),
 * at most the policy's maxPerAudit; each with its owner group and the service an incident
 * about it names.
 */
export async function dueForVerification(models: Models, cis?: string[]): Promise<DueVerifications> {
  const stored = await findLatestPolicy<CiVerificationPolicyBody>(models, 'ci-verification', 'default');
  const policy = { version: stored?.version ?? 0, body: { ...DEFAULT_CI_VERIFICATION_POLICY, ...(stored?.body ?? {}) } };
  const now = Date.now();
  let docs: CiDoc[];
  const unknown: string[] = [];
  const refused: string[] = [];
  if (cis) {
    const found = (await models.ConfigurationItem.collection.find({ _id: { $in: cis } } as never, { projection: CI_FIELDS }).toArray()) as unknown as CiDoc[];
    const names = new Set(found.map((d) => d._id));
    unknown.push(...cis.filter((c) => !names.has(c)));
    const busy = await underVerification(models);
    // in the order asked
    for (const d of cis.map((c) => found.find((f) => f._id === c)).filter((f): f is CiDoc => !!f)) {
      if (d.status === 'retired') refused.push(`${d._id} is retired`);
      else if (busy.has(d._id)) refused.push(`${d._id} is being verified in ${busy.get(d._id)}`);
    }
    docs = found;
  } else {
    // never verified first, then the oldest verification; a class with a shorter period is found by the cut-off of the shortest
    const shortest = Math.min(policy.body.everyDays, ...Object.values(policy.body.classes));
    const cutoff = new Date(now - shortest * DAY);
    const busy = await underVerification(models);
    const wanted = (d: CiDoc) => d.status !== 'retired' && !busy.has(d._id) && (!d.verifiedAt || d.verifiedAt.getTime() < now - verificationPeriodDays(policy.body, d.class) * DAY);
    docs = [];
    // read in pages until enough are found: retired CIs and CIs of classes with longer periods are passed over, never in the way
    const BATCH = 500;
    for (let page = 0, after = ''; docs.length < policy.body.maxPerAudit && page < 40; page++) {
      const got = await findIndexed<CiDoc>(models.ConfigurationItem, { verifiedAt: null, ...(after ? { _id: { $gt: after } } : {}) }, { sort: [['_id', 1]], limit: BATCH, projection: CI_FIELDS });
      docs.push(...got.filter(wanted));
      if (got.length < BATCH) break;
      after = got[got.length - 1]._id;
    }
    // paged from the last instant seen, again from that instant, so CIs verified at the same millisecond are not skipped at a page's edge
    const seen = new Set<string>();
    for (let page = 0, after: Date | null = null; docs.length < policy.body.maxPerAudit && page < 40; page++) {
      const got: CiDoc[] = await findIndexed<CiDoc>(models.ConfigurationItem, { verifiedAt: after ? { $gte: after, $lt: cutoff } : { $lt: cutoff } }, { sort: [['verifiedAt', 1], ['_id', 1]], limit: BATCH, projection: CI_FIELDS });
      const fresh = got.filter((d) => !seen.has(d._id));
      fresh.forEach((d) => seen.add(d._id));
      docs.push(...fresh.filter(wanted));
      if (got.length < BATCH || fresh.length === 0) break;
      after = got[got.length - 1].verifiedAt;
    }
  }
  const services = await latestPolicies<ServiceBody>(models, 'service');
  const serviceOf = (ci: string) => services.find((s) => s.body.status !== 'retired' && (s.body.configurationItems ?? []).includes(ci))?.body.name ?? policy.body.incident.service;
  const items = docs.slice(0, cis ? cis.length : policy.body.maxPerAudit).map((d) => ({ ci: d._id, class: d.class, group: policy.body.verifierGroup ?? d.owner, service: serviceOf(d._id), verifiedAt: d.verifiedAt ? new Date(d.verifiedAt).getTime() : null }));
  return { policy, items, unknown, refused };
}
