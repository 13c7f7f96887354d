import { useState } from 'react';
import { Link, Navigate, useParams } from 'react-router-dom';
import { Alert, Anchor, Badge, Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bundle, FhirResource, Task } from 'fhir/r4';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { PATIENT_PAGE } from '../live/invalidation';
import { ErrorNotice } from '../shell/ErrorNotice';
import { taskStateLabel } from './inbox/inboxData';
import { lookupNames } from './inbox/names';
import { canTake, stepFailureHint, takeStep, TASK_ACTIONS, type TaskAction } from './inbox/taskActions';
import { RecordBody } from './patient/RecordDetail';
import { HANDOFF_LABELS } from './patient/timeline';
import { PdfButton } from './sent/PdfButton';

/**
 * A hand-off opened from the inbox (docs/web-app.md §9): the document as sent (its sections in Japanese, the same view
 * as the patient page's detail), the Task's state and deadlines, 受領 and 受諾 (PUT with If-Match), and its PDF.
 */
export default function HandoffTaskPage() {
  const { id = '' } = useParams();
  const client = useFhirClient();
  const queryClient = useQueryClient();
  // keyed by type first: a live hand-off event refreshes the state shown
  const task = useQuery<{ task: Task & { id: string }; names: Map<string, string> }, FhirError>({
    queryKey: ['Task', 'read', id],
    queryFn: async ({ signal }) => {
      const read = (await client.read<Task>('Task', id, signal)) as Task & { id: string };
      const refs = [read.for, read.owner, read.requester].map((r) => r?.reference).filter((r): r is string => Boolean(r));
      return { task: read, names: await lookupNames(client, refs, signal) };
    },
  });
  const focus = task.data?.task.focus?.reference ?? '';
  const bundleId = focus.startsWith('Bundle/') ? focus.slice('Bundle/'.length) : '';
  const document = useQuery<Bundle, FhirError>({
    queryKey: ['Bundle', 'read', bundleId],
    enabled: Boolean(bundleId),
    queryFn: ({ signal }) => client.read<Bundle>('Bundle', bundleId, signal),
  });
  const [done, setDone] = useState('');
  const step = useMutation<Task, FhirError, TaskAction>({
    mutationFn: (action) => takeStep(client, task.data!.task, action),
    onSuccess: (saved, action) => {
      setDone(TASK_ACTIONS[action].done);
      queryClient.setQueryData(['Task', 'read', id], { task: saved, names: task.data!.names });
      void queryClient.invalidateQueries({ queryKey: ['Task'] });
      void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE] });
    },
    onMutate: () => setDone(''),
  });

  if (focus.startsWith('Communication/')) {
    return <Navigate to={`/contact-forms/${focus.slice('Communication/'.length)}`} replace />;
  }
  const current = task.data?.task;
  const code = current?.code?.coding?.find((c) => c.system === 'http://renkei.example.jp/fhir/CodeSystem/handoff')?.code ?? '';
  const title = (HANDOFF_LABELS[code] ?? '引き継ぎ').replace(/の送付$/, '');
  const patientRef = current?.for?.reference ?? '';
  const patientName = current ? current.for?.display || task.data?.names.get(patientRef) || '' : '';

  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to="/inbox" size="sm">
        ← 受信箱
      </Anchor>
      <Title order={1} size="h2">
        {title}
        {patientName && `：${patientName} さん`}
      </Title>
      {task.isPending && <Loader aria-label="読み込み中" />}
      {task.isError && <ErrorNotice error={task.error} onRetry={() => void task.refetch()} />}
      {current && (
        <>
          <Paper withBorder p="sm" component="section" aria-labelledby="handoff-state">
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Title order={2} size="h4" id="handoff-state">
                状態: <Badge size="lg">{taskStateLabel(current)}</Badge>
              </Title>
              <Group gap="xs">
                {(['receive', 'accept'] as const).map((action) => (
                  <Button
                    key={action}
                    onClick={() => step.mutate(action)}
                    disabled={!canTake(current, action) || step.isPending}
                    loading={step.isPending && step.variables === action}
                    variant={canTake(current, action) ? 'filled' : 'default'}
                  >
                    {TASK_ACTIONS[action].label}
                  </Button>
                ))}
              </Group>
            </Group>
            <Text size="sm" c="dimmed" mt="xs">
              「受領」で届いたことを送信者に知らせます（受領の日時が送達の記録になります）。内容を確認して引き受けるときは「受諾」を押します（受領の後）。
            </Text>
            <div role="status" aria-live="polite">
              {done && (
                <Text size="sm" fw={600} mt="xs">
                  {done}
                </Text>
              )}
            </div>
            {step.isError && (
              <Stack gap="xs" mt="xs">
                <ErrorNotice error={step.error} />
                {stepFailureHint(step.error.kind) && <Text size="sm">{stepFailureHint(step.error.kind)}</Text>}
                <div>
                  <Button size="xs" variant="light" onClick={() => void task.refetch().then(() => step.reset())}>
                    最新の状態を読み込む
                  </Button>
                </div>
              </Stack>
            )}
            <RecordBody resource={current as FhirResource} names={task.data!.names} />
          </Paper>
          <Group gap="xs">
            {bundleId && <PdfButton record={`Bundle/${bundleId}`} />}
            {patientRef.startsWith('Patient/') && (
              <Button component={Link} to={`/patients/${patientRef.slice('Patient/'.length)}`} variant="light">
                患者ページ
              </Button>
            )}
          </Group>
          <Paper withBorder p="sm" component="article" aria-labelledby="handoff-document">
            <Title order={2} size="h4" id="handoff-document" mb="xs">
              文書の内容
            </Title>
            {!bundleId && <Alert color="gray">この引継ぎには文書が付いていません。</Alert>}
            {document.isPending && bundleId && <Loader aria-label="文書を読み込み中" />}
            {document.isError && <ErrorNotice error={document.error} onRetry={() => void document.refetch()} />}
            {document.data && <RecordBody resource={document.data} names={task.data!.names} />}
          </Paper>
        </>
      )}
    </Stack>
  );
}
