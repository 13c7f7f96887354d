import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { UserManager } from 'oidc-client-ts';
import { safeReturnTo, useAuth } from './AuthProvider';

// React's StrictMode runs effects twice in development; the authorization code can be redeemed only once.
const pending = new Map<string, Promise<unknown>>();

function completeSignIn(manager: UserManager): Promise<unknown> {
  const url = window.location.href;
  let result = pending.get(url);
  if (!result) {
    result = manager.signinCallback(url);
    pending.set(url, result);
  }
  return result;
}

/**
 * Where Keycloak sends the browser back with the authorization code: exchange it, then go where the user was.
 * `preload` starts loading the pages the user is likely to land on, alongside the exchange instead of after it.
 */
export function Callback({ preload }: { preload?: () => void } = {}) {
  const { state, signIn } = useAuth();
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (state.status !== 'ready') {
      return;
    }
    preload?.();
    completeSignIn(state.manager)
      .then((user) => {
        const returnTo = (user as { state?: { returnTo?: string } } | undefined)?.state?.returnTo;
        navigate(safeReturnTo(returnTo), { replace: true });
      })
      .catch(() => setFailed(true));
  }, [state, navigate, preload]);

  if (failed) {
    return (
      <Center mih="60vh" p="md">
        <Alert color="red" title="サインインを完了できませんでした" maw={480}>
          <Stack>
            <Text size="sm">時間がたちすぎたか、別の画面でサインインした可能性があります。もう一度サインインしてください。</Text>
            <Button onClick={() => void signIn('/')}>もう一度サインイン</Button>
          </Stack>
        </Alert>
      </Center>
    );
  }
  return (
    <Center mih="60vh" aria-busy="true">
      <Loader aria-label="サインインしています" />
    </Center>
  );
}
