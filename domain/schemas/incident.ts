/** An incident as it is logged, its commands' input and its number, as the API validates them. */
import { z } from 'zod';
import { INCIDENT_STATES, RESOLUTION_CODES, type IncidentCommand } from '../incident';
import { Level } from './priority';

export const IncidentState = z.enum(INCIDENT_STATES);
export type IncidentState = z.infer<typeof IncidentState>;

const text = (max: number) => z.string().trim().min(1).max(max);
const name = text(200);

export const OpenIncidentInput = z.strictObject({
  title: text(200),
  description: text(10_000),
  caller: name,
  service: name,
  configurationItem: name,
  category: name,
  impact: Level,
  urgency: Level,
});
export type OpenIncidentInput = z.infer<typeof OpenIncidentInput>;

export const IncidentCommandInputs = {
  assign: z.strictObject({ group: name, assignee: name.optional(), note: text(2000).optional() }),
  start: z.strictObject({ note: text(2000).optional() }),
  hold: z.strictObject({ reason: text(500) }),
  resume: z.strictObject({ note: text(2000).optional() }),
  resolve: z.strictObject({ resolutionCode: z.enum(RESOLUTION_CODES), resolution: text(10_000) }),
  confirm: z.strictObject({ note: text(2000).optional() }),
  reopen: z.strictObject({ reason: text(2000) }),
  close: z.strictObject({ note: text(2000) }),
  comment: z.strictObject({ text: text(2000) }),
} satisfies Record<IncidentCommand, z.ZodType>;
export type IncidentCommandInput<C extends IncidentCommand> = z.infer<(typeof IncidentCommandInputs)[C]>;

export const IncidentNumber = z.string().regex(/^INC\d{7,}$/, 'an incident number such as INC0000001');
