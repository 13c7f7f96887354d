import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { QueryClient } from '@tanstack/react-query';
import { useAuth } from '../auth/AuthProvider';
import { FhirClient } from './client';
import { FhirError } from './errors';

const FhirContext = createContext<FhirClient | null>(null);

/** The FHIR client of the signed-in user, on the hub the app came from. */
export function FhirProvider({ children }: { children: ReactNode }) {
  const { accessToken } = useAuth();
  const client = useMemo(() => new FhirClient('/fhir', accessToken), [accessToken]);
  return <FhirClientProvider client={client}>{children}</FhirClientProvider>;
}

/** A given client (tests give one over a fake fetch). */
export function FhirClientProvider({ client, children }: { client: FhirClient; children: ReactNode }) {
  return <FhirContext.Provider value={client}>{children}</FhirContext.Provider>;
}

export function useFhirClient(): FhirClient {
  const client = useContext(FhirContext);
  if (!client) {
    throw new Error('useFhirClient outside FhirProvider');
  }
  return client;
}

/** Queries retry only what may succeed again (hub busy, network), twice; a 4xx is shown at once. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, error) => error instanceof FhirError && error.retryable && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}
