import { CS, type CodedOptions, type DocumentDefinition, type FieldDef, type ObservationSpec } from './definition';

// 退院時情報提供書（退院シート）: the national form's sections in order (docs/profiles/discharge-handoff.md §2 and §5,
// 表3 of the seeds 001:3417-3443), each field with its place in the renkei-discharge-handoff profile.
// discharge-handoff.test.ts holds this definition to the profile, its snapshot and its CodeSystems.

const SECTION = (code: string) => `Composition.section:${code}`;
const COMPOSITION = 'renkei-discharge-handoff';

const ASSISTANCE: CodedOptions = {
  system: `${CS}/assistance-level`,
  options: [
    { code: 'independent', display: '自立' },
    { code: 'supervision', display: '見守り' },
    { code: 'partial-assistance', display: '一部介助' },
    { code: 'full-assistance', display: '全介助' },
  ],
};

function observation(profile: string, code: string, display: string, category: string): ObservationSpec {
  return { profile, code: { code, display }, category };
}

/** One ADL/IADL item: a select of 自立・見守り・一部介助・全介助, an Observation of renkei-adl-observation. */
function adl(code: string, display: string): FieldDef {
  return {
    id: `adl-${code}`,
    label: display,
    type: 'code',
    required: false,
    repeats: false,
    target: { profile: 'renkei-adl-observation', path: 'Observation.value[x]' },
    role: 'entry',
    coded: ASSISTANCE,
    observation: observation('renkei-adl-observation', code, display, 'daily-living'),
  };
}

function coded(
  id: string,
  label: string,
  profile: string,
  code: string,
  category: string,
  options: CodedOptions,
  help?: string,
): FieldDef {
  return {
    id,
    label,
    ...(help ? { help } : {}),
    type: 'code',
    required: false,
    repeats: false,
    target: { profile, path: 'Observation.value[x]' },
    role: 'entry',
    coded: options,
    observation: observation(profile, code, label, category),
  };
}

function narrative(section: string, label: string, required: boolean, help?: string): FieldDef {
  return {
    id: `${section}-text`,
    label,
    ...(help ? { help } : {}),
    type: 'textarea',
    required,
    repeats: false,
    target: { profile: COMPOSITION, path: `${SECTION(section)}.text` },
    role: 'narrative',
  };
}

export const DISCHARGE_HANDOFF: DocumentDefinition = {
  kind: 'discharge-summary',
  title: '退院時情報提供書（退院シート）',
  bundleProfile: 'renkei-discharge-handoff-bundle',
  compositionProfile: COMPOSITION,
  type: [
    { system: `${CS}/care-document`, code: 'discharge-summary', display: '退院時情報提供書・退院シート' },
    { system: 'http://loinc.org', code: '18842-5', display: 'Discharge summary' },
  ],
  sectionSystem: `${CS}/discharge-handoff-section`,
  fields: [
    {
      id: 'recipients',
      label: '送付先',
      help: 'ケアチームまたは事業所の名簿から選びます。送付先ごとに引継ぎ（受領確認と算定要件の期限）が作られます。',
      type: 'references',
      required: true,
      repeats: true,
      target: { profile: COMPOSITION, path: 'Composition.extension:recipient' },
      role: 'recipient',
      referenceTypes: ['PractitionerRole', 'Organization'],
    },
  ],
  fixed: [
    { target: { profile: 'renkei-discharge-handoff-bundle', path: 'Bundle.identifier' }, source: '下書きごとに一度だけ作る番号（再送しても同じ文書）' },
    { target: { profile: 'renkei-discharge-handoff-bundle', path: 'Bundle.timestamp' }, source: '送信した日時' },
    { target: { profile: 'renkei-discharge-handoff-bundle', path: 'Bundle.entry:composition' }, source: '文書の表紙（Composition）' },
    { target: { profile: 'renkei-discharge-handoff-bundle', path: 'Bundle.entry:patient' }, source: 'ハブの患者情報（氏名・生年月日・性別・患者ID）' },
    { target: { profile: COMPOSITION, path: 'Composition.status' }, source: '確定（final）' },
    { target: { profile: COMPOSITION, path: 'Composition.type' }, source: '退院時情報提供書・退院シート' },
    { target: { profile: COMPOSITION, path: 'Composition.subject' }, source: '選んだ患者' },
    { target: { profile: COMPOSITION, path: 'Composition.encounter' }, source: '入院（入退院の日付・入院理由）' },
    { target: { profile: COMPOSITION, path: 'Composition.date' }, source: '送信した日時' },
    { target: { profile: COMPOSITION, path: 'Composition.author' }, source: 'サインインしている作成者（職種・所属）' },
    { target: { profile: COMPOSITION, path: 'Composition.title' }, source: '退院時情報提供書（退院シート）' },
    { target: { profile: COMPOSITION, path: 'Composition.custodian' }, source: '作成者の所属機関（病院）' },
  ],
  sections: [
    {
      code: 'hospital-stay',
      title: '入退院の日付・入院理由',
      min: 1,
      resource: {
        type: 'Encounter',
        profile: 'renkei-hospital-stay',
        fixed: { status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: '入院' } },
        alsoComposition: 'encounter',
        serviceProviderCustodian: true,
      },
      fields: [
        { id: 'admission-date', label: '入院日', type: 'date', required: true, repeats: false, target: { profile: 'renkei-hospital-stay', path: 'Encounter.period.start' }, role: 'element', elementType: 'date' },
        { id: 'discharge-date', label: '退院日（予定日）', help: '算定要件の期限はこの日から数えます。', type: 'date', required: true, repeats: false, target: { profile: 'renkei-hospital-stay', path: 'Encounter.period.end' }, role: 'element', elementType: 'date' },
        { id: 'admission-reason', label: '入院理由（入院原因疾患）', type: 'text', required: true, repeats: false, target: { profile: 'renkei-hospital-stay', path: 'Encounter.reasonCode' }, role: 'element', elementType: 'CodeableConcept.text' },
        { id: 'discharge-destination', label: '退院先', help: '例：自宅（長女と同居）', type: 'text', required: true, repeats: false, target: { profile: 'renkei-hospital-stay', path: 'Encounter.hospitalization.dischargeDisposition' }, role: 'element', elementType: 'CodeableConcept.text' },
      ],
    },
    {
      code: 'diagnoses',
      title: '診断名',
      min: 1,
      fields: [
        { id: 'diagnoses', label: '診断名（現在治療中の疾患）', help: 'ハブにある病名を読み込んでいます。状況（安定・不安定など）は備考に書きます。', type: 'records', required: true, repeats: true, target: { profile: COMPOSITION, path: `${SECTION('diagnoses')}.entry` }, role: 'entry', record: 'Condition' },
      ],
    },
    {
      code: 'hospital-course',
      title: '入院中の経過・治療内容',
      min: 1,
      fields: [narrative('hospital-course', '入院中の経過・治療内容', true, '手術・治療、睡眠、リハビリの経過など')],
    },
    {
      code: 'medications',
      title: '退院時の処方と服薬管理',
      min: 1,
      emptyText: '退院時の処方なし',
      fields: [
        { id: 'medications', label: '退院時の処方（薬剤名・用法）', type: 'records', required: false, repeats: true, target: { profile: COMPOSITION, path: `${SECTION('medications')}.entry` }, role: 'entry', record: 'MedicationStatement' },
        coded('medication-manager', '服薬管理者', 'renkei-medication-manager-observation', 'medication-manager', 'medication', {
          system: `${CS}/medication-manager`,
          options: [
            { code: 'self', display: '本人' },
            { code: 'family', display: '家族' },
            { code: 'visiting-nurse', display: '訪問看護' },
            { code: 'pharmacist', display: '薬剤師' },
            { code: 'facility-staff', display: '施設職員' },
          ],
        }),
        narrative('medications', '服薬管理の方法・留意点', false, '一包化、お薬カレンダーなど'),
      ],
    },
    {
      code: 'allergies',
      title: 'アレルギー・副作用歴',
      min: 1,
      emptyText: 'アレルギー・副作用歴なし（把握している範囲）',
      fields: [
        { id: 'allergies', label: 'アレルギー・副作用（原因と症状）', type: 'records', required: false, repeats: true, target: { profile: COMPOSITION, path: `${SECTION('allergies')}.entry` }, role: 'entry', record: 'AllergyIntolerance' },
      ],
    },
    {
      code: 'medical-procedures',
      title: '在宅で継続する医療処置',
      min: 1,
      emptyText: '在宅で継続する医療処置なし',
      fields: [
        {
          id: 'procedures',
          label: '在宅で継続する医療処置',
          type: 'codes',
          required: false,
          repeats: true,
          target: { profile: 'renkei-home-medical-procedure', path: 'Procedure.code' },
          role: 'entry',
          procedureProfile: 'renkei-home-medical-procedure',
          coded: {
            system: `${CS}/home-medical-procedure`,
            options: [
              { code: 'suction', display: '喀痰吸引' },
              { code: 'tube-feeding', display: '経管栄養（胃ろう等）' },
              { code: 'home-oxygen', display: '在宅酸素療法' },
              { code: 'pressure-ulcer-care', display: '褥瘡処置' },
              { code: 'urinary-catheter', display: '膀胱留置カテーテル' },
              { code: 'stoma', display: '人工肛門・人工膀胱' },
              { code: 'tpn', display: '中心静脈栄養' },
              { code: 'insulin', display: 'インスリン注射' },
              { code: 'tracheostomy', display: '気管切開' },
              { code: 'ventilator', display: '人工呼吸器' },
              { code: 'dialysis', display: '透析' },
              { code: 'pain-management', display: '疼痛管理（麻薬等）' },
            ],
          },
        },
        narrative('medical-procedures', '処置の内容・頻度・その他の処置', false, '点滴、排便コントロール、自己注射などもここに書きます'),
      ],
    },
    {
      code: 'adl',
      title: 'ADL・IADL',
      min: 1,
      fields: [
        adl('mobility', '移動'),
        adl('transfer', '移乗'),
        adl('eating', '食事'),
        adl('toileting', '排泄'),
        adl('bathing', '入浴'),
        adl('dressing', '更衣'),
        adl('grooming', '整容'),
        adl('medication-management', '服薬管理'),
        adl('money-management', '金銭管理'),
        adl('cooking', '調理'),
        adl('shopping', '買い物'),
        adl('housework', '掃除・洗濯'),
        adl('outing', '外出・交通機関の利用'),
        narrative('adl', '移動手段・排泄方法・禁忌肢位など', false),
      ],
    },
    {
      code: 'cognition',
      title: '認知機能・自立度・要介護度',
      min: 1,
      fields: [
        coded('care-level', '要介護度', 'renkei-care-level-observation', 'care-level', 'care-coordination', {
          system: `${CS}/care-level`,
          options: [
            { code: '01', display: '非該当' },
            { code: '12', display: '要支援1' },
            { code: '13', display: '要支援2' },
            { code: '21', display: '要介護1' },
            { code: '22', display: '要介護2' },
            { code: '23', display: '要介護3' },
            { code: '24', display: '要介護4' },
            { code: '25', display: '要介護5' },
            { code: 'pending', display: '申請中' },
          ],
        }),
        coded('dementia-independence', '認知症高齢者の日常生活自立度', 'renkei-dementia-independence-observation', 'dementia-independence', 'daily-living', {
          system: `${CS}/dementia-independence`,
          options: ['independent', 'I', 'IIa', 'IIb', 'IIIa', 'IIIb', 'IV', 'M'].map((code) => ({ code, display: code === 'independent' ? '自立' : code })),
        }),
        coded('bedridden-independence', '障害高齢者の日常生活自立度', 'renkei-bedridden-independence-observation', 'bedridden-independence', 'daily-living', {
          system: `${CS}/bedridden-independence`,
          options: ['independent', 'J1', 'J2', 'A1', 'A2', 'B1', 'B2', 'C1', 'C2'].map((code) => ({ code, display: code === 'independent' ? '自立' : code })),
        }),
        narrative('cognition', '認知・精神面（せん妄、徘徊、不穏など）', false),
      ],
    },
    {
      code: 'nutrition',
      title: '栄養・嚥下・口腔',
      min: 1,
      fields: [
        coded('meal-form', '食事形態', 'renkei-meal-form-observation', 'meal-form', 'daily-living', {
          system: `${CS}/meal-form`,
          options: [
            { code: 'regular', display: '常食' },
            { code: 'soft', display: '軟菜' },
            { code: 'minced', display: '刻み' },
            { code: 'pureed', display: 'ミキサー' },
            { code: 'jelly', display: 'ゼリー' },
            { code: 'tube', display: '経管' },
          ],
        }),
        coded('swallowing', '嚥下機能', 'renkei-swallowing-observation', 'swallowing', 'daily-living', {
          system: `${CS}/swallowing-status`,
          options: [
            { code: 'normal', display: '問題なし' },
            { code: 'needs-attention', display: '見守り・注意が必要' },
            { code: 'impaired', display: '嚥下障害あり' },
            { code: 'no-oral-intake', display: '経口摂取なし' },
          ],
        }),
        coded('dentures', '義歯', 'renkei-denture-observation', 'dentures', 'dental', {
          system: `${CS}/denture-status`,
          options: [
            { code: 'none', display: '義歯なし' },
            { code: 'partial', display: '部分義歯' },
            { code: 'full', display: '総義歯' },
            { code: 'not-fitting', display: '義歯あり（不適合・未使用）' },
          ],
        }),
        {
          id: 'fluid-restriction',
          label: '水分制限（1日あたり）',
          help: '制限がなければ空欄のままにします（「制限なし」として送ります）。',
          type: 'quantity',
          required: false,
          repeats: false,
          target: { profile: 'renkei-fluid-restriction-observation', path: 'Observation.value[x]' },
          role: 'entry',
          observation: observation('renkei-fluid-restriction-observation', 'fluid-restriction', '水分制限', 'daily-living'),
          unit: { code: 'mL/d', display: 'mL/日' },
          emptyValue: { valueBoolean: false },
        },
        narrative('nutrition', '食事・口腔ケアの留意点（UDF区分など）', false),
      ],
    },
    {
      code: 'wishes',
      title: '病状の説明と本人・家族の受け止め・意向',
      min: 1,
      fields: [narrative('wishes', '病状の説明と本人・家族の受け止め・退院後の生活の意向', true)],
    },
    {
      code: 'prognosis',
      title: '今後の見通しと急変時の対応',
      min: 1,
      fields: [narrative('prognosis', '予後・予測される変化と急変時の対応（医療機関・本人の希望）', true)],
    },
    {
      code: 'home-environment',
      title: '住環境・家族の介護力',
      min: 0,
      fields: [narrative('home-environment', '住環境・家族の介護力（書く場合のみ送られます）', false)],
    },
    {
      code: 'home-preparation',
      title: '在宅療養の準備と留意点',
      min: 1,
      fields: [narrative('home-preparation', '在宅療養の準備（福祉用具・住宅改修・サービス）と看護・リハビリの留意点', true)],
    },
    {
      code: 'discharge-conference',
      title: '退院前カンファレンス',
      min: 0,
      resource: {
        type: 'Encounter',
        profile: 'renkei-discharge-conference',
        fixed: { status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: '入院' } },
        partOfStay: true,
      },
      fields: [
        { id: 'conference-date', label: 'カンファレンスの日（開催した場合）', type: 'date', required: false, repeats: false, target: { profile: 'renkei-discharge-conference', path: 'Encounter.period.start' }, role: 'element', elementType: 'date' },
        {
          id: 'conference-type',
          label: '種類',
          type: 'code',
          required: false,
          repeats: false,
          target: { profile: 'renkei-discharge-conference', path: 'Encounter.type' },
          role: 'element',
          elementType: 'CodeableConcept',
          coded: {
            system: `${CS}/conference-type`,
            options: [
              { code: 'discharge-conference', display: '退院前カンファレンス' },
              { code: 'joint-discharge-guidance', display: '退院時共同指導' },
            ],
          },
        },
        { id: 'conference-participants', label: '参加者', type: 'references', required: false, repeats: true, target: { profile: 'renkei-discharge-conference', path: 'Encounter.participant.individual' }, role: 'element', elementType: 'Reference[]', referenceTypes: ['PractitionerRole'], defaultFrom: 'recipients-and-author' },
        narrative('discharge-conference', '話し合った内容・決まったこと', false),
      ],
    },
    {
      code: 'contacts',
      title: '連絡先',
      min: 1,
      fields: [
        { id: 'contacts', label: '連絡先（担当者・事業所）', help: '送付先と作成者が入っています。主治医・家族の窓口なども追加できます。', type: 'references', required: true, repeats: true, target: { profile: COMPOSITION, path: `${SECTION('contacts')}.entry` }, role: 'entry', referenceTypes: ['PractitionerRole', 'Organization'], defaultFrom: 'recipients-and-author' },
        narrative('contacts', '連絡のとり方（時間帯・窓口など）', false),
      ],
    },
  ],
  steps: [
    { id: 'patient', label: '患者', description: '患者を選びます', sections: [] },
    { id: 'stay', label: '入院と診断', description: '入退院・診断・経過', sections: ['hospital-stay', 'diagnoses', 'hospital-course'] },
    { id: 'clinical', label: '薬と処置', description: '処方・アレルギー・医療処置', sections: ['medications', 'allergies', 'medical-procedures'] },
    { id: 'living', label: '生活機能', description: 'ADL・自立度・栄養', sections: ['adl', 'cognition', 'nutrition'] },
    { id: 'home', label: '意向と在宅準備', description: '意向・見通し・住環境・準備・カンファレンス', sections: ['wishes', 'prognosis', 'home-environment', 'home-preparation', 'discharge-conference'] },
    { id: 'recipients', label: '送付先', description: '送付先と連絡先', sections: ['contacts'], fields: ['recipients'] },
    { id: 'review', label: '確認と送信', description: '内容を確認して送信', sections: [] },
  ],
};
