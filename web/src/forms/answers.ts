import type { FhirResource } from 'fhir/r4';
import { allFields, type DocumentDefinition, type FieldDef } from './definition';

/** One row of a `records` field: pre-filled from a hub record (`source`) or added by the user. */
export interface RecordRow {
  key: string;
  /** 病名・薬剤名・原因物質 */
  text: string;
  /** 備考・用法・症状 */
  note: string;
  /** the hub's record the row came from (copied into the document with the user's edits) */
  source?: FhirResource;
}

/** A person's role or an organisation picked from the care team or the directory. Never typed by hand. */
export interface PickedReference {
  /** PractitionerRole/x or Organization/x */
  reference: string;
  /** 氏名（職種）・所属 */
  label: string;
  /** the directory record, copied into the document (R4 documents are self-contained) */
  resource: FhirResource;
  /** the Practitioner or Organization the role names, copied too when known */
  related?: FhirResource[];
}

export type Answer = string | string[] | RecordRow[] | PickedReference[];
export type Answers = Record<string, Answer | undefined>;

export function textAnswer(answers: Answers, id: string): string {
  const value = answers[id];
  return typeof value === 'string' ? value.trim() : '';
}

export function listAnswer<T extends RecordRow | PickedReference | string>(answers: Answers, id: string): T[] {
  const value = answers[id];
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Whether a field has an answer the builder would use. */
export function isAnswered(field: FieldDef, answers: Answers): boolean {
  switch (field.type) {
    case 'records':
      return listAnswer<RecordRow>(answers, field.id).some((row) => row.text.trim() !== '');
    case 'references':
    case 'codes':
      return listAnswer(answers, field.id).length > 0;
    default:
      return textAnswer(answers, field.id) !== '';
  }
}

export const REQUIRED_MESSAGE = '入力してください（必須）';

/**
 * The required fields left empty, by field id, with the message shown at the field; only those of `fieldIds` when
 * given (one step). A required section whose fields are all optional (ADL, 認知, 栄養) needs at least one answer.
 */
export function missingAnswers(definition: DocumentDefinition, answers: Answers, fieldIds?: ReadonlySet<string>): Map<string, string> {
  const missing = new Map<string, string>();
  for (const { field } of allFields(definition)) {
    if (field.required && (!fieldIds || fieldIds.has(field.id)) && !isAnswered(field, answers)) {
      missing.set(field.id, field.type === 'references' ? '1件以上選んでください（必須）' : REQUIRED_MESSAGE);
    }
  }
  for (const section of definition.sections) {
    const entryFields = section.fields.filter((f) => f.role === 'entry');
    if (section.min === 1 && !section.emptyText && entryFields.length > 0 && entryFields.every((f) => !f.required)) {
      const first = entryFields[0];
      if ((!fieldIds || fieldIds.has(first.id)) && !entryFields.some((f) => isAnswered(f, answers))) {
        missing.set(first.id, `「${section.title}」は1項目以上入力してください（必須）`);
      }
    }
  }
  return missing;
}
