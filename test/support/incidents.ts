/** Opening and commanding incidents straight through the Temporal client, as the API does. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Actor } from '../../domain/actor';
import type { IncidentCommand, IncidentCommandInput, IncidentRecord, OpenIncidentInput } from '../../domain/incident';
import type { Models } from '../../models';
import { incidentOpened, incidentQuery, incidentUpdates, incidentWorkflow, type IncidentUpdate } from '../../workflows/incident';

export const agent: Actor = { name: 'alice', roles: ['agent'], groups: ['network'] };
export const caller: Actor = { name: 'bob', roles: ['requester'], groups: [] };
export const desktop: Actor = { name: 'dina', roles: ['agent'], groups: ['desktop'] };

let n = 0;
export function sampleIncident(impact: 1 | 2 | 3, urgency: 1 | 2 | 3, over: Partial<OpenIncidentInput> = {}): OpenIncidentInput {
  return { title: 'VPN down', description: 'no one can connect', caller: 'bob', service: 'VPN', configurationItem: 'vpn-gw-1', category: 'network', impact, urgency, ...over };
}

export async function openIncident(client: Client, taskQueue: string, input: OpenIncidentInput, by: Actor = agent) {
  // workflow tests share the dev server with other files: numbers from a space of their own
  const number = `INC9${String(++n).padStart(3, '0')}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const handle = await client.workflow.start(incidentWorkflow, { taskQueue, workflowId: number, args: [{ number, input, actor: by }] });
  const view = await handle.executeUpdate(incidentOpened);
  return { number, handle, view };
}

/** Sends a command, then reads the incident as its workflow holds it (a command answers only where it left the case). */
export async function command<C extends IncidentCommand>(client: Client, number: string, c: C, by: Actor, input: IncidentCommandInput<C>) {
  const handle = client.workflow.getHandle(number);
  await handle.executeUpdate(incidentUpdates[c] as IncidentUpdate, { args: [{ actor: by, input: input as never }] });
  return handle.query(incidentQuery);
}

export async function stored(models: Models, number: string): Promise<IncidentRecord> {
  return (await models.Incident.findOne({ number }, { _id: 0 }).lean()) as unknown as IncidentRecord;
}

export async function historyOf(models: Models, number: string) {
  return models.Audit.find({ caseId: number }, { _id: 0 }).sort({ seq: 1 }).lean();
}

/** Retries an assertion until it holds (activities finish a moment after a timer fires). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * The one mock: a webhook target outside the product, recording what it is sent. It answers 503
 * for incidents titled "webhook down", as a paging service that is out would.
 */
export async function webhookTarget() {
  const received: Array<Record<string, unknown>> = [];
  const refused: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const msg = JSON.parse(body);
      if (msg.title === 'webhook down') {
        refused.push(msg);
        res.writeHead(503).end();
        return;
      }
      received.push(msg);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    refused,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
