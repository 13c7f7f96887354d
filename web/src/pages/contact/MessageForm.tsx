import { useCallback, useRef, useState } from 'react';
import { Button, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import type { Communication } from 'fhir/r4';
import { useFhirClient } from '../../fhir/FhirProvider';
import type { FhirError } from '../../fhir/errors';
import { StatusLine } from '../../shell/StatusLine';
import type { Answer, Answers, PickedReference } from '../../forms/answers';
import type { MessageDefinition } from '../../forms/contact-form';
import { ifNoneExist, missingMessageAnswers, placeMessageIssues } from '../../forms/contactFormBuilder';
import { newDraft } from '../../forms/builder';
import { FieldInput, type FieldContext } from '../../forms/FormRenderer';
import { SendProblems } from '../../forms/SendProblems';
import { searchDirectory } from './directory';

/**
 * A contact form (question or answer) from its definition: the generic renderer's fields, required ones checked
 * before sending, one conditional create (`If-None-Exist` on the draft's identifier, so a retry after a failure never
 * sends twice), the hub's 422 placed at the fields, and what to do after any other failure.
 */
export function MessageForm({
  definition,
  initial,
  team,
  build,
  submitLabel,
  onSent,
}: {
  definition: MessageDefinition;
  initial?: Answers;
  team: readonly PickedReference[];
  /** the Communication of the answers, with the draft's id and the time of sending */
  build: (answers: Answers, draftId: string, now: string) => Communication;
  submitLabel: string;
  onSent: (sent: Communication) => void;
}) {
  const client = useFhirClient();
  const [answers, setAnswers] = useState<Answers>(initial ?? {});
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const [announce, setAnnounce] = useState('');
  const draft = useRef(newDraft());
  const send = useMutation<Communication, FhirError, Communication>({
    mutationFn: (message) =>
      client.request<Communication>('POST', 'Communication', message, { Prefer: 'return=representation', 'If-None-Exist': ifNoneExist(message) }),
    onSuccess: (sent) => {
      setAnnounce('送信しました。');
      onSent(sent);
    },
  });
  const setAnswer = useCallback((id: string, value: Answer) => {
    setAnswers((a) => ({ ...a, [id]: value }));
    setErrors((e) => {
      if (!e.has(id)) return e;
      const next = new Map(e);
      next.delete(id);
      return next;
    });
  }, []);
  const ctx: FieldContext = { answers, setAnswer, errors, team, searchDirectory: (text) => searchDirectory(client, text) };

  const submit = () => {
    const missing = missingMessageAnswers(definition, answers);
    if (missing.size > 0) {
      setErrors(new Map([...missing].map(([id, m]) => [id, [m]])));
      setAnnounce(`入力されていない必須項目が${missing.size}件あります。`);
      return;
    }
    const message = build(answers, draft.current.id, new Date().toISOString());
    setUnplaced([]);
    send.mutate(message, {
      onError: (error) => {
        if (error.kind !== 'invalid') {
          setAnnounce(`${error.title}${error.action}`);
          return;
        }
        const placed = placeMessageIssues(definition, message, error.issues);
        setErrors(placed.byField);
        setUnplaced(placed.unplaced);
        setAnnounce(`送信できませんでした。ハブが${error.issues.length}件の誤りを指摘しました。ハブには何も保存されていません。`);
      },
    });
  };

  return (
    <Stack gap="md">
      {definition.fields.map((field) => (
        <FieldInput key={field.id} field={field} ctx={ctx} />
      ))}
      <StatusLine text={announce} />
      <SendProblems documentWord="連絡票" unplaced={unplaced} error={send.isError ? send.error : null} onRetry={submit} />
      <div>
        <Button onClick={submit} loading={send.isPending} disabled={send.isSuccess}>
          {submitLabel}
        </Button>
      </div>
    </Stack>
  );
}
