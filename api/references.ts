/**
 * Cases name real services and CIs [ISO/IEC 20000-1 8.2, 8.2.6]: the service a case names is one
 * of the portfolio's (by name, as its answers show it), and its CIs are in the CMDB. The references
 * policy may let a process take free text for a transition period (per process; off by default).
 */
import type { ReferencingProcess } from '../domain/cmdb';
import type { ReferencesPolicyBody } from '../domain/schemas/cmdb';
import type { ServiceBody } from '../domain/schemas/service';
import type { Models } from '../models';
import { findCi } from '../models/configuration-item';
import { findLatestPolicy, latestPoliciesCounted } from '../models/policies';
import { badRequest } from './problem';

export interface Reference {
  /** where the body names it: `service`, `configurationItems.2` */
  path: string;
  kind: 'service' | 'ci';
  name: string;
}

/**
 * Refuses (400, naming each) the services and CIs a new case names that do not exist, unless the
 * process may take free text. Answers each service's name as the portfolio spells it (a case names
 * `payroll`, the record says `Payroll`, so reports find it), or as given when it is not there.
 */
export async function checkReferences(models: Models, process: ReferencingProcess, refs: Reference[]): Promise<(name: string) => string> {
  const names = new Map((await latestPoliciesCounted<ServiceBody>(models, 'service')).map((s) => [s.body.name.toLowerCase(), s.body.name]));
  const canonical = (name: string) => names.get(name.toLowerCase()) ?? name;
  if (!refs.length) return canonical;
  const policy = await findLatestPolicy<ReferencesPolicyBody>(models, 'references', 'default');
  if (policy?.body.freeText[process]) return canonical;
  const found = await Promise.all(refs.map(async (r) => (r.kind === 'service' ? names.has(r.name.toLowerCase()) : (await findCi(models, r.name)) !== null)));
  const errors = refs.flatMap((r, i) =>
    found[i] ? [] : [{ in: 'body', path: r.path, message: r.kind === 'service' ? `there is no service named ${r.name} (GET /services)` : `there is no CI ${r.name} (GET /cis)` }],
  );
  if (errors.length) throw badRequest(`${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}; a process owner may allow free text for a while (PUT /policies/references)`, errors);
  return canonical;
}
