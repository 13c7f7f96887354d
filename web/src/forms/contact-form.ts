import { CS, SD, type CodeOption, type FieldDef, type FixedElement } from './definition';

// 主治医・ケアマネジャー連絡票 (docs/profiles/contact-form.md): the question the care manager sends and the physician's
// answer, each one Communication. One definition per side lists its fields in the paper form's order, each with its
// place in the profile (a payload part is a slice of Communication.payload, named by the contact-form-part code);
// the renderer (FormRenderer.tsx) shows the fields, contactFormBuilder.ts writes the Communication, and
// contact-form.test.ts holds both definitions to the profiles and the CodeSystem.

export const CONTACT_FORM_PART = `${SD}/contact-form-part`;
export const REPLY_REQUESTED_BY = `${SD}/reply-requested-by`;
export const PART_SYSTEM = `${CS}/contact-form-part`;

/** A field of a message form; `part` when it is a payload part (the contact-form-part code of its slice). */
export interface MessageFieldDef extends FieldDef {
  part?: CodeOption;
}

export interface MessageDefinition {
  kind: 'question' | 'answer';
  title: string;
  /** StructureDefinition id of the profile the Communication claims */
  profile: string;
  /** Communication.category codings, one per category slice (care-topic, then care-document) */
  category: ReadonlyArray<{ system: string; code: string; display: string }>;
  fields: readonly MessageFieldDef[];
  /** elements the builder sets itself */
  fixed: readonly FixedElement[];
}

const CATEGORY = [
  { system: `${CS}/care-topic`, code: 'care-coordination', display: '連絡・調整' },
  { system: `${CS}/care-document`, code: 'contact-form', display: '主治医・ケアマネジャー連絡票' },
] as const;

const Q = 'renkei-contact-form-question';
const A = 'renkei-contact-form-answer';

function text(id: string, label: string, profile: string, path: string, required: boolean, part?: CodeOption, help?: string): MessageFieldDef {
  return {
    id,
    label,
    ...(help ? { help } : {}),
    type: part ? 'textarea' : 'text',
    required,
    repeats: false,
    target: { profile, path },
    role: 'element',
    ...(part ? { part } : {}),
  };
}

const fixed = (profile: string, path: string, source: string): FixedElement => ({ target: { profile, path }, source });

export const CONTACT_FORM_QUESTION: MessageDefinition = {
  kind: 'question',
  title: '主治医・ケアマネジャー連絡票',
  profile: Q,
  category: CATEGORY,
  fields: [
    {
      id: 'recipients',
      label: '宛先（主治医・医療機関）',
      help: '患者のケアチームから選びます（手入力はできません）。',
      type: 'references',
      required: true,
      repeats: true,
      target: { profile: Q, path: 'Communication.recipient' },
      role: 'recipient',
      referenceTypes: ['PractitionerRole', 'Organization'],
    },
    text('topic', '件名', Q, 'Communication.topic', false),
    text('consultation', '相談内容', Q, 'Communication.payload:consultation', true, { code: 'consultation', display: '相談内容' }, '主治医に確認したいこと、ご意見をいただきたいことを書きます。'),
    text('care-plan-issue', 'ケアプラン上の課題', Q, 'Communication.payload:carePlanIssue', false, { code: 'care-plan-issue', display: 'ケアプラン上の課題' }),
    {
      id: 'reply-by',
      label: '返信希望日',
      help: 'この日の終わりまでに回答がないと、期限超過として表示されます。',
      type: 'date',
      required: false,
      repeats: false,
      target: { profile: Q, path: 'Communication.extension:replyRequestedBy' },
      role: 'element',
      elementType: 'date',
    },
  ],
  fixed: [
    fixed(Q, 'Communication.status', 'completed（送信済み）'),
    fixed(Q, 'Communication.category:topic', '連絡・調整'),
    fixed(Q, 'Communication.category:document', '主治医・ケアマネジャー連絡票'),
    fixed(Q, 'Communication.subject', '選んだ患者'),
    fixed(Q, 'Communication.sent', '送信した日時'),
    fixed(Q, 'Communication.sender', 'サインイン中のユーザーの職種（PractitionerRole）'),
    fixed(Q, 'Communication.identifier', '下書きごとの識別子（再送しても二重にならない）'),
  ],
};

export const CONTACT_FORM_ANSWER: MessageDefinition = {
  kind: 'answer',
  title: '主治医・ケアマネジャー連絡票（回答）',
  profile: A,
  category: CATEGORY,
  fields: [
    text('instruction', '主治医の指示・意見', A, 'Communication.payload:instruction', true, { code: 'instruction', display: '指示・意見' }),
    text('precaution', '留意事項', A, 'Communication.payload:precaution', false, { code: 'precaution', display: '留意事項' }, 'サービス提供上の注意点があれば書きます。'),
  ],
  fixed: [
    fixed(A, 'Communication.status', 'completed（送信済み）'),
    fixed(A, 'Communication.category:topic', '連絡・調整'),
    fixed(A, 'Communication.category:document', '主治医・ケアマネジャー連絡票'),
    fixed(A, 'Communication.subject', '質問の患者'),
    fixed(A, 'Communication.inResponseTo', '回答する質問'),
    fixed(A, 'Communication.recipient', '質問の送信者'),
    fixed(A, 'Communication.topic', '質問の件名'),
    fixed(A, 'Communication.sent', '回答した日時'),
    fixed(A, 'Communication.sender', 'サインイン中のユーザーの職種（PractitionerRole）'),
    fixed(A, 'Communication.identifier', '下書きごとの識別子（再送しても二重にならない）'),
  ],
};

export const CONTACT_FORMS = [CONTACT_FORM_QUESTION, CONTACT_FORM_ANSWER] as const;
