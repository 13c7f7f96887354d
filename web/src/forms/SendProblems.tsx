import { Alert, List, Text } from '@mantine/core';
import type { FhirError } from '../fhir/errors';
import { ErrorNotice } from '../shell/ErrorNotice';

/**
 * What went wrong with sending a form, apart from the issues placed at its fields: the hub's issues about the
 * `documentWord` (文書, 連絡票) as a whole, and any failure other than a 422 with its retry.
 */
export function SendProblems({
  documentWord,
  unplaced,
  error,
  onRetry,
}: {
  documentWord: string;
  unplaced: string[];
  error: FhirError | null;
  onRetry: () => void;
}) {
  return (
    <>
      {unplaced.length > 0 && (
        <Alert color="red" title={`${documentWord}全体についての指摘`} role="alert">
          <List size="sm">
            {unplaced.map((m, i) => (
              <List.Item key={i}>{m}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {error && error.kind !== 'invalid' && (
        <>
          <ErrorNotice error={error} onRetry={onRetry} />
          <Text size="sm">入力内容は画面に残っています。同じ{documentWord}として再送するため、二重に送られることはありません。</Text>
        </>
      )}
    </>
  );
}
