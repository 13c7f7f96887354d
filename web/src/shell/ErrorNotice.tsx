import { Alert, Button, Group, List, Text } from '@mantine/core';
import { useLocation } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider';
import { FhirError, networkError } from '../fhir/errors';

/** A failed request in Japanese: what happened, what to do, and the button that does it. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { signIn } = useAuth();
  const location = useLocation();
  const fhir = error instanceof FhirError ? error : networkError();
  return (
    <Alert color={fhir.kind === 'forbidden' ? 'orange' : 'red'} title={fhir.title} role="alert">
      <Text size="sm">{fhir.action}</Text>
      {fhir.issues.length > 0 && (
        <List size="sm" mt="xs">
          {fhir.issues.map((issue, i) => (
            <List.Item key={i}>{issue.diagnostics || issue.code}</List.Item>
          ))}
        </List>
      )}
      <Group mt="sm" gap="xs">
        {fhir.kind === 'signin' && (
          <Button size="xs" onClick={() => void signIn(location.pathname + location.search)}>
            もう一度サインイン
          </Button>
        )}
        {fhir.retryable && onRetry && (
          <Button size="xs" variant="light" onClick={onRetry}>
            再試行
          </Button>
        )}
      </Group>
    </Alert>
  );
}
