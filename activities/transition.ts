import type { ServiceBody } from '../domain/schemas/service';
import type { SlaBody } from '../domain/schemas/service-level';
import type { CatalogItemBody } from '../domain/schemas/request';
import type { PortfolioChange, TransitionEvent, TransitionKind, TransitionPolicyBody, TransitionRecord } from '../domain/transition';
import type { Models } from '../models';
import { transitionStored } from '../models/transition';
import { findLatestPolicy, latestPolicies, latestPolicy, putPolicy } from '../models/policies';
import { persistCase } from './persist';

export function createTransitionActivities(models: Models) {
  return {
    async persistServiceTransition({ record, event }: { record: TransitionRecord; event: TransitionEvent }): Promise<void> {
      await persistCase(models, models.Transition, transitionStored, 'transition', record, event);
    },

    async loadTransitionPolicy(): Promise<{ version: number; body: TransitionPolicyBody }> {
      return latestPolicy<TransitionPolicyBody>(models, 'transition', 'default');
    },

    /**
     * What an accepted transition makes of its service in the portfolio, each as a new version:
     * a new or changed service goes live with its SLAs in force; a retired one is retired, its
     * catalogue items withdrawn and its SLAs no longer in force. A record already so is left as it
     * is (a retried activity writes nothing twice); an SLA is not put in force over another in
     * force for the same customer (one SLA per service and customer).
     */
    async transitionPortfolio({ number, kind, service }: { number: string; kind: TransitionKind; service: string }): Promise<PortfolioChange> {
      const by = number;
      const svc = await findLatestPolicy<ServiceBody>(models, 'service', service);
      if (!svc) throw new Error(`${number}: the service ${service} is no longer in the portfolio`);
      const live = kind !== 'retire';
      const status = live ? 'live' : 'retired';
      const written = svc.body.status === status ? null : await putPolicy(models, 'service', service, { ...svc.body, status }, by, svc.version);
      const out: PortfolioChange = { service: { id: service, from: written ? svc.body.status : status, to: status, version: written?.version ?? null }, slas: [], catalogItems: [] };

      const allSlas = await latestPolicies<SlaBody>(models, 'sla');
      const mine = allSlas.filter((s) => s.body.service === service || (svc.body.slas ?? []).includes(s.key));
      for (const s of mine) {
        if (s.body.active === live) {
          out.slas.push({ id: s.key, active: live, version: null, note: null });
          continue;
        }
        const twin = live && allSlas.find((o) => o.key !== s.key && o.body.active && o.body.service === s.body.service && (o.body.customer ?? '').toLowerCase() === (s.body.customer ?? '').toLowerCase());
        if (twin) {
          out.slas.push({ id: s.key, active: false, version: null, note: `${twin.key} is in force for ${s.body.customer ?? 'every customer'} already` });
          continue;
        }
        const p = await putPolicy(models, 'sla', s.key, { ...s.body, active: live }, by, s.version);
        out.slas.push({ id: s.key, active: live, version: p.version, note: null });
      }

      if (!live) {
        for (const item of (await latestPolicies<CatalogItemBody>(models, 'catalog-item')).filter((i) => i.body.service === service)) {
          const p = item.body.active ? await putPolicy(models, 'catalog-item', item.key, { ...item.body, active: false }, by, item.version) : null;
          out.catalogItems.push({ id: item.key, active: false, version: p?.version ?? null });
        }
      }
      return out;
    },
  };
}
