import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth/AuthProvider';
import { FhirClient } from '../fhir/client';
import { LiveClient, type LiveEvent, type LiveStatus } from './LiveClient';
import { PATIENT_PAGE, staleKeys } from './invalidation';

interface LiveState {
  status: LiveStatus;
  reason?: string;
  /** Listens to each event once (e.g. a notice in the inbox); returns the function that stops listening. */
  subscribe: (listener: (event: LiveEvent) => void) => () => void;
}

const LiveContext = createContext<LiveState>({ status: 'disconnected', subscribe: () => () => {} });

/** The socket URL on the app's own origin (the Vite dev server proxies it to the hub). */
export function notificationsUrl(location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/notifications`;
}

/**
 * Keeps the signed-in user's notification socket open while the app is (docs/web-app.md, Live updates) and marks
 * stale the queries each event concerns, so what is on screen refetches by itself.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const { accessToken } = useAuth();
  const queryClient = useQueryClient();
  const token = useRef(accessToken);
  token.current = accessToken;
  const [client] = useState(
    () => new LiveClient({ api: new FhirClient('/fhir', () => token.current()), socketUrl: notificationsUrl() }),
  );
  const [state, setState] = useState<{ status: LiveStatus; reason?: string }>({ status: client.status });

  useEffect(() => {
    const stop = client.listen({
      status: (status, reason) => setState({ status, reason }),
      event: (event) => {
        for (const queryKey of staleKeys(event)) {
          void queryClient.invalidateQueries({ queryKey });
        }
      },
      resync: () => void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE] }),
    });
    const online = () => client.reconnectNow();
    window.addEventListener('online', online);
    client.start();
    return () => {
      window.removeEventListener('online', online);
      stop();
      client.stop();
    };
  }, [client, queryClient]);

  // a renewed access token (a new function from AuthProvider) lets the binding be renewed for longer
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    client.tokenRenewed();
  }, [accessToken, client]);

  const [subscribe] = useState(() => (listener: (event: LiveEvent) => void) => client.listen({ event: listener }));
  return <LiveContext.Provider value={{ ...state, subscribe }}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveState {
  return useContext(LiveContext);
}
