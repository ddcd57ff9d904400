/**
 * An improvement another case opens (a review's action, a nonconformity's corrective action, a
 * lesson after a transition): its own PDCA cycle, a child the opener abandons when it ends.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import { SYSTEM } from '../domain/actor';
import { improvementNumber, type RegisterImprovementInput } from '../domain/improvement';
import { improvementWorkflow } from './improvement';
import { reads } from './steps';

/** Starts it under the next IMP number; a number Temporal already holds (a database restored behind its back) is skipped, as the API does. */
export async function startImprovement(input: RegisterImprovementInput): Promise<{ number: string; child: wf.ChildWorkflowHandle<typeof improvementWorkflow> }> {
  for (let attempt = 0; ; attempt++) {
    const number = improvementNumber(await reads.nextCaseNumber('IMP'));
    try {
      const child = await wf.startChild(improvementWorkflow, { workflowId: number, parentClosePolicy: 'ABANDON', args: [{ number, actor: SYSTEM, input }] });
      return { number, child };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= 20) throw err;
    }
  }
}
