import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  Composition,
  CompositionSection,
  Condition,
  Encounter,
  FhirResource,
  MedicationStatement,
  Observation,
  Organization,
  Patient,
  PractitionerRole,
  Procedure,
  Reference,
} from 'fhir/r4';
import { listAnswer, textAnswer, type Answers, type PickedReference, type RecordRow } from './answers';
import { CS, SD, type DocumentDefinition, type FieldDef, type SectionDef } from './definition';

/** One draft: its identity is fixed once, so a retry after a network failure sends the same document. */
export interface Draft {
  /** a UUID: Bundle.identifier urn:uuid:<id>, Composition.id, and the prefix of the ids of new entries */
  id: string;
  /** when the user first pressed 送信 (Bundle.timestamp, Composition.date); kept for a retry of the same content */
  sentAt?: string;
}

export function newDraft(uuid: () => string = () => crypto.randomUUID()): Draft {
  return { id: uuid() };
}

export interface BuildContext {
  /** the hub's FHIR base as an absolute URL (fullUrls of the entries), e.g. https://hub.example/fhir */
  base: string;
  patient: Patient;
  /** the signed-in user's PractitionerRole: Composition.author */
  author: PractitionerRole;
  /** the user's organisation: Composition.custodian, the stay's serviceProvider */
  custodian: Organization;
  /** records the author's role names (its Practitioner), copied so its references resolve */
  authorRelated?: FhirResource[];
  draft: Draft;
  /** ISO instant: Bundle.timestamp and Composition.date */
  now: string;
}

/** Where each part of the built Bundle came from, to put the hub's 422 issues at their fields (issues.ts). */
export interface Locator {
  /** Bundle.entry index → field id */
  entries: Record<number, string>;
  /** Composition.section index → section code */
  sections: string[];
  /** the Composition's entry index of each section's n-th entry → field id, by section code */
  sectionEntries: Record<string, string[]>;
}

export interface Built {
  bundle: Bundle;
  locator: Locator;
}

const EMPTY_REASON = 'http://terminology.hl7.org/CodeSystem/list-empty-reason';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text as the section's XHTML narrative: one paragraph per line. */
export function narrativeOf(text: string): { status: 'additional'; div: string } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return {
    status: 'additional',
    div: `<div xmlns="http://www.w3.org/1999/xhtml">${lines.map((l) => `<p>${escapeXml(l)}</p>`).join('')}</div>`,
  };
}

/** The calendar day in Japan of an instant (effective dates of the care Observations). */
function japanDate(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3600_000).toISOString().slice(0, 10);
}

function ref(resource: FhirResource, display?: string): Reference {
  return { reference: `${resource.resourceType}/${resource.id}`, ...(display ? { display } : {}) };
}

/** A hub record as it goes into the document: its content without the hub's meta and narrative. */
function copyOf<T extends FhirResource>(resource: T): T {
  const copy = structuredClone(resource) as T & { meta?: unknown; text?: unknown };
  delete copy.meta;
  delete copy.text;
  return copy;
}

class EntryList {
  readonly entries: BundleEntry[] = [];
  readonly fields: Record<number, string> = {};
  private readonly index = new Map<string, number>();

  constructor(private readonly base: string) {}

  /** Adds a resource once (by Type/id); returns its Reference. */
  add(resource: FhirResource, field?: string): Reference {
    const key = `${resource.resourceType}/${resource.id}`;
    if (!this.index.has(key)) {
      this.index.set(key, this.entries.length);
      if (field) {
        this.fields[this.entries.length] = field;
      }
      this.entries.push({ fullUrl: `${this.base}/${key}`, resource });
    }
    return { reference: key };
  }

  has(reference: string): boolean {
    return this.index.has(reference);
  }
}

/**
 * R4 documents are self-contained: a reference inside a copied record that names nothing in the document (a
 * Condition's asserter, a role's healthcare service) keeps only its display, or goes.
 */
function selfContained(value: unknown, list: EntryList): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => selfContained(v, list)).filter((v) => v !== undefined);
  }
  if (!value || typeof value !== 'object') {
    return value;
  }
  const object = value as Record<string, unknown>;
  if (typeof object.reference === 'string' && !object.reference.startsWith('#') && !list.has(object.reference)) {
    const { reference: _gone, ...rest } = object;
    void _gone;
    return rest.display || rest.identifier ? rest : undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(object)) {
    const kept = selfContained(child, list);
    if (kept !== undefined && !(Array.isArray(kept) && kept.length === 0)) {
      out[key] = kept;
    }
  }
  return out;
}

function recordResource(field: FieldDef, row: RecordRow, id: string, ctx: BuildContext): FhirResource {
  const subject = ref(ctx.patient);
  const text = row.text.trim();
  const note = row.note.trim();
  switch (field.record) {
    case 'Condition': {
      const source = row.source?.resourceType === 'Condition' ? copyOf(row.source) : undefined;
      const condition: Condition = source ?? {
        resourceType: 'Condition',
        id,
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
        subject,
      };
      condition.code = { ...condition.code, text };
      if (note) condition.note = [{ text: note }];
      else delete condition.note;
      return condition;
    }
    case 'MedicationStatement': {
      const source = row.source?.resourceType === 'MedicationStatement' ? copyOf(row.source) : undefined;
      const statement: MedicationStatement = source ?? { resourceType: 'MedicationStatement', id, status: 'active', subject, medicationCodeableConcept: {} };
      statement.medicationCodeableConcept = { ...statement.medicationCodeableConcept, text };
      delete statement.medicationReference;
      if (note) statement.dosage = [{ text: note }];
      else delete statement.dosage;
      return statement;
    }
    case 'AllergyIntolerance': {
      const source = row.source?.resourceType === 'AllergyIntolerance' ? copyOf(row.source) : undefined;
      const allergy: AllergyIntolerance = source ?? {
        resourceType: 'AllergyIntolerance',
        id,
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
        patient: subject,
      };
      allergy.code = { ...allergy.code, text };
      if (source) {
        if (note) allergy.note = [{ text: note }];
        else delete allergy.note;
      } else if (note) {
        allergy.reaction = [{ manifestation: [{ text: note }] }];
      }
      return allergy;
    }
    default:
      throw new Error(`records field ${field.id} has no record kind`);
  }
}

function observationOf(field: FieldDef, value: Partial<Observation>, id: string, ctx: BuildContext, stay: Reference): Observation {
  const spec = field.observation!;
  return {
    resourceType: 'Observation',
    id,
    meta: { profile: [`${SD}/${spec.profile}`] },
    status: 'final',
    category: [{ coding: [{ system: `${CS}/care-topic`, code: spec.category }] }],
    code: { coding: [{ system: `${CS}/care-observation`, code: spec.code.code, display: spec.code.display }] },
    subject: ref(ctx.patient),
    encounter: stay,
    effectiveDateTime: japanDate(ctx.now),
    performer: [ref(ctx.author)],
    ...value,
  };
}

function codingOf(field: FieldDef, code: string) {
  const option = field.coded!.options.find((o) => o.code === code);
  return { system: field.coded!.system, code, ...(option ? { display: option.display } : {}) };
}

function addPicked(list: EntryList, picked: PickedReference, field: string): Reference {
  for (const related of picked.related ?? []) {
    list.add(copyOf(related));
  }
  return list.add(copyOf(picked.resource), field);
}

/** The section's own resource (the hospital stay, the conference) from its `element` fields; undefined when not entered. */
function sectionResource(section: SectionDef, answers: Answers, ctx: BuildContext, list: EntryList, ids: { stay: string }): Encounter | undefined {
  const spec = section.resource!;
  const elements = section.fields.filter((f) => f.role === 'element');
  if (section.min === 0 && !elements.some((f) => (f.type === 'references' ? false : textAnswer(answers, f.id) !== ''))) {
    return undefined;
  }
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: spec.alsoComposition === 'encounter' ? ids.stay : `${ctx.draft.id.slice(0, 8)}-${section.code}`,
    meta: { profile: [`${SD}/${spec.profile}`] },
    ...(structuredClone(spec.fixed) as Partial<Encounter>),
    status: (spec.fixed.status as Encounter['status']) ?? 'in-progress',
    class: spec.fixed.class as Encounter['class'],
    subject: ref(ctx.patient),
  };
  for (const field of elements) {
    const path = field.target.path.replace(/^Encounter\./, '');
    const text = textAnswer(answers, field.id);
    switch (field.elementType) {
      case 'date':
      case 'dateTime':
        if (text) setPath(encounter, path, text);
        break;
      case 'CodeableConcept.text':
        if (text) setPath(encounter, path, path === 'reasonCode' ? [{ text }] : { text });
        break;
      case 'CodeableConcept': {
        const code = text || field.coded?.options[0]?.code;
        if (code) setPath(encounter, path, path === 'type' ? [{ coding: [codingOf(field, code)] }] : { coding: [codingOf(field, code)] });
        break;
      }
      case 'Reference[]': {
        const picked = listAnswer<PickedReference>(answers, field.id);
        const refs = picked.map((p) => addPicked(list, p, field.id));
        if (refs.length === 0) refs.push(ref(ctx.author));
        encounter.participant = refs.map((individual) => ({ individual }));
        break;
      }
    }
  }
  if (spec.serviceProviderCustodian) {
    encounter.serviceProvider = ref(ctx.custodian);
  }
  if (spec.partOfStay) {
    encounter.partOf = { reference: `Encounter/${ids.stay}` };
  }
  return encounter;
}

function setPath(target: Record<string, unknown> | object, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    node[part] = (node[part] as Record<string, unknown> | undefined) ?? {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * The document Bundle the profile requires from a form's answers: the Composition first, the patient, the author's
 * role and organisation, then every entry the sections name, each once, with RESTful fullUrls on the hub's base.
 * The same answers, context and draft give the same Bundle (a resend is recognised by the hub as the same document).
 */
export function buildDocument(definition: DocumentDefinition, answers: Answers, ctx: BuildContext): Built {
  const list = new EntryList(ctx.base);
  const prefix = ctx.draft.id.slice(0, 8);
  const ids = { stay: `${prefix}-stay` };
  const compositionId = ctx.draft.id;
  // the Composition is entry 0, filled in at the end
  list.entries.push({ fullUrl: `${ctx.base}/Composition/${compositionId}`, resource: { resourceType: 'Composition' } as Composition });
  list.add(copyOf(ctx.patient), 'patient');
  list.add(copyOf(ctx.author));
  for (const related of ctx.authorRelated ?? []) list.add(copyOf(related));
  list.add(copyOf(ctx.custodian));

  const recipients = definition.fields
    .filter((f) => f.role === 'recipient')
    .flatMap((f) => listAnswer<PickedReference>(answers, f.id).map((p) => ({ field: f, ref: addPicked(list, p, f.id) })));

  const sections: CompositionSection[] = [];
  const locator: Locator = { entries: {}, sections: [], sectionEntries: {} };
  let stay: Reference | undefined;

  for (const section of definition.sections) {
    const entries: Reference[] = [];
    const entryFields: string[] = [];
    const push = (reference: Reference, field: string) => {
      entries.push(reference);
      entryFields.push(field);
    };
    let text = '';
    if (section.resource) {
      const resource = sectionResource(section, answers, ctx, list, ids);
      if (resource) {
        const reference = list.add(resource, section.fields[0].id);
        push(reference, section.fields[0].id);
        if (section.resource.alsoComposition === 'encounter') stay = reference;
      }
    }
    const stayRef = stay ?? { reference: `Encounter/${ids.stay}` };
    section.fields.forEach((field) => {
      if (field.role === 'narrative') {
        text = textAnswer(answers, field.id);
        return;
      }
      if (field.role !== 'entry') return;
      const id = (n: number | string) => `${prefix}-${field.id}-${n}`;
      switch (field.type) {
        case 'records':
          listAnswer<RecordRow>(answers, field.id)
            .filter((row) => row.text.trim())
            .forEach((row, n) => push(list.add(recordResource(field, row, id(n), ctx), field.id), field.id));
          break;
        case 'code': {
          const code = textAnswer(answers, field.id);
          if (code && field.observation) {
            push(list.add(observationOf(field, { valueCodeableConcept: { coding: [codingOf(field, code)] } }, id(0), ctx, stayRef), field.id), field.id);
          }
          break;
        }
        case 'quantity': {
          const amount = textAnswer(answers, field.id);
          const value: Partial<Observation> =
            amount && !Number.isNaN(Number(amount))
              ? { valueQuantity: { value: Number(amount), unit: field.unit!.display, system: 'http://unitsofmeasure.org', code: field.unit!.code } }
              : (field.emptyValue ?? {});
          if (amount || field.emptyValue) {
            push(list.add(observationOf(field, value, id(0), ctx, stayRef), field.id), field.id);
          }
          break;
        }
        case 'codes':
          listAnswer<string>(answers, field.id).forEach((code) => {
            const procedure: Procedure = {
              resourceType: 'Procedure',
              id: id(code),
              meta: { profile: [`${SD}/${field.procedureProfile}`] },
              status: 'in-progress',
              code: { coding: [codingOf(field, code)] },
              subject: ref(ctx.patient),
              encounter: stayRef,
            };
            push(list.add(procedure, field.id), field.id);
          });
          break;
        case 'references': {
          listAnswer<PickedReference>(answers, field.id).forEach((p) => push(addPicked(list, p, field.id), field.id));
          break;
        }
      }
    });
    if (section.min === 0 && entries.length === 0 && !text) {
      continue;
    }
    const built: CompositionSection = {
      title: section.title,
      code: { coding: [{ system: definition.sectionSystem, code: section.code, display: section.title }] },
    };
    if (text) built.text = narrativeOf(text);
    if (entries.length > 0) built.entry = entries;
    if (entries.length === 0 && section.emptyText) {
      built.emptyReason = { coding: [{ system: EMPTY_REASON, code: 'nilknown' }], text: section.emptyText };
      if (!text) built.text = narrativeOf(section.emptyText);
    }
    locator.sections.push(section.code);
    locator.sectionEntries[section.code] = entryFields;
    sections.push(built);
  }

  const composition: Composition = {
    resourceType: 'Composition',
    id: compositionId,
    ...(definition.compositionProfile ? { meta: { profile: [`${SD}/${definition.compositionProfile}`] } } : {}),
    extension: recipients.map(({ ref: value }) => ({ url: `${SD}/handoff-recipient`, valueReference: value })),
    status: 'final',
    type: { coding: definition.type.map((c) => ({ ...c })), text: definition.title.replace(/（.*$/, '') },
    subject: ref(ctx.patient),
    // a document without a stay section (服薬情報提供書) names no encounter: nothing in it to point at
    ...(stay || definition.sections.some((s) => s.resource?.alsoComposition === 'encounter') ? { encounter: stay ?? { reference: `Encounter/${ids.stay}` } } : {}),
    date: ctx.now,
    author: [ref(ctx.author)],
    title: definition.title,
    custodian: ref(ctx.custodian),
    section: sections,
  };
  list.entries[0] = { fullUrl: `${ctx.base}/Composition/${compositionId}`, resource: composition };

  const entries = list.entries.map((entry, n) =>
    n === 0 ? entry : { fullUrl: entry.fullUrl, resource: selfContained(entry.resource, list) as FhirResource },
  );
  Object.assign(locator.entries, list.fields);
  return {
    bundle: {
      resourceType: 'Bundle',
      ...(definition.bundleProfile ? { meta: { profile: [`${SD}/${definition.bundleProfile}`] } } : {}),
      identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${ctx.draft.id}` },
      type: 'document',
      timestamp: ctx.now,
      entry: entries,
    },
    locator,
  };
}
