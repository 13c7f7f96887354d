import { describe, expect, it } from 'vitest';
import { decodeJwtClaims, sessionOf } from './session';

function jwt(claims: Record<string, unknown>): string {
  const bytes = new TextEncoder().encode(JSON.stringify(claims));
  const base64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `eyJhbGciOiJSUzI1NiJ9.${base64}.c2lnbmF0dXJl`;
}

describe('sessionOf', () => {
  it('labels a care manager from the access token roles and the ID token names', () => {
    const session = sessionOf(
      jwt({ sub: 'u1', roles: ['care-manager'], organization: 'org-homecare', practitioner: 'prac-care-manager' }),
      { family_name: '佐々木', given_name: '和子', family_name_kana: 'ササキ', given_name_kana: 'カズコ' },
    );
    expect(session).toEqual({
      subject: 'u1',
      name: '佐々木 和子',
      kana: 'ササキ カズコ',
      roles: ['care-manager'],
      profession: '介護支援専門員',
      home: 'care-manager',
      organization: 'org-homecare',
      practitioner: 'prac-care-manager',
    });
  });

  it('takes the roles from the access token, not the ID token', () => {
    const session = sessionOf(jwt({ sub: 'u2', realm_access: { roles: ['msw'] } }), { roles: ['physician'], name: 'x' });
    expect(session.home).toBe('discharge');
    expect(session.profession).toBe('医療ソーシャルワーカー');
  });

  it('falls back to the name or user name when the ID token has no family and given names', () => {
    expect(sessionOf(jwt({}), { name: '斎藤 修' }).name).toBe('斎藤 修');
    expect(sessionOf(jwt({}), { preferred_username: 'hub-admin' }).name).toBe('hub-admin');
    expect(sessionOf(jwt({}), {}).home).toBe('generic');
  });
});

describe('decodeJwtClaims', () => {
  it('decodes UTF-8 claims of a base64url payload', () => {
    expect(decodeJwtClaims(jwt({ n: '山田 花子 ヤマダ' }))).toEqual({ n: '山田 花子 ヤマダ' });
  });

  it('gives no claims for something that is not a JWT', () => {
    expect(decodeJwtClaims('')).toEqual({});
    expect(decodeJwtClaims('a.!!!.c')).toEqual({});
    expect(decodeJwtClaims('a.' + btoa('"text"') + '.c')).toEqual({});
  });
});
