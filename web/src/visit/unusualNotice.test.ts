import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4';
import { UNUSUAL_INTERPRETATION } from './visitBundle';
import { unusualNoticeOf } from './unusualNotice';

describe('unusualNoticeOf', () => {
  it('names the patient, the item, its value and who recorded it', () => {
    const o: Observation = {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      code: { text: '体温' },
      subject: { reference: 'Patient/pat-yamada' },
      performer: [{ reference: 'PractitionerRole/role-vn', display: '加藤 美咲' }],
      valueQuantity: { value: 37.9, unit: '℃' },
      interpretation: [UNUSUAL_INTERPRETATION],
    };
    expect(unusualNoticeOf(o, { resourceType: 'Patient', name: [{ family: '山田', given: ['花子'] }] })).toEqual({
      key: 'Observation/o1',
      patientId: 'pat-yamada',
      title: 'いつもと違う: 山田 花子 — 体温 37.9℃',
      detail: '記録: 加藤 美咲',
    });
    expect(unusualNoticeOf({ ...o, code: { text: '訪問時の記録' }, valueQuantity: undefined, valueString: '口数が少ない' }, undefined).title).toBe(
      'いつもと違う: 担当の患者 — 訪問時の記録 「口数が少ない」',
    );
  });
});
