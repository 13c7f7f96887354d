import { describe, expect, it } from 'vitest';
import type { FhirResource } from 'fhir/r4';
import { downloadName } from '../../fhir/client';
import { printableRecord } from './PdfButton';

describe('printing a record (issue 19, flow 5)', () => {
  it('offers the PDF of exactly what the hub prints: document Bundles, advance directives, contact forms', () => {
    const document = { resourceType: 'Bundle', id: 'b1', type: 'document', entry: [{ resource: { resourceType: 'Composition' } }] } as FhirResource;
    const adr = { resourceType: 'Consent', id: 'c1', scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'adr' }] } } as FhirResource;
    const privacy = { resourceType: 'Consent', id: 'c2', scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] } } as FhirResource;
    const contact = { resourceType: 'Communication', id: 'm1', category: [{ coding: [{ system: 'http://renkei.example.jp/fhir/CodeSystem/care-document', code: 'contact-form' }] }] } as FhirResource;
    expect(printableRecord(document)).toBe('Bundle/b1');
    expect(printableRecord(adr)).toBe('Consent/c1');
    expect(printableRecord(contact)).toBe('Communication/m1');
    expect(printableRecord({ ...document, type: 'collection' } as FhirResource)).toBeUndefined();
    expect(printableRecord(privacy)).toBeUndefined();
    expect(printableRecord({ resourceType: 'Communication', id: 'm2' } as FhirResource)).toBeUndefined();
    expect(printableRecord({ resourceType: 'Observation', id: 'o1' } as FhirResource)).toBeUndefined();
  });

  it("names the file as the hub does: the Japanese filename* first, else the ASCII one", () => {
    expect(downloadName(`attachment; filename="discharge-summary-b1.pdf"; filename*=UTF-8''${encodeURIComponent('退院時情報提供書_b1.pdf')}`)).toBe('退院時情報提供書_b1.pdf');
    expect(downloadName('attachment; filename="discharge-summary-b1.pdf"')).toBe('discharge-summary-b1.pdf');
    expect(downloadName('Attachment;')).toBeUndefined();
    expect(downloadName(null)).toBeUndefined();
  });
});
