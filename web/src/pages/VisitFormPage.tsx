import { useMemo, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Button, Checkbox, Chip, Fieldset, Group, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { patientNames } from '../fhir/names';
import { ErrorNotice } from '../shell/ErrorNotice';
import { StatusLine } from '../shell/StatusLine';
import { rangeError, vitalsErrors, type NumericField } from '../visit/ranges';
import { buildVisitBundle, CONSCIOUSNESS, filledItems, ITEM_LABELS, newVisitIds, type VisitAnswers, type VisitItem } from '../visit/visitBundle';
import { useOutbox } from '../offline/OutboxProvider';
import { useSendVisit, type VisitOutcome } from '../visit/useSendVisit';
import { usePatientWriting } from './usePatientWriting';
import { BackToPatient } from './patient/BackToPatient';

const EMPTY: VisitAnswers = { unusual: [] };
const MEAL_STEPS = ['10', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0'];

/** 「いつもと違う」 for one item: its name says which (いつもと違う（体温）). */
function UnusualToggle({ item, answers, set }: { item: VisitItem; answers: VisitAnswers; set: (a: VisitAnswers) => void }) {
  const checked = answers.unusual.includes(item);
  return (
    <Checkbox
      size="sm"
      color="red"
      label="いつもと違う"
      aria-label={`いつもと違う（${ITEM_LABELS[item]}）`}
      checked={checked}
      onChange={(e) =>
        set({ ...answers, unusual: e.currentTarget.checked ? [...answers.unusual, item] : answers.unusual.filter((i) => i !== item) })
      }
    />
  );
}

function Item({ item, legend, answers, set, children }: { item: VisitItem; legend?: string; answers: VisitAnswers; set: (a: VisitAnswers) => void; children: ReactNode }) {
  return (
    <Fieldset legend={legend ?? ITEM_LABELS[item]} variant="filled" p="sm" data-unusual={answers.unusual.includes(item) || undefined}>
      <Stack gap="xs">
        {children}
        <UnusualToggle item={item} answers={answers} set={set} />
      </Stack>
    </Fieldset>
  );
}

/** What the form says when the visit waits on the device: no signal, or the hub did not answer. */
export const KEPT_OFFLINE = '端末に保存しました。電波が戻ると自動で送信します。';
export const KEPT_NO_ANSWER = '端末に保存しました。ハブから応答がないため、あとで自動で送信します。';

/**
 * 訪問記録の入力 (docs/web-app.md, 訪問記録): a visit's vital signs, 意識, 食事量, 排泄 and a note in a few taps, each
 * markable いつもと違う, sent as one transaction (all or nothing; a resend stores nothing twice) through the device's
 * outbox: without signal it waits there as 未送信 and is sent when the connection returns (docs/web-app.md §15).
 */
export default function VisitFormPage() {
  const { patientId, session, patient } = usePatientWriting();
  const [answers, setAnswers] = useState<VisitAnswers>(EMPTY);
  const [ids, setIds] = useState(() => newVisitIds());
  const [touched, setTouched] = useState<Partial<Record<NumericField, boolean>>>({});
  const [tried, setTried] = useState(false);
  const firstAttempt = useRef<string | null>(null);
  const send = useSendVisit(patientId);
  const { keeps } = useOutbox();
  const [sent, setSent] = useState<VisitOutcome | null>(null);
  const [status, setStatus] = useState('');
  const name = patient.data ? patientNames(patient.data).name : '';

  const errors = useMemo(() => vitalsErrors(answers), [answers]);
  const filled = filledItems(answers);
  const shownError = (field: NumericField) => (tried || touched[field] ? errors[field] : undefined);

  const numberField = (field: NumericField, label: string, unit: string, mode: 'decimal' | 'numeric', placeholder: string) => (
    <TextInput
      label={`${label}（${unit}）`}
      inputMode={mode}
      autoComplete="off"
      enterKeyHint="next"
      placeholder={placeholder}
      value={answers[field] ?? ''}
      onChange={(e) => setAnswers({ ...answers, [field]: e.currentTarget.value })}
      onBlur={() => setTouched({ ...touched, [field]: true })}
      error={shownError(field) ?? (touched[field] ? rangeError(field, answers[field]) : undefined)}
      styles={{ input: { fontSize: 18 } }}
    />
  );

  const submit = () => {
    setTried(true);
    if (Object.keys(errors).length > 0) {
      setStatus('入力内容を確かめてください。範囲外の値があります。');
      return;
    }
    if (filled.length === 0) {
      setStatus('送信する項目がありません。少なくとも1項目を入力してください。');
      return;
    }
    firstAttempt.current ??= new Date().toISOString();
    const bundle = buildVisitBundle(answers, ids, {
      patientId,
      effective: firstAttempt.current,
      ...(session?.practitionerRole ? { performer: { reference: `PractitionerRole/${session.practitionerRole}`, display: session.name } } : {}),
    });
    setStatus('送信中…');
    send.mutate({ bundle, visitTime: new Date(firstAttempt.current) }, {
      onSuccess: (result) => {
        setSent(result);
        setStatus(result.kind === 'sent' ? `訪問記録を送信しました（${result.statuses.length}件）。` : result.offline ? KEPT_OFFLINE : KEPT_NO_ANSWER);
      },
      onError: (error) => setStatus(`送信できませんでした: ${error.title}`),
    });
  };

  const again = () => {
    setAnswers(EMPTY);
    setIds(newVisitIds());
    setTouched({});
    setTried(false);
    setSent(null);
    firstAttempt.current = null;
    send.reset();
    setStatus('');
  };

  if (!patientId) {
    return (
      <Alert color="orange" title="患者が選ばれていません" role="alert">
        患者一覧から患者ページを開き、「訪問記録を入力」から始めてください。
      </Alert>
    );
  }

  return (
    <Stack gap="md" maw={720}>
      <BackToPatient patientId={patientId} />
      <Title order={1} size="h2">
        訪問記録の入力{name && `（${name}）`}
      </Title>
      {patient.isError && <ErrorNotice error={patient.error} onRetry={() => void patient.refetch()} />}
      <StatusLine text={status} />
      {sent ? (
        <Stack gap="sm">
          {sent.kind === 'sent' ? (
            <Alert color="green" title="訪問記録を送信しました" role="status">
              <Text size="sm">
                {sent.statuses.length}件の記録をまとめて保存しました。ケアチームのタイムラインとバイタルの推移に表示されます
                {answers.unusual.length > 0 ? '。「いつもと違う」はチームにすぐ通知されます。' : '。'}
              </Text>
            </Alert>
          ) : (
            <Alert color="orange" title="未送信（この端末に保存しました）" role="status">
              <Text size="sm">{sent.offline ? KEPT_OFFLINE : KEPT_NO_ANSWER}</Text>
              <Text size="sm" mt={4}>
                記録は暗号化して保存され、送信されるまで
                <Anchor component={Link} to="/outbox" c="inherit" fw={600} underline="always">
                  未送信の記録
                </Anchor>
                に表示されます。送信されるまでサインアウトしないでください（サインアウトすると端末から削除されます）。
              </Text>
            </Alert>
          )}
          <Group>
            <Button component={Link} to={`/patients/${encodeURIComponent(patientId)}`}>
              患者ページへ戻る
            </Button>
            <Button variant="light" onClick={again}>
              続けて入力
            </Button>
          </Group>
        </Stack>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              測った項目だけ入力してください。「いつもと違う」に印を付けた項目はチームに通知され、タイムラインの先頭に表示されます。入力内容はこの画面の中だけに保持されます
              {keeps ? '。電波がないときに送信した記録は、この端末に暗号化して保存し、電波が戻ると自動で送信します。' : '。'}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Item item="temperature" answers={answers} set={setAnswers}>
                {numberField('temperature', '体温', '℃', 'decimal', '36.5')}
              </Item>
              <Item item="bloodPressure" answers={answers} set={setAnswers}>
                <Group grow gap="xs" align="flex-start">
                  {numberField('systolic', '収縮期', 'mmHg', 'numeric', '120')}
                  {numberField('diastolic', '拡張期', 'mmHg', 'numeric', '80')}
                </Group>
              </Item>
              <Item item="pulse" answers={answers} set={setAnswers}>
                {numberField('pulse', '脈拍', '回/分', 'numeric', '72')}
              </Item>
              <Item item="spo2" answers={answers} set={setAnswers}>
                {numberField('spo2', 'SpO2', '%', 'numeric', '97')}
              </Item>
              <Item item="respiration" answers={answers} set={setAnswers}>
                {numberField('respiration', '呼吸数', '回/分', 'numeric', '16')}
              </Item>
            </SimpleGrid>
            <Item item="consciousness" legend="意識（清明・JCS）" answers={answers} set={setAnswers}>
              <Chip.Group multiple={false} value={answers.consciousness ?? ''} onChange={(v) => setAnswers({ ...answers, consciousness: v || undefined })}>
                <Group gap={6}>
                  {CONSCIOUSNESS.map((c) => (
                    <Chip key={c.code} value={c.code} size="sm" title={c.display}>
                      {c.label}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
            </Item>
            <Item item="mealIntake" legend="食事量（割）" answers={answers} set={setAnswers}>
              <Chip.Group multiple={false} value={answers.mealIntake ?? ''} onChange={(v) => setAnswers({ ...answers, mealIntake: v || undefined })}>
                <Group gap={6}>
                  {MEAL_STEPS.map((step) => (
                    <Chip key={step} value={step} size="sm">
                      {`${step}割`}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
            </Item>
            <Item item="elimination" answers={answers} set={setAnswers}>
              {(['urination', 'defecation'] as const).map((part) => (
                <Group key={part} gap="xs" role="radiogroup" aria-label={part === 'urination' ? '排尿' : '排便'}>
                  <Text size="sm" w={40} aria-hidden>
                    {part === 'urination' ? '排尿' : '排便'}
                  </Text>
                  <Chip.Group multiple={false} value={answers[part] ?? ''} onChange={(v) => setAnswers({ ...answers, [part]: (v || undefined) as 'yes' | 'no' | undefined })}>
                    <Group gap={6}>
                      <Chip value="yes" size="sm">
                        あり
                      </Chip>
                      <Chip value="no" size="sm">
                        なし
                      </Chip>
                    </Group>
                  </Chip.Group>
                </Group>
              ))}
            </Item>
            <Item item="note" answers={answers} set={setAnswers}>
              <Textarea
                label="訪問時の記録（自由記載）"
                autosize
                minRows={3}
                value={answers.note ?? ''}
                onChange={(e) => setAnswers({ ...answers, note: e.currentTarget.value })}
              />
            </Item>
            {send.isError && <ErrorNotice error={send.error} onRetry={submit} />}
            <Group justify="space-between" wrap="wrap">
              <Text size="sm">
                送信する項目: {filled.length === 0 ? 'なし' : filled.map((i) => ITEM_LABELS[i] + (answers.unusual.includes(i) ? '（いつもと違う）' : '')).join('、')}
              </Text>
              <Button type="submit" loading={send.isPending} size="md">
                送信
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
