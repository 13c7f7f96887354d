import { Link } from 'react-router-dom';
import { Alert, Anchor, Badge, Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Bundle, Communication, Task } from 'fhir/r4';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { ErrorNotice } from '../shell/ErrorNotice';
import { sentContactFormsSearch, sentQuestions, type SentQuestion } from './contact/contactData';
import { lookupNames } from './inbox/names';
import { formatDateTime } from './patient/format';
import { RecipientsTable } from './RecipientsTable';

/**
 * 送信済みの連絡票 (docs/web-app.md §9): the questions the user sent, newest first, each recipient's state and
 * 返信希望日. Built from the contact-form Tasks the hub opened on sending (requester: the user's role), so its key
 * starts with Task and a live hand-off event (the Task read or completed by the answer) refreshes it.
 */
export default function ContactFormListPage() {
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const role = session?.practitionerRole;
  const client = useFhirClient();
  const sent = useQuery<SentQuestion[], FhirError>({
    queryKey: ['Task', 'contact-sent', role],
    enabled: Boolean(role),
    queryFn: async ({ signal }) => {
      const found = await client.request<Bundle>('GET', sentContactFormsSearch([`PractitionerRole/${role}`]), undefined, {}, signal);
      const tasks = (found.entry ?? []).map((e) => e.resource).filter((r): r is Task => r?.resourceType === 'Task');
      const ids = [...new Set(tasks.map((t) => t.focus?.reference ?? '').filter((r) => r.startsWith('Communication/')).map((r) => r.slice('Communication/'.length)))];
      const questions = ids.length
        ? ((await client.search<Communication>('Communication', { _id: ids.join(','), _count: ids.length }, signal)).entry ?? [])
            .map((e) => e.resource)
            .filter((r): r is Communication => r?.resourceType === 'Communication')
        : [];
      const refs = [...tasks.flatMap((t) => [t.owner, t.for]), ...questions.map((q) => q.subject)]
        .filter((r) => r?.reference && !r.display)
        .map((r) => r!.reference!);
      return sentQuestions(tasks, questions, await lookupNames(client, refs, signal), Date.now());
    },
  });

  return (
    <Stack gap="md" maw={960}>
      <Group justify="space-between" align="baseline" wrap="wrap">
        <Title order={1} size="h2">
          主治医・ケアマネジャー連絡票
        </Title>
        <Button component={Link} to="/contact-forms/new">
          連絡票を作成
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        送信した連絡票と、宛先ごとの状態（未読・既読・回答済み）です。回答が届くと自動で更新されます。
      </Text>
      {!role && <Alert color="orange" title="職種情報がありません">サインイン中のユーザーに PractitionerRole が登録されていません。</Alert>}
      {sent.isPending && role && <Loader aria-label="読み込み中" />}
      {sent.isError && <ErrorNotice error={sent.error} onRetry={() => void sent.refetch()} />}
      {sent.data?.length === 0 && <Text>送信した連絡票はありません。</Text>}
      <Stack gap="sm" component="ol" aria-label="送信した連絡票" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {sent.data?.map((item) => (
          <Paper key={item.id} withBorder p="sm" component="li" aria-label={`${item.patient || '利用者'} ${item.topic} ${item.answered ? '回答済み' : '回答待ち'}`}>
            <Group justify="space-between" wrap="wrap" gap="xs">
              <div>
                <Anchor component={Link} to={`/contact-forms/${item.id}`} fw={700}>
                  {item.topic}
                </Anchor>
                <Text size="sm">
                  利用者: {item.patient || '（表示できません）'}
                  {item.answered ? (
                    <Badge ml="xs" color="teal">
                      回答済み
                    </Badge>
                  ) : (
                    <Badge ml="xs" variant="outline">
                      回答待ち
                    </Badge>
                  )}
                  {item.overdue && (
                    <Badge ml="xs" color="red">
                      期限超過
                    </Badge>
                  )}
                </Text>
                <Text size="sm" c="dimmed">
                  送信 {formatDateTime(item.sentAt)}
                </Text>
              </div>
            </Group>
            <RecipientsTable
              mt="xs"
              recipientHeading="宛先"
              deadlineHeading="返信期限"
              rows={item.recipients.map((r) => ({ key: r.task.id, recipient: r.recipient, state: r.state, deadline: r.deadline }))}
            />
          </Paper>
        ))}
      </Stack>
    </Stack>
  );
}
