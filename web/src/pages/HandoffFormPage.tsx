import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Group, Loader, Paper, Stack, Stepper, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { Bundle, FhirResource, Organization, Patient, Practitioner, PractitionerRole } from 'fhir/r4';
import { useFhirClient } from '../fhir/FhirProvider';
import { FhirError } from '../fhir/errors';
import { patientNames } from '../fhir/names';
import { PATIENT_PAGE } from '../live/invalidation';
import { ErrorNotice } from '../shell/ErrorNotice';
import { StatusLine } from '../shell/StatusLine';
import { isAnswered, missingAnswers, type Answer, type Answers, type PickedReference, type RecordRow } from '../forms/answers';
import { buildDocument, newDraft, type Built, type Draft } from '../forms/builder';
import { stepOfField, type DocumentDefinition, type FieldDef } from '../forms/definition';
import { DISCHARGE_HANDOFF } from '../forms/discharge-handoff';
import { FieldInput, SectionForm, type FieldContext } from '../forms/FormRenderer';
import { SendProblems } from '../forms/SendProblems';
import { PATIENT_FIELD, placeIssues } from '../forms/issues';
import { pickedOf, prefillFrom, prefillSearches, recordsById, rolesSearch } from '../forms/prefill';
import { PatientPicker } from './PatientPicker';
import { usePatientWriting } from './usePatientWriting';
import { PdfButton } from './sent/PdfButton';
import { searchDirectory as searchDirectoryByName } from './contact/directory';
import { BackToPatient } from './patient/BackToPatient';

function resources(bundle: Bundle): FhirResource[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is FhirResource => Boolean(r));
}

/** The author's role with its practitioner and organisation (Composition.author, custodian). */
function useAuthor(roleId: string | undefined) {
  const client = useFhirClient();
  return useQuery({
    queryKey: ['PractitionerRole', 'author', roleId],
    enabled: Boolean(roleId),
    queryFn: async ({ signal }) => {
      const found = await client.request<Bundle>(
        'GET',
        `${rolesSearch([roleId!])}&_include=PractitionerRole:organization`,
        undefined,
        {},
        signal,
      );
      const records = recordsById(resources(found));
      const role = records.get(`PractitionerRole/${roleId}`) as PractitionerRole | undefined;
      const custodian = role?.organization?.reference ? (records.get(role.organization.reference) as Organization | undefined) : undefined;
      if (!role || !custodian) {
        throw new FhirError('not-found', 404, '作成者の職種・所属が名簿にありません。', '管理者に、あなたの PractitionerRole と所属機関の登録を依頼してください。', []);
      }
      const practitioner = role.practitioner?.reference ? (records.get(role.practitioner.reference) as Practitioner | undefined) : undefined;
      return { role, custodian, related: practitioner ? [practitioner] : [], picked: pickedOf(role, records) };
    },
  });
}

/** What the hub holds about the patient, as answers, and the care team with their practitioners and organisations. */
function usePrefill(patientId: string) {
  const client = useFhirClient();
  return useQuery({
    queryKey: [PATIENT_PAGE, 'handoff-prefill', patientId],
    enabled: Boolean(patientId),
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      const prefill = prefillFrom(await client.batch(prefillSearches(patientId), signal));
      if (prefill.rolesToRead.length > 0) {
        const roles = await client.request<Bundle>('GET', `${rolesSearch(prefill.rolesToRead)}&_include=PractitionerRole:organization`, undefined, {}, signal);
        const records = recordsById([...resources(roles), ...prefill.team.map((p) => p.resource)]);
        prefill.team = prefill.team.map((p) => (p.resource.resourceType === 'PractitionerRole' ? pickedOf(p.resource as PractitionerRole, records) : p));
      }
      return prefill;
    },
  });
}

function answerText(field: FieldDef, value: Answer | undefined): string {
  if (value === undefined || !isAnswered(field, { [field.id]: value })) return '';
  switch (field.type) {
    case 'records':
      return (value as RecordRow[]).filter((r) => r.text.trim()).map((r) => (r.note ? `${r.text}（${r.note}）` : r.text)).join('\n');
    case 'references':
      return (value as PickedReference[]).map((p) => p.label).join('\n');
    case 'codes':
      return (value as string[]).map((c) => field.coded!.options.find((o) => o.code === c)?.display ?? c).join('、');
    case 'code':
      return field.coded!.options.find((o) => o.code === value)?.display ?? String(value);
    case 'quantity':
      return `${value} ${field.unit!.display}`;
    default:
      return String(value);
  }
}

/** The review step: the document as the PDF form lays it out (title, patient, each section with its items). */
function Review({ definition, answers, patient, author }: { definition: DocumentDefinition; answers: Answers; patient?: Patient; author?: string }) {
  return (
    <Paper withBorder p="md" aria-label="送信前の確認（文書のプレビュー）" component="article">
      <Title order={2} size="h3" ta="center">
        {definition.title}
      </Title>
      <Text ta="center" size="sm">
        患者: {patient ? patientNames(patient).name : ''}　作成者: {author ?? ''}
      </Text>
      {definition.fields.map((field) => (
        <Stack key={field.id} gap={2} mt="sm">
          <Text fw={700}>■ {field.label}</Text>
          <Text size="sm" style={{ whiteSpace: 'pre-line' }}>
            {answerText(field, answers[field.id]) || '（未選択）'}
          </Text>
        </Stack>
      ))}
      {definition.sections.map((section) => {
        const rows = section.fields.map((f) => [f.label, answerText(f, answers[f.id])] as const).filter(([, t]) => t);
        if (section.min === 0 && rows.length === 0) return null;
        return (
          <Stack key={section.code} gap={2} mt="sm">
            <Text fw={700}>■ {section.title}</Text>
            {rows.length === 0 && <Text size="sm">記載なし{section.emptyText ? `（${section.emptyText}）` : ''}</Text>}
            {rows.map(([label, text]) => (
              <Text key={label} size="sm" style={{ whiteSpace: 'pre-line' }}>
                <Text span fw={600} size="sm">
                  {label}:
                </Text>{' '}
                {text}
              </Text>
            ))}
          </Stack>
        );
      })}
    </Paper>
  );
}

/** 退院時情報提供書を作成して送る (docs/web-app.md §8). */
export default function HandoffFormPage() {
  return (
    <DocumentFormPage
      definition={DISCHARGE_HANDOFF}
      sentDetail="送付先ごとに引継ぎ（受領の確認と算定要件の期限）が作られました。受領の状況は患者ページと送信済み一覧に表示されます。"
      sentList
    />
  );
}

/**
 * A document form (docs/web-app.md §8, and the 服薬情報提供書 of MedicationReportPage): the steps of the form's
 * definition, pre-filled from the hub, the review, one POST of the document Bundle. The draft lives in memory only (no
 * patient data in browser storage).
 */
export function DocumentFormPage({ definition, sentDetail, sentList = false }: { definition: DocumentDefinition; sentDetail: string; sentList?: boolean }) {
  const DEFINITION = definition;
  const name = definition.title.replace(/（.*$/, '');
  const { patientId, choosePatient, session, client, queryClient, patient } = usePatientWriting();
  const author = useAuthor(session?.practitionerRole);
  const prefill = usePrefill(patientId);

  const [step, setStep] = useState(patientId ? 1 : 0);
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const [announce, setAnnounce] = useState('');
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const draft = useRef<Draft>(newDraft());
  const filledFor = useRef('');
  const lastSent = useRef('');

  // the hub's records fill the form once per patient; what the user types afterwards is theirs
  useEffect(() => {
    if (prefill.data && author.data && filledFor.current !== patientId) {
      filledFor.current = patientId;
      // the fields are open while the hub's records load (a slow line on a home visit): what was typed meanwhile stays
      setAnswers((typed) => ({ ...prefill.data.answers, contacts: [author.data.picked], ...typed }));
    }
  }, [prefill.data, author.data, patientId]);

  const dirty = Object.keys(answers).length > 0;
  const send = useMutation<Bundle, FhirError, Built>({
    mutationFn: (built) => client.request<Bundle>('POST', 'Bundle', built.bundle, { Prefer: 'return=representation' }),
    onSuccess: () => {
      setAnnounce('送信しました。送付先ごとに引継ぎが作られました。');
      void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE] });
      void queryClient.invalidateQueries({ queryKey: ['Task'] });
    },
  });

  // leaving with an unsent draft asks first: the draft is not kept anywhere else
  useEffect(() => {
    if (!dirty || send.isSuccess) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty, send.isSuccess]);

  const setAnswer = useCallback((id: string, value: Answer) => {
    setAnswers((a) => {
      const next = { ...a, [id]: value };
      // a recipient chosen is also a contact of the document (連絡先), unless the user removes it there
      if (id === 'recipients') {
        const contacts = (a.contacts as PickedReference[] | undefined) ?? [];
        const added = (value as PickedReference[]).filter((p) => !((a.recipients as PickedReference[] | undefined) ?? []).some((r) => r.reference === p.reference));
        next.contacts = [...contacts, ...added.filter((p) => !contacts.some((c) => c.reference === p.reference))];
      }
      return next;
    });
    setErrors((e) => {
      if (!e.has(id)) return e;
      const next = new Map(e);
      next.delete(id);
      return next;
    });
  }, []);

  const searchDirectory = useCallback((text: string) => searchDirectoryByName(client, text), [client]);

  const ctx: FieldContext = { answers, setAnswer, errors, team: prefill.data?.team ?? [], searchDirectory };
  const steps = DEFINITION.steps;
  const stepFields = (n: number) =>
    new Set([...(steps[n].fields ?? []), ...DEFINITION.sections.filter((s) => steps[n].sections.includes(s.code)).flatMap((s) => s.fields.map((f) => f.id))]);
  const stepHasError = (n: number) => [...errors.keys()].some((id) => (id === PATIENT_FIELD ? n === 0 : stepOfField(DEFINITION, id) === n));

  const goTo = (n: number) => {
    setStep(n);
    window.scrollTo?.({ top: 0 });
  };

  const next = () => {
    const missing = missingAnswers(DEFINITION, answers, stepFields(step));
    if (missing.size > 0) {
      setErrors(new Map([...errors, ...[...missing].map(([id, m]) => [id, [m]] as [string, string[]])]));
      setAnnounce(`入力されていない必須項目が${missing.size}件あります。`);
      return;
    }
    goTo(step + 1);
  };

  /** The document the answers make, as sent at `now`. */
  const build = (now: string): Built => {
    return buildDocument(DEFINITION, answers, {
      base: new URL('/fhir', window.location.origin).toString(),
      patient: patient.data!,
      author: author.data!.role,
      authorRelated: author.data!.related,
      custodian: author.data!.custodian,
      draft: draft.current,
      now,
    });
  };

  /**
   * Whether every required answer is given; otherwise each missing one is marked at its field and the status line says
   * how many (then `then`), going to the first step holding one when `jump`.
   */
  const allAnswered = (then: string, jump: boolean): boolean => {
    const missing = missingAnswers(DEFINITION, answers);
    if (missing.size === 0) return true;
    setErrors(new Map([...missing].map(([id, m]) => [id, [m]])));
    setAnnounce(`入力されていない必須項目が${missing.size}件あります。${then}`);
    if (jump) goTo(Math.min(...[...missing.keys()].map((id) => stepOfField(DEFINITION, id)).filter((n) => n >= 0)));
    return false;
  };

  /** The print preview: the document as it would be sent now, when every required answer is given. */
  const preview = (): Bundle | undefined => {
    if (!patient.data || !author.data || !allAnswered('PDFで確認する前に入力してください。', false)) return undefined;
    return build(new Date().toISOString()).bundle;
  };

  const submit = () => {
    if (!patient.data || !author.data || !allAnswered('', true)) return;
    // the same content keeps its time, so a retry is the same document; a changed one is stamped anew
    const fingerprint = JSON.stringify(answers);
    if (!draft.current.sentAt || lastSent.current !== fingerprint) {
      draft.current = { ...draft.current, sentAt: new Date().toISOString() };
      lastSent.current = fingerprint;
    }
    const built = build(draft.current.sentAt!);
    setUnplaced([]);
    send.mutate(built, {
      onError: (error) => {
        if (error.kind !== 'invalid') {
          setAnnounce(`${error.title}${error.action}`);
          return;
        }
        const placed = placeIssues(DEFINITION, built.locator, error.issues);
        setErrors(placed.byField);
        setUnplaced(placed.unplaced);
        const stepsWithErrors = [...placed.byField.keys()].map((id) => (id === PATIENT_FIELD ? 0 : stepOfField(DEFINITION, id))).filter((n) => n >= 0);
        setAnnounce(`送信できませんでした。ハブが${error.issues.length}件の誤りを指摘しました。ハブには何も保存されていません。`);
        if (stepsWithErrors.length > 0) goTo(Math.min(...stepsWithErrors));
      },
    });
  };

  if (send.isSuccess) {
    const sent = send.data;
    return (
      <Stack gap="md" maw={960}>
        <Alert color="green" title={`${name}を送信しました`} role="status">
          <Text size="sm">{sentDetail}</Text>
        </Alert>
        <Group>
          {sent.id && <PdfButton record={`Bundle/${sent.id}`} />}
          <Button component={Link} to={`/patients/${patientId}`} variant="light">
            患者ページへ
          </Button>
          {sentList && (
            <Button component={Link} to="/sent" variant="light">
              送信済み一覧へ
            </Button>
          )}
        </Group>
      </Stack>
    );
  }

  const currentStep = steps[step];
  return (
    <Stack gap="md" maw={960}>
      {patientId && (
        <BackToPatient patientId={patientId} />
      )}
      <Title order={1} size="h2">
        {name}の作成
      </Title>
      <Text size="sm" c="dimmed">
        下書きはこの画面の中だけに保持されます（ブラウザには保存されません）。再読み込みや画面を閉じると入力内容は失われます。
      </Text>
      <StatusLine text={announce} />
      {!session?.practitionerRole && (
        <Alert color="orange" title="作成者の職種情報がありません" role="alert">
          サインイン中のユーザーに PractitionerRole が登録されていないため、文書を作成できません。管理者に確認してください。
        </Alert>
      )}
      {author.isError && <ErrorNotice error={author.error} onRetry={() => void author.refetch()} />}
      <Stepper active={step} onStepClick={(n) => (n === 0 || patientId ? goTo(n) : undefined)} size="xs" allowNextStepsSelect={Boolean(patientId)} wrap>
        {steps.map((s, n) => (
          <Stepper.Step key={s.id} label={s.label} description={s.description} color={stepHasError(n) ? 'red' : undefined} aria-label={`${n + 1}. ${s.label}${stepHasError(n) ? '（要修正）' : ''}`} />
        ))}
      </Stepper>
      <Title order={2} size="h3">
        {step + 1}. {currentStep.label}
      </Title>

      {step === 0 ? (
        <Stack>
          {patient.data && (
            <Text>
              選択中の患者: <strong>{patientNames(patient.data).name}</strong>
            </Text>
          )}
          {errors.get(PATIENT_FIELD) && (
            <Text c="red.8" size="sm">
              {errors.get(PATIENT_FIELD)!.join(' ')}
            </Text>
          )}
          <PatientPicker
            onPick={(id) => {
              choosePatient(id);
              goTo(1);
            }}
            choiceLabel={(name, p) => `${name}（${p.birthDate ?? '生年月日不明'}）を選ぶ`}
          />
        </Stack>
      ) : (
        <>
          {(patient.isPending || prefill.isPending || author.isPending) && patientId && <Loader aria-label="ハブの記録を読み込み中" />}
          {patient.isError && <ErrorNotice error={patient.error} onRetry={() => void patient.refetch()} />}
          {prefill.isError && <ErrorNotice error={prefill.error} onRetry={() => void prefill.refetch()} />}
          {currentStep.id === 'review' ? (
            <Review definition={DEFINITION} answers={answers} patient={patient.data} author={author.data?.picked.label} />
          ) : (
            <Stack gap="lg">
              {(currentStep.fields ?? []).map((id) => {
                const field = DEFINITION.fields.find((f) => f.id === id)!;
                return <FieldInput key={id} field={field} ctx={ctx} />;
              })}
              {DEFINITION.sections
                .filter((s) => currentStep.sections.includes(s.code))
                .map((section) => (
                  <SectionForm key={section.code} section={section} ctx={ctx} />
                ))}
            </Stack>
          )}
        </>
      )}

      <SendProblems documentWord="文書" unplaced={unplaced} error={send.isError ? send.error : null} onRetry={submit} />
      {send.isError && send.error.kind === 'invalid' && (
        <Alert color="red" title="送信できませんでした（ハブには何も保存されていません）" role="alert">
          赤く表示された項目を修正して、もう一度送信してください。入力内容は画面に残っています。
        </Alert>
      )}

      <Group justify="space-between">
        <Button variant="default" onClick={() => goTo(step - 1)} disabled={step === 0}>
          戻る
        </Button>
        {currentStep.id === 'review' ? (
          <Group>
            {patient.data && author.data && <PdfButton preview={preview} label="PDFで確認（送信前）" />}
            <Button onClick={submit} loading={send.isPending} disabled={!patient.data || !author.data}>
              送信する
            </Button>
          </Group>
        ) : (
          <Button onClick={next} disabled={step === 0 && !patientId}>
            次へ
          </Button>
        )}
      </Group>
      {currentStep.id === 'review' && (
        <Text size="sm" c="dimmed">
          「PDFで確認」は送信する内容を紙の様式で表示します（ハブは送信と同じ検査をしますが、何も保存しません。PDFには「送信前の確認用・未送信」と印字されます）。
        </Text>
      )}
    </Stack>
  );
}
