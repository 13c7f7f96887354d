import { useState } from 'react';
import { Button, Text } from '@mantine/core';
import { useFhirClient } from '../../fhir/FhirProvider';
import { FhirError } from '../../fhir/errors';

/** Opens the stored document as its PDF form (`GET Bundle/{id}/$pdf` with the user's token, docs/printing.md). */
export function PdfButton({ bundleId, label = '印刷用PDFを開く' }: { bundleId: string; label?: string }) {
  const client = useFhirClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const open = async () => {
    setBusy(true);
    setError('');
    try {
      const blob = await client.pdf(`Bundle/${encodeURIComponent(bundleId)}/$pdf`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `discharge-summary-${bundleId}.pdf`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(e instanceof FhirError ? `${e.title}${e.action}` : 'PDFを作成できませんでした。');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button variant="light" onClick={() => void open()} loading={busy}>
        {label}
      </Button>
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
    </>
  );
}
