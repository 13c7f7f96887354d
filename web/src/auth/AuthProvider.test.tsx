import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import type { UserManager } from 'oidc-client-ts';
import { AuthProvider, useAuth } from './AuthProvider';

const calls: string[] = [];

vi.mock('./smart', () => ({ loadSmartConfiguration: async () => ({ issuer: 'http://kc/realms/renkei' }) }));
vi.mock('../offline/deviceData', () => ({
  wipeDeviceData: async () => {
    calls.push('wipe');
  },
}));

type Handler = (...args: unknown[]) => void;

/** The parts of oidc-client-ts's UserManager the provider uses, with its events fired by the test. */
class FakeManager {
  handlers = new Map<string, Handler>();
  // a User's fields the provider reads (its profile stands for the ID token's claims)
  user: Record<string, unknown> | null;
  renew: () => Promise<unknown> = () => Promise.reject(new Error('offline'));
  constructor(user: Record<string, unknown>) {
    this.user = user;
  }
  events = new Proxy({} as Record<string, (h: Handler) => void>, {
    get: (_t, name: string) => (handler: Handler) => {
      if (name.startsWith('add')) this.handlers.set(name.slice(3), handler);
      else this.handlers.delete(name.slice(6));
    },
  });
  fire(event: string, ...args: unknown[]) {
    this.handlers.get(event)!(...args);
  }
  getUser = async () => this.user;
  clearStaleState = async () => {};
  stopSilentRenew = () => {};
  signinSilent = vi.fn(() => this.renew());
  signoutRedirect = vi.fn(async () => {
    calls.push('signoutRedirect');
  });
  signinRedirect = vi.fn(async () => {});
}

let manager: FakeManager;
vi.mock('./oidc', () => ({ appBaseUrl: () => 'http://127.0.0.1/app/', createUserManager: () => manager as unknown as UserManager }));

function token(claims: Record<string, unknown>): string {
  return `x.${btoa(JSON.stringify(claims)).replace(/=+$/, '')}.y`;
}

const nurse = { access_token: token({ sub: 'nurse-1', realm_access: { roles: ['visiting-nurse'] } }), expired: false, profile: { sub: 'nurse-1', family_name: '吉田', given_name: '直美' } };

function Probe() {
  const { state, signOut } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  return (
    <>
      <p data-testid="who">{session ? session.name : 'signed out'}</p>
      <p data-testid="renewal">{state.status === 'ready' && state.renewalFailed ? 'renewal failed' : 'renewal fine'}</p>
      <button onClick={() => void signOut()}>sign out</button>
    </>
  );
}

let online = true;

beforeEach(() => {
  calls.length = 0;
  online = true;
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  manager = new FakeManager(nurse);
});

afterEach(cleanup);

async function signedIn() {
  render(
    <AuthProvider>
      <Probe />
    </AuthProvider>,
  );
  await waitFor(() => expect(screen.getByTestId('who').textContent).toBe('吉田 直美'));
}

describe('AuthProvider', () => {
  it('wipes the device’s outbox before leaving for Keycloak to sign out', async () => {
    await signedIn();
    act(() => screen.getByRole('button', { name: 'sign out' }).click());
    await waitFor(() => expect(calls).toEqual(['wipe', 'signoutRedirect']));
  });

  it('keeps the user signed in on the device when the token expires offline, and renews it when the connection returns', async () => {
    await signedIn();
    online = false;
    act(() => manager.fire('SilentRenewError', new Error('offline')));
    act(() => manager.fire('AccessTokenExpired'));
    expect(screen.getByTestId('who').textContent).toBe('吉田 直美');
    expect(screen.getByTestId('renewal').textContent).toBe('renewal failed');

    manager.renew = async () => manager.fire('UserLoaded', { ...nurse, access_token: nurse.access_token + 'renewed' });
    online = true;
    await act(async () => {
      window.dispatchEvent(new Event('online'));
    });
    expect(manager.signinSilent).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.getByTestId('renewal').textContent).toBe('renewal fine'));
    expect(screen.getByTestId('who').textContent).toBe('吉田 直美');
  });

  it('signs the user out of the app when renewal fails back online after the token expired (then sign-in again)', async () => {
    await signedIn();
    online = false;
    act(() => manager.fire('AccessTokenExpired'));
    expect(screen.getByTestId('who').textContent).toBe('吉田 直美');
    manager.user = { ...nurse, expired: true };
    online = true;
    await act(async () => {
      window.dispatchEvent(new Event('online'));
    });
    await waitFor(() => expect(screen.getByTestId('who').textContent).toBe('signed out'));
  });

  it('ends the session at once when the token expires online, as before', async () => {
    await signedIn();
    act(() => manager.fire('AccessTokenExpired'));
    expect(screen.getByTestId('who').textContent).toBe('signed out');
    expect(manager.signinSilent).not.toHaveBeenCalled();
  });
});
