import type { Bundle, Composition, CompositionSection, PractitionerRole } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { EMERGENCY_SHEET_REVISION, SECTION_SYSTEM, fieldIdOf, missingSheetAnswers, narrativeLines, reviseSheet, sheetAnswers } from './emergency-sheet';
import { codeSystems, profiles, snapshotProfiles } from './profilePackage';

// The revision form held to renkei-emergency-sheet (its sections, their cardinality and titles), and the revision
// made of the profile's example: the same document's next version, texts changed and entries kept.

const example = Object.values(import.meta.glob<unknown>('../../../fhir-profiles/src/main/fhir/Bundle-emergency-sheet-example.json', { eager: true, import: 'default' }))[0] as Bundle;
const sheet = (): Bundle & { id: string } => ({ ...structuredClone(example), id: 'sheet-1', meta: { versionId: '3' }, signature: { type: [], when: '2026-11-20T00:00:00Z', who: {}, data: 'eA==' } });
const compositionOf = (b: Bundle) => b.entry![0].resource as Composition;
const sectionOf = (b: Bundle, code: string) => compositionOf(b).section!.find((s) => s.code?.coding?.[0].code === code) as CompositionSection;

describe('the emergency sheet revision form', () => {
  const profile = profiles.get('renkei-emergency-sheet')!;
  it('has one section per slice of the profile, in the CodeSystem’s order, with its cardinality and display', () => {
    const slices = profile.differential.element.filter((e) => e.path === 'Composition.section' && e.sliceName);
    const concepts = codeSystems.get(SECTION_SYSTEM)!.concept;
    expect(EMERGENCY_SHEET_REVISION.sections.map((s) => s.code)).toEqual(concepts.map((c) => c.code));
    for (const section of EMERGENCY_SHEET_REVISION.sections) {
      const slice = slices.find((s) => s.sliceName === section.code);
      expect(slice, section.code).toBeDefined();
      expect(section.min, section.code).toBe(slice!.min);
      expect(section.title, section.code).toBe(concepts.find((c) => c.code === section.code)?.display);
    }
  });

  it('names an element of the profile in every target, one narrative field per section', () => {
    const snapshot = snapshotProfiles.get('renkei-emergency-sheet');
    const ids = new Set((snapshot?.snapshot?.element ?? profile.differential.element).map((e) => e.id));
    for (const section of EMERGENCY_SHEET_REVISION.sections) {
      expect(section.fields).toHaveLength(1);
      expect(section.fields[0].role).toBe('narrative');
      if (snapshot) expect(ids.has(section.fields[0].target.path), section.fields[0].target.path).toBe(true);
    }
  });
});

describe('the revision of a sheet', () => {
  it('starts from each section’s text, a line per paragraph, never markup', () => {
    const answers = sheetAnswers(sheet());
    expect(answers[fieldIdOf('emergency-contacts')]).toBe('1. 長男 佐々木 一郎（ササキ イチロウ、同居）090-4187-2356／自宅 019-654-3210\n2. 長女 田中 由美（タナカ ユミ）080-3362-7014');
    expect(narrativeLines('<div xmlns="http://www.w3.org/1999/xhtml"><p>a &amp; <b>b</b></p><p>  </p><p>c</p></div>')).toBe('a & b\nc');
  });

  it('is the same document’s next version: id and version kept for If-Match, texts replaced, entries kept, no signature, new date', () => {
    const before = sheet();
    const answers = { ...sheetAnswers(before), [fieldIdOf('wishes')]: '救急搬送は希望しない。\n<自宅で看取る>' };
    const next = reviseSheet(before, answers, '2026-12-07T01:00:00.000Z');
    expect(next.id).toBe('sheet-1');
    expect(next.meta?.versionId).toBe('3');
    expect(next.signature).toBeUndefined();
    expect(next.timestamp).toBe('2026-12-07T01:00:00.000Z');
    expect(compositionOf(next).date).toBe('2026-12-07T01:00:00.000Z');
    expect(sectionOf(next, 'wishes').text?.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>救急搬送は希望しない。</p><p>&lt;自宅で看取る&gt;</p></div>');
    expect(sectionOf(next, 'wishes').entry).toEqual(sectionOf(before, 'wishes').entry);
    expect(sectionOf(next, 'medications')).toEqual({ ...sectionOf(before, 'medications'), text: sectionOf(next, 'medications').text });
    expect(next.entry).toHaveLength(before.entry!.length);
    expect(before.signature, 'the sheet read is not changed').toBeDefined();
  });

  it('adds an optional section written anew, drops one emptied with nothing in it, keeps a required one with entries', () => {
    const before = sheet();
    compositionOf(before).section = compositionOf(before).section!.filter((s) => s.code?.coding?.[0].code !== 'insurance');
    const answers = { ...sheetAnswers(before), [fieldIdOf('insurance')]: '後期高齢者医療', [fieldIdOf('conditions')]: '' };
    const next = reviseSheet(before, answers, '2026-12-07T01:00:00Z');
    expect(sectionOf(next, 'insurance').text?.div).toContain('後期高齢者医療');
    expect(compositionOf(next).section!.map((s) => s.code?.coding?.[0].code)).toEqual(EMERGENCY_SHEET_REVISION.sections.map((s) => s.code));
    expect(sectionOf(next, 'conditions').text).toBeUndefined();
    expect(sectionOf(next, 'conditions').entry?.length).toBeGreaterThan(0);
    const dropped = reviseSheet(next, { ...sheetAnswers(next), [fieldIdOf('insurance')]: '' }, '2026-12-07T02:00:00Z');
    expect(sectionOf(dropped, 'insurance')).toBeUndefined();
  });

  it('names the reviser among the authors, with the role as an entry at the Composition’s base', () => {
    const role: PractitionerRole = { resourceType: 'PractitionerRole', id: 'role-physician-home', meta: { versionId: '1' }, active: true };
    const next = reviseSheet(sheet(), sheetAnswers(sheet()), '2026-12-07T01:00:00Z', { reference: { reference: 'PractitionerRole/role-physician-home', display: '伊藤 健一' }, resource: role });
    expect(compositionOf(next).author?.at(-1)).toEqual({ reference: 'PractitionerRole/role-physician-home', display: '伊藤 健一' });
    expect(next.entry?.at(-1)).toEqual({ fullUrl: 'http://renkei.example.jp/fhir/PractitionerRole/role-physician-home', resource: { resourceType: 'PractitionerRole', id: 'role-physician-home', active: true } });
    const again = reviseSheet(next, sheetAnswers(next), '2026-12-07T02:00:00Z', { reference: { reference: 'PractitionerRole/role-physician-home' }, resource: role });
    expect(again.entry).toHaveLength(next.entry!.length);
    expect(compositionOf(again).author).toHaveLength(compositionOf(next).author!.length);
  });

  it('asks for the wishes’ text, and a required section’s text when it has no entries', () => {
    const before = sheet();
    expect(missingSheetAnswers(before, sheetAnswers(before)).size).toBe(0);
    expect([...missingSheetAnswers(before, { ...sheetAnswers(before), [fieldIdOf('wishes')]: ' ' }).keys()]).toEqual([fieldIdOf('wishes')]);
    sectionOf(before, 'allergies').entry = undefined;
    expect([...missingSheetAnswers(before, { ...sheetAnswers(before), [fieldIdOf('allergies')]: '' }).keys()]).toEqual([fieldIdOf('allergies')]);
  });
});
