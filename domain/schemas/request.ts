/** Catalogue items, the form a request is checked against, and a request's commands' input, as the API validates them. */
import { z } from 'zod';
import { REQUEST_STATES, type RequestCommand } from '../request';
import { VersionRef } from './answers';
import { CaseWork, EpochMs } from './work';

const name = z.string().trim().min(1).max(200);

export const FormField = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,49}$/, 'a field name such as laptopModel'),
    label: name,
    type: z.enum(['string', 'text', 'number', 'boolean', 'date', 'choice']),
    required: z.boolean().default(false),
    options: z.array(name).min(1).max(100).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .superRefine((f, ctx) => {
    if (f.type === 'choice' && !f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a choice field lists its options' });
    if (f.type !== 'choice' && f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a choice field has options' });
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must not be below min' });
  });
export type FormField = z.infer<typeof FormField>;

export const CatalogItemBody = z
  .strictObject({
    name,
    description: z.string().max(4000).default(''),
    category: name,
    active: z.boolean().default(true),
    form: z.array(FormField).max(50).default([]),
    /** the service of the portfolio the item belongs to (GET /services) */
    service: z.string().regex(/^svc-\d+$/, 'a service id such as svc-1').nullable().default(null),
    /** the approval policy requests of this item go through; none: the request-process policies are matched, and none matching means no approval */
    approvalPolicy: z.string().regex(/^ap-\d+$/).nullable().default(null),
    fulfilment: z.strictObject({
      mode: z.enum(['sequential', 'parallel']),
      tasks: z.array(z.strictObject({ title: name, group: name })).min(1).max(20),
    }),
    /** days a fulfilled request waits for the requester's confirmation before it closes */
    autoCloseDays: z.number().int().min(1).max(90).default(3),
  })
  .superRefine((item, ctx) => {
    const seen = new Set<string>();
    item.form.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['form', i, 'name'], message: `the form has two fields named ${f.name}` });
      seen.add(f.name);
    });
  });
export type CatalogItemBody = z.infer<typeof CatalogItemBody>;

/** The schema a request's fields must satisfy: built from the item's form, unknown fields refused. */
export function formSchema(form: FormField[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const f of form) {
    let s: z.ZodType;
    switch (f.type) {
      case 'string': s = z.string().trim().min(f.required ? 1 : 0).max(f.max ?? 500); break;
      case 'text': s = z.string().trim().min(f.required ? 1 : 0).max(f.max ?? 10_000); break;
      case 'number': {
        let n = z.number();
        if (f.min !== undefined) n = n.min(f.min);
        if (f.max !== undefined) n = n.max(f.max);
        s = n;
        break;
      }
      case 'boolean': s = z.boolean(); break;
      case 'date': s = z.iso.date(); break;
      case 'choice': s = z.enum(f.options as [string, ...string[]]); break;
    }
    shape[f.name] = f.required ? s : s.optional();
  }
  return z.strictObject(shape);
}

export const RaiseRequestInput = z.strictObject({
  catalogItem: z.string().regex(/^cat-\d+$/, 'a catalogue item id such as cat-1'),
  /** who it is for, when not the requester (a manager ordering for a new starter) */
  requestedFor: name.optional(),
  /** the customer it is for: the SLA agreed with them for the item's service sets its fulfilment target (else the service's SLA for every customer) */
  customer: name.optional(),
  fields: z.record(z.string(), z.unknown()).default({}),
});
export type RaiseRequestInput = z.infer<typeof RaiseRequestInput>;

export const RequestCommandInputs = {
  cancel: z.strictObject({ reason: z.string().trim().min(1).max(2000) }),
  confirm: z.strictObject({ note: z.string().trim().min(1).max(2000).optional() }),
  comment: z.strictObject({ text: z.string().trim().min(1).max(2000) }),
} satisfies Record<RequestCommand, z.ZodType>;
export type RequestCommandInput<C extends RequestCommand> = z.infer<(typeof RequestCommandInputs)[C]>;

export const RequestNumber = z.string().regex(/^REQ\d{7,}$/, 'a request number such as REQ0000001');

/** A service request's record as answers show it (instants as epoch ms): a list's item. */
export const RequestRecordAnswer = z.strictObject({
  number: RequestNumber,
  state: z.enum(REQUEST_STATES),
  catalogItem: z.strictObject({ id: z.string(), version: z.number().int(), name: z.string(), category: z.string() }).describe('the catalogue item (and its version) it was raised from'),
  fields: z.record(z.string(), z.unknown()).describe("the item's form, filled in"),
  requestedBy: z.string(),
  requestedFor: z.string(),
  openedAt: EpochMs,
  approval: z.strictObject({ policy: VersionRef.nullable(), outcome: z.enum(['approved', 'rejected', 'not_required']), reason: z.string() }).nullable(),
  customer: z.string().nullable().optional(),
  fulfilment: z.strictObject({
    mode: z.enum(['sequential', 'parallel']),
    outcome: z.enum(['done', 'failed']).nullable(),
    target: z
      .strictObject({
        sla: z.strictObject({ id: z.string(), version: z.number().int() }),
        fulfilmentMinutes: z.number().int(),
        calendar: VersionRef,
        startedAt: EpochMs,
        warningAt: EpochMs,
        dueAt: EpochMs,
        endedAt: EpochMs.nullable(),
        met: z.boolean().nullable(),
      })
      .nullable()
      .optional()
      .describe('the SLA fulfilment target it runs by (business time from the start of fulfilment); none when its SLA sets none'),
  }),
  fulfilledAt: EpochMs.nullable(),
  closedAt: EpochMs.nullable(),
  autoCloseAt: EpochMs.nullable(),
  cancelReason: z.string().nullable(),
  comments: z.array(z.strictObject({ at: EpochMs, by: z.string(), text: z.string() })),
  seq: z.number().int(),
});
/** A service request as every answer about it shows it: its record with its approvals and fulfilment tasks. */
export const RequestAnswer = RequestRecordAnswer.extend(CaseWork);
