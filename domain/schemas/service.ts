/**
 * The service portfolio [ISO/IEC 20000-1 8.2]: the services the provider delivers, as records a
 * process owner keeps (versioned like policies): who owns each, its customers, where it is in its
 * life (pipeline, live, retired), the configuration items it consists of and its SLAs.
 */
import { z } from 'zod';
import { Instant, ListOf } from './answers';

export const SERVICE_STATUSES = ['pipeline', 'live', 'retired'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

const name = z.string().trim().min(1).max(200);
/** what a service is known by: its id, svc-<n> */
export const ServiceId = z.string().regex(/^svc-\d+$/, 'a service id such as svc-1');

export const ServiceBody = z.strictObject({
  /** how incidents, problems, changes and requests name it; one service per name */
  name,
  description: z.string().max(4000).default(''),
  owner: name,
  customers: z.array(name).max(200).refine((c) => new Set(c).size === c.length, 'each customer once').default([]),
  status: z.enum(SERVICE_STATUSES).default('pipeline'),
  configurationItems: z.array(name).max(1000).refine((c) => new Set(c).size === c.length, 'each CI once').default([]),
  slas: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
});
export type ServiceBody = z.infer<typeof ServiceBody>;

export const ServiceAnswer = z.strictObject({
  id: ServiceId,
  version: z.number().int().min(1).describe('the version shown; a PUT over it sends it back, as `If-Match: "<version>"` or in the body'),
  updatedAt: Instant.describe('when this version was written'),
  updatedBy: z.string().describe('who wrote this version'),
  name: z.string().describe('how cases name the service'),
  description: z.string(),
  owner: z.string().describe('the service owner'),
  customers: z.array(z.string()),
  status: z.enum(SERVICE_STATUSES).describe('pipeline: being designed or built; live: in the catalogue, delivered; retired: no longer delivered'),
  configurationItems: z.array(z.string()).describe('the configuration items the service consists of'),
  slas: z.array(z.string()).describe('its service level agreements'),
});
export const ServiceList = ListOf(ServiceAnswer).describe('the latest version of every service, by name');
