import { describe, expect, it } from 'vitest';
import sheetFixture from '../../../e2e/fixtures/emergency-sheet-yamada.json';
import demoFixture from '../../../../keycloak/demo-fhir.json';
import type { Bundle, Consent, FhirResource, MedicationStatement, AllergyIntolerance, Patient } from 'fhir/r4';
import { emergencyView, narrativeLines, SECTION_ORDER, telHref, transportLabel, wishesOf, withPhoneLinks } from './summary';

// 山田 花子 of the demo data, her emergency sheet (the browser test writes it as her care manager) and the advance
// directive inside it (a directive of the hub's own needs the home doctor's signature: physician.spec.ts records one)
const sheet = sheetFixture as unknown as Bundle;
const demo = demoFixture as unknown as Bundle;
const patient = demo.entry!.map((e) => e.resource as FhirResource).find((r) => r.id === 'pat-yamada') as Patient;
const directive = sheet.entry!.map((e) => e.resource as FhirResource).find((r) => r.resourceType === 'Consent') as Consent;

function summary(...resources: FhirResource[]): Bundle {
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

describe('the emergency summary as the crew reads it', () => {
  it('puts the wishes first, then contacts, medications and allergies', () => {
    expect(SECTION_ORDER.slice(0, 4)).toEqual(['wishes', 'contacts', 'medications', 'allergies']);
  });

  it('reads DNAR and each treatment wish from the advance directive', () => {
    const wishes = wishesOf(directive);
    expect(wishes.cpr).toBe('dnar');
    // transport is its own line, not one treatment among others
    expect(wishes.transport).toBe('wanted');
    expect(transportLabel(wishes.transport)).toBe('救急搬送を希望する');
    expect(wishes.treatments).toEqual([
      { label: '気管挿管・人工呼吸器', wanted: false },
      { label: '胃ろう・経管栄養', wanted: false },
      { label: '点滴（輸液）', wanted: true },
    ]);
    expect(wishes.endOfLifePlace).toBe('自宅 — 住み慣れた自宅で最期まで過ごしたい');
    expect(wishes.proxy).toBe('山田 美穂（長女）');
    expect(wishesOf(undefined)).toMatchObject({ cpr: 'unknown', transport: 'unknown' });
    expect(transportLabel('unknown')).toBeUndefined();
  });

  it('takes transport wishes and contacts with their phones from the emergency sheet', () => {
    const view = emergencyView(summary(patient, sheet, directive));
    expect(view.name).toBe('山田 花子');
    expect(view.kana).toBe('ヤマダ ハナコ');
    expect(view.wishes.cpr).toBe('dnar');
    expect(view.wishes.statements[0]).toContain('救急搬送は希望する');
    expect(view.wishes.preferredHospital[0]).toContain('みちのく中央病院');
    expect(view.contacts.map((c) => [c.role, c.name, c.phones.map((p) => p.href)])).toEqual([
      ['長女（キーパーソン・代理人、盛岡市内在住）', '山田 美穂', ['tel:09000000001']],
      ['長男（東京都在住）', '山田 健二', ['tel:08000000002']],
      ['在宅主治医', 'いわて在宅クリニック 伊藤 健一', ['tel:0190002000', 'tel:09000000101']],
      ['訪問看護', 'いわて在宅ケアセンター 訪問看護ステーション', ['tel:0190002002', 'tel:08000000202']],
      ['介護支援専門員（ケアマネジャー）', 'いわて在宅ケアセンター 居宅介護支援事業所 佐々木 和子', ['tel:0190002003']],
    ]);
    expect(view.contacts[2].phones[1].label).toBe('携帯');
    expect(view.contactLines).toEqual([]);
    // no MedicationStatement or AllergyIntolerance of the hub's: the sheet's sections say them
    expect(view.medicationLines[0]).toContain('フロセミド');
    expect(view.allergyLines[0]).toContain('ペニシリン');
    expect(view.more.map((s) => s.title)).toEqual(['病名・既往歴', '医療処置・医療機器', '保険（医療保険・介護保険）']);
    expect(view.hasSheet).toBe(true);
  });

  it('uses the sheet’s own directive when the hub’s is not readable, and the hub’s records before the sheet’s text', () => {
    const medication: MedicationStatement = {
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: { reference: 'Patient/pat-yamada' },
      medicationCodeableConcept: { text: 'アムロジピン錠5mg' },
      dosage: [{ text: '1日1回 朝食後' }],
    };
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      patient: { reference: 'Patient/pat-yamada' },
      code: { text: '造影剤' },
      criticality: 'high',
      reaction: [{ manifestation: [{ text: 'アナフィラキシー' }] }],
    };
    const view = emergencyView(summary(patient, sheet, medication, allergy));
    expect(view.wishes.cpr).toBe('dnar');
    expect(view.wishes.hasDirective).toBe(true);
    expect(view.medications).toEqual([{ title: 'アムロジピン錠5mg', detail: '1日1回 朝食後' }]);
    expect(view.medicationLines).toEqual([]);
    expect(view.allergies).toEqual([{ title: '造影剤', detail: 'アナフィラキシー', severe: true }]);
  });

  it('says plainly when there is nothing: no directive, no sheet', () => {
    const view = emergencyView(summary(patient));
    expect(view.wishes).toMatchObject({ cpr: 'unknown', hasDirective: false, statements: [] });
    expect(view.contacts).toEqual([]);
    expect(view.hasSheet).toBe(false);
    expect(() => emergencyView(summary())).toThrow('患者の情報を読めませんでした');
  });

  it('reads narratives as lines of text, never markup, and makes each phone number a tel: link', () => {
    expect(narrativeLines('<div xmlns="http://www.w3.org/1999/xhtml"><p>一行目 <b>太字</b></p><p>二行目<br/>三行目</p><script>x</script></div>')).toEqual([
      '一行目 太字',
      '二行目',
      '三行目',
      'x',
    ]);
    expect(telHref('０１９-０００-２０００')).toBe('tel:0190002000');
    expect(telHref('+81 90 0000 0001')).toBe('tel:+819000000001');
    expect(withPhoneLinks('在宅主治医 019-000-2000（夜間 090-0000-0101）')).toEqual([
      '在宅主治医 ',
      { number: '019-000-2000', href: 'tel:0190002000' },
      '（夜間 ',
      { number: '090-0000-0101', href: 'tel:09000000101' },
      '）',
    ]);
    expect(withPhoneLinks('長女 ０９０－００００－０００１（携帯）')).toEqual([
      '長女 ',
      { number: '０９０－００００－０００１', href: 'tel:09000000001' },
      '（携帯）',
    ]);
  });
});
