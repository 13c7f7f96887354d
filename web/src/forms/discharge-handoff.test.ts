import { describe, expect, it } from 'vitest';
import { allFields } from './definition';
import { DISCHARGE_HANDOFF } from './discharge-handoff';
import { codeSystems, profiles, snapshotProfiles, type ElementDefinition } from './profilePackage';

// The form's definition held to the profile package (fhir-profiles/src/main/fhir): every section and element the
// profile requires has a field or is set by the builder, every field's target exists, every option is a code of its
// CodeSystem with the same Japanese display. With the generated snapshots (Maven builds fhir-profiles before web),
// also every required element of the snapshot and every target element id.

const composition = profiles.get(DISCHARGE_HANDOFF.compositionProfile!)!;
const bundle = profiles.get(DISCHARGE_HANDOFF.bundleProfile!)!;

const targets = [
  ...allFields(DISCHARGE_HANDOFF).map(({ field }) => ({ ...field.target, what: `field ${field.id}` })),
  ...DISCHARGE_HANDOFF.fixed.map((f) => ({ ...f.target, what: `fixed ${f.target.path}` })),
];
// What a section's fields mean for the Composition: the section itself, its entries (entry fields, its own resource)
// and its text (a narrative field).
const sectionTargets = DISCHARGE_HANDOFF.sections.flatMap((section) => {
  const at = `Composition.section:${section.code}`;
  return [
    at,
    ...(section.resource || section.fields.some((f) => f.role === 'entry') ? [`${at}.entry`] : []),
    ...(section.fields.some((f) => f.role === 'narrative') ? [`${at}.text`] : []),
  ].map((path) => ({ profile: DISCHARGE_HANDOFF.compositionProfile, path, what: `section ${section.code}` }));
});
const fixedPaths = DISCHARGE_HANDOFF.fixed.map((f) => f.target);
/** An element is covered when a target names it or one of its children, or a builder-set element contains it. */
const covered = (profile: string, id: string) =>
  [...targets, ...sectionTargets].some((t) => t.profile === profile && (t.path === id || t.path.startsWith(id + '.') || t.path.startsWith(id + ':'))) ||
  fixedPaths.some((t) => t.profile === profile && (id.startsWith(t.path + '.') || id.startsWith(t.path + ':')));

/** Elements of a profile that must be present, not counting the children of optional parents or of other slices. */
function required(elements: ElementDefinition[]): ElementDefinition[] {
  const byId = new Map(elements.map((e) => [e.id, e]));
  return elements.filter((e) => {
    if ((e.min ?? 0) < 1 || e.max === '0') return false;
    // every ancestor must itself be required (a child of an optional element is required only when it is there)
    const parts = e.id.split('.');
    for (let n = parts.length - 1; n > 1; n--) {
      const parent = byId.get(parts.slice(0, n).join('.'));
      if (parent && (parent.min ?? 0) < 1) return false;
    }
    return e.id.split('.').length > 1;
  });
}

// Elements the builder writes whatever is answered (titles and codes of sections, Encounter and Observation
// basics), or that belong to the copied hub records; the paths the form need not name.
const WRITTEN_BY_BUILDER = [/\.title$/, /\.code$/, /^Bundle\.(type|entry)(\.|$)/, /^Composition\.section(\.code)?$/, /^Composition\.extension:recipient\.(url|value\[x\])$/];

describe('the discharge handoff form definition', () => {
  it('lists the profile sections in the order of the section code system, each with its Japanese title', () => {
    const system = codeSystems.get(DISCHARGE_HANDOFF.sectionSystem)!;
    expect(DISCHARGE_HANDOFF.sections.map((s) => s.code)).toEqual(system.concept.map((c) => c.code));
    for (const section of DISCHARGE_HANDOFF.sections) {
      expect(section.title).toBe(system.concept.find((c) => c.code === section.code)!.display);
    }
  });

  it('requires exactly the sections the profile requires (slice min), and every section is shown in a step', () => {
    for (const section of DISCHARGE_HANDOFF.sections) {
      const slice = composition.differential.element.find((e) => e.id === `Composition.section:${section.code}`);
      expect(slice, section.code).toBeDefined();
      expect(section.min, section.code).toBe(slice!.min);
      expect(DISCHARGE_HANDOFF.steps.filter((step) => step.sections.includes(section.code)), section.code).toHaveLength(1);
    }
  });

  it('has a field or a builder rule for every element the profiles require (differential)', () => {
    const missing = [
      ...required(composition.differential.element).filter((e) => !covered(composition.id, e.id) && !WRITTEN_BY_BUILDER.some((r) => r.test(e.id))),
      ...required(bundle.differential.element).filter((e) => !covered(bundle.id, e.id) && !WRITTEN_BY_BUILDER.some((r) => r.test(e.id))),
    ].map((e) => e.id);
    expect(missing).toEqual([]);
  });

  it('has a required field for every section text and section entry the profile requires', () => {
    for (const section of DISCHARGE_HANDOFF.sections) {
      for (const part of ['text', 'entry']) {
        const element = composition.differential.element.find((e) => e.id === `Composition.section:${section.code}.${part}`);
        if ((element?.min ?? 0) < 1) continue;
        const fields = section.fields.filter((f) => (part === 'text' ? f.role === 'narrative' : f.role !== 'narrative'));
        expect(fields.length, `${section.code}.${part}`).toBeGreaterThan(0);
        // an optional section is sent only when its text is written (builder.ts), so its text field may be optional
        if (part === 'text' && section.min === 1) {
          expect(fields.some((f) => f.required), `${section.code}.text`).toBe(true);
        }
      }
    }
  });

  it('names a profile of the package and an element of it in every target', () => {
    for (const target of targets) {
      const profile = profiles.get(target.profile);
      expect(profile, target.what).toBeDefined();
      expect(target.path.split('.')[0], target.what).toBe(profile!.type);
      const snapshot = snapshotProfiles.get(target.profile);
      const ids = new Set((snapshot ?? profile!).snapshot?.element.map((e) => e.id) ?? profile!.differential.element.map((e) => e.id));
      if (snapshot) {
        expect(ids.has(target.path), `${target.what}: ${target.path} in the snapshot of ${target.profile}`).toBe(true);
      } else if (target.path.includes(':')) {
        expect(ids.has(target.path.replace(/\.text$/, '')), `${target.what}: ${target.path}`).toBe(true);
      }
    }
  });

  it.runIf(snapshotProfiles.size > 0)('covers every required element of the snapshots of the Composition and Bundle profiles', () => {
    const missing = [DISCHARGE_HANDOFF.compositionProfile!, DISCHARGE_HANDOFF.bundleProfile!].flatMap((id) =>
      required(snapshotProfiles.get(id)!.snapshot!.element)
        .filter((e) => !e.id.includes('.extension:') || e.id.startsWith('Composition.extension:recipient'))
        .filter((e) => !/\.(url|system|value|div|status)$/.test(e.id) || e.id.split('.').length <= 2)
        .filter((e) => !covered(id, e.id) && !WRITTEN_BY_BUILDER.some((r) => r.test(e.id)))
        .map((e) => e.id),
    );
    expect(missing).toEqual([]);
  });

  it('offers only codes of the bound CodeSystems, with their Japanese displays', () => {
    for (const { field } of allFields(DISCHARGE_HANDOFF)) {
      for (const coded of [field.coded].filter(Boolean)) {
        const system = codeSystems.get(coded!.system);
        expect(system, field.id).toBeDefined();
        for (const option of coded!.options) {
          expect(system!.concept.find((c) => c.code === option.code)?.display, `${field.id} ${option.code}`).toBe(option.display);
        }
      }
      if (field.observation) {
        const questions = codeSystems.get('http://renkei.example.jp/fhir/CodeSystem/care-observation')!;
        expect(questions.concept.find((c) => c.code === field.observation!.code.code)?.display, field.id).toBe(field.observation.code.display);
        expect(profiles.has(field.observation.profile), field.id).toBe(true);
      }
    }
  });

  it('gives every field a Japanese label and a unique id', () => {
    const ids = allFields(DISCHARGE_HANDOFF).map(({ field }) => field.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { field } of allFields(DISCHARGE_HANDOFF)) {
      expect(field.label, field.id).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });
});
