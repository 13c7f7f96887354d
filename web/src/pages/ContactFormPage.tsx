import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Anchor, Badge, Button, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bundle, Communication, Task } from 'fhir/r4';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { PATIENT_PAGE } from '../live/invalidation';
import { ErrorNotice } from '../shell/ErrorNotice';
import { CONTACT_FORM_ANSWER, REPLY_REQUESTED_BY } from '../forms/contact-form';
import { buildAnswer, contactFormParts } from '../forms/contactFormBuilder';
import { answersTo, patientContactFormsSearch } from './contact/contactData';
import { MessageForm } from './contact/MessageForm';
import { addressesOf, taskStateLabel } from './inbox/inboxData';
import { lookupNames } from './inbox/names';
import { stepFailureHint, takeStep } from './inbox/taskActions';
import { formatDate, formatDateTime } from './patient/format';
import { taskDeadline } from './patient/timeline';
import { RecipientsTable } from './RecipientsTable';
import { PdfButton } from './sent/PdfButton';

function Parts({ message }: { message: Communication }) {
  return (
    <Stack gap="xs">
      {contactFormParts(message).map((part, i) => (
        <section key={i} aria-label={part.title}>
          <Title order={3} size="h6">
            {part.title}
          </Title>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {part.text}
          </Text>
        </section>
      ))}
    </Stack>
  );
}

/**
 * One 主治医・ケアマネジャー連絡票 (docs/web-app.md §9): the question, each recipient's state (未読, 既読, 回答済み) and
 * 返信希望日, the answers as they arrive (live: keyed by Communication and Task), and for a recipient 既読にする and
 * 「回答する」 (the answer form from its definition).
 */
export default function ContactFormPage() {
  const { id = '' } = useParams();
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const mine = useMemo(
    () => new Set(addressesOf({ organization: session?.organization, practitionerRole: session?.practitionerRole, practitioner: session?.practitioner })),
    [session?.organization, session?.practitionerRole, session?.practitioner],
  );
  const client = useFhirClient();
  const queryClient = useQueryClient();
  const question = useQuery<Communication & { id: string }, FhirError>({
    queryKey: ['Communication', 'read', id],
    queryFn: ({ signal }) => client.read<Communication>('Communication', id, signal) as Promise<Communication & { id: string }>,
  });
  const tasks = useQuery<{ tasks: Array<Task & { id: string }>; names: Map<string, string> }, FhirError>({
    queryKey: ['Task', 'contact', id],
    queryFn: async ({ signal }) => {
      const found = await client.search<Task>('Task', { focus: `Communication/${id}`, _count: 50 }, signal);
      const list = (found.entry ?? []).map((e) => e.resource).filter((t): t is Task & { id: string } => t?.resourceType === 'Task' && Boolean(t.id));
      const refs = list.flatMap((t) => [t.owner, t.for]).filter((r) => r?.reference && !r.display).map((r) => r!.reference!);
      return { tasks: list, names: await lookupNames(client, refs, signal) };
    },
  });
  const subject = question.data?.subject?.reference ?? '';
  const answers = useQuery<Communication[], FhirError>({
    queryKey: ['Communication', 'answers', id, subject],
    enabled: Boolean(subject),
    queryFn: async ({ signal }) => {
      const found = await client.request<Bundle>('GET', patientContactFormsSearch(subject), undefined, {}, signal);
      return answersTo(id, (found.entry ?? []).map((e) => e.resource).filter((r): r is Communication => r?.resourceType === 'Communication'));
    },
  });

  const myTask = tasks.data?.tasks.find((t) => mine.has(t.owner?.reference ?? '') && ['requested', 'received', 'accepted', 'in-progress'].includes(t.status));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['Task'] });
    void queryClient.invalidateQueries({ queryKey: ['Communication'] });
    void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE] });
  };
  const markRead = useMutation<Task, FhirError, Task & { id: string }>({
    mutationFn: (task) => takeStep(client, task, 'receive'),
    onSuccess: refresh,
  });
  const [answering, setAnswering] = useState(false);
  const [answered, setAnswered] = useState(false);

  const q = question.data;
  const replyBy = q?.extension?.find((e) => e.url === REPLY_REQUESTED_BY)?.valueDate;
  const patientName = q?.subject?.display || tasks.data?.names.get(subject) || '';
  const now = Date.now();

  return (
    <Stack gap="md" maw={960}>
      <Group gap="md">
        <Anchor component={Link} to="/inbox" size="sm">
          ← 受信箱
        </Anchor>
        {session?.home === 'care-manager' && (
          <Anchor component={Link} to="/contact-forms" size="sm">
            連絡票の一覧
          </Anchor>
        )}
      </Group>
      <Title order={1} size="h2">
        主治医・ケアマネジャー連絡票{q?.topic?.text ? `：${q.topic.text}` : ''}
      </Title>
      {question.isPending && <Loader aria-label="読み込み中" />}
      {question.isError && <ErrorNotice error={question.error} onRetry={() => void question.refetch()} />}
      {q && (
        <Paper withBorder p="sm" component="article" aria-labelledby="question-heading">
          <Title order={2} size="h4" id="question-heading" mb="xs">
            相談
          </Title>
          <Table mb="sm">
            <Table.Tbody>
              <Table.Tr>
                <Table.Th scope="row" w="8rem">利用者</Table.Th>
                <Table.Td>
                  {subject.startsWith('Patient/') ? <Anchor component={Link} to={`/patients/${subject.slice('Patient/'.length)}`}>{patientName || subject}</Anchor> : patientName}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">差出人</Table.Th>
                <Table.Td>{q.sender?.display ?? q.sender?.reference}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">送信日時</Table.Th>
                <Table.Td>{formatDateTime(q.sent)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">返信希望日</Table.Th>
                <Table.Td>{replyBy ? formatDate(replyBy) : '指定なし'}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Parts message={q} />
          <Group mt="sm">
            <PdfButton record={`Communication/${q.id}`} />
          </Group>
        </Paper>
      )}

      <Paper withBorder p="sm" component="section" aria-labelledby="recipients-heading">
        <Title order={2} size="h4" id="recipients-heading" mb="xs">
          宛先と状態
        </Title>
        {tasks.isError && <ErrorNotice error={tasks.error} onRetry={() => void tasks.refetch()} />}
        {tasks.data && tasks.data.tasks.length === 0 && <Text size="sm">状態を表示できる宛先はありません。</Text>}
        {tasks.data && tasks.data.tasks.length > 0 && (
          <RecipientsTable
            recipientHeading="宛先"
            deadlineHeading="返信期限"
            rows={tasks.data.tasks.map((t) => ({
              key: t.id,
              recipient: t.owner?.display || tasks.data!.names.get(t.owner?.reference ?? '') || t.owner?.reference,
              state: (
                <Badge variant={t.status === 'completed' ? 'filled' : 'light'} color={t.status === 'completed' ? 'teal' : 'blue'}>
                  {taskStateLabel(t)}
                </Badge>
              ),
              deadline: taskDeadline(t, now),
            }))}
          />
        )}
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="answers-heading">
        <Title order={2} size="h4" id="answers-heading" mb="xs">
          回答
        </Title>
        {answers.isError && <ErrorNotice error={answers.error} onRetry={() => void answers.refetch()} />}
        <div aria-live="polite">
          {answers.data && answers.data.length === 0 && <Text size="sm">まだ回答はありません。回答が届くと、ここにすぐ表示されます。</Text>}
          <Stack gap="md">
            {answers.data?.map((a) => (
              <Paper key={a.id} withBorder p="sm" component="article" aria-label={`回答 ${a.sender?.display ?? ''} ${formatDateTime(a.sent)}`}>
                <Text size="sm" c="dimmed" mb="xs">
                  {a.sender?.display ?? a.sender?.reference}・{formatDateTime(a.sent)}
                </Text>
                <Parts message={a} />
              </Paper>
            ))}
          </Stack>
        </div>
      </Paper>

      {q && myTask && !answered && (
        <Paper withBorder p="sm" component="section" aria-labelledby="answer-heading">
          <Title order={2} size="h4" id="answer-heading" mb="xs">
            この連絡票への対応
          </Title>
          <Group gap="xs" mb="sm">
            {myTask.status === 'requested' && (
              <Button variant="light" onClick={() => markRead.mutate(myTask)} loading={markRead.isPending}>
                既読にする
              </Button>
            )}
            {!answering && <Button onClick={() => setAnswering(true)}>回答する</Button>}
          </Group>
          {markRead.isError && (
            <Stack gap="xs" mb="sm">
              <ErrorNotice error={markRead.error} />
              {stepFailureHint(markRead.error.kind) && <Text size="sm">{stepFailureHint(markRead.error.kind)}</Text>}
            </Stack>
          )}
          {answering && session?.practitionerRole && (
            <MessageForm
              definition={CONTACT_FORM_ANSWER}
              team={[]}
              submitLabel="回答を送信する"
              build={(values, draftId, sentAt) =>
                buildAnswer(CONTACT_FORM_ANSWER, values, q, {
                  sender: { reference: `PractitionerRole/${session.practitionerRole}`, ...(session.name ? { display: session.name } : {}) },
                  draftId,
                  now: sentAt,
                })
              }
              onSent={() => {
                setAnswered(true);
                refresh();
              }}
            />
          )}
          {answering && !session?.practitionerRole && (
            <Alert color="orange">サインイン中のユーザーに PractitionerRole が登録されていないため、回答できません。</Alert>
          )}
        </Paper>
      )}
      {answered && (
        <Alert color="green" title="回答を送信しました" role="status">
          相談したケアマネジャーに届き、この連絡票は「回答済み」になります。
        </Alert>
      )}
    </Stack>
  );
}
