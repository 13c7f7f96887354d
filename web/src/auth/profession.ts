// What the signed-in user's profession is, from the realm roles in the access token (keycloak/README.md, Roles).
// The hub decides access itself; the app uses the role only to choose the home page and to label the user.

/** The home page each profession lands on after sign-in. */
export type Home = 'discharge' | 'care-manager' | 'visiting-nurse' | 'pharmacist' | 'physician' | 'ems' | 'generic' | 'patient' | 'admin';

/** 職種 of each realm role, as the realm's role descriptions name them. */
export const PROFESSION_LABELS: Readonly<Record<string, string>> = {
  physician: '医師',
  dentist: '歯科医師',
  pharmacist: '薬剤師',
  'hospital-nurse': '病棟・退院調整看護師',
  msw: '医療ソーシャルワーカー',
  'visiting-nurse': '訪問看護師',
  'care-manager': '介護支援専門員',
  'care-worker': '介護職員',
  therapist: 'PT/OT/ST',
  'municipal-officer': '市町村・地域包括支援センター職員',
  ems: '救急隊',
  patient: '本人',
  family: '家族・代理人',
  'hub-admin': 'ハブ管理者',
};

// A user with several profession roles lands on the first home in this order.
const HOMES: ReadonlyArray<readonly [role: string, home: Home]> = [
  ['hospital-nurse', 'discharge'],
  ['msw', 'discharge'],
  ['care-manager', 'care-manager'],
  ['visiting-nurse', 'visiting-nurse'],
  ['pharmacist', 'pharmacist'],
  ['physician', 'physician'],
  ['ems', 'ems'],
  ['patient', 'patient'],
  ['family', 'patient'],
  ['hub-admin', 'admin'],
];

export function homeFor(roles: readonly string[]): Home {
  for (const [role, home] of HOMES) {
    if (roles.includes(role)) {
      return home;
    }
  }
  return 'generic';
}

/** The user's profession(s) in Japanese, known roles only, in the order of {@link PROFESSION_LABELS}. */
export function professionLabel(roles: readonly string[]): string {
  return Object.keys(PROFESSION_LABELS)
    .filter((role) => roles.includes(role))
    .map((role) => PROFESSION_LABELS[role])
    .join('・');
}

/**
 * The realm roles of an access token's claims: the hub's tokens carry them as a top-level `roles` array
 * (client scope renkei-identity) and as Keycloak's `realm_access.roles`.
 */
export function rolesOf(claims: Record<string, unknown>): string[] {
  const roles = new Set<string>();
  const add = (value: unknown) => {
    if (Array.isArray(value)) {
      value.filter((r): r is string => typeof r === 'string').forEach((r) => roles.add(r));
    }
  };
  add(claims.roles);
  const realmAccess = claims.realm_access;
  if (realmAccess && typeof realmAccess === 'object') {
    add((realmAccess as { roles?: unknown }).roles);
  }
  return [...roles];
}
