import { useCallback, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Center, Group, Loader, Modal, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bundle, Parameters } from 'fhir/r4';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { parseInputDate } from '../forms/dates';
import { birthDateLabel } from '../fhir/names';
import { ErrorNotice } from '../shell/ErrorNotice';
import { StatusLine } from '../shell/StatusLine';
import { EmergencySummaryView } from './emergency/EmergencySummaryView';
import { GrantCountdown } from './emergency/GrantCountdown';
import {
  breakGlassParameters,
  checkIdentity,
  declarationProblem,
  grantOf,
  type CheckedIdentity,
  type Grant,
  type Identity,
  type IdentityErrors,
} from './emergency/identify';
import { emergencyView } from './emergency/summary';
import { ENDED_ANNOUNCEMENT } from './emergency/countdown';

/** Queries of this page: removed from the cache when the grant ends, so nothing of the patient stays in memory. */
const EMERGENCY = 'emergency';

/**
 * The ambulance crew's page (docs/web-app.md, the EMS flow): name the patient by name and birth date, declare an
 * emergency with a reason (one button, one dialog), then the emergency summary — wishes first — with the grant's
 * countdown; when the grant ends the patient's data leave the screen.
 */
export default function EmergencyPage() {
  const client = useFhirClient();
  const queryClient = useQueryClient();
  const [identity, setIdentity] = useState<Identity>({ name: '', birthDate: '', address: '', phone: '' });
  const [errors, setErrors] = useState<IdentityErrors>({});
  const [askMore, setAskMore] = useState(false);
  const [checked, setChecked] = useState<CheckedIdentity>();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState('');
  const [declaring, setDeclaring] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [grant, setGrant] = useState<Grant>();
  const [ended, setEnded] = useState(false);
  const [status, setStatus] = useState('');
  const nameInput = useRef<HTMLInputElement>(null);

  const summary = useQuery<Bundle, FhirError>({
    queryKey: [EMERGENCY, 'summary', grant?.patientId, grant?.until],
    queryFn: ({ signal }) =>
      client.request<Bundle>('GET', `Patient/${encodeURIComponent(grant!.patientId)}/$emergency-summary`, undefined, {}, signal),
    enabled: !!grant && !ended,
    staleTime: Infinity,
  });

  const set = (field: keyof Identity) => (value: string) => setIdentity((current) => ({ ...current, [field]: value }));

  /** The one button: check the fields, then ask the reason. */
  const askReason = (event: FormEvent) => {
    event.preventDefault();
    const result = checkIdentity(identity);
    setErrors(result.errors);
    if (!result.identity) {
      setStatus('入力内容を確認してください。');
      return;
    }
    setFailure(undefined);
    setReasonError('');
    setChecked(result.identity);
  };

  const declare = async (event: FormEvent) => {
    event.preventDefault();
    if (!checked) return;
    if (!reason.trim()) {
      setReasonError('理由を入力してください（例: 自宅で意識消失、家族より119番通報）。');
      return;
    }
    setDeclaring(true);
    try {
      const answer = await client.request<Parameters>('POST', 'Patient/$break-glass', breakGlassParameters(checked, reason));
      const granted = grantOf(answer);
      setChecked(undefined);
      setEnded(false);
      setGrant(granted);
      setStatus('緊急時アクセスを開始しました。患者の情報を読み込んでいます。');
    } catch (error) {
      setChecked(undefined);
      setFailure(error);
      const problem = declarationProblem(error);
      if (problem?.askForMore) setAskMore(true);
      setStatus(''); // the alert above the form says what happened
      window.setTimeout(() => nameInput.current?.focus(), 0);
    } finally {
      setDeclaring(false);
    }
  };

  const end = useCallback(() => {
    // the countdown (and its status line) leaves with the data; the alert that replaces them says it once
    setStatus('');
    setEnded(true);
    queryClient.removeQueries({ queryKey: [EMERGENCY] });
  }, [queryClient]);

  const searchAgain = () => {
    queryClient.removeQueries({ queryKey: [EMERGENCY] });
    setGrant(undefined);
    setEnded(false);
    setReason('');
    setIdentity({ name: '', birthDate: '', address: '', phone: '' });
    setAskMore(false);
    setStatus('');
    window.setTimeout(() => nameInput.current?.focus(), 0);
  };

  const problem = declarationProblem(failure);
  const typedDate = identity.birthDate.trim() ? parseInputDate(identity.birthDate) : null;

  if (grant) {
    return (
      <Stack gap="sm" maw={760}>
        <Title order={1} size="h4">
          緊急時アクセス（救急隊）
        </Title>
        {ended ? (
          <Alert color="orange" title="緊急時アクセスの期限が切れました。" role="alert">
            <Text size="sm">{ENDED_ANNOUNCEMENT}</Text>
            <Text size="sm">
              引き続き必要な場合は、もう一度氏名と生年月日を入力し、理由を記録して宣言してください（宣言は記録され、ケアチームに通知されます）。
            </Text>
            <Button mt="sm" onClick={searchAgain}>
              もう一度検索する
            </Button>
          </Alert>
        ) : (
          <>
            <GrantCountdown until={grant.until} onEnd={end} />
            {summary.isPending && (
              <Center mih={120}>
                <Loader aria-label="緊急時サマリーを読み込み中" />
              </Center>
            )}
            {summary.isError && <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} />}
            {summary.data && <SummaryOrError bundle={summary.data} />}
            <Group>
              <Button variant="default" onClick={searchAgain}>
                別の患者を検索する
              </Button>
            </Group>
          </>
        )}
        <StatusLine text={status} />
      </Stack>
    );
  }

  return (
    <Stack gap="md" maw={640}>
      <div>
        <Title order={1} size="h2">
          緊急時アクセス（救急隊）
        </Title>
        <Text mt={4}>
          患者の氏名と生年月日を入力し、理由を記録して閲覧を開始します。宣言は監査記録に残り、患者のケアチームに通知されます。閲覧できるのは緊急時の情報（本人の意思・連絡先・服薬・アレルギー）だけで、時間が来ると終わります。
        </Text>
      </div>
      {failure !== undefined &&
        (problem ? (
          <Alert color={problem.askForMore ? 'orange' : 'red'} title={problem.title} role="alert">
            <Text size="sm">{problem.action}</Text>
          </Alert>
        ) : (
          <ErrorNotice error={failure} />
        ))}
      <form onSubmit={askReason} noValidate aria-label="患者の検索">
        <Stack gap="sm">
          <TextInput
            ref={nameInput}
            label="氏名（漢字またはカナ）"
            description="姓と名。例: 山田 花子、やまだ はなこ"
            value={identity.name}
            onChange={(e) => set('name')(e.currentTarget.value)}
            error={errors.name}
            withAsterisk
            autoComplete="off"
            size="md"
          />
          <TextInput
            label="生年月日"
            description={typedDate ? `＝ ${birthDateLabel(typedDate)}` : '例: 1938/5/12、昭和13年5月12日、S13.5.12'}
            value={identity.birthDate}
            onChange={(e) => set('birthDate')(e.currentTarget.value)}
            error={errors.birthDate}
            withAsterisk
            autoComplete="off"
            size="md"
          />
          {askMore && (
            <>
              <TextInput
                label="住所の一部（同姓同名の区別）"
                description="例: 盛岡市高松"
                value={identity.address}
                onChange={(e) => set('address')(e.currentTarget.value)}
                autoComplete="off"
                size="md"
              />
              <TextInput
                label="電話番号（同姓同名の区別）"
                description="例: 019-000-0001"
                value={identity.phone}
                onChange={(e) => set('phone')(e.currentTarget.value)}
                inputMode="tel"
                autoComplete="off"
                size="md"
              />
            </>
          )}
          <Button type="submit" color="red" size="lg">
            緊急時アクセスを宣言する
          </Button>
        </Stack>
      </form>
      <StatusLine text={status} />
      <Modal
        opened={!!checked}
        onClose={() => setChecked(undefined)}
        title="緊急時アクセスの理由"
        closeButtonProps={{ 'aria-label': '閉じる' }}
        size="lg"
      >
        <form onSubmit={declare} noValidate>
          <Stack gap="sm">
            <Text size="sm">
              {checked ? `${checked.name}（${birthDateLabel(checked.birthDate)}）` : ''}
              の緊急時の情報を開きます。理由は監査記録に残り、ケアチームに通知されます。
            </Text>
            <Textarea
              label="理由"
              description="例: 自宅で意識消失、家族より119番通報"
              value={reason}
              onChange={(e) => {
                setReason(e.currentTarget.value);
                if (e.currentTarget.value.trim()) setReasonError('');
              }}
              error={reasonError}
              withAsterisk
              required
              rows={3}
              data-autofocus
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setChecked(undefined)}>
                やめる
              </Button>
              <Button type="submit" color="red" loading={declaring}>
                宣言して閲覧を開始
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

function SummaryOrError({ bundle }: { bundle: Bundle }) {
  try {
    return <EmergencySummaryView view={emergencyView(bundle)} />;
  } catch (error) {
    return <ErrorNotice error={error} />;
  }
}
