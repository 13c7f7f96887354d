import { useEffect, type ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import { Alert, Center, Loader } from '@mantine/core';
import { useAuth } from './AuthProvider';

/** Shows its children to a signed-in user; anyone else goes to Keycloak's sign-in page and comes back here. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { state, signIn } = useAuth();
  const location = useLocation();
  const signedIn = state.status === 'ready' && state.session !== null;

  useEffect(() => {
    if (state.status === 'ready' && state.session === null) {
      void signIn(location.pathname + location.search);
    }
  }, [state, signIn, location.pathname, location.search]);

  if (state.status === 'failed') {
    return (
      <Center mih="60vh" p="md">
        <Alert color="red" title="開始できません" maw={480}>
          {state.message}
        </Alert>
      </Center>
    );
  }
  if (!signedIn) {
    return (
      <Center mih="60vh" aria-busy="true">
        <Loader aria-label="サインイン画面に移動しています" />
      </Center>
    );
  }
  return <>{children}</>;
}
