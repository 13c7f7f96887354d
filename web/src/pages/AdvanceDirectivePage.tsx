import { useMemo, useRef, useState, type ChangeEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Button, Checkbox, Group, Input, List, Loader, NativeSelect, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bundle, Consent, RelatedPerson } from 'fhir/r4';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import { isFhirError } from '../fhir/client';
import { FhirError } from '../fhir/errors';
import { patientNames } from '../fhir/names';
import { PATIENT_PAGE } from '../live/invalidation';
import { ErrorNotice } from '../shell/ErrorNotice';
import { StatusLine } from '../shell/StatusLine';
import type { Answer, Answers } from '../forms/answers';
import {
  buildDirective,
  DIRECTIVE_FIELDS,
  directiveAnswers,
  directiveProxies,
  missingDirective,
  type Person,
  type SignedForm,
} from '../forms/advance-directive';
import { FieldInput, type FieldContext } from '../forms/FormRenderer';
import { base64, sha1Base64 } from '../sign/bytes';
import { KeystoreError, openKeystore, type SigningIdentity } from '../sign/pkcs12';
import { signatureProblem, witnessedDirective } from '../sign/witness';
import { usePatientSummary } from './patient/hooks';
import { formatDate, formatDateTime } from './patient/format';
import { signedFormProblem, witnessProblem, MAX_FORM_BYTES, FORM_TYPES } from './directive/directiveChecks';
import { BackToPatient } from './patient/BackToPatient';

const NO_TEAM: FieldContext['team'] = [];

function relatedLabel(person: RelatedPerson): string {
  const name = person.name?.find((n) => !n.extension?.length)?.text ?? person.name?.[0]?.text ?? person.id ?? '';
  const relation = person.relationship?.[0]?.text ?? person.relationship?.[0]?.coding?.[0]?.display;
  return relation ? `${name}（${relation}）` : name;
}

/**
 * 事前指示書の記録・改訂 (docs/web-app.md §11): the home doctor records the patient's wishes after 人生会議, attaches the
 * scanned form the patient (or proxy) signed, and signs as the witness with his own certificate, read in this page
 * only (the key never leaves the browser). One transaction stores the directive with its signature, or nothing.
 */
export default function AdvanceDirectivePage() {
  const { id = '' } = useParams();
  const client = useFhirClient();
  const queryClient = useQueryClient();
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const summary = usePatientSummary(id);
  const family = useQuery<RelatedPerson[], FhirError>({
    queryKey: ['RelatedPerson', 'patient', id],
    queryFn: async ({ signal }) => {
      const found = await client.search<RelatedPerson>('RelatedPerson', { patient: `Patient/${id}`, _count: 50 }, signal);
      return (found.entry ?? []).map((e) => e.resource).filter((r): r is RelatedPerson => r?.resourceType === 'RelatedPerson' && r.active !== false);
    },
  });
  const current = summary.data?.advanceDirective?.resourceType === 'Consent' ? (summary.data.advanceDirective as Consent) : undefined;

  const [answers, setAnswers] = useState<Answers | null>(null);
  const [performer, setPerformer] = useState('patient');
  const [proxies, setProxies] = useState<string[] | null>(null);
  const [form, setForm] = useState<(SignedForm & { name: string }) | null>(null);
  const [formError, setFormError] = useState('');
  const [keystoreFile, setKeystoreFile] = useState<{ name: string; bytes: Uint8Array } | null>(null);
  const [password, setPassword] = useState('');
  const [witness, setWitness] = useState<SigningIdentity | null>(null);
  const [witnessError, setWitnessError] = useState('');
  const [opening, setOpening] = useState(false);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<{ error: FhirError; hint?: string } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const uuids = useRef<[string, string]>([crypto.randomUUID(), crypto.randomUUID()]);

  // a revision starts from the current directive's answers (the form is attached and signed anew)
  const shownAnswers = useMemo<Answers>(() => answers ?? directiveAnswers(current), [answers, current]);
  const shownProxies = proxies ?? directiveProxies(current);
  const setAnswer = (key: string, value: Answer) => setAnswers({ ...shownAnswers, [key]: value });
  const fieldErrors = useMemo(() => new Map([...errors].map(([k, v]) => [k, [v]])), [errors]);
  const ctx: FieldContext = { answers: shownAnswers, setAnswer, errors: fieldErrors, team: NO_TEAM, searchDirectory: async () => [] };

  const patient = summary.data?.patient;
  const name = patient ? patientNames(patient).name : '';
  const people: Person[] = (family.data ?? []).map((p) => ({ reference: `RelatedPerson/${p.id}`, label: relatedLabel(p) }));
  const practitioner = session?.practitioner ? (session.practitioner.includes('/') ? session.practitioner : `Practitioner/${session.practitioner}`) : undefined;

  const chooseForm = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    setForm(null);
    setFormError('');
    if (!file) return;
    const problem = signedFormProblem(file.type, file.size);
    if (problem) {
      setFormError(problem);
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    setForm({ name: file.name, contentType: file.type, data: base64(bytes), hash: await sha1Base64(bytes), size: bytes.length, title: '事前指示書（本人・代理人の署名済み原本）' });
    setStatus(`署名済みの書面「${file.name}」を添付しました。`);
  };

  const chooseKeystore = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    setWitness(null);
    setWitnessError('');
    setKeystoreFile(file ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : null);
  };

  const openCertificate = async () => {
    setWitnessError('');
    if (!keystoreFile) {
      setWitnessError('証明書ファイル（.p12）を選んでください。');
      return;
    }
    setOpening(true);
    try {
      const identity = await openKeystore(keystoreFile.bytes, password);
      const problem = witnessProblem(identity, practitioner, new Date());
      if (problem) {
        setWitnessError(problem);
      } else {
        setWitness(identity);
        setPassword('');
        setStatus(`証明書を確認しました：${identity.name}（${identity.issuer}）`);
      }
    } catch (e) {
      setWitnessError(e instanceof KeystoreError ? e.message : '証明書ファイルを読み込めませんでした。発行された .p12 ファイルか確かめてください。');
    } finally {
      setOpening(false);
    }
  };

  const save = async () => {
    setFailure(null);
    const missing = missingDirective({ answers: shownAnswers, form: form ?? undefined });
    if (!witness) {
      missing.set('witness', '立会医師（あなた）の証明書を選び、パスワードを入力して「証明書を確認」を押してください（必須）');
    }
    setErrors(missing);
    if (missing.size > 0 || !patient || !form || !witness) {
      setStatus(`入力が足りない項目が${missing.size}件あります。各項目の説明を確認してください。`);
      return;
    }
    const self: Person = { reference: `Patient/${id}`, label: name };
    const input = {
      answers: shownAnswers,
      patient: self,
      performer: performer === 'patient' ? self : (people.find((p) => p.reference === performer) ?? self),
      proxies: people.filter((p) => shownProxies.includes(p.reference)),
      form,
    };
    setSending(true);
    setStatus('署名して保存しています…');
    try {
      const transaction = await witnessedDirective(buildDirective(input), witness, new Date(), uuids.current);
      const answer = await client.transaction(transaction);
      const location = (answer as Bundle).entry?.map((e) => e.response?.location ?? '').find((l) => l.startsWith('Consent/')) ?? '';
      setSaved(location.split('/')[1] ?? '');
      setStatus('事前指示書を保存しました。');
      void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE] });
      void queryClient.invalidateQueries({ queryKey: ['Consent'] });
    } catch (e) {
      const error = isFhirError(e) ? e : new FhirError('network', 0, '署名できませんでした。', '証明書を選び直して、もう一度お試しください。', []);
      setFailure({ error, hint: signatureProblem(error) });
      setStatus(`保存できませんでした：${error.title}`);
      // a new attempt is a new transaction (nothing of this one was stored)
      uuids.current = [crypto.randomUUID(), crypto.randomUUID()];
    } finally {
      setSending(false);
    }
  };

  if (saved !== null) {
    return (
      <Stack gap="md" maw={960}>
        <StatusLine text={status} />
        <Alert color="green" title="事前指示書を保存しました" role="status">
          <Text size="sm">
            立会医師 {witness?.name} の電子署名つきで保存しました。{current ? '前回の事前指示書は無効（改訂済み）になりました。' : ''}
            救急隊と在宅チームは患者ページと緊急時の閲覧でこの内容を見ます。
          </Text>
        </Alert>
        <Group>
          <Button component={Link} to={`/patients/${encodeURIComponent(id)}${saved ? `?record=Consent/${saved}` : ''}`}>
            患者ページで確認する
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="md" maw={960}>
      <BackToPatient patientId={id} />
      <Title order={1} size="h2">
        {current ? '事前指示書の改訂' : '事前指示書の記録'}
        {name ? `：${name}` : ''}
      </Title>
      <StatusLine text={status} />
      {summary.isPending && <Loader aria-label="読み込み中" />}
      {summary.isError && <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} />}
      {current && (
        <Alert color="blue" title="現在の事前指示書" role="note">
          <Text size="sm">
            {formatDate(current.dateTime)} に表明（{formatDateTime(current.meta?.lastUpdated)} 記録）。前回の内容を下に読み込みました。保存すると新しい事前指示書になり、前回のものは無効になります（履歴は残ります）。
          </Text>
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        入力内容と証明書はこの画面の中だけで扱います（ブラウザにもハブにも証明書の鍵は保存・送信されません）。
      </Text>

      <Paper withBorder p="sm" component="section" aria-labelledby="wishes-heading">
        <Title order={2} size="h4" id="wishes-heading" mb="xs">
          1. 本人の意思
        </Title>
        <Stack gap="sm">
          <FieldInput field={DIRECTIVE_FIELDS.expressedOn} ctx={ctx} />
          <NativeSelect
            label="意思を表明した人"
            value={performer}
            onChange={(e) => setPerformer(e.currentTarget.value)}
            data={[{ value: 'patient', label: `本人（${name || '患者'}）` }, ...people.map((p) => ({ value: p.reference, label: `代理人：${p.label}` }))]}
          />
          <Text size="sm" fw={700} mt="xs">
            治療ごとの希望（話し合っていない項目は「未選択」のまま）
          </Text>
          {DIRECTIVE_FIELDS.treatments.map((field) => (
            <FieldInput key={field.id} field={field} ctx={ctx} />
          ))}
          <FieldInput field={DIRECTIVE_FIELDS.place} ctx={ctx} />
          <FieldInput field={DIRECTIVE_FIELDS.placeNote} ctx={ctx} />
          <Checkbox.Group
            label="代理意思決定者（任意）"
            description="本人が意思を示せないときに、本人の意思を推定して伝える人。家族等として登録されている人から選びます。"
            value={shownProxies}
            onChange={setProxies}
          >
            <Stack gap={4} mt="xs">
              {family.isError && <Text size="sm">家族等の登録を読み込めませんでした。</Text>}
              {family.data && people.length === 0 && <Text size="sm">家族等（RelatedPerson）の登録がありません。</Text>}
              {people.map((p) => (
                <Checkbox key={p.reference} value={p.reference} label={p.label} />
              ))}
            </Stack>
          </Checkbox.Group>
        </Stack>
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="form-heading">
        <Title order={2} size="h4" id="form-heading" mb="xs">
          2. 署名済みの書面
        </Title>
        <Input.Wrapper
          label="本人（または代理人）が署名した事前指示書のスキャン"
          description={`PDF・JPEG・PNG、${MAX_FORM_BYTES / 1024 / 1024}MBまで。ハッシュ（SHA-1）をこの端末で計算し、立会医師の署名に含めます。`}
          error={errors.get('signed-form') || formError || undefined}
          withAsterisk
          id="signed-form-wrapper"
          labelProps={{ htmlFor: 'signed-form' }}
        >
          <input id="signed-form" type="file" accept={FORM_TYPES.join(',')} onChange={(e) => void chooseForm(e)} style={{ display: 'block', marginTop: 4, maxWidth: '100%' }} />
        </Input.Wrapper>
        {form && (
          <Text size="sm" mt="xs" style={{ overflowWrap: 'anywhere' }}>
            添付：{form.name}（{Math.ceil(form.size / 1024)} KB、SHA-1 {form.hash}）
          </Text>
        )}
      </Paper>

      <Paper withBorder p="sm" component="section" aria-labelledby="witness-heading">
        <Title order={2} size="h4" id="witness-heading" mb="xs">
          3. 立会医師の電子署名
        </Title>
        <Text size="sm" mb="xs">
          あなた（立会医師）の証明書ファイル（連携ハブの管理者が発行した .p12）を選び、パスワードを入力します。鍵はこの画面の中で署名に使うだけで、外へは出ません。
        </Text>
        <Stack gap="xs">
          <Input.Wrapper label="証明書ファイル（.p12）" error={errors.get('witness') || undefined} labelProps={{ htmlFor: 'keystore' }}>
            <input id="keystore" type="file" accept=".p12,.pfx,application/x-pkcs12" onChange={(e) => void chooseKeystore(e)} style={{ display: 'block', marginTop: 4, maxWidth: '100%' }} />
          </Input.Wrapper>
          <PasswordInput
            label="証明書のパスワード"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            autoComplete="off"
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void openCertificate();
              }
            }}
            error={witnessError || undefined}
          />
          <Group>
            <Button variant="light" onClick={() => void openCertificate()} loading={opening}>
              証明書を確認
            </Button>
          </Group>
          {witness && (
            <Alert color="teal" title="署名に使う証明書" role="note">
              <List size="sm">
                <List.Item>署名者：{witness.name}</List.Item>
                <List.Item>発行者：{witness.issuer}</List.Item>
                <List.Item>有効期限：{formatDate(witness.notAfter.toISOString().slice(0, 10))}</List.Item>
              </List>
            </Alert>
          )}
        </Stack>
      </Paper>

      {failure && (
        <Stack gap="xs">
          {failure.hint && (
            <Alert color="red" title="署名を受け付けられませんでした" role="alert">
              <Text size="sm">{failure.hint}</Text>
            </Alert>
          )}
          <ErrorNotice error={failure.error} onRetry={() => void save()} />
        </Stack>
      )}
      {errors.size > 0 && (
        <Alert color="red" title="入力が足りません" role="alert">
          <List size="sm">
            {[...errors.values()].map((text) => (
              <List.Item key={text}>{text}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Group>
        <Button onClick={() => void save()} loading={sending} disabled={!patient}>
          署名して保存
        </Button>
      </Group>
    </Stack>
  );
}
