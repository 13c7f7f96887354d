import { useEffect } from 'react';
import { Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useAuth } from '../auth/AuthProvider';

/** Where Keycloak's end-session sends the browser back: signed out here and at Keycloak; no automatic sign-in. */
export function SignedOutPage() {
  const { signIn, state } = useAuth();

  // Keycloak comes back with the sign-out request's state: consume it, so nothing of it stays in sessionStorage.
  useEffect(() => {
    if (state.status === 'ready' && new URLSearchParams(window.location.search).has('state')) {
      state.manager
        .signoutCallback()
        .catch(() => {})
        .finally(() => window.history.replaceState(null, '', window.location.pathname));
    }
  }, [state]);
  return (
    <Center mih="80vh" p="md">
      <Paper withBorder p="xl" maw={420} w="100%">
        <Stack>
          <Title order={1} size="h3">
            サインアウトしました
          </Title>
          <Text size="sm">共用の端末では、このままブラウザを閉じてください。</Text>
          <Button onClick={() => void signIn('/')} disabled={state.status !== 'ready'}>
            もう一度サインイン
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
