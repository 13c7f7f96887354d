import { describe, expect, it } from 'vitest';
import { issuesOf } from '../fhir/errors';
import { buildDocument } from './builder';
import { DISCHARGE_HANDOFF } from './discharge-handoff';
import { fieldOfExpression, placeIssues } from './issues';
import { context, filledAnswers } from './testSupport';

// The expressions below are the hub's own answers to documents this builder made (a hub started with
// RENKEI_AUTH_ENABLED=false, 2026-12): a section without its text, a missing required section, an unknown recipient.

const { locator } = buildDocument(DISCHARGE_HANDOFF, filledAnswers(), context());
const at = (expression: string, diagnostics = '') => fieldOfExpression(DISCHARGE_HANDOFF, locator, expression, diagnostics);

describe('the hub’s 422 issues at the form’s fields', () => {
  it('puts a section fault at its text field (the validator’s id comment is ignored)', () => {
    const wishes = locator.sections.indexOf('wishes');
    expect(at(`Bundle.entry[0].resource/*Composition/6f1c2a9e-3b7d-4c1e-9a55-0d2e8b7c4f31*/.section[${wishes}]`)).toBe('wishes-text');
    expect(at(`Bundle.entry[0].resource.section[${wishes}].text`)).toBe('wishes-text');
  });

  it('puts a missing section (at the Composition, named in the diagnostics) at the section’s first field', () => {
    expect(
      at(
        'Bundle.entry[0].resource/*Composition/x*/',
        "必須の要素がありません (Slice 'Composition.section:prognosis': a matching slice is required, but not found)",
      ),
    ).toBe('prognosis-text');
  });

  it('puts a recipient the directory does not know at the recipients', () => {
    expect(at("Bundle.entry[0].resource.extension('http://renkei.example.jp/fhir/StructureDefinition/handoff-recipient')[0].value")).toBe('recipients');
  });

  it('puts a fault inside an entry at the field that made it, and an element of the stay at its own field', () => {
    const mobility = Object.entries(locator.entries).find(([, f]) => f === 'adl-mobility')![0];
    expect(at(`Bundle.entry[${mobility}].resource/*Observation/x*/.value.ofType(CodeableConcept)`)).toBe('adl-mobility');
    const stay = Object.entries(locator.entries).find(([, f]) => f === 'admission-date')![0];
    expect(at(`Bundle.entry[${stay}].resource.period.end`)).toBe('discharge-date');
    expect(at(`Bundle.entry[${stay}].resource.hospitalization.dischargeDisposition`)).toBe('discharge-destination');
    const diagnoses = locator.sections.indexOf('diagnoses');
    expect(at(`Bundle.entry[0].resource.section[${diagnoses}].entry[1]`)).toBe('diagnoses');
    expect(at('Bundle.entry[1].resource')).toBe('patient');
  });

  it('leaves what names no field (the author, the Bundle itself) above the form', () => {
    expect(at('Bundle.entry[0].resource.author[0]')).toBeUndefined();
    expect(at('Bundle.timestamp')).toBeUndefined();
  });

  it('places each error of an OperationOutcome and keeps its Japanese diagnostics; warnings are not shown as faults', () => {
    const wishes = locator.sections.indexOf('wishes');
    const placed = placeIssues(
      DISCHARGE_HANDOFF,
      locator,
      issuesOf({
        resourceType: 'OperationOutcome',
        issue: [
          { severity: 'error', code: 'required', expression: [`Bundle.entry[0].resource/*Composition/x*/.section[${wishes}]`], diagnostics: '必須の要素がありません (Composition.section:wishes.text: minimum required = 1)' },
          { severity: 'error', code: 'not-found', expression: ["Bundle.entry[0].resource.extension('http://renkei.example.jp/fhir/StructureDefinition/handoff-recipient')[0].value"], diagnostics: '送付先 PractitionerRole/role-nobody はこのハブの名簿にありません' },
          { severity: 'error', code: 'invariant', expression: ['Bundle'], diagnostics: '規則を満たしていません (renkei-dh-bdl-1)' },
          { severity: 'warning', code: 'processing', expression: ['Bundle.entry[3].resource'], diagnostics: 'プロファイルが見つかりません' },
        ],
      }),
    );
    expect(placed.byField.get('wishes-text')).toEqual(['必須の要素がありません (Composition.section:wishes.text: minimum required = 1)']);
    expect(placed.byField.get('recipients')![0]).toContain('名簿にありません');
    expect(placed.unplaced).toEqual(['規則を満たしていません (renkei-dh-bdl-1)']);
    expect(placed.byField.size).toBe(2);
  });
});
