import { InMemoryWebStorage, UserManager, WebStorageStateStore, type INavigator } from 'oidc-client-ts';
import type { SmartConfiguration } from './smart';

export const CLIENT_ID = 'renkei-web';
/** Routes of the app (under its base /app/) that the authorization server sends the browser back to. */
export const CALLBACK_PATH = '/callback';
export const SIGNED_OUT_PATH = '/signed-out';

/**
 * OIDC authorization code flow with PKCE (S256, oidc-client-ts's default for the code flow) against the hub's
 * issuer. Tokens live in memory only (a reload signs in again, silently while the Keycloak session lasts); the
 * browser's session storage holds only the sign-in request in flight (state and PKCE verifier), which the callback
 * removes. The access token is renewed with the refresh token a minute before it expires.
 */
export function createUserManager(smart: SmartConfiguration, appBase: string, redirectNavigator?: INavigator): UserManager {
  return new UserManager(
    {
      authority: smart.issuer,
      // the whole metadata the app uses, from the hub's SMART configuration: with only a seed, oidc-client-ts fetches
      // Keycloak's OpenID configuration again on every start, a round trip before the code can be exchanged
      ...(smart.end_session_endpoint
        ? {
            metadata: {
              issuer: smart.issuer,
              authorization_endpoint: smart.authorization_endpoint,
              token_endpoint: smart.token_endpoint,
              end_session_endpoint: smart.end_session_endpoint,
              jwks_uri: smart.jwks_uri,
            },
          }
        : {
            metadataSeed: {
              issuer: smart.issuer,
              authorization_endpoint: smart.authorization_endpoint,
              token_endpoint: smart.token_endpoint,
            },
          }),
      client_id: CLIENT_ID,
      redirect_uri: appBase + CALLBACK_PATH.slice(1),
      post_logout_redirect_uri: appBase + SIGNED_OUT_PATH.slice(1),
      response_type: 'code',
      // no SMART resource scopes: the hub then judges by profession, organisation and care relation alone
      scope: 'openid profile',
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: 60,
      // the ID token carries the names; no userinfo call, no session-check iframe (the CSP forbids frames)
      loadUserInfo: false,
      monitorSession: false,
      // Keycloak's login page in Japanese, whatever the browser's language
      ui_locales: 'ja',
    },
    redirectNavigator,
  );
}

/** The app's absolute base URL, e.g. http://127.0.0.1:8080/app/ (Vite's base, on this page's origin). */
export function appBaseUrl(): string {
  return new URL(import.meta.env.BASE_URL, window.location.origin).toString();
}
