import type { Attachment, Bundle, Consent, ConsentProvision, Extension, Provenance, Reference } from 'fhir/r4';
import { textAnswer, type Answers } from './answers';
import { CS, SD, type CodeOption, type FieldDef } from './definition';

// 事前指示書 (advance directive, docs/profiles.md; profile renkei-advance-directive): the patient's wishes as the home
// doctor records them after 人生会議 (ACP). The fields are FieldDefs rendered by the document forms' FieldInput; the
// builder writes the Consent (scope adr) with the scanned signed form as sourceAttachment (its SHA-1 hash, which the
// witness's signature covers) and the transaction the hub requires: the Consent and a Provenance whose signature is the
// witnessing physician's detached JWS (Consent Witness, docs/signatures.md "The advance directive's agreement").
// A revision is a new directive: the hub marks the previous one inactive in the same write (workflow CurrentVersions).

const P = 'renkei-advance-directive';
export const LIFE_SUSTAINING = `${CS}/life-sustaining-treatment`;
export const END_OF_LIFE_PLACE = `${CS}/end-of-life-place`;
export const END_OF_LIFE_PLACE_EXTENSION = `${SD}/end-of-life-place`;
export const PROVENANCE_PATIENT = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Provenance.patient';
export const SIGNATURE_TYPES = 'urn:iso-astm:E1762-95:2013';
export const CONSENT_WITNESS = '1.2.840.10065.1.12.1.11';
export const TARGET_FORMAT = 'application/fhir+json;canonicalization=http://hl7.org/fhir/canonicalization/json';
/** 厚生労働省「人生の最終段階における医療・ケアの決定プロセスに関するガイドライン」: the policy the directive follows (R4 ppc-1). */
export const ACP_POLICY = 'https://www.mhlw.go.jp/stf/newpage_02783.html';

/** The treatments asked about, in the order of the paper forms (the CodeSystem's displays). */
export const TREATMENTS: readonly CodeOption[] = [
  { code: 'cpr', display: '心肺蘇生' },
  { code: 'hospital-transport', display: '救急搬送' },
  { code: 'mechanical-ventilation', display: '気管挿管・人工呼吸器' },
  { code: 'tube-feeding', display: '胃ろう・経管栄養' },
  { code: 'iv-fluids', display: '点滴（輸液）' },
  { code: 'transfusion', display: '輸血' },
  { code: 'dialysis', display: '人工透析' },
];

export const PLACES: readonly CodeOption[] = [
  { code: 'home', display: '自宅' },
  { code: 'hospital', display: '病院' },
  { code: 'care-facility', display: '介護施設' },
  { code: 'palliative-care-unit', display: 'ホスピス・緩和ケア病棟' },
  { code: 'undecided', display: '未定' },
];

const WISH: readonly CodeOption[] = [
  { code: 'permit', display: '希望する' },
  { code: 'deny', display: '希望しない' },
];

export const treatmentField = (t: CodeOption): FieldDef => ({
  id: `treatment-${t.code}`,
  label: t.code === 'cpr' ? '心肺蘇生（DNAR の確認）' : t.display,
  help: t.code === 'cpr' ? '希望しない＝DNAR（心肺停止時に蘇生を行わない）' : t.code === 'hospital-transport' ? '急変時に病院へ救急搬送してほしいか' : undefined,
  type: 'code',
  required: false,
  repeats: false,
  target: { profile: P, path: 'Consent.provision.provision' },
  role: 'element',
  coded: { system: 'http://hl7.org/fhir/consent-provision-type', options: WISH },
});

export const DIRECTIVE_FIELDS = {
  expressedOn: {
    id: 'expressed-on',
    label: '意思を表明した日',
    help: '人生会議（ACP）で話し合い、書面に署名した日',
    type: 'date',
    required: true,
    repeats: false,
    target: { profile: P, path: 'Consent.dateTime' },
    role: 'element',
    elementType: 'date',
  },
  treatments: TREATMENTS.map(treatmentField),
  place: {
    id: 'place',
    label: '最期を過ごしたい場所（療養場所）',
    type: 'code',
    required: false,
    repeats: false,
    target: { profile: P, path: 'Consent.extension:endOfLifePlace' },
    role: 'element',
    coded: { system: END_OF_LIFE_PLACE, options: PLACES },
  },
  placeNote: {
    id: 'place-note',
    label: '療養場所についての本人の言葉',
    help: '例：住み慣れた自宅で最期まで過ごしたい',
    type: 'textarea',
    required: false,
    repeats: false,
    target: { profile: P, path: 'Consent.extension:endOfLifePlace' },
    role: 'element',
  },
} as const satisfies Record<string, FieldDef | readonly FieldDef[]>;

/** Who may be named: the patient's family and others registered as RelatedPerson. */
export interface Person {
  reference: string;
  label: string;
}

/** Everything the doctor enters besides the signature. */
export interface DirectiveInput {
  answers: Answers;
  patient: Person;
  /** who expressed the wishes: the patient or a RelatedPerson (Consent.performer) */
  performer: Person;
  /** 代理意思決定者 (provision.actor, role HPOWATT) */
  proxies: readonly Person[];
  form: SignedForm;
}

/** The scanned form the patient or proxy signed: attached whole, its SHA-1 fixed under the witness's signature. */
export interface SignedForm {
  contentType: string;
  /** base64 of the file's bytes */
  data: string;
  /** base64 SHA-1 of the file's bytes */
  hash: string;
  size: number;
  title: string;
}

/** The wishes chosen: at least one is needed (the profile wants 1..* treatment provisions). */
export function chosenTreatments(answers: Answers): Array<{ treatment: CodeOption; type: 'permit' | 'deny' }> {
  return TREATMENTS.flatMap((treatment) => {
    const answer = textAnswer(answers, `treatment-${treatment.code}`);
    return answer === 'permit' || answer === 'deny' ? [{ treatment, type: answer }] : [];
  });
}

/** What is missing before the directive can be signed, by field id, in Japanese. */
export function missingDirective(input: Partial<DirectiveInput> & { answers: Answers }): Map<string, string> {
  const missing = new Map<string, string>();
  if (!textAnswer(input.answers, DIRECTIVE_FIELDS.expressedOn.id)) {
    missing.set(DIRECTIVE_FIELDS.expressedOn.id, '入力してください（必須）');
  }
  if (chosenTreatments(input.answers).length === 0) {
    missing.set('treatment-cpr', '少なくとも1つの治療について「希望する」か「希望しない」を選んでください（必須）');
  }
  if (!input.form) {
    missing.set('signed-form', '本人（または代理人）が署名した事前指示書のスキャン（PDF または画像）を添付してください（必須）');
  }
  return missing;
}

/** The Consent as it is signed and stored (no id, no narrative: what the witness signs is what the hub encodes). */
export function buildDirective(input: DirectiveInput): Consent {
  const { answers } = input;
  const place = PLACES.find((p) => p.code === textAnswer(answers, DIRECTIVE_FIELDS.place.id));
  const placeNote = textAnswer(answers, DIRECTIVE_FIELDS.placeNote.id);
  const extension: Extension[] = place
    ? [
        {
          url: END_OF_LIFE_PLACE_EXTENSION,
          valueCodeableConcept: {
            coding: [{ system: END_OF_LIFE_PLACE, code: place.code, display: place.display }],
            ...(placeNote ? { text: placeNote } : {}),
          },
        },
      ]
    : [];
  const provisions: ConsentProvision[] = chosenTreatments(answers).map(({ treatment, type }) => ({
    type,
    code: [{ coding: [{ system: LIFE_SUSTAINING, code: treatment.code, display: treatment.display }] }],
  }));
  const form: Attachment = {
    contentType: input.form.contentType,
    data: input.form.data,
    hash: input.form.hash,
    size: input.form.size,
    title: input.form.title,
  };
  const reference = (p: Person): Reference => ({ reference: p.reference, display: p.label });
  return {
    resourceType: 'Consent',
    meta: { profile: [`${SD}/${P}`] },
    ...(extension.length ? { extension } : {}),
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'adr', display: 'Advanced Care Directive' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '75320-2', display: 'Advance directive' }], text: '事前指示書' }],
    patient: reference(input.patient),
    dateTime: textAnswer(answers, DIRECTIVE_FIELDS.expressedOn.id),
    performer: [reference(input.performer)],
    sourceAttachment: form,
    policy: [{ uri: ACP_POLICY }],
    provision: {
      type: 'permit',
      ...(input.proxies.length
        ? {
            actor: input.proxies.map((p) => ({
              role: {
                coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'HPOWATT', display: 'healthcare power of attorney' }],
                text: '代理意思決定者',
              },
              reference: reference(p),
            })),
          }
        : {}),
      provision: provisions,
    },
  };
}

/** The witness's signature as a FHIR Signature element (Consent Witness), holding the detached JWS. */
export function witnessSignature(jws: string, signer: { identity?: string; name: string }, when: string) {
  return {
    type: [{ system: SIGNATURE_TYPES, code: CONSENT_WITNESS, display: 'Consent Witness Signature' }],
    when,
    who: signer.identity ? { reference: signer.identity, display: signer.name } : { display: signer.name },
    targetFormat: TARGET_FORMAT,
    sigFormat: 'application/jose',
    data: btoa(jws),
  };
}

/**
 * The transaction the hub takes: the Consent (a urn:uuid entry) and a Provenance naming it as target, with the
 * witness's signature, the witness as attester and the patient (R5's Provenance.patient), so it is filed with the
 * patient's records. Both are stored or neither.
 */
export function directiveTransaction(consent: Consent, signature: ReturnType<typeof witnessSignature>, uuids: [string, string]): Bundle {
  const consentUrl = `urn:uuid:${uuids[0]}`;
  const provenance: Provenance = {
    resourceType: 'Provenance',
    extension: [{ url: PROVENANCE_PATIENT, valueReference: { reference: consent.patient!.reference } }],
    target: [{ reference: consentUrl }],
    recorded: signature.when,
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'attester', display: 'Attester' }] },
        who: signature.who,
      },
    ],
    signature: [signature],
  };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: consentUrl, resource: consent, request: { method: 'POST', url: 'Consent' } },
      { fullUrl: `urn:uuid:${uuids[1]}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } },
    ],
  };
}

/** The answers of an earlier directive, so a revision starts from what was recorded (the form is attached anew). */
export function directiveAnswers(consent: Consent | undefined): Answers {
  if (!consent) {
    return {};
  }
  const answers: Answers = {};
  for (const provision of consent.provision?.provision ?? []) {
    const code = provision.code?.flatMap((c) => c.coding ?? []).find((c) => c.system === LIFE_SUSTAINING)?.code;
    if (code && (provision.type === 'permit' || provision.type === 'deny')) {
      answers[`treatment-${code}`] = provision.type;
    }
  }
  const place = consent.extension?.find((e) => e.url === END_OF_LIFE_PLACE_EXTENSION)?.valueCodeableConcept;
  const placeCode = place?.coding?.find((c) => c.system === END_OF_LIFE_PLACE)?.code;
  if (placeCode) {
    answers[DIRECTIVE_FIELDS.place.id] = placeCode;
  }
  if (place?.text) {
    answers[DIRECTIVE_FIELDS.placeNote.id] = place.text;
  }
  return answers;
}

/** The proxies an earlier directive named. */
export function directiveProxies(consent: Consent | undefined): string[] {
  return (consent?.provision?.actor ?? [])
    .filter((a) => a.role?.coding?.some((c) => c.code === 'HPOWATT'))
    .map((a) => a.reference?.reference ?? '')
    .filter(Boolean);
}
