import { Text } from '@mantine/core';

/** A polite live region: screen readers read out each new `text` (kept in the DOM while empty, so the first one is heard). */
export function StatusLine({ text }: { text: string }) {
  return (
    <div role="status" aria-live="polite" aria-atomic="true">
      {text && (
        <Text size="sm" fw={600}>
          {text}
        </Text>
      )}
    </div>
  );
}
