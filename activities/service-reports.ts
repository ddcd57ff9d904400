/**
 * The monthly service reports the schedule runs: every live service's report, for all its customers
 * and for each customer with an SLA of its own, stored; and the SLA targets missed this month and
 * the month before, each with the number of the improvement it raises (taken once, kept with the
 * report, so a run repeated raises none twice).
 */
import { SYSTEM } from '../domain/actor';
import { endsReviewPeriod, reviewNumber } from '../domain/review';
import { reviewOf, type SlaBody } from '../domain/schemas/service-level';
import { REVIEW_NUMBERS, reviewOpening, type ReviewOpening } from '../models/review';
import type { ServiceBody } from '../domain/schemas/service';
import type { Models } from '../models';
import { nextNumber, numberOnce } from '../models/counter';
import { latestPolicies } from '../models/policies';
import { periodOf, reportFor } from '../models/service-report';

export interface MissedTwice {
  /** the improvement to raise for it (IMP number) */
  improvement: string;
  /** the number was taken by this very call, so no earlier run can have raised it (absent: an older run's answer) */
  fresh?: boolean;
  /** the stored report that keeps the number */
  report?: string;
  sla: { id: string; version: number; name: string };
  service: { id: string; name: string; owner: string };
  customer: string | null;
  month: string;
  missed: string[];
}

const previousMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 2, 1));
  return d.toISOString().slice(0, 7);
};

/** What a report says was missed against an SLA's targets. */
function missedOf(report: { availability: { met: boolean | null }; incidents: { resolution: { percent: number | null } } }, sla: SlaBody): string[] {
  const out: string[] = [];
  if (report.availability.met === false) out.push(`availability below ${sla.availabilityPercent}%`);
  const c = report.incidents.resolution.percent;
  if (sla.resolutionCompliancePercent !== null && sla.resolutionCompliancePercent !== undefined && c !== null && c < sla.resolutionCompliancePercent) out.push(`resolution compliance ${c}% below ${sla.resolutionCompliancePercent}%`);
  return out;
}

/** A review the schedule opens: its number (taken once per SLA and month) and what it starts with. */
export type DueReview = ReviewOpening & { number: string; actor: typeof SYSTEM };

export function createServiceReportActivities(models: Models) {
  return {
    /**
     * The service reviews due for the period ending with `month`: one per SLA in force of a live
     * service whose review period ends then. Each number is taken once and kept (collection
     * service_review_schedule, by SLA and month), so a run repeated opens none twice.
     */
    async dueReviews({ month }: { month: string }): Promise<DueReview[]> {
      const [services, slas] = await Promise.all([latestPolicies<ServiceBody>(models, 'service'), latestPolicies<SlaBody>(models, 'sla')]);
      const due: DueReview[] = [];
      for (const sla of slas) {
        const review = reviewOf(sla.body);
        const service = services.find((s) => s.key === sla.body.service && s.body.status === 'live');
        if (!sla.body.active || !review || !service || !endsReviewPeriod(month, review.everyMonths)) continue;
        const number = await numberOnce(models.Counter, REVIEW_NUMBERS, `${sla.key}:${month}`, async () => reviewNumber(await nextNumber(models.Counter, 'REV')));
        due.push({ number, actor: SYSTEM, ...reviewOpening(sla, service, month) });
      }
      return due;
    },

    /**
     * A report's improvement number that Temporal already holds for another workflow (a database
     * restored behind its back): the report takes the next number instead, unless another run
     * changed it meanwhile. Answers the number the report now keeps, and whether it is new.
     */
    async renumberReportImprovement({ report, held }: { report: string; held: string }): Promise<{ improvement: string; fresh: boolean }> {
      const improvement = `IMP${String(await nextNumber(models.Counter, 'IMP')).padStart(7, '0')}`;
      const r = await models.ServiceReport.collection.updateOne({ _id: report as never, improvement: held }, { $set: { improvement } });
      if (r.modifiedCount === 1) return { improvement, fresh: true };
      return { improvement: (await models.ServiceReport.collection.findOne({ _id: report as never }))!.improvement as string, fresh: false };
    },

    async storeServiceReports({ month }: { month: string }): Promise<{ stored: number; missedTwice: MissedTwice[] }> {
      const period = periodOf({ month });
      const [services, slas] = await Promise.all([latestPolicies<ServiceBody>(models, 'service'), latestPolicies<SlaBody>(models, 'sla')]);
      let stored = 0;
      const missedTwice: MissedTwice[] = [];
      for (const s of services.filter((x) => x.body.status === 'live')) {
        const mine = slas.filter((a) => a.body.active && a.body.service === s.key);
        const customers = [null, ...new Set(mine.map((a) => a.body.customer).filter((c): c is string => c !== null))];
        for (const customer of customers) {
          const report = await reportFor(models, s.key, customer, period);
          if (!report) continue;
          const id = `${s.key}:${customer ?? '*'}:${month}`;
          await models.ServiceReport.collection.updateOne({ _id: id as never }, { $set: { service: s.key, customer, month, report, storedAt: new Date() } }, { upsert: true });
          stored++;
          const sla = mine.find((a) => a.body.customer === customer);
          if (!sla || !report.sla || report.sla.id !== sla.key) continue;
          const now = missedOf(report, sla.body);
          const before = (await models.ServiceReport.collection.findOne({ _id: `${s.key}:${customer ?? '*'}:${previousMonth(month)}` as never })) as { report?: typeof report } | null;
          if (!now.length || !before?.report || !missedOf(before.report, sla.body).length) continue;
          // the improvement's number, taken once for this report
          const held = (await models.ServiceReport.collection.findOne({ _id: id as never }))?.improvement as string | undefined;
          let improvement = held;
          let fresh = false;
          if (!improvement) {
            improvement = `IMP${String(await nextNumber(models.Counter, 'IMP')).padStart(7, '0')}`;
            const r = await models.ServiceReport.collection.updateOne({ _id: id as never, improvement: { $exists: false } }, { $set: { improvement } });
            fresh = r.modifiedCount === 1;
            if (!fresh) improvement = (await models.ServiceReport.collection.findOne({ _id: id as never }))!.improvement as string;
          }
          missedTwice.push({ improvement, fresh, report: id, sla: { id: sla.key, version: sla.version, name: sla.body.name }, service: { id: s.key, name: s.body.name, owner: s.body.owner }, customer, month, missed: now });
        }
      }
      return { stored, missedTwice };
    },
  };
}
