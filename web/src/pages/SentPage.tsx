import { Link } from 'react-router-dom';
import { Alert, Anchor, Badge, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Bundle, FhirResource, Organization, Patient, PractitionerRole, Task } from 'fhir/r4';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { patientNames } from '../fhir/names';
import { pickedOf, recordsById } from '../forms/prefill';
import { ErrorNotice } from '../shell/ErrorNotice';
import { formatDateTime } from './patient/format';
import { RecipientsTable } from './RecipientsTable';
import { PdfButton } from './sent/PdfButton';
import { sentDocuments, sentTasksSearch, type SentDocument } from './sent/sentData';

function resources(bundle: Bundle | undefined): FhirResource[] {
  return (bundle?.entry ?? []).map((e) => e.resource).filter((r): r is FhirResource => Boolean(r));
}

/**
 * 送信済み (docs/web-app.md §8): the discharge handoffs the user's organisation sent, newest first, with each
 * recipient's hand-off state and fee-rule deadline. The hub has no author search on Bundle; the Tasks it opened on
 * sending name the sender's role as requester, so: the organisation's roles, then their Tasks, then names.
 */
export default function SentPage() {
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const client = useFhirClient();
  const organization = session?.organization;
  const sent = useQuery<{ documents: SentDocument[] }, FhirError>({
    // keyed by Task first, so a live hand-off event refreshes it (live/invalidation.ts)
    queryKey: ['Task', 'sent', organization],
    enabled: Boolean(organization),
    queryFn: async ({ signal }) => {
      const roles = await client.search<PractitionerRole>('PractitionerRole', { organization: `Organization/${organization}`, _count: 100 }, signal);
      const roleRefs = resources(roles).map((r) => `PractitionerRole/${r.id}`);
      if (session?.practitionerRole && !roleRefs.includes(`PractitionerRole/${session.practitionerRole}`)) {
        roleRefs.push(`PractitionerRole/${session.practitionerRole}`);
      }
      if (roleRefs.length === 0) return { documents: [] };
      const found = await client.request<Bundle>('GET', sentTasksSearch(roleRefs), undefined, {}, signal);
      const tasks = resources(found).filter((r): r is Task => r.resourceType === 'Task');
      const ids = (type: string, refs: Array<string | undefined>) =>
        [...new Set(refs.filter((r): r is string => Boolean(r?.startsWith(`${type}/`))).map((r) => r.slice(type.length + 1)))];
      const patients = ids('Patient', tasks.map((t) => t.for?.reference));
      const ownerRoles = ids('PractitionerRole', tasks.map((t) => t.owner?.reference));
      const ownerOrgs = ids('Organization', tasks.map((t) => t.owner?.reference));
      const urls = [
        ...(patients.length ? [`Patient?_id=${patients.join(',')}&_count=${patients.length}`] : []),
        ...(ownerRoles.length ? [`PractitionerRole?_id=${ownerRoles.join(',')}&_include=PractitionerRole:practitioner&_include=PractitionerRole:organization&_count=${ownerRoles.length}`] : []),
        ...(ownerOrgs.length ? [`Organization?_id=${ownerOrgs.join(',')}&_count=${ownerOrgs.length}`] : []),
      ];
      const names = new Map<string, string>();
      if (urls.length > 0) {
        const batch = await client.batch(urls, signal);
        const all = (batch.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Bundle' ? resources(e.resource as Bundle) : []));
        const records = recordsById(all);
        for (const r of all) {
          if (r.resourceType === 'Patient') names.set(`Patient/${r.id}`, patientNames(r as Patient).name);
          if (r.resourceType === 'PractitionerRole' || r.resourceType === 'Organization') names.set(`${r.resourceType}/${r.id}`, pickedOf(r as PractitionerRole | Organization, records).label);
        }
      }
      return { documents: sentDocuments(tasks, names, Date.now()) };
    },
  });

  return (
    <Stack gap="md" maw={960}>
      <Title order={1} size="h2">
        送信済みの退院時情報提供書
      </Title>
      <Text size="sm" c="dimmed">
        所属機関から送った文書と、送付先ごとの受領の状況・算定要件の期限です。
      </Text>
      {!organization && <Alert color="orange" title="所属機関が分かりません">サインイン中のユーザーに所属機関が登録されていません。</Alert>}
      {sent.isPending && organization && <Loader aria-label="読み込み中" />}
      {sent.isError && <ErrorNotice error={sent.error} onRetry={() => void sent.refetch()} />}
      {sent.data?.documents.length === 0 && <Text>送信済みの文書はありません。</Text>}
      <Stack gap="sm" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {sent.data?.documents.map((doc) => (
          <Paper key={doc.focus} withBorder p="sm" component="li" aria-label={`${doc.patient || '患者'} ${formatDateTime(doc.sentAt)}`}>
            <Group justify="space-between" wrap="wrap" gap="xs">
              <div>
                <Text fw={700}>
                  {doc.patient || '（患者名を表示できません）'}
                  {doc.overdue && (
                    <Badge color="red" ml="xs">
                      期限超過あり
                    </Badge>
                  )}
                </Text>
                <Text size="sm" c="dimmed">
                  送信 {formatDateTime(doc.sentAt)}
                </Text>
              </div>
              <Group gap="xs">
                {doc.recipients[0]?.task.for?.reference && (
                  <Anchor component={Link} to={`/${doc.recipients[0].task.for.reference.replace('Patient/', 'patients/')}`} size="sm">
                    患者ページ
                  </Anchor>
                )}
                <PdfButton record={`Bundle/${doc.bundleId}`} label="PDF" />
              </Group>
            </Group>
            <RecipientsTable
              mt="xs"
              recipientHeading="送付先"
              deadlineHeading="期限"
              rows={doc.recipients.map((r) => ({ key: r.task.id, recipient: r.owner, state: r.status, deadline: r.deadline }))}
            />
          </Paper>
        ))}
      </Stack>
    </Stack>
  );
}
