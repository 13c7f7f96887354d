import type { FhirIssue } from '../fhir/errors';
import type { Locator } from './builder';
import type { DocumentDefinition, SectionDef } from './definition';

/** The hub's 422 issues placed at the form's fields; what names no field is shown above the form. */
export interface PlacedIssues {
  byField: Map<string, string[]>;
  unplaced: string[];
}

/** The form's own step for the patient (not a field of the definition). */
export const PATIENT_FIELD = 'patient';

function firstField(section: SectionDef): string {
  return (section.fields.find((f) => f.required) ?? section.fields[0]).id;
}

function narrativeField(section: SectionDef): string {
  return (section.fields.find((f) => f.role === 'narrative') ?? section.fields[0]).id;
}

/** The field of a section's own resource (the stay, the conference) whose element the rest of the path names. */
function elementField(section: SectionDef, rest: string): string {
  const path = rest.replace(/\[\d+\]/g, '').replace(/\.ofType\([^)]*\)/g, '');
  const match = section.fields.find((f) => {
    const own = f.target.path.replace(/^[A-Za-z]+\./, '.');
    return f.role === 'element' && (path === own || path.startsWith(own + '.'));
  });
  return match?.id ?? firstField(section);
}

function sectionByDiagnostics(definition: DocumentDefinition, text: string): SectionDef | undefined {
  const code = text.match(/section:([a-z-]+)/)?.[1];
  return code ? definition.sections.find((s) => s.code === code) : undefined;
}

/**
 * Where one FHIRPath expression of the hub points in the form: the Composition's sections and recipients by their
 * index in the built document (the locator), any other entry by the field that made it.
 */
export function fieldOfExpression(definition: DocumentDefinition, locator: Locator, expression: string, diagnostics = ''): string | undefined {
  // the validator writes the resource's id after it as a FHIRPath comment: Bundle.entry[0].resource/*Composition/x*/.section[2]
  const path = expression.replace(/\/\*.*?\*\//g, '').replace(/\s+/g, '');
  const entry = path.match(/^Bundle\.entry\[(\d+)\](?:\.resource)?(.*)$/);
  if (!entry) {
    return sectionByDiagnostics(definition, diagnostics) ? firstField(sectionByDiagnostics(definition, diagnostics)!) : undefined;
  }
  const index = Number(entry[1]);
  const rest = entry[2];
  if (index === 0) {
    const section = rest.match(/^\.section\[(\d+)\](.*)$/);
    if (section) {
      const code = locator.sections[Number(section[1])];
      const def = definition.sections.find((s) => s.code === code);
      if (!def) return undefined;
      const inner = section[2];
      const sectionEntry = inner.match(/^\.entry\[(\d+)\]/);
      if (sectionEntry) {
        return locator.sectionEntries[code]?.[Number(sectionEntry[1])] ?? firstField(def);
      }
      return /^\.(text|emptyReason)/.test(inner) ? narrativeField(def) : firstField(def);
    }
    if (/^\.extension/.test(rest) && (rest.includes('handoff-recipient') || /^\.extension\[\d+\]/.test(rest))) {
      return definition.fields.find((f) => f.role === 'recipient')?.id;
    }
    if (/^\.subject/.test(rest)) return PATIENT_FIELD;
    if (/^\.encounter/.test(rest)) {
      const stay = definition.sections.find((s) => s.resource?.alsoComposition === 'encounter');
      return stay ? firstField(stay) : undefined;
    }
    const named = sectionByDiagnostics(definition, diagnostics);
    if (named) return firstField(named);
    if (/extension:recipient|handoff-recipient/.test(diagnostics)) {
      return definition.fields.find((f) => f.role === 'recipient')?.id;
    }
    return undefined;
  }
  const field = locator.entries[index];
  if (!field || field === PATIENT_FIELD) return field;
  const owner = definition.sections.find((s) => s.fields.some((f) => f.id === field));
  return owner?.resource ? elementField(owner, rest) : field;
}

/** Each error of a 422 at its field (several expressions: the first that names a field). */
export function placeIssues(definition: DocumentDefinition, locator: Locator, issues: readonly FhirIssue[]): PlacedIssues {
  const byField = new Map<string, string[]>();
  const unplaced: string[] = [];
  for (const issue of issues) {
    if (issue.severity !== 'error' && issue.severity !== 'fatal') continue;
    const message = issue.diagnostics || '内容に誤りがあります';
    const expressions = issue.expression.length > 0 ? issue.expression : [''];
    const field = expressions.map((e) => fieldOfExpression(definition, locator, e, issue.diagnostics)).find(Boolean);
    if (field) {
      byField.set(field, [...(byField.get(field) ?? []), message]);
    } else {
      unplaced.push(message);
    }
  }
  return { byField, unplaced };
}
