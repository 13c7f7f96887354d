import { describe, expect, it } from 'vitest';
import { CONTACT_FORM_ANSWER, CONTACT_FORM_QUESTION, CONTACT_FORMS, PART_SYSTEM, REPLY_REQUESTED_BY } from './contact-form';
import { codeSystems, profiles, snapshotProfiles } from './profilePackage';

// The contact form's definitions held to the profiles of the package (fhir-profiles/src/main/fhir), as the hand-off
// form's is (discharge-handoff.test.ts): each payload slice is one field with the slice's part code and cardinality,
// every element the profile requires has a field or a builder rule, every target is an element of its profile.

const parts = codeSystems.get(PART_SYSTEM)!;

describe.each(CONTACT_FORMS.map((d) => [d.profile, d] as const))('the contact form definition %s', (_, definition) => {
  const profile = profiles.get(definition.profile)!;
  const differential = profile.differential.element;
  const targets = [...definition.fields.map((f) => f.target), ...definition.fixed.map((f) => f.target)];

  it('claims a Communication profile of the package', () => {
    expect(profile).toBeDefined();
    expect(profile.type).toBe('Communication');
    for (const target of targets) expect(target.profile).toBe(definition.profile);
  });

  it('has one field per payload slice, with the slice’s part code, its Japanese display and its cardinality', () => {
    const slices = differential.filter((e) => e.path === 'Communication.payload' && e.sliceName);
    expect(slices.length).toBeGreaterThan(0);
    for (const slice of slices) {
      const fields = definition.fields.filter((f) => f.target.path === slice.id);
      expect(fields, slice.id).toHaveLength(1);
      const [field] = fields;
      const pattern = differential.find((e) => e.id === `${slice.id}.extension:part.value[x]`)!.patternCoding!;
      expect(pattern.system).toBe(PART_SYSTEM);
      expect(field.part?.code, slice.id).toBe(pattern.code);
      expect(field.part?.display, slice.id).toBe(parts.concept.find((c) => c.code === pattern.code)?.display);
      expect(field.required, slice.id).toBe((slice.min ?? 0) >= 1);
      expect(field.repeats, slice.id).toBe(slice.max === '*');
    }
    // the slicing is closed: a part without a slice would be refused
    expect(definition.fields.filter((f) => f.part).map((f) => f.target.path).sort()).toEqual(slices.map((s) => s.id).sort());
  });

  it('has a field or a builder rule for every element the profile requires', () => {
    const required = differential.filter((e) => (e.min ?? 0) >= 1 && e.id.split('.').length === 2 && !e.id.includes(':'));
    const slicesRequired = differential.filter((e) => (e.min ?? 0) >= 1 && e.sliceName && e.id.split('.').length === 2);
    const covered = (id: string) => targets.some((t) => t.path === id || t.path.startsWith(`${id}:`));
    expect([...required, ...slicesRequired].map((e) => e.id).filter((id) => !covered(id))).toEqual([]);
    for (const field of definition.fields.filter((f) => f.required)) {
      const element = differential.find((e) => e.id === field.target.path);
      if (element) expect(element.min, field.id).toBeGreaterThanOrEqual(1);
    }
  });

  it('writes the categories the profile’s category slices fix', () => {
    const fixed = differential
      .filter((e) => e.path === 'Communication.category' && e.sliceName)
      .map((e) => e.patternCodeableConcept!.coding![0]);
    expect(definition.category.map((c) => ({ system: c.system, code: c.code }))).toEqual(fixed.map((c) => ({ system: c.system, code: c.code })));
  });

  it('names an element of the profile in every target', () => {
    const snapshot = snapshotProfiles.get(definition.profile);
    const ids = new Set((snapshot?.snapshot?.element ?? differential).map((e) => e.id));
    for (const target of targets) {
      if (snapshot || target.path.includes(':')) {
        expect(ids.has(target.path), `${target.path} in ${definition.profile}`).toBe(true);
      }
    }
  });

  it('offers only recipient types the profile allows, and labels every field in Japanese with a unique id', () => {
    const recipient = differential.find((e) => e.id === 'Communication.recipient')!;
    const allowed = recipient.type![0].targetProfile!.map((p) => p.split('/').pop());
    for (const field of definition.fields.filter((f) => f.type === 'references')) {
      for (const type of field.referenceTypes ?? []) expect(allowed).toContain(type);
    }
    const ids = definition.fields.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const field of definition.fields) expect(field.label).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
  });
});

describe('the contact form question', () => {
  it('asks 返信希望日 in the reply-requested-by extension slice, and only the question has recipients to choose', () => {
    const slice = profiles.get(CONTACT_FORM_QUESTION.profile)!.differential.element.find((e) => e.id === 'Communication.extension:replyRequestedBy')!;
    expect(slice.type![0].profile).toEqual([REPLY_REQUESTED_BY]);
    expect(CONTACT_FORM_QUESTION.fields.find((f) => f.target.path === slice.id)?.type).toBe('date');
    expect(CONTACT_FORM_QUESTION.fields.some((f) => f.role === 'recipient')).toBe(true);
    expect(CONTACT_FORM_ANSWER.fields.some((f) => f.role === 'recipient')).toBe(false);
  });
});
