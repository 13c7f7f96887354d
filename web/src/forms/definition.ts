// The shape of a document form's definition (one per document kind, e.g. discharge-handoff.ts). The renderer
// (FormRenderer.tsx), the builder (builder.ts) and the error placement (issues.ts) read only this, so a form is
// changed by changing its definition; definition tests hold it to the profile (docs/web-app.md §8).

export const RENKEI = 'http://renkei.example.jp/fhir';
export const SD = `${RENKEI}/StructureDefinition`;
export const CS = `${RENKEI}/CodeSystem`;

export interface CodeOption {
  code: string;
  /** the CodeSystem's Japanese display (the definition test compares them) */
  display: string;
}

export interface CodedOptions {
  system: string;
  options: readonly CodeOption[];
}

/**
 * How a field is entered:
 * - `text` one line, `textarea` several lines, `date` a calendar day (YYYY-MM-DD)
 * - `code` one of `coded.options` (a select), `codes` several of them (checkboxes)
 * - `quantity` a number in `unit` (empty: "not restricted", see `emptyValue`)
 * - `records` a list of short entries (a name and a note each) that the hub's records pre-fill and the user edits
 * - `references` people or organisations picked from the care team or the directory (never typed)
 */
export type FieldType = 'text' | 'textarea' | 'date' | 'code' | 'codes' | 'quantity' | 'records' | 'references';

/** Where a field's answer goes in the document: the profile and the element (its snapshot id). */
export interface FieldTarget {
  /** StructureDefinition id, e.g. renkei-discharge-handoff, renkei-hospital-stay, or a base type's name (Condition) */
  profile: string;
  /** element id in that profile, e.g. Composition.section:wishes.text, Encounter.period.start */
  path: string;
}

/** A care Observation made from a `code`/`quantity` field: its question code, category and profile. */
export interface ObservationSpec {
  profile: string;
  code: CodeOption;
  /** care-topic code (the profiles fix one per observation) */
  category: string;
}

/** The resource a `records` field makes of each row. */
export type RecordKind = 'Condition' | 'MedicationStatement' | 'AllergyIntolerance';

export interface FieldDef {
  /** key of the answer (unique in the form) */
  id: string;
  /** the label in Japanese, as the national form names the item */
  label: string;
  help?: string;
  type: FieldType;
  /** the form refuses to go on without it (the profile requires it) */
  required: boolean;
  /** several answers (0..* / 1..*) */
  repeats: boolean;
  target: FieldTarget;
  /**
   * What the builder does with the answer:
   * - `narrative`: the section's text
   * - `entry`: one entry of the section per answer (records, coded observations, procedures, references)
   * - `element`: an element of the section's resource (`SectionDef.resource`)
   * - `recipient`: a handoff-recipient extension of the Composition per answer
   */
  role: 'narrative' | 'entry' | 'element' | 'recipient';
  coded?: CodedOptions;
  observation?: ObservationSpec;
  /** `records`: the resource of each row */
  record?: RecordKind;
  /** `codes` made entries: Procedure with the chosen code */
  procedureProfile?: string;
  /** `element`: the FHIR type the answer is written as */
  elementType?: 'date' | 'dateTime' | 'CodeableConcept' | 'CodeableConcept.text' | 'Reference[]';
  /** `quantity`: unit (UCUM) and what an empty answer means */
  unit?: { code: string; display: string };
  emptyValue?: { valueBoolean: boolean };
  /** `references`: which directory types may be picked */
  referenceTypes?: ReadonlyArray<'PractitionerRole' | 'Organization'>;
  /** `references`: pre-filled from the recipients and the author (contacts, conference participants) */
  defaultFrom?: 'recipients-and-author';
}

/** A resource the section is made of (one per document): the hospital stay, the conference. */
export interface SectionResource {
  type: 'Encounter';
  profile: string;
  /** elements set as they are (class, status, type …) */
  fixed: Record<string, unknown>;
  /** the Composition element that names the same resource (Composition.encounter) */
  alsoComposition?: 'encounter';
  /** part of the hospital stay (Encounter.partOf) */
  partOfStay?: boolean;
  /** serviceProvider: the custodian (the user's organisation) */
  serviceProviderCustodian?: boolean;
}

export interface SectionDef {
  code: string;
  /** Japanese title (the CodeSystem's display) */
  title: string;
  /** 1: the profile requires the section; 0: sent only when something is entered */
  min: 0 | 1;
  /**
   * When nothing is entered in a required section whose profile allows it (renkei-dh-sec-1): the section is sent
   * with emptyReason `nilknown` and this short text (base R4 cmp-1 wants text, entries or sub-sections).
   */
  emptyText?: string;
  resource?: SectionResource;
  fields: readonly FieldDef[];
}

/** Elements the builder sets itself (no field): checked against the profile like the fields. */
export interface FixedElement {
  target: FieldTarget;
  /** how the builder fills it, in Japanese (the review step shows it) */
  source: string;
}

export interface StepDef {
  id: string;
  label: string;
  description: string;
  /** the sections (by code) and the document-level fields (by id) shown in this step */
  sections: readonly string[];
  fields?: readonly string[];
}

export interface DocumentDefinition {
  kind: string;
  title: string;
  /** the Renkei profiles the document claims; none for a kind the hub holds no profile of (base R4 document) */
  bundleProfile?: string;
  compositionProfile?: string;
  /** Composition.type codings (first the care-document code the hub classifies by) */
  type: ReadonlyArray<{ system: string; code: string; display: string }>;
  sectionSystem: string;
  /** document-level fields (recipients) */
  fields: readonly FieldDef[];
  fixed: readonly FixedElement[];
  sections: readonly SectionDef[];
  steps: readonly StepDef[];
}

/** Every field of a definition, document-level first, then by section. */
export function allFields(definition: DocumentDefinition): Array<{ field: FieldDef; section?: SectionDef }> {
  return [
    ...definition.fields.map((field) => ({ field })),
    ...definition.sections.flatMap((section) => section.fields.map((field) => ({ field, section }))),
  ];
}

export function fieldById(definition: DocumentDefinition, id: string): { field: FieldDef; section?: SectionDef } | undefined {
  return allFields(definition).find((f) => f.field.id === id);
}

/** The step that shows a field (or a section), for putting an error where the user can see it. */
export function stepOfField(definition: DocumentDefinition, fieldId: string): number {
  const found = fieldById(definition, fieldId);
  return definition.steps.findIndex((step) =>
    found?.section ? step.sections.includes(found.section.code) : (step.fields ?? []).includes(fieldId),
  );
}
