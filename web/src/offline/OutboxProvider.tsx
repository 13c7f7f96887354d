import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Bundle } from 'fhir/r4';
import { useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import { PATIENT_PAGE } from '../live/invalidation';
import { setCurrentOutbox } from './deviceData';
import { Outbox } from './outbox';
import { canSeal } from './sealing';
import { IndexedDbStore } from './store';
import type { OutboxEntry, OutboxInput, SubmitResult } from './types';

export interface OutboxValue {
  entries: OutboxEntry[];
  /** whether this browser keeps entries (encrypted); without WebCrypto a form's send is a plain request */
  keeps: boolean;
  submit: (input: OutboxInput) => Promise<SubmitResult>;
  resend: (id: string, bundle?: Bundle) => Promise<void>;
  discard: (id: string) => Promise<void>;
  sendNow: () => Promise<void>;
}

const noOutbox: OutboxValue = {
  entries: [],
  keeps: false,
  submit: () => Promise.reject(new Error('useOutbox outside OutboxProvider')),
  resend: async () => {},
  discard: async () => {},
  sendNow: async () => {},
};

/** Exported for tests, which give a fixed outbox; the app uses {@link OutboxProvider}. */
export const OutboxContext = createContext<OutboxValue>(noOutbox);

/**
 * The signed-in user's outbox (docs/web-app.md, offline home visits): bound to them at sign-in (another user's entries are deleted),
 * sent when the app starts, when the browser comes back online, after a token renewal and on its own backoff.
 */
export function OutboxProvider({ children }: { children: ReactNode }) {
  const { state, accessToken } = useAuth();
  const client = useFhirClient();
  const clientRef = useRef(client);
  clientRef.current = client;
  const queryClient = useQueryClient();
  const subject = state.status === 'ready' ? state.session?.subject : undefined;
  const [outbox] = useState(
    () =>
      new Outbox({
        store: canSeal() ? new IndexedDbStore() : null,
        send: (bundle) => clientRef.current.transaction(bundle),
        // the patient page shows the new records (timeline, vital signs), also when they were sent long after the visit
        stored: (entry) => {
          void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE, 'timeline', entry.patientId] });
          void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE, 'vitals', entry.patientId] });
        },
      }),
  );
  const [entries, setEntries] = useState<OutboxEntry[]>([]);

  useEffect(() => {
    setCurrentOutbox(outbox);
    const stop = outbox.subscribe(setEntries);
    const online = () => void outbox.flush();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      stop();
      outbox.close();
      setCurrentOutbox(undefined);
    };
  }, [outbox]);

  useEffect(() => {
    if (subject) {
      void outbox.open(subject).catch(() => {});
    }
  }, [outbox, subject]);

  // a renewed token (or a new sign-in) after a 401: send what waits
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    void outbox.resume();
  }, [accessToken, outbox]);

  const [actions] = useState(() => ({
    submit: (input: OutboxInput) => outbox.submit(input),
    resend: (id: string, bundle?: Bundle) => outbox.resend(id, bundle),
    discard: (id: string) => outbox.discard(id),
    sendNow: () => outbox.flush(),
  }));
  return <OutboxContext.Provider value={{ entries, keeps: outbox.keeps, ...actions }}>{children}</OutboxContext.Provider>;
}

/** The outbox of the signed-in user: a form submits through it (see docs/web-app.md, offline home visits for how). */
export function useOutbox(): OutboxValue {
  return useContext(OutboxContext);
}
