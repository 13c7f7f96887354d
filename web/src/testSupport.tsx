// Rendering with the app's providers in jsdom, for the page and shell tests (not part of the app's bundle).
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { AuthContext, type AuthContextValue } from './auth/AuthProvider';
import { FhirClient } from './fhir/client';
import { createQueryClient, FhirClientProvider } from './fhir/FhirProvider';

/**
 * jsdom has no matchMedia or ResizeObserver; Mantine asks matchMedia for responsive props and
 * ScrollArea observes its size. `matches` answers each media query (none match unless told).
 */
export function stubLayoutApis(matches: (query: string) => boolean = () => false) {
  window.matchMedia = ((query: string) => ({
    matches: matches(query),
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  })) as typeof window.matchMedia;
  window.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}

/** Auth still starting (no session yet), with a token for the FHIR client. */
export const startingAuth: AuthContextValue = {
  state: { status: 'starting' },
  signIn: async () => {},
  signOut: async () => {},
  accessToken: () => 'tok',
};

const noHub: typeof fetch = () => Promise.reject(new Error('this test has no hub'));

/** Renders `ui` at `path` inside the providers of the app, its FHIR client asking `fetchFn` at /fhir. */
export function renderWithProviders(
  ui: ReactElement,
  {
    path,
    fetchFn = noHub,
    queryClient = createQueryClient(),
    auth = startingAuth,
  }: { path: string; fetchFn?: typeof fetch; queryClient?: QueryClient; auth?: AuthContextValue },
) {
  return render(
    <AuthContext.Provider value={auth}>
      <MantineProvider>
        <QueryClientProvider client={queryClient}>
          <FhirClientProvider client={new FhirClient('/fhir', () => 'tok', fetchFn)}>
            <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
          </FhirClientProvider>
        </QueryClientProvider>
      </MantineProvider>
    </AuthContext.Provider>,
  );
}
