import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { User, UserManager } from 'oidc-client-ts';
import { wipeDeviceData } from '../offline/deviceData';
import { appBaseUrl, createUserManager } from './oidc';
import { sessionOf, type Session } from './session';
import { loadSmartConfiguration } from './smart';

export type AuthState =
  | { status: 'starting' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; manager: UserManager; user: User | null; session: Session | null; renewalFailed: boolean };

export interface AuthContextValue {
  state: AuthState;
  /** Goes to the sign-in page; back at {@code returnTo} (a route of the app) afterwards. */
  signIn: (returnTo?: string) => Promise<void>;
  /** Ends the Keycloak session too (end-session with the ID token as hint), then back to the app's signed-out page. */
  signOut: () => Promise<void>;
  /** The current access token, for the FHIR client: never stored anywhere but in memory. */
  accessToken: () => string | undefined;
}

/** Exported for tests, which give a signed-out stub; the app uses {@link AuthProvider}. */
export const AuthContext = createContext<AuthContextValue | null>(null);

function withSession(manager: UserManager, user: User | null, renewalFailed = false): AuthState {
  const live = user && !user.expired ? user : null;
  return {
    status: 'ready',
    manager,
    user: live,
    session: live ? sessionOf(live.access_token, live.profile as Record<string, unknown>) : null,
    renewalFailed,
  };
}

/**
 * Why the app cannot start, in Japanese. Offline (the app shell came from the service worker's cache) sign-in needs the
 * connection; a fetch with no answer at all (a TypeError) may be offline too although the browser says online.
 */
function startFailure(error: unknown): string {
  const kept = '未送信の記録はこの端末に暗号化して保存されています。';
  if (!navigator.onLine) {
    return `オフラインです。サインインには接続が必要です。接続が戻ったらページを再読み込みしてください。${kept}`;
  }
  if (error instanceof TypeError) {
    return `ハブに接続できません（オフラインか、ハブが停止しています）。サインインには接続が必要です。接続を確かめてページを再読み込みしてください。${kept}`;
  }
  return 'サインインの設定を読み込めません。ハブが起動しているか確認して、ページを再読み込みしてください。';
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'starting' });
  // Once the browser is leaving for Keycloak (to sign in or out), nothing may send it anywhere else: signing out
  // forgets the user first, which would otherwise start a sign-in that overtakes the sign-out.
  const leaving = useRef(false);

  useEffect(() => {
    let cancelled = false;
    let detach = () => {};
    loadSmartConfiguration()
      .then(async (smart) => {
        const manager = createUserManager(smart, appBaseUrl());
        const events = manager.events;
        const loaded = (user: User) => setState(withSession(manager, user));
        const unloaded = () => setState(withSession(manager, null));
        // Offline (a home visit without signal) the token can be neither renewed nor replaced by a sign-in, which
        // needs Keycloak: the user stays signed in on the device, so that what they enter goes on into the outbox.
        // Back online the refresh token renews it or, when that has ended too, they sign in again (the outbox keeps
        // its entries for the same user).
        let renewWhenOnline = false;
        const renewFailed = () => {
          renewWhenOnline = !navigator.onLine;
          setState((s) => (s.status === 'ready' ? { ...s, renewalFailed: true } : s));
        };
        const expired = () => (navigator.onLine ? unloaded() : renewFailed());
        const online = () => {
          if (!renewWhenOnline) {
            return;
          }
          renewWhenOnline = false;
          manager.signinSilent().catch(async () => setState(withSession(manager, await manager.getUser().catch(() => null), true)));
        };
        events.addUserLoaded(loaded);
        events.addUserUnloaded(unloaded);
        events.addUserSignedOut(unloaded);
        events.addSilentRenewError(renewFailed);
        events.addAccessTokenExpired(expired);
        window.addEventListener('online', online);
        detach = () => {
          events.removeUserLoaded(loaded);
          events.removeUserUnloaded(unloaded);
          events.removeUserSignedOut(unloaded);
          events.removeSilentRenewError(renewFailed);
          events.removeAccessTokenExpired(expired);
          window.removeEventListener('online', online);
          manager.stopSilentRenew();
        };
        // sign-in requests abandoned on the way (older than 15 minutes) leave sessionStorage
        void manager.clearStaleState().catch(() => {});
        const user = await manager.getUser();
        if (!cancelled) {
          setState(withSession(manager, user));
        }
      })
      .catch((error: unknown) => {
        if (!cancelled) {
          setState({ status: 'failed', message: startFailure(error) });
        }
      });
    return () => {
      cancelled = true;
      detach();
    };
  }, []);

  const signIn = useCallback(
    async (returnTo?: string) => {
      if (state.status !== 'ready' || leaving.current) {
        return;
      }
      leaving.current = true;
      try {
        await state.manager.signinRedirect({ state: { returnTo: safeReturnTo(returnTo) } });
      } catch (e) {
        leaving.current = false;
        throw e;
      }
    },
    [state],
  );

  const signOut = useCallback(async () => {
    if (state.status !== 'ready' || leaving.current) {
      return;
    }
    leaving.current = true;
    try {
      // what the user left on this device goes with them (the outbox: offline/deviceData.ts); a failure to wipe does
      // not keep them signed in: the entries stay sealed, and the next user's sign-in deletes them
      await wipeDeviceData().catch(() => {});
      // sends the stored ID token as id_token_hint, and forgets the user before leaving
      await state.manager.signoutRedirect();
    } catch (e) {
      leaving.current = false;
      throw e;
    }
  }, [state]);

  const accessToken = useCallback(() => (state.status === 'ready' ? state.user?.access_token : undefined), [state]);

  const value = useMemo(() => ({ state, signIn, signOut, accessToken }), [state, signIn, signOut, accessToken]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) {
    throw new Error('useAuth outside AuthProvider');
  }
  return value;
}

/** Only a route of this app (a path starting with one slash): never a URL elsewhere that a crafted state could name. */
export function safeReturnTo(returnTo: string | undefined): string {
  return returnTo && /^\/(?![/\\])/.test(returnTo) ? returnTo : '/';
}
