import type { Organization, Patient, Practitioner, PractitionerRole } from 'fhir/r4';
import type { Answers, PickedReference } from './answers';
import type { BuildContext } from './builder';

// A filled 退院時情報提供書 (after the profile's example, 高橋 キヨ) for the builder, issue and page tests.

export const PATIENT: Patient = {
  resourceType: 'Patient',
  id: 'pat-takahashi',
  meta: { versionId: '3', lastUpdated: '2026-11-20T10:00:00+09:00' },
  identifier: [{ system: 'urn:oid:1.2.392.100495.20.3.51.11234567890', value: '00012345' }],
  name: [
    { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'IDE' }], use: 'official', family: '高橋', given: ['キヨ'] },
    { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation', valueCode: 'SYL' }], use: 'official', family: 'タカハシ', given: ['キヨ'] },
  ],
  gender: 'female',
  birthDate: '1944-05-03',
  generalPractitioner: [{ reference: 'PractitionerRole/role-home-doctor' }],
};

export const HOSPITAL: Organization = { resourceType: 'Organization', id: 'org-hospital', name: '岩手中央病院', telecom: [{ system: 'phone', value: '019-000-0000' }] };
export const MSW: Practitioner = { resourceType: 'Practitioner', id: 'prac-msw', name: [{ family: '加藤', given: ['大輔'] }] };
export const MSW_ROLE: PractitionerRole = {
  resourceType: 'PractitionerRole',
  id: 'role-msw',
  practitioner: { reference: 'Practitioner/prac-msw' },
  organization: { reference: 'Organization/org-hospital' },
  code: [{ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/profession', code: 'msw' }] }],
  healthcareService: [{ reference: 'HealthcareService/hs-1' }],
};

export const CARE_OFFICE: Organization = { resourceType: 'Organization', id: 'org-homecare', name: 'いわて在宅ケアセンター' };
export const CM: Practitioner = { resourceType: 'Practitioner', id: 'prac-care-manager', name: [{ family: '佐々木', given: ['和子'] }] };
export const CM_ROLE: PractitionerRole = {
  resourceType: 'PractitionerRole',
  id: 'role-care-manager',
  practitioner: { reference: 'Practitioner/prac-care-manager' },
  organization: { reference: 'Organization/org-homecare' },
  code: [{ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/profession', code: 'care-manager' }] }],
};

export const CM_PICKED: PickedReference = { reference: 'PractitionerRole/role-care-manager', label: '佐々木 和子（介護支援専門員）・いわて在宅ケアセンター', resource: CM_ROLE, related: [CM, CARE_OFFICE] };
export const OFFICE_PICKED: PickedReference = { reference: 'Organization/org-homecare', label: 'いわて在宅ケアセンター', resource: CARE_OFFICE };

export const DRAFT_ID = '6f1c2a9e-3b7d-4c1e-9a55-0d2e8b7c4f31';

export function context(overrides: Partial<BuildContext> = {}): BuildContext {
  return {
    base: 'http://127.0.0.1:8080/fhir',
    patient: PATIENT,
    author: MSW_ROLE,
    authorRelated: [MSW],
    custodian: HOSPITAL,
    draft: { id: DRAFT_ID },
    now: '2026-11-24T16:30:00+09:00',
    ...overrides,
  };
}

/** Every required field filled, one hub Condition kept, one allergy added, no medication (emptyReason). */
export function filledAnswers(): Answers {
  return {
    'admission-date': '2026-10-28',
    'discharge-date': '2026-11-27',
    'admission-reason': '右大腿骨頸部骨折の手術目的',
    'discharge-destination': '自宅（長女と同居）',
    diagnoses: [
      {
        key: 'Condition/cond-1',
        text: '右大腿骨頸部骨折',
        note: '人工骨頭置換術後。脱臼肢位に注意',
        source: {
          resourceType: 'Condition',
          id: 'cond-1',
          meta: { versionId: '1' },
          code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'S72.0' }], text: '大腿骨頸部骨折' },
          subject: { reference: 'Patient/pat-takahashi' },
          asserter: { reference: 'PractitionerRole/role-dr-x' },
        },
      },
      { key: 'new-1', text: '高血圧症', note: '' },
    ],
    'hospital-course-text': '10月30日 人工骨頭置換術。\nリハビリで歩行器歩行まで回復。',
    medications: [],
    allergies: [{ key: 'new-2', text: 'ロキソプロフェン', note: '蕁麻疹' }],
    procedures: ['pressure-ulcer-care'],
    'adl-mobility': 'supervision',
    'adl-bathing': 'partial-assistance',
    'care-level': 'pending',
    'meal-form': 'soft',
    'fluid-restriction': '',
    'wishes-text': '本人は自宅に帰りたいと希望。長女も介護に前向き。',
    'prognosis-text': '再転倒による骨折のおそれ。急変時は当院へ。',
    'home-preparation-text': '介護ベッド・歩行器を手配済み。',
    recipients: [CM_PICKED, OFFICE_PICKED],
    contacts: [CM_PICKED],
  };
}
