import { Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useAuth } from '../auth/AuthProvider';

/** Where Keycloak's end-session sends the browser back: signed out here and at Keycloak; no automatic sign-in. */
export function SignedOutPage() {
  const { signIn, state } = useAuth();
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
