import { CS, type DocumentDefinition, type FieldDef } from './definition';

// 服薬情報提供書（薬剤師 → 主治医・介護支援専門員）: what the pharmacist saw on a home visit — the medicines, how they are
// taken (服薬状況), what is left over (残薬), side effects (副作用) and what they suggest (提案). A document Bundle of kind
// medication-report (the access policy lets pharmacists create it); each recipient gets a hand-off Task (HandoffDispatch)
// and sees it in the inbox and on the patient's timeline. The hub holds no profile of it: base R4 document rules.

const SECTION_SYSTEM = `${CS}/medication-report-section`;

function narrative(section: string, label: string, required: boolean, help?: string): FieldDef {
  return {
    id: `${section}-text`,
    label,
    ...(help ? { help } : {}),
    type: 'textarea',
    required,
    repeats: false,
    target: { profile: 'Composition', path: 'Composition.section.text' },
    role: 'narrative',
  };
}

export const MEDICATION_REPORT: DocumentDefinition = {
  kind: 'medication-report',
  title: '服薬情報提供書',
  type: [{ system: `${CS}/care-document`, code: 'medication-report', display: '服薬情報提供書' }],
  sectionSystem: SECTION_SYSTEM,
  fields: [
    {
      id: 'recipients',
      label: '送付先',
      help: '主治医と介護支援専門員をケアチームから選びます。送付先ごとに受信箱へ届きます。',
      type: 'references',
      required: true,
      repeats: true,
      target: { profile: 'Composition', path: 'Composition.extension' },
      role: 'recipient',
      referenceTypes: ['PractitionerRole', 'Organization'],
    },
  ],
  fixed: [
    { target: { profile: 'Bundle', path: 'Bundle.identifier' }, source: '下書きごとに一度だけ作る番号（再送しても同じ文書）' },
    { target: { profile: 'Bundle', path: 'Bundle.timestamp' }, source: '送信した日時' },
    { target: { profile: 'Composition', path: 'Composition.author' }, source: 'サインイン中の薬剤師の職種（PractitionerRole）' },
    { target: { profile: 'Composition', path: 'Composition.custodian' }, source: '作成者の所属機関（薬局）' },
  ],
  sections: [
    {
      code: 'medications',
      title: '処方薬',
      min: 0,
      fields: [
        { id: 'medications', label: '服用中の薬（薬剤名・用法）', help: 'ハブの記録から入っています。訪問で確かめた内容に直してください。', type: 'records', required: false, repeats: true, target: { profile: 'Composition', path: 'Composition.section.entry' }, role: 'entry', record: 'MedicationStatement' },
      ],
    },
    { code: 'adherence', title: '服薬状況', min: 1, fields: [narrative('adherence', '服薬状況（飲み忘れ・飲み方・管理の方法）', true, '例: 朝食後の薬の飲み忘れが週2回程度。お薬カレンダーで家族が確認。')] },
    { code: 'leftover', title: '残薬', min: 0, fields: [narrative('leftover', '残薬（薬剤名と残っている量）', false, '例: アムロジピン錠 5mg 10錠')] },
    { code: 'side-effects', title: '副作用', min: 0, fields: [narrative('side-effects', '副作用が疑われる症状', false, '例: ふらつき、便秘の訴え')] },
    { code: 'suggestions', title: '提案', min: 1, fields: [narrative('suggestions', '処方・服薬支援への提案', true, '例: 一包化、服用回数の見直しのご検討')] },
  ],
  steps: [
    { id: 'patient', label: '患者', description: '患者を選びます', sections: [] },
    { id: 'content', label: '服薬の状況', description: '処方薬・服薬状況・残薬・副作用・提案', sections: ['medications', 'adherence', 'leftover', 'side-effects', 'suggestions'] },
    { id: 'recipients', label: '送付先', description: '主治医・介護支援専門員', sections: [], fields: ['recipients'] },
    { id: 'review', label: '確認と送信', description: '内容を確認して送信', sections: [] },
  ],
};
