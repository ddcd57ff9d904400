/** Which SLA an incident runs by: the active one of its service for its customer, else the service's for every customer. Pure. */

export interface SlaCandidate {
  id: string;
  version: number;
  body: { name: string; service: string; customer: string | null; active: boolean };
}

/**
 * The SLA for a service (named as cases name it) and a customer. `serviceIds` maps a service's name
 * (lower case) to its id. None: the incident SLA policy applies.
 */
export function slaFor<T extends SlaCandidate>(slas: T[], serviceIds: ReadonlyMap<string, string>, service: string, customer: string | null | undefined): T | null {
  const id = serviceIds.get(service.toLowerCase());
  return id ? slaOfService(slas, id, customer) : null;
}

/** The same for a service known by its id (a catalogue item's, a report's). */
export function slaOfService<T extends { body: { service: string; customer: string | null; active: boolean } }>(slas: T[], serviceId: string, customer: string | null | undefined): T | null {
  const mine = slas.filter((s) => s.body.active && s.body.service === serviceId);
  return (customer ? mine.find((s) => s.body.customer?.toLowerCase() === customer.toLowerCase()) : undefined) ?? mine.find((s) => s.body.customer === null) ?? null;
}
