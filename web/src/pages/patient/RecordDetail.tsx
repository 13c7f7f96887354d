import type { ReactNode } from 'react';
import { Badge, Group, Loader, Modal, Stack, Table, Text, Title } from '@mantine/core';
import type { Composition, Consent, FhirResource } from 'fhir/r4';
import { ErrorNotice } from '../../shell/ErrorNotice';
import { formatDate, formatDateTime } from './format';
import { useRecord } from './hooks';
import { KIND_LABELS, TASK_STATUS_LABELS, observationValue, taskDeadline, toEntry, type Names } from './timeline';
import { PdfButton, printableRecord } from '../sent/PdfButton';

const FEE_RULE_DEADLINE = 'http://renkei.example.jp/fhir/StructureDefinition/fee-rule-deadline';
const CONTACT_FORM_PART = 'http://renkei.example.jp/fhir/StructureDefinition/contact-form-part';

/** The text of a narrative, never its markup (no HTML of a record is put into the page). */
function narrativeText(div: string | undefined): string {
  if (!div) {
    return '';
  }
  return (new DOMParser().parseFromString(div, 'text/html').body.textContent ?? '').trim();
}

const END_OF_LIFE_PLACE = 'http://renkei.example.jp/fhir/StructureDefinition/end-of-life-place';
const STORED_SIGNATURE = 'http://renkei.example.jp/fhir/StructureDefinition/stored-signature';

/** 療養場所 of an advance directive: the choice and the patient's own words. */
function endOfLifePlace(consent: Consent): string | undefined {
  const place = consent.extension?.find((e) => e.url === END_OF_LIFE_PLACE)?.valueCodeableConcept;
  const chosen = place?.coding?.[0]?.display;
  return [chosen, place?.text].filter(Boolean).join('：') || undefined;
}

/** Who witnessed an advance directive: the signature the hub keeps with it (a seal of the hub's own is not a witness). */
function witnessOf(consent: Consent): string | undefined {
  const signature = consent.meta?.extension?.find((e) => e.url === STORED_SIGNATURE)?.valueSignature;
  const witnessed = signature?.type?.some((t) => t.code === '1.2.840.10065.1.12.1.11');
  return witnessed ? `${signature?.who?.display ?? signature?.who?.reference ?? ''}（${formatDateTime(signature?.when)}）` : undefined;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  if (children === undefined || children === null || children === '') {
    return null;
  }
  return (
    <Table.Tr>
      <Table.Th scope="row" w="8rem" style={{ verticalAlign: 'top', whiteSpace: 'nowrap' }}>
        {label}
      </Table.Th>
      <Table.Td style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

function Sections({ composition }: { composition: Composition }) {
  return (
    <Stack gap="sm">
      {(composition.section ?? []).map((section, i) => (
        <section key={i} aria-label={section.title}>
          <Title order={3} size="h6">
            {section.title ?? section.code?.text ?? '（見出しなし）'}
          </Title>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {narrativeText(section.text?.div) || '（記載なし）'}
          </Text>
        </section>
      ))}
    </Stack>
  );
}

function Body({ resource, names }: { resource: FhirResource; names: Names }) {
  const now = Date.now();
  const ref = (r: { display?: string; reference?: string } | undefined) => r?.display ?? (r?.reference ? (names.get(r.reference) ?? r.reference) : '');
  switch (resource.resourceType) {
    case 'Bundle': {
      const composition = resource.entry?.[0]?.resource as FhirResource | undefined;
      return composition?.resourceType === 'Composition' ? (
        <Stack gap="sm">
          <Table>
            <Table.Tbody>
              <Row label="作成日時">{formatDateTime(composition.date)}</Row>
              <Row label="状態">{composition.status === 'final' ? '確定' : composition.status === 'preliminary' ? '下書き' : composition.status}</Row>
            </Table.Tbody>
          </Table>
          <Sections composition={composition} />
        </Stack>
      ) : null;
    }
    case 'Composition':
      return <Sections composition={resource} />;
    case 'DocumentReference':
      return (
        <Table>
          <Table.Tbody>
            <Row label="説明">{resource.description}</Row>
            <Row label="添付">{resource.content?.map((c) => c.attachment.title ?? c.attachment.contentType).join('、')}</Row>
            <Row label="日付">{formatDateTime(resource.date)}</Row>
            <Row label="状態">{resource.status === 'current' ? '最新版' : resource.status === 'superseded' ? '旧版' : resource.status}</Row>
          </Table.Tbody>
        </Table>
      );
    case 'Task': {
      const deadline = taskDeadline(resource, now);
      const feeRules = (resource.extension ?? []).filter((e) => e.url === FEE_RULE_DEADLINE);
      return (
        <Table>
          <Table.Tbody>
            <Row label="状態">{TASK_STATUS_LABELS[resource.status] ?? resource.status}</Row>
            <Row label="宛先">{ref(resource.owner)}</Row>
            <Row label="依頼者">{ref(resource.requester)}</Row>
            <Row label="依頼日時">{formatDateTime(resource.authoredOn)}</Row>
            <Row label="期限">
              {deadline && (
                <Text span c={deadline.overdue ? 'red.8' : undefined} fw={deadline.overdue ? 700 : undefined}>
                  {deadline.label}
                </Text>
              )}
            </Row>
            <Row label="算定要件">
              {feeRules
                .map((e) => {
                  const rule = e.extension?.find((x) => x.url === 'rule')?.valueCoding?.display ?? '';
                  const due = e.extension?.find((x) => x.url === 'due');
                  return `${rule} ${formatDateTime(due?.valueDateTime ?? due?.valueInstant ?? due?.valueDate)}`.trim();
                })
                .join('\n')}
            </Row>
            <Row label="理由">{resource.statusReason?.text}</Row>
            <Row label="対象文書">{resource.focus?.reference}</Row>
          </Table.Tbody>
        </Table>
      );
    }
    case 'Communication':
      return (
        <Stack gap="sm">
          <Table>
            <Table.Tbody>
              <Row label="送信者">{ref(resource.sender)}</Row>
              <Row label="宛先">{(resource.recipient ?? []).map(ref).join('、')}</Row>
              <Row label="送信日時">{formatDateTime(resource.sent)}</Row>
              <Row label="受信日時">{formatDateTime(resource.received)}</Row>
            </Table.Tbody>
          </Table>
          {(resource.payload ?? []).map((p, i) => (
            <section key={i}>
              {p.extension?.find((e) => e.url === CONTACT_FORM_PART)?.valueCoding?.display && (
                <Title order={3} size="h6">
                  {p.extension.find((e) => e.url === CONTACT_FORM_PART)?.valueCoding?.display}
                </Title>
              )}
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {p.contentString ?? p.contentAttachment?.title ?? ''}
              </Text>
            </section>
          ))}
        </Stack>
      );
    case 'Observation':
      return (
        <Table>
          <Table.Tbody>
            <Row label="値">{observationValue(resource)}</Row>
            <Row label="測定日時">{formatDateTime(resource.effectiveDateTime ?? resource.effectivePeriod?.start ?? resource.effectiveInstant)}</Row>
            <Row label="記録者">{ref(resource.performer?.[0])}</Row>
            <Row label="メモ">{resource.note?.map((n) => n.text).join('\n')}</Row>
          </Table.Tbody>
        </Table>
      );
    case 'Consent':
      return (
        <Table>
          <Table.Tbody>
            <Row label="日付">{resource.dateTime?.includes('T') ? formatDateTime(resource.dateTime) : formatDate(resource.dateTime)}</Row>
            <Row label="内容">
              {(resource.provision?.provision ?? [])
                .map((p) => `${p.code?.[0]?.text ?? p.code?.[0]?.coding?.[0]?.display ?? ''}: ${p.type === 'permit' ? '希望する' : p.type === 'deny' ? '希望しない' : ''}`)
                .join('\n')}
            </Row>
            <Row label="最期を過ごしたい場所">{endOfLifePlace(resource)}</Row>
            <Row label="代理意思決定者">{(resource.provision?.actor ?? []).map((a) => a.reference?.display ?? a.reference?.reference).filter(Boolean).join('、')}</Row>
            <Row label="署名済みの書面">{resource.sourceAttachment ? `${resource.sourceAttachment.title ?? '添付あり'}（${resource.sourceAttachment.contentType ?? ''}）` : undefined}</Row>
            <Row label="立会医師の署名">{witnessOf(resource)}</Row>
          </Table.Tbody>
        </Table>
      );
    default:
      return null;
  }
}

/** A record opened from the timeline or a marker, in a dialog (the URL names it, so back closes it). */
export function RecordDetail({ target, shown, names, onClose }: { target: { type: string; id: string } | null; shown?: FhirResource; names: Names; onClose: () => void }) {
  const record = useRecord(target?.type ?? '', target?.id ?? '', shown);
  const resource = record.data;
  const entry = resource ? toEntry(resource, names, Date.now()) : undefined;
  const title = entry?.title ?? (resource?.resourceType === 'Consent' ? '事前指示書' : '記録');
  return (
    <Modal opened={!!target} onClose={onClose} title={<Text fw={700}>{title}</Text>} size="lg" fullScreen={false}>
      {record.isPending && <Loader aria-label="読み込み中" />}
      {record.isError && <ErrorNotice error={record.error} onRetry={() => void record.refetch()} />}
      {resource && (
        <Stack gap="sm">
          <Group gap="xs">
            {entry && <Badge variant="light">{KIND_LABELS[entry.kind]}</Badge>}
            {entry?.author && <Text size="sm">{entry.author}</Text>}
            <Text size="sm" c="dimmed">
              {formatDateTime(resource.meta?.lastUpdated)}
            </Text>
          </Group>
          <Body resource={resource} names={names} />
          {printableRecord(resource) && (
            <div>
              <PdfButton record={printableRecord(resource)!} />
            </div>
          )}
        </Stack>
      )}
    </Modal>
  );
}

/** The body of a record as the detail dialog shows it (document sections, a Task’s state and deadlines, a message’s parts), for other pages. */
export { Body as RecordBody };
