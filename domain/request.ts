/**
 * Service request management [ISO/IEC 20000-1 8.6.2]: catalogue items (the request form, the
 * approval policy, the fulfilment tasks), and the request's states and commands. The schemas, and
 * the form each request is validated against, are in schemas/request.ts.
 */
import type { Actor } from './actor';
import { refuseByState, type StateTable, type CaseEvent } from './case';
import type { ApprovalRecord } from './approval';
import type { TaskRecord } from './task';
import type { Calendar } from './calendar';
import type { CatalogItemBody } from './schemas/request';

export type { CatalogItemBody, FormField, RaiseRequestInput, RequestCommandInput } from './schemas/request';

export type CatalogItem = CatalogItemBody & { id: string; version: number };

/** The fulfilment target a request runs by, from the SLA of its item's service (and customer), as the record keeps it. */
export interface FulfilmentTarget {
  sla: { id: string; version: number };
  fulfilmentMinutes: number;
  calendar: { id: string; version: number };
  startedAt: number;
  warningAt: number;
  dueAt: number;
  /** when fulfilment ended (all tasks done, or one failed); null while it runs */
  endedAt: number | null;
  /** ended by its due time; null while it runs */
  met: boolean | null;
}

/** What the API hands a new request's workflow: the SLA target for its item, with its calendar at the version in force. */
export interface FulfilmentAgreement {
  sla: { id: string; version: number; name: string };
  fulfilmentMinutes: number;
  warningPercent: number;
  calendar: Calendar;
}

export const REQUEST_STATES = ['approval', 'fulfilment', 'fulfilled', 'closed', 'rejected', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_COMMANDS = ['cancel', 'confirm', 'comment'] as const;
export type RequestCommand = (typeof REQUEST_COMMANDS)[number];

export const REQUEST_TABLE: StateTable<RequestState, RequestCommand> = {
  noun: 'a request',
  states: REQUEST_STATES,
  final: ['closed', 'rejected', 'cancelled'],
  commands: {
    // the requester can cancel until fulfilment starts
    cancel: { from: ['approval'], to: ['cancelled'] },
    confirm: { from: ['fulfilled'], to: ['closed'] },
    comment: { from: ['approval', 'fulfilment', 'fulfilled'], to: 'same' },
  },
};
/** What the request does by itself: approval, fulfilment by its tasks, the auto-close. */
export const REQUEST_AUTOMATIC: ReadonlyArray<{ from: RequestState; to: RequestState }> = [
  { from: 'approval', to: 'fulfilment' },
  { from: 'approval', to: 'rejected' },
  { from: 'fulfilment', to: 'fulfilled' },
  { from: 'fulfilment', to: 'closed' },
  { from: 'fulfilled', to: 'closed' },
];

export function refuseRequestCommand(r: { state: RequestState; requestedBy: string; requestedFor: string }, command: RequestCommand, actor: Actor): { kind: 'forbidden' | 'conflict'; message: string } | null {
  const wrongState = refuseByState(REQUEST_TABLE, command, r.state);
  if (wrongState) {
    const why = command === 'cancel' && r.state === 'fulfilment' ? ': fulfilment has started' : '';
    return { ...wrongState, message: wrongState.message + why };
  }
  if (actor.roles.includes('admin')) return null;
  const own = actor.name === r.requestedBy || actor.name === r.requestedFor;
  if (command === 'comment') return own || actor.roles.includes('agent') ? null : { kind: 'forbidden', message: 'only the requester or an agent can comment' };
  return own ? null : { kind: 'forbidden', message: `only the requester can ${command} this request` };
}

export function requestNumber(n: number): string {
  return `REQ${String(n).padStart(7, '0')}`;
}

// ---- the record, its history entries and its view: shared by the workflow, its activities and the API ----

export interface RequestRecord {
  number: string;
  state: RequestState;
  catalogItem: { id: string; version: number; name: string; category: string };
  fields: Record<string, unknown>;
  requestedBy: string;
  requestedFor: string;
  openedAt: number;
  approval: { policy: { id: string; version: number } | null; outcome: 'approved' | 'rejected' | 'not_required'; reason: string } | null;
  /** the customer it was raised for (its SLA), when named */
  customer?: string | null;
  fulfilment: { mode: 'sequential' | 'parallel'; outcome: 'done' | 'failed' | null; target?: FulfilmentTarget | null };
  fulfilledAt: number | null;
  closedAt: number | null;
  autoCloseAt: number | null;
  cancelReason: string | null;
  comments: Array<{ at: number; by: string; text: string }>;
  seq: number;
}

export type RequestEvent = CaseEvent<RequestState>;

export interface RequestView extends RequestRecord {
  approvals: ApprovalRecord[];
  tasks: TaskRecord[];
}
