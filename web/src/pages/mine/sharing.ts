import type { CareTeam, Consent, ConsentProvision, FhirResource, Organization, Parameters } from 'fhir/r4';

// The patient's sharing (共有の設定): their active privacy Consents as the hub evaluates them (docs/security.md, Consent):
// whom each permits (its root `permit` provision's actors), since when, and the Consent the patient or their proxy
// records to start sharing with an organisation, or revokes (POST Consent/{id}/$revoke) to stop it.

export const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const RECORDING = 'http://renkei.example.jp/fhir/StructureDefinition/consent-recording';

/** The patient's Consents, newest first (the list is short: one a person or organisation shared with). */
export function consentSearch(patient: string): Record<string, string | number> {
  return { patient: `Patient/${patient}`, _sort: '-date', _count: 100 };
}

export interface Recipient {
  /** `Organization/…`, `CareTeam/…`, `Practitioner/…` … as the Consent names it */
  reference: string;
  /** its name, e.g. ひまわり薬局; the team's name for a care team */
  name: string;
  kind: 'organisation' | 'care-team' | 'person';
}

export interface SharingRow {
  consentId: string;
  recipients: Recipient[];
  /** since when it is shared (the provision's start, else the Consent's date), ISO */
  since: string;
  /** who recorded it, as the hub stamped it (ご本人, ご家族, or the professional's organisation) */
  recordedBy: string;
  /** exceptions in words, e.g. 事前指示書は介護職員に共有しません */
  exceptions: string[];
}

const isPrivacy = (c: Consent) => (c.scope?.coding ?? []).some((x) => x.system === CONSENT_SCOPE && x.code === 'patient-privacy');

/** Names of the records a recipient may be: organisations and care teams the page read. */
export function namesOf(resources: readonly FhirResource[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of resources) {
    if (r.resourceType === 'Organization') {
      names.set(`Organization/${r.id}`, (r as Organization).name ?? '');
    } else if (r.resourceType === 'CareTeam') {
      names.set(`CareTeam/${r.id}`, (r as CareTeam).name ?? '');
    }
  }
  return names;
}

function recipientOf(reference: string, display: string | undefined, names: ReadonlyMap<string, string>): Recipient {
  const type = reference.split('/')[0];
  const name = names.get(reference) || display || '';
  if (type === 'CareTeam') {
    return { reference, name: name ? `ケアチームの全員（${name}）` : 'ケアチームの全員', kind: 'care-team' };
  }
  if (type === 'Organization') {
    return { reference, name: name || '（名前の分からない事業所）', kind: 'organisation' };
  }
  return { reference, name: name || '（名前の分からない人）', kind: 'person' };
}

const DOCUMENT_NAMES: Readonly<Record<string, string>> = {
  'advance-directive': '事前指示書',
  'emergency-sheet': '緊急時連絡票',
  'care-plan': 'ケアプラン',
  'discharge-summary': '退院時情報提供書',
};

/** An exception (a nested deny) in words, when it is one the page can say simply. */
function exceptionOf(provision: ConsentProvision): string | undefined {
  if (provision.type !== 'deny') {
    return undefined;
  }
  const what = (provision.code ?? []).flatMap((c) => c.coding ?? []).map((c) => DOCUMENT_NAMES[c.code ?? ''] ?? c.display ?? c.code).filter(Boolean);
  const who = (provision.actor ?? []).map((a) => a.reference?.display ?? a.role?.coding?.[0]?.display ?? '').filter(Boolean);
  if (what.length === 0 && who.length === 0) {
    return '一部の記録は共有しません';
  }
  return `${what.length ? what.join('・') : '一部の記録'}は${who.length ? who.join('・') + 'に' : ''}共有しません`;
}

function recordedBy(consent: Consent): string {
  const stamp = consent.extension?.find((e) => e.url === RECORDING);
  const agent = stamp?.extension?.find((e) => e.url === 'agent')?.valueReference?.reference ?? '';
  if (agent.startsWith('Patient/')) {
    return 'ご本人';
  }
  if (agent.startsWith('RelatedPerson/')) {
    return 'ご家族';
  }
  return agent ? 'ケアチームの担当者' : '';
}

/**
 * The sharing in force: one row per active privacy Consent whose root provision permits, naming whom. Revoked and
 * other Consents (advance directives, consent to treatment) are not sharing and are left out.
 */
export function sharingRows(consents: readonly Consent[], names: ReadonlyMap<string, string>): SharingRow[] {
  return consents
    .filter((c) => c.status === 'active' && isPrivacy(c) && c.provision?.type === 'permit' && c.id)
    .map((c) => ({
      consentId: c.id!,
      recipients: (c.provision?.actor ?? [])
        .map((a) => a.reference)
        .filter((r): r is NonNullable<typeof r> => !!r?.reference)
        .map((r) => recipientOf(r.reference!, r.display, names)),
      since: c.provision?.period?.start ?? c.dateTime ?? c.meta?.lastUpdated ?? '',
      recordedBy: recordedBy(c),
      exceptions: (c.provision?.provision ?? []).map(exceptionOf).filter((e): e is string => !!e),
    }))
    .sort((a, b) => b.since.localeCompare(a.since));
}

/** The references the rows name whose names the page still needs to read (organisations and care teams). */
export function unnamed(consents: readonly Consent[]): { organisations: string[]; careTeams: string[] } {
  const organisations = new Set<string>();
  const careTeams = new Set<string>();
  for (const c of consents) {
    for (const actor of c.provision?.actor ?? []) {
      const reference = actor.reference?.reference ?? '';
      if (reference.startsWith('Organization/')) {
        organisations.add(reference.slice('Organization/'.length));
      } else if (reference.startsWith('CareTeam/')) {
        careTeams.add(reference.slice('CareTeam/'.length));
      }
    }
  }
  return { organisations: [...organisations], careTeams: [...careTeams] };
}

/** Organisations the patient may still start sharing with: active directory entries not already shared with alone. */
export function choosable(organisations: readonly Organization[], rows: readonly SharingRow[]): Organization[] {
  const shared = new Set(rows.flatMap((r) => r.recipients).map((r) => r.reference));
  return organisations
    .filter((o) => o.id && o.active !== false && !shared.has(`Organization/${o.id}`))
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'ja'));
}

/** What the patient agrees to, in the words the confirmation shows; the Consent keeps them as its source. */
export function grantStatement(organisation: string, patientName: string, byFamily: boolean): string {
  return `${byFamily ? 'ご家族（代理人）として、' : ''}${patientName}さんの記録（病名、お薬、文書などケアに必要な記録）を、${organisation}と共有します。${organisation}の職員は、それぞれの職種で見てよい範囲の記録を見られるようになります。共有はいつでも止められます。`;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  bytes.forEach((b) => {
    binary += String.fromCharCode(b);
  });
  return btoa(binary);
}

/**
 * The privacy Consent the patient (performer `Patient/…`) or their proxy (`RelatedPerson/…`) records to share with an
 * organisation: scope patient-privacy (the only scope they may record), a root permit naming the organisation as
 * recipient, and as its source the statement they confirmed (the hub requires a source).
 */
export function grantConsent(args: {
  patient: string;
  performer: string;
  organisation: { id: string; name: string };
  statement: string;
}): Consent {
  // no dateTime: the hub sets it to the moment of recording by its own clock (ConsentRecording)
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }], text: '情報共有の同意（アプリで設定）' }],
    patient: { reference: `Patient/${args.patient}` },
    performer: [{ reference: args.performer }],
    sourceAttachment: {
      contentType: 'text/plain; charset=utf-8',
      title: `${args.organisation.name}との共有の開始`,
      data: base64(args.statement),
    },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }], text: 'オプトイン（本人の同意により共有）' },
    provision: {
      // no period: a start taken from the device's clock could lie ahead of the hub's and delay the sharing
      type: 'permit',
      actor: [
        {
          role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
          reference: { reference: `Organization/${args.organisation.id}`, display: args.organisation.name },
        },
      ],
    },
  };
}

/** The `$revoke` parameters: why, in the patient's words (optional). */
export function revokeParameters(reason: string): Parameters {
  const why = reason.trim();
  return { resourceType: 'Parameters', parameter: why ? [{ name: 'reason', valueString: why }] : [] };
}

/** What stops when the patient revokes this sharing, in plain words for the confirmation. */
export function revocationWarning(row: SharingRow): string {
  const whom = row.recipients.map((r) => r.name).join('、') || 'この共有先';
  const team = row.recipients.some((r) => r.kind === 'care-team');
  return (
    `${whom}は、この後すぐに、記録を新しく見ることができなくなります（これまでに見た内容は消えません）。` +
    (team ? 'ケアチームの全員が見られなくなるため、訪問や治療の準備に支障が出ることがあります。心配なときは、先にケアマネジャーに相談してください。' : '')
  );
}
