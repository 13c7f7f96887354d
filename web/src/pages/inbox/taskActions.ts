import type { Task } from 'fhir/r4';
import type { FhirClient } from '../../fhir/client';

// The addressee moves a hand-off Task on (docs/workflow.md "The hand-off Task"): requested → received (受領: the
// time proves delivery) → accepted (受諾). The hub lets the addressee change only the status (and reason, output,
// notes), refuses a step outside its state machine (422) and, with If-Match, a Task changed since it was read (412).

export type TaskAction = 'receive' | 'accept';

export const TASK_ACTIONS: Record<TaskAction, { from: Task['status']; to: Task['status']; label: string; contactFormLabel: string; done: string }> = {
  receive: { from: 'requested', to: 'received', label: '受領', contactFormLabel: '既読にする', done: '受領しました。' },
  accept: { from: 'received', to: 'accepted', label: '受諾', contactFormLabel: '受諾', done: '受諾しました。' },
};

/** Whether the step can be taken from the Task's state now (the hub allows no skipping: requested → accepted is 422). */
export function canTake(task: Task, action: TaskAction): boolean {
  return task.status === TASK_ACTIONS[action].from;
}

/**
 * The Task as the addressee writes it back: the version read with only its status changed (the hub stamps the times
 * and `businessStatus` itself), so that `If-Match` names the version the user saw.
 */
export function withStatus(task: Task & { id: string }, action: TaskAction): Task & { id: string } {
  if (!canTake(task, action)) {
    throw new Error(`a ${task.status} Task cannot be ${TASK_ACTIONS[action].to}`);
  }
  return { ...task, status: TASK_ACTIONS[action].to };
}

/** `PUT Task/{id}` with `If-Match: W/"<version read>"`; a 409/412 is a FhirError of kind `conflict`. */
export function takeStep(client: FhirClient, task: Task & { id: string }, action: TaskAction): Promise<Task> {
  return client.update<Task>(withStatus(task, action));
}

/** What a failed step means for the user, beyond the general error text (fhir/errors.ts). */
export function stepFailureHint(kind: string): string {
  switch (kind) {
    case 'conflict':
      return 'この引継ぎは、開いた後にほかの人（または別の画面）で変更されています。「最新の状態を読み込む」を押して状態を確かめてから、もう一度操作してください。';
    case 'invalid':
      return 'この状態からはその操作はできません（例: 受領の前に受諾はできません）。最新の状態を読み込んでください。';
    case 'forbidden':
      return 'この引継ぎの宛先ではないため、状態を変えられません。';
    default:
      return '';
  }
}
