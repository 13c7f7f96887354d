import { lazy, useState } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import { createTheme, darken, Loader, MantineProvider, Modal, type CSSVariablesResolver, type MantineColorSchemeManager } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { AuthProvider } from './auth/AuthProvider';
import { Callback } from './auth/Callback';
import { CALLBACK_PATH, SIGNED_OUT_PATH } from './auth/oidc';
import { RequireSession } from './auth/RequireSession';
import { createQueryClient, FhirProvider } from './fhir/FhirProvider';
import { LiveProvider } from './live/LiveProvider';
import { OutboxProvider } from './offline/OutboxProvider';
import { AppLayout } from './shell/AppLayout';
import { SignedOutPage } from './pages/SignedOutPage';

// Pages load when first opened, so the first load carries only the frame and sign-in.
const loadHomePage = () => import('./pages/HomePage');
const loadPatientPage = () => import('./pages/PatientPage');
const HomePage = lazy(loadHomePage);
const PatientListPage = lazy(() => import('./pages/PatientListPage'));
const PatientPage = lazy(loadPatientPage);
/** The pages a user coming back from sign-in usually lands on, loaded while the code is exchanged (a round trip to Keycloak). */
const preloadLandingPages = () => {
  void loadHomePage();
  void loadPatientPage();
};
const HandoffFormPage = lazy(() => import('./pages/HandoffFormPage'));
const SentPage = lazy(() => import('./pages/SentPage'));
const InboxPage = lazy(() => import('./pages/InboxPage'));
const HandoffTaskPage = lazy(() => import('./pages/HandoffTaskPage'));
const ContactFormListPage = lazy(() => import('./pages/ContactFormListPage'));
const ContactFormNewPage = lazy(() => import('./pages/ContactFormNewPage'));
const ContactFormPage = lazy(() => import('./pages/ContactFormPage'));
const OutboxPage = lazy(() => import('./offline/OutboxPage'));
const VisitFormPage = lazy(() => import('./pages/VisitFormPage'));
const MedicationReportPage = lazy(() => import('./pages/MedicationReportPage'));
const AdvanceDirectivePage = lazy(() => import('./pages/AdvanceDirectivePage'));
const EmergencySheetPage = lazy(() => import('./pages/EmergencySheetPage'));
const MyRecordPage = lazy(() => import('./pages/mine/MyRecordPage'));
const AccessLogPage = lazy(() => import('./pages/mine/AccessLogPage'));
const SharingPage = lazy(() => import('./pages/mine/SharingPage'));
const EmergencyPage = lazy(() => import('./pages/EmergencyPage'));

export const theme = createTheme({
  fontFamily:
    'system-ui, -apple-system, "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Yu Gothic UI", Meiryo, sans-serif',
  // shade 8: white text on it and it on white keep a contrast of at least 4.5:1 (WCAG AA), as axe checks
  primaryColor: 'blue',
  primaryShade: 8,
  // a spinner's aria-label names it only with a role: "status" (axe: aria-prohibited-attr on a bare span otherwise)
  // a dialog's × is named in Japanese (axe: button-name; Mantine's close button has no text)
  components: {
    Loader: Loader.extend({ defaultProps: { role: 'status' } }),
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': '閉じる' } } }),
  },
});

/** The colours the app's light alerts and badges use (green 送信しました, orange and red warnings, blue, teal, grape; the timeline's kinds). */
export const LIGHT_VARIANT_COLORS = ['blue', 'green', 'orange', 'red', 'teal', 'grape', 'violet', 'indigo', 'gray'] as const;

/** The colours whose filled variant (white text on shade 8: a 回答済み badge) is below 4.5:1 (3.5–4.0:1, src/theme.test.ts). */
const DARKER_FILLED = ['green', 'orange', 'teal'] as const;

// Mantine's "dimmed" text (gray 6) is 3.3:1 on white; gray 7 reads well on a ward PC and passes AA. The text of a
// light variant (shade 9 on shade 1) is below 4.5:1 for green, orange and teal (src/theme.test.ts): darkened by a fifth it passes AA.
// So is their filled background under white text (found by the browser tests: 回答済み, e2e/contact-form.spec.ts).
export const contrast: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    // a field's error and the value typed in an invalid field: Mantine's red 6 is 3.3:1 on white (found by the browser tests)
    '--mantine-color-error': t.colors.red[9],
    ...Object.fromEntries(LIGHT_VARIANT_COLORS.map((c) => [`--mantine-color-${c}-light-color`, darken(t.colors[c][9], 0.2)])),
    ...Object.fromEntries(DARKER_FILLED.flatMap((c) => [
      [`--mantine-color-${c}-filled`, darken(t.colors[c][9], 0.2)],
      [`--mantine-color-${c}-filled-hover`, darken(t.colors[c][9], 0.3)],
    ])),
  },
  dark: {},
});

// The colour scheme is fixed and kept nowhere: nothing of the app's goes into localStorage.
const fixedColorScheme: MantineColorSchemeManager = {
  get: () => 'light',
  set: () => {},
  subscribe: () => {},
  unsubscribe: () => {},
  clear: () => {},
};

const router = createBrowserRouter(
  [
    { path: CALLBACK_PATH, element: <Callback preload={preloadLandingPages} /> },
    { path: SIGNED_OUT_PATH, element: <SignedOutPage /> },
    {
      element: (
        <RequireSession>
          <FhirProvider>
            <LiveProvider>
              <OutboxProvider>
                <AppLayout />
              </OutboxProvider>
            </LiveProvider>
          </FhirProvider>
        </RequireSession>
      ),
      children: [
        { index: true, element: <HomePage /> },
        { path: 'patients', element: <PatientListPage /> },
        { path: 'patients/:id', element: <PatientPage /> },
        { path: 'handoff/new', element: <HandoffFormPage /> },
        { path: 'sent', element: <SentPage /> },
        { path: 'inbox', element: <InboxPage /> },
        { path: 'inbox/tasks/:id', element: <HandoffTaskPage /> },
        { path: 'contact-forms', element: <ContactFormListPage /> },
        { path: 'contact-forms/new', element: <ContactFormNewPage /> },
        { path: 'contact-forms/:id', element: <ContactFormPage /> },
        { path: 'outbox', element: <OutboxPage /> },
        { path: 'visits/new', element: <VisitFormPage /> },
        { path: 'medication-reports/new', element: <MedicationReportPage /> },
        { path: 'patients/:id/advance-directive', element: <AdvanceDirectivePage /> },
        { path: 'patients/:id/emergency-sheet', element: <EmergencySheetPage /> },
        { path: 'my', element: <MyRecordPage /> },
        { path: 'my/access-log', element: <AccessLogPage /> },
        { path: 'my/sharing', element: <SharingPage /> },
        { path: 'emergency', element: <EmergencyPage /> },
        { path: '*', element: <HomePage /> },
      ],
    },
  ],
  // '/app/' with its slash: the home is then /app/, inside the service worker's scope (/app/ does not cover /app), so
  // it reloads without a connection too (docs/web-app.md §15)
  { basename: import.meta.env.BASE_URL },
);

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={contrast} defaultColorScheme="light" colorSchemeManager={fixedColorScheme}>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
