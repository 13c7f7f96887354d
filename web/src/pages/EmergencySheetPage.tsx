import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bundle, PractitionerRole } from 'fhir/r4';
import { useAuth } from '../auth/AuthProvider';
import { isFhirError } from '../fhir/client';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { patientNames } from '../fhir/names';
import { PATIENT_PAGE } from '../live/invalidation';
import { ErrorNotice } from '../shell/ErrorNotice';
import { StatusLine } from '../shell/StatusLine';
import type { Answer, Answers } from '../forms/answers';
import { SectionForm, type FieldContext } from '../forms/FormRenderer';
import { EMERGENCY_SHEET_REVISION, compositionOf, missingSheetAnswers, reviseSheet, sheetAnswers } from '../forms/emergency-sheet';
import { usePatientSummary } from './patient/hooks';
import { formatDateTime } from './patient/format';
import { BackToPatient } from './patient/BackToPatient';

const NO_TEAM: FieldContext['team'] = [];

/**
 * 緊急時連絡票の改訂 (docs/web-app.md §11): the patient's current sheet, read again with its version, each section's
 * text in the document form's renderer, saved as the same document's next version with If-Match (a change made
 * meanwhile is a 412, explained, and the typed text is kept).
 */
export default function EmergencySheetPage() {
  const { id = '' } = useParams();
  const client = useFhirClient();
  const queryClient = useQueryClient();
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const summary = usePatientSummary(id);
  const sheetId = summary.data?.emergencySheet?.resourceType === 'Bundle' ? summary.data.emergencySheet.id : undefined;
  // read again (not the summary's copy): the version the update names
  const sheet = useQuery<Bundle & { id: string }, FhirError>({
    queryKey: ['Bundle', 'emergency-sheet', sheetId],
    enabled: Boolean(sheetId),
    staleTime: Infinity,
    queryFn: ({ signal }) => client.read<Bundle>('Bundle', sheetId!, signal) as Promise<Bundle & { id: string }>,
  });
  // the reviser's role, named among the sheet's authors (記入者) with the revision
  const role = useQuery<PractitionerRole, FhirError>({
    queryKey: ['PractitionerRole', 'read', session?.practitionerRole],
    enabled: Boolean(session?.practitionerRole),
    staleTime: Infinity,
    queryFn: ({ signal }) => client.read<PractitionerRole>('PractitionerRole', session!.practitionerRole!, signal),
  });
  const [answers, setAnswers] = useState<Answers | null>(null);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<FhirError | null>(null);
  const [saved, setSaved] = useState<Bundle | null>(null);
  const [status, setStatus] = useState('');

  // the version being edited is the one read when the first change was typed: a newer one arriving meanwhile (a live
  // event refetches the sheet) must not become the If-Match of text written against the older one, which would
  // overwrite the other writer's change unseen; saving then answers 412 and the user reloads on purpose
  const [base, setBase] = useState<(Bundle & { id: string }) | null>(null);
  const latest = sheet.data;
  const current = base ?? latest;
  const newerArrived = Boolean(base && latest && latest.meta?.versionId !== base.meta?.versionId);
  const shown = answers ?? (current ? sheetAnswers(current) : {});
  const ctx: FieldContext = {
    answers: shown,
    setAnswer: (key: string, value: Answer) => {
      if (!base && current) setBase(current);
      setAnswers({ ...shown, [key]: value });
    },
    errors: new Map([...errors].map(([k, v]) => [k, [v]])),
    team: NO_TEAM,
    searchDirectory: async () => [],
  };
  const name = summary.data ? patientNames(summary.data.patient).name : '';
  const composition = current ? compositionOf(current) : undefined;

  const save = async () => {
    if (!current) return;
    setFailure(null);
    const missing = missingSheetAnswers(current, shown);
    setErrors(missing);
    if (missing.size > 0) {
      setStatus(`入力が必要な欄が${missing.size}件あります。`);
      return;
    }
    setSaving(true);
    setStatus('保存しています…');
    try {
      const author = role.data?.id ? { reference: { reference: `PractitionerRole/${role.data.id}`, display: session?.name }, resource: role.data } : undefined;
      const stored = await client.update(reviseSheet(current, shown, new Date().toISOString(), author));
      setSaved(stored);
      setStatus('緊急時連絡票を更新しました。');
      void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE] });
      void queryClient.invalidateQueries({ queryKey: ['Bundle'] });
    } catch (e) {
      const error = isFhirError(e) ? e : null;
      setFailure(error);
      setStatus(`保存できませんでした：${error?.title ?? ''}`);
    } finally {
      setSaving(false);
    }
  };

  if (saved) {
    return (
      <Stack gap="md" maw={960}>
        <StatusLine text={status} />
        <Alert color="green" title="緊急時連絡票を更新しました" role="status">
          <Text size="sm">第{saved.meta?.versionId}版として保存しました。救急隊と在宅チームは、次に開いたときからこの版を見ます。</Text>
        </Alert>
        <Group>
          <Button component={Link} to={`/patients/${encodeURIComponent(id)}?record=Bundle/${saved.id}`}>
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
        緊急時連絡票の改訂{name ? `：${name}` : ''}
      </Title>
      <StatusLine text={status} />
      {(summary.isPending || sheet.isFetching) && <Loader aria-label="読み込み中" />}
      {summary.isError && <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} />}
      {summary.data && !sheetId && (
        <Alert color="orange" title="緊急時連絡票がまだありません" role="note">
          <Text size="sm">この患者の緊急時連絡票は登録されていません（または閲覧が許可されていません）。改訂できるのは登録済みの連絡票です。</Text>
        </Alert>
      )}
      {sheet.isError && <ErrorNotice error={sheet.error} onRetry={() => void sheet.refetch()} />}
      {current && (
        <>
          <Text size="sm">
            現在の版：第{current.meta?.versionId}版（{formatDateTime(composition?.date)} 記入）。各欄の文章を直して保存すると、同じ連絡票の新しい版になります（前の版は履歴に残ります）。
          </Text>
          {newerArrived && !failure && (
            <Alert color="orange" title={`編集中に新しい版（第${latest?.meta?.versionId}版）が保存されました`} role="status">
              <Text size="sm">この画面の内容は第{base?.meta?.versionId}版を基にしています。保存すると新しい版との違いを確かめるよう求められます。</Text>
            </Alert>
          )}
          <Paper withBorder p="sm">
            <Stack gap="lg">
              {EMERGENCY_SHEET_REVISION.sections.map((section) => (
                <SectionForm key={section.code} section={section} ctx={ctx} />
              ))}
            </Stack>
          </Paper>
          {failure && (
            <Stack gap="xs">
              {failure.kind === 'conflict' && (
                <Alert color="orange" title="ほかの人がこの連絡票を先に更新しました" role="alert">
                  <Text size="sm">入力した内容はこの画面に残っています。「最新の版を読み込む」で最新の版を基にしてから、内容を確かめてもう一度保存してください。</Text>
                  <Button
                    size="xs"
                    mt="xs"
                    onClick={() => {
                      setFailure(null);
                      void summary
                        .refetch()
                        .then(() => sheet.refetch())
                        .then((read) => {
                          setBase(read.data ?? null);
                          setStatus('最新の版を読み込みました。入力した内容は残っています。');
                        });
                    }}
                  >
                    最新の版を読み込む
                  </Button>
                </Alert>
              )}
              {failure.kind === 'forbidden' && (
                <Alert color="orange" title="この連絡票は改訂できません" role="alert">
                  <Text size="sm">緊急時連絡票を改訂できるのは、作成した事業所の職員です。作成した事業所に改訂を依頼してください。</Text>
                </Alert>
              )}
              {failure.kind !== 'conflict' && <ErrorNotice error={failure} onRetry={() => void save()} />}
            </Stack>
          )}
          {errors.size > 0 && (
            <Alert color="red" title="入力が必要な欄があります" role="alert">
              <Text size="sm">赤く表示された欄を入力してください。</Text>
            </Alert>
          )}
          <Group>
            <Button onClick={() => void save()} loading={saving}>
              新しい版として保存
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
