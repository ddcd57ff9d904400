/**
 * A process's cases as an HTTP resource, declared once as data: reading one case, its history,
 * and one route per command of its state table. Every process's router mounts these the same
 * way and adds what is its own (opening a case, its lists, its policies).
 */
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Router } from 'express';
import type { Model } from 'mongoose';
import { z } from 'zod';
import type { Actor, Role } from '../domain/actor';
import { allowedWhen, type CommandArgs, type CommandOutcome, type StateTable } from '../domain/case';
import type { Models } from '../models';
import { HistoryPage } from '../domain/schemas/answers';
import { caseHistory, HistoryQuery, loadCase } from './cases';
import { sendCommand } from './commands';
import { forbidden, illegalTransition, notFound } from './problem';
import { route, type RouteSpec } from './route';

export interface CaseResource<R extends { number: string; state: string }, C extends string, V> {
  /** the collection's path: '/changes' */
  path: string;
  tag: string;
  /** what one case is called: 'change' */
  noun: string;
  model: Model<any>;
  /** the case number as a path parameter */
  number: z.ZodType<string>;
  table: StateTable<any, C>;
  /** who may read a case and its history */
  readRoles: RouteSpec['roles'];
  /** the object-level right to read a case (a requester reads only their own), checked after the role */
  mayRead?: (rec: R, actor: Actor) => boolean;
  /** the case as every answer shows it: GET and every command */
  present: (rec: R) => Promise<V>;
  /** the shape of `present`'s answer, for the OpenAPI document (and the tests' checks) */
  answer: z.ZodType;
  summaries: { one: string; history: string; commands: Record<C, string> };
  /** who may send each command (by role; one list for all of them, or one per command); the workflow then checks the case itself */
  commandRoles: readonly Role[] | Record<C, readonly Role[]>;
  commandBodies: Record<C, z.ZodType<unknown>>;
  updates: Record<C, UpdateDefinition<CommandOutcome, [CommandArgs<any>]>>;
  /**
   * read the case before sending a command (its rights and final states answered by the API);
   * otherwise the workflow refuses what the case or the actor's rights do not allow, and only a
   * case whose workflow is gone (closed, or never opened) is looked up
   */
  readFirst?: boolean;
  /**
   * Checks a command's input against the database before it is sent, and completes it with what
   * the workflow needs to know from there: what it answers is sent. For the cases a command names
   * (404 for one that does not exist, 409 for one that can no longer take part).
   */
  prepare?: { [K in C]?: (input: any, actor: Actor, number: string) => Promise<unknown> };
}

const isRoleList = (roles: readonly Role[] | Record<string, readonly Role[]>): roles is readonly Role[] => Array.isArray(roles);

/** Mounts GET {path}/:number, GET {path}/:number/history and POST {path}/:number/{command}; answers its `load`. */
export function caseRoutes<R extends { number: string; state: string }, C extends string, V>(
  router: Router,
  deps: { models: Models; client: Client },
  r: CaseResource<R, C, V>,
): { load: (number: string) => Promise<R> } {
  const { models, client } = deps;
  const NumberParam = z.strictObject({ number: r.number });

  async function load(number: string): Promise<R> {
    const rec = await loadCase<R>(r.model, number);
    if (!rec) throw notFound(`there is no ${r.noun} ${number}`);
    return rec;
  }
  const notYours = (number: string) => forbidden(`${number} is not one of your ${r.noun}s`);
  async function readable(number: string, actor: Actor): Promise<R> {
    const rec = await load(number);
    if (r.mayRead && !r.mayRead(rec, actor)) throw notYours(number);
    return rec;
  }

  route(router, {
    method: 'get',
    path: `${r.path}/:number`,
    tag: r.tag,
    summary: r.summaries.one,
    roles: r.readRoles,
    params: NumberParam,
    response: r.answer,
    handler: async ({ params: p, actor }) => r.present(await readable(p.number, actor)),
  });

  route(router, {
    method: 'get',
    path: `${r.path}/:number/history`,
    tag: r.tag,
    summary: r.summaries.history,
    roles: r.readRoles,
    params: NumberParam,
    query: HistoryQuery,
    response: HistoryPage,
    handler: async ({ params: p, query, actor }) => {
      await readable(p.number, actor);
      return caseHistory(models, p.number, query);
    },
  });

  for (const command of Object.keys(r.table.commands) as C[]) {
    route(router, {
      method: 'post',
      path: `${r.path}/:number/${command}`,
      tag: r.tag,
      summary: r.summaries.commands[command],
      description: `${allowedWhen(r.table, command)} Answers with the ${r.noun} in its new state; 409 (with its current state) when its state does not allow it.`,
      roles: isRoleList(r.commandRoles) ? r.commandRoles : r.commandRoles[command],
      params: NumberParam,
      body: r.commandBodies[command],
      response: r.answer,
      idempotent: true,
      handler: async ({ params: p, body, actor, idempotency }) => {
        if (r.readFirst) {
          const rec = await readable(p.number, actor);
          // with an Idempotency-Key the case may have ended by this very command: its outcome is looked up by the key
          if (r.table.final.includes(rec.state) && !idempotency) throw illegalTransition(`${p.number} is ${rec.state}: it takes no more commands`, rec.state);
        }
        const input = r.prepare?.[command] ? await r.prepare[command](body, actor, p.number) : body;
        await sendCommand(
          client,
          p.number,
          r.updates[command],
          { actor, input: input as never },
          async () => {
            const rec = await load(p.number);
            return r.mayRead && !r.mayRead(rec, actor) ? notYours(p.number) : rec.state;
          },
          { idempotency, models },
        );
        // answered with the case as the database holds it once the command is applied
        return r.present(await load(p.number));
      },
    });
  }
  return { load };
}
