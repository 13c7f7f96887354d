import type { Communication, CommunicationPayload, Extension, Reference } from 'fhir/r4';
import { listAnswer, missingAnswers, textAnswer, type Answers, type PickedReference } from './answers';
import { CONTACT_FORM_PART, PART_SYSTEM, REPLY_REQUESTED_BY, type MessageDefinition } from './contact-form';
import { SD, type DocumentDefinition } from './definition';

// A filled contact form → the Communication the hub stores (renkei-contact-form-question / -answer). The hub opens
// one Task per recipient of a question and completes the question's Tasks when the answer arrives (docs/workflow.md).

/** RFC 3986 identifiers: the draft's UUID, so a retry after a failure is a conditional create of the same message. */
export const URI_SYSTEM = 'urn:ietf:rfc:3986';

export interface MessageContext {
  /** the user's PractitionerRole (Communication.sender) */
  sender: Reference;
  /** the draft's UUID, made once when the form opens */
  draftId: string;
  /** when it is sent (ISO instant) */
  now: string;
}

/** `If-None-Exist` of a message: a retry after a network failure finds the stored one instead of sending twice. */
export function ifNoneExist(message: Communication): string {
  const id = message.identifier?.find((i) => i.system === URI_SYSTEM)?.value ?? '';
  return `identifier=${encodeURIComponent(`${URI_SYSTEM}|${id}`)}`;
}

/** The required fields left empty, by field id, with the message shown at the field (as for the document forms). */
export function missingMessageAnswers(definition: MessageDefinition, answers: Answers): Map<string, string> {
  // a message has no sections: the document forms' check over its fields alone
  return missingAnswers({ fields: definition.fields, sections: [] } as unknown as DocumentDefinition, answers);
}

function requireAnswers(definition: MessageDefinition, answers: Answers): void {
  const missing = missingMessageAnswers(definition, answers);
  if (missing.size > 0) {
    throw new Error(`required answers missing: ${[...missing.keys()].join(', ')}`);
  }
}

function payloads(definition: MessageDefinition, answers: Answers): CommunicationPayload[] {
  return definition.fields
    .filter((f) => f.part && textAnswer(answers, f.id))
    .map((f) => ({
      extension: [{ url: CONTACT_FORM_PART, valueCoding: { system: PART_SYSTEM, code: f.part!.code, display: f.part!.display } }],
      contentString: textAnswer(answers, f.id),
    }));
}

function base(definition: MessageDefinition, answers: Answers, context: MessageContext): Communication {
  return {
    resourceType: 'Communication',
    meta: { profile: [`${SD}/${definition.profile}`] },
    identifier: [{ system: URI_SYSTEM, value: `urn:uuid:${context.draftId}` }],
    status: 'completed',
    category: definition.category.map((c) => ({ coding: [{ system: c.system, code: c.code, display: c.display }] })),
    sent: context.now,
    sender: context.sender,
    payload: payloads(definition, answers),
  };
}

/** The question to the home doctor: recipients picked from the care team, the parts written, 返信希望日 if any. */
export function buildQuestion(definition: MessageDefinition, answers: Answers, patient: Reference, context: MessageContext): Communication {
  requireAnswers(definition, answers);
  const replyBy = textAnswer(answers, 'reply-by');
  const topic = textAnswer(answers, 'topic');
  const message = base(definition, answers, context);
  const extension: Extension[] = replyBy ? [{ url: REPLY_REQUESTED_BY, valueDate: replyBy }] : [];
  return {
    resourceType: 'Communication',
    meta: message.meta,
    ...(extension.length ? { extension } : {}),
    identifier: message.identifier,
    status: message.status,
    category: message.category,
    subject: { reference: patient.reference, ...(patient.display ? { display: patient.display } : {}) },
    ...(topic ? { topic: { text: topic } } : {}),
    sent: message.sent,
    recipient: listAnswer<PickedReference>(answers, 'recipients').map((p) => ({ reference: p.reference, display: p.label })),
    sender: message.sender,
    payload: message.payload,
  };
}

/**
 * The physician's answer to a question: `inResponseTo` the question, sent back to the question's sender, about the
 * same patient and under the same subject line. Creating it completes the question's Tasks addressed to the answerer.
 */
export function buildAnswer(definition: MessageDefinition, answers: Answers, question: Communication & { id: string }, context: MessageContext): Communication {
  requireAnswers(definition, answers);
  if (!question.sender?.reference || !question.subject?.reference) {
    throw new Error('the question names no sender or no patient');
  }
  const message = base(definition, answers, context);
  return {
    resourceType: 'Communication',
    meta: message.meta,
    identifier: message.identifier,
    status: message.status,
    category: message.category,
    subject: { reference: question.subject.reference, ...(question.subject.display ? { display: question.subject.display } : {}) },
    inResponseTo: [{ reference: `Communication/${question.id}` }],
    ...(question.topic?.text ? { topic: { text: question.topic.text } } : {}),
    sent: message.sent,
    recipient: [{ reference: question.sender.reference, ...(question.sender.display ? { display: question.sender.display } : {}) }],
    sender: message.sender,
    payload: message.payload,
  };
}

/** The written parts of a contact form (question or answer), in the order of the CodeSystem, with their titles. */
export function contactFormParts(message: Communication): Array<{ code: string; title: string; text: string }> {
  const order = ['consultation', 'care-plan-issue', 'instruction', 'precaution'];
  const rank = (code: string) => (order.includes(code) ? order.indexOf(code) : order.length);
  return (message.payload ?? [])
    .map((p) => {
      const coding = p.extension?.find((e) => e.url === CONTACT_FORM_PART)?.valueCoding;
      return { code: coding?.code ?? '', title: coding?.display ?? '', text: p.contentString ?? '' };
    })
    .sort((a, b) => rank(a.code) - rank(b.code));
}

/** Whether a Communication is a contact form's answer (claims the answer profile, or carries the physician's parts). */
export function isContactFormAnswer(message: Communication): boolean {
  return (
    (message.meta?.profile ?? []).includes(`${SD}/renkei-contact-form-answer`) ||
    contactFormParts(message).some((p) => p.code === 'instruction' || p.code === 'precaution')
  );
}

/**
 * The hub's 422 issues at the fields of a message form, by their FHIRPath expression (the validator’s inline comments
 * removed): `Communication.payload[n]` is the field that wrote the n-th part, recipients, 返信希望日 and 件名 their
 * fields; what names no field is listed above the form.
 */
export function placeMessageIssues(
  definition: MessageDefinition,
  sent: Communication,
  issues: ReadonlyArray<{ diagnostics: string; code: string; expression: string[] }>,
): { byField: Map<string, string[]>; unplaced: string[] } {
  const byField = new Map<string, string[]>();
  const unplaced: string[] = [];
  const fieldWith = (predicate: (f: MessageDefinition['fields'][number]) => boolean) => definition.fields.find(predicate)?.id;
  for (const issue of issues) {
    const message = issue.diagnostics || issue.code;
    let field: string | undefined;
    for (const raw of issue.expression) {
      const expression = raw.replace(/\/\*.*?\*\//g, '').trim();
      const payload = expression.match(/^Communication\.payload\[(\d+)\]/);
      if (payload) {
        const code = sent.payload?.[Number(payload[1])]?.extension?.find((e) => e.url === CONTACT_FORM_PART)?.valueCoding?.code;
        field = fieldWith((f) => f.part?.code === code);
      } else if (expression.startsWith('Communication.payload')) {
        field = fieldWith((f) => Boolean(f.part && f.required));
      } else if (expression.startsWith('Communication.recipient')) {
        field = fieldWith((f) => f.role === 'recipient');
      } else if (expression.startsWith('Communication.extension')) {
        field = fieldWith((f) => f.target.path.startsWith('Communication.extension'));
      } else if (expression.startsWith('Communication.topic')) {
        field = fieldWith((f) => f.target.path === 'Communication.topic');
      }
      if (field) break;
    }
    if (field) byField.set(field, [...(byField.get(field) ?? []), message]);
    else unplaced.push(message);
  }
  return { byField, unplaced };
}
