import { homeFor, professionLabel, rolesOf, type Home } from './profession';

/** Who is signed in, as the app shows it. The hub decides what they may see; this only labels and routes. */
export interface Session {
  subject: string;
  /** 氏名 in kanji, e.g. 佐々木 和子 */
  name: string;
  /** フリガナ, e.g. ササキ カズコ (empty when the realm has none) */
  kana: string;
  roles: string[];
  /** 職種 in Japanese, e.g. 介護支援専門員 */
  profession: string;
  home: Home;
  organization?: string;
  practitioner?: string;
  /** the user's PractitionerRole id (claim practitioner_role): the author of what they write */
  practitionerRole?: string;
  /** for a patient: themself; for family: the patient they act for (claim patient) */
  patient?: string;
  /** for family: their RelatedPerson id (claim related_person) */
  relatedPerson?: string;
}

/** The claims of a JWT, read without verifying it (the hub verifies every token it is sent). */
export function decodeJwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) {
    return {};
  }
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function joined(...parts: unknown[]): string {
  return parts.map(text).filter(Boolean).join(' ');
}

/**
 * The session of an access token and the ID token's claims: roles from the access token (what the hub judges),
 * names from the ID token (family name first, as Japanese names are written).
 */
export function sessionOf(accessToken: string, idClaims: Record<string, unknown>): Session {
  const access = decodeJwtClaims(accessToken);
  const roles = rolesOf(access);
  const name = joined(idClaims.family_name, idClaims.given_name) || text(idClaims.name) || text(idClaims.preferred_username);
  const organization = text(access.organization) || text(idClaims.organization);
  const practitioner = text(access.practitioner) || text(idClaims.practitioner);
  const practitionerRole = text(access.practitioner_role) || text(idClaims.practitioner_role);
  const patient = text(access.patient) || text(idClaims.patient);
  const relatedPerson = text(access.related_person) || text(idClaims.related_person);
  return {
    subject: text(access.sub) || text(idClaims.sub),
    name,
    kana: joined(idClaims.family_name_kana, idClaims.given_name_kana),
    roles,
    profession: professionLabel(roles),
    home: homeFor(roles),
    ...(organization ? { organization } : {}),
    ...(practitioner ? { practitioner } : {}),
    ...(practitionerRole ? { practitionerRole } : {}),
    ...(patient ? { patient } : {}),
    ...(relatedPerson ? { relatedPerson } : {}),
  };
}
