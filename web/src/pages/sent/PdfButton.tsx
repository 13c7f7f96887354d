import { useState } from 'react';
import { Button, Text } from '@mantine/core';
import type { Bundle, FhirResource } from 'fhir/r4';
import { useFhirClient } from '../../fhir/FhirProvider';
import { FhirError } from '../../fhir/errors';
import { isContactForm } from '../patient/timeline';

/**
 * The record whose PDF form the hub prints (`$pdf`, docs/printing.md), as `Type/id`, or undefined for what it does not
 * print: a document Bundle (its Composition first), an advance directive (Consent with scope adr), a contact form or
 * its answer (Communication of kind contact-form).
 */
export function printableRecord(resource: FhirResource | undefined): string | undefined {
  if (!resource?.id) return undefined;
  switch (resource.resourceType) {
    case 'Bundle':
      return resource.type === 'document' && resource.entry?.[0]?.resource?.resourceType === 'Composition' ? `Bundle/${resource.id}` : undefined;
    case 'Consent':
      return resource.scope?.coding?.some((c) => c.system === 'http://terminology.hl7.org/CodeSystem/consentscope' && c.code === 'adr') ? `Consent/${resource.id}` : undefined;
    case 'Communication':
      return isContactForm(resource) ? `Communication/${resource.id}` : undefined;
    default:
      return undefined;
  }
}

/**
 * Downloads the stored record's PDF form (`GET Type/{id}/$pdf` with the user's token), or with `preview` the PDF of a
 * document not yet sent (`POST Bundle/$pdf`: judged as its sending would be, nothing stored, marked 未送信), under the
 * name the hub gives it (退院時情報提供書_<id>.pdf …); a blob URL, which the app's CSP allows for downloads.
 */
export function PdfButton({ record, preview, label = '印刷用PDFを開く' }: { record?: string; preview?: () => Bundle | undefined; label?: string }) {
  const client = useFhirClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const open = async () => {
    setBusy(true);
    setError('');
    try {
      const unsent = preview?.();
      if (preview && !unsent) return;
      const [type, id] = record?.split('/') ?? [];
      const { blob, fileName } = unsent
        ? await client.pdf('Bundle/$pdf', unsent)
        : await client.pdf(`${type}/${encodeURIComponent(id)}/$pdf`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName ?? (unsent ? 'Bundle-preview.pdf' : `${type}-${id}.pdf`);
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
