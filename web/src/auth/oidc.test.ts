import { afterEach, describe, expect, it, vi } from 'vitest';
import { User, type INavigator } from 'oidc-client-ts';
import { createUserManager } from './oidc';

const ISSUER = 'http://127.0.0.1:8180/realms/renkei';
const OIDC = `${ISSUER}/protocol/openid-connect`;
const smart = { issuer: ISSUER, authorization_endpoint: `${OIDC}/auth`, token_endpoint: `${OIDC}/token` };

/** Where the app would send the browser, instead of going there. */
function capturingNavigator(urls: string[]): INavigator {
  return {
    prepare: async () => ({
      navigate: async ({ url }: { url: string }) => {
        urls.push(url);
        return { url };
      },
      close: () => {},
    }),
    callback: async () => {},
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
  window.sessionStorage.clear();
});

describe('createUserManager', () => {
  it('with the whole SMART configuration of the hub, signs in and out without fetching Keycloak\'s metadata', async () => {
    const fetchFn = vi.fn(async () => new Response('{}', { status: 500 }));
    vi.stubGlobal('fetch', fetchFn);
    const urls: string[] = [];
    const manager = createUserManager(
      { ...smart, end_session_endpoint: `${OIDC}/logout`, jwks_uri: `${OIDC}/certs` },
      'http://127.0.0.1:8080/app/',
      capturingNavigator(urls),
    );
    await manager.signinRedirect();
    expect(new URL(urls[0]).pathname).toBe(new URL(`${OIDC}/auth`).pathname);
    await manager.signoutRedirect({ id_token_hint: 'id-token' });
    expect(urls[1]).toMatch(new RegExp(`^${OIDC}/logout\\?`));
    expect(new URL(urls[1]).searchParams.get('post_logout_redirect_uri')).toBe('http://127.0.0.1:8080/app/signed-out');
    expect(fetchFn, 'no metadata round trip before the code exchange').not.toHaveBeenCalled();
  });

  it('signs in with the authorization code and PKCE S256 at the issuer, back to /app/callback, and keeps tokens in memory only', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        new Response(JSON.stringify({ ...smart, jwks_uri: `${OIDC}/certs`, end_session_endpoint: `${OIDC}/logout` }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
      ),
    );
    const urls: string[] = [];
    const manager = createUserManager(smart, 'http://127.0.0.1:8080/app/', capturingNavigator(urls));

    await manager.signinRedirect({ state: { returnTo: '/patients' } });
    const authorize = new URL(urls[0]);
    expect(authorize.origin + authorize.pathname).toBe(`${OIDC}/auth`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: 'renkei-web',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:8080/app/callback',
      scope: 'openid profile',
      code_challenge_method: 'S256',
      ui_locales: 'ja',
    });
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // the sign-in in flight (state, PKCE verifier) is all that is stored, in this tab's sessionStorage
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(1);

    const user = new User({
      access_token: 'access',
      token_type: 'Bearer',
      id_token: 'id-token',
      refresh_token: 'refresh',
      profile: { sub: 'u1', iss: ISSUER, aud: 'renkei-web', exp: 2_000_000_000, iat: 1 },
      expires_at: 2_000_000_000,
    });
    await manager.storeUser(user);
    expect((await manager.getUser())?.access_token).toBe('access');
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(1);
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain('access');

    await manager.signoutRedirect();
    const endSession = new URL(urls[1]);
    expect(endSession.origin + endSession.pathname).toBe(`${OIDC}/logout`);
    expect(endSession.searchParams.get('id_token_hint')).toBe('id-token');
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe('http://127.0.0.1:8080/app/signed-out');
    expect(await manager.getUser()).toBeNull();
  });
});
