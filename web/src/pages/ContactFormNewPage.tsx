import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Communication } from 'fhir/r4';
import type { FhirError } from '../fhir/errors';
import { patientNames } from '../fhir/names';
import { PATIENT_PAGE } from '../live/invalidation';
import { ErrorNotice } from '../shell/ErrorNotice';
import { CONTACT_FORM_QUESTION } from '../forms/contact-form';
import { buildQuestion } from '../forms/contactFormBuilder';
import { contactTeam } from './contact/contactData';
import { MessageForm } from './contact/MessageForm';
import { PatientPicker } from './PatientPicker';
import { usePatientWriting } from './usePatientWriting';

/** 主治医・ケアマネジャー連絡票を作成して送る (docs/web-app.md §9): the patient, the home doctor from the care team, the form. */
export default function ContactFormNewPage() {
  const { patientId, choosePatient, session, client, queryClient, patient } = usePatientWriting();
  const team = useQuery<Awaited<ReturnType<typeof contactTeam>>, FhirError>({
    queryKey: ['CareTeam', 'contact-team', patientId],
    enabled: Boolean(patient.data),
    staleTime: Infinity,
    queryFn: ({ signal }) => contactTeam(client, patient.data!, signal),
  });
  const [sent, setSent] = useState<Communication | null>(null);
  const name = patient.data ? patientNames(patient.data).name : '';

  if (sent) {
    return (
      <Stack gap="md" maw={960}>
        <Alert color="green" title="連絡票を送信しました" role="status">
          <Text size="sm">宛先ごとに「未読 → 既読 → 回答済み」の状態が表示されます。回答が届くと受信箱とこの連絡票の画面にすぐ表示されます。</Text>
        </Alert>
        <Group>
          <Button component={Link} to={`/contact-forms/${sent.id}`}>
            送信した連絡票を開く
          </Button>
          <Button component={Link} to="/contact-forms" variant="light">
            連絡票の一覧へ
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to={patientId ? `/patients/${patientId}` : '/contact-forms'} size="sm">
        ← {patientId ? '患者ページ' : '連絡票の一覧'}
      </Anchor>
      <Title order={1} size="h2">
        主治医・ケアマネジャー連絡票の作成
      </Title>
      <Text size="sm" c="dimmed">
        入力内容はこの画面の中だけに保持されます（ブラウザには保存されません）。
      </Text>
      {!session?.practitionerRole && (
        <Alert color="orange" title="送信者の職種情報がありません" role="alert">
          サインイン中のユーザーに PractitionerRole が登録されていないため、連絡票を送れません。管理者に確認してください。
        </Alert>
      )}
      {!patientId ? (
        <>
          <Title order={2} size="h4">
            1. 利用者を選ぶ
          </Title>
          <PatientPicker onPick={(id) => choosePatient(id)} choiceLabel={(name) => `${name} さんを選ぶ`} />
        </>
      ) : (
        <>
          <Group gap="xs">
            <Text>
              利用者: <strong>{name || '読み込み中…'}</strong>
            </Text>
            <Button size="xs" variant="subtle" onClick={() => choosePatient()}>
              利用者を変更
            </Button>
          </Group>
          {patient.isError && <ErrorNotice error={patient.error} onRetry={() => void patient.refetch()} />}
          {team.isError && <ErrorNotice error={team.error} onRetry={() => void team.refetch()} />}
          {(patient.isPending || team.isPending) && <Loader aria-label="ケアチームを読み込み中" />}
          {patient.data && team.data && session?.practitionerRole && (
            <MessageForm
              key={patientId}
              definition={CONTACT_FORM_QUESTION}
              team={team.data.team}
              initial={{ recipients: team.data.preselected }}
              submitLabel="連絡票を送信する"
              build={(answers, draftId, now) =>
                buildQuestion(CONTACT_FORM_QUESTION, answers, { reference: `Patient/${patientId}`, ...(name ? { display: name } : {}) }, {
                  sender: { reference: `PractitionerRole/${session.practitionerRole}`, ...(session.name ? { display: session.name } : {}) },
                  draftId,
                  now,
                })
              }
              onSent={(message) => {
                setSent(message);
                void queryClient.invalidateQueries({ queryKey: ['Task'] });
                void queryClient.invalidateQueries({ queryKey: ['Communication'] });
                void queryClient.invalidateQueries({ queryKey: [PATIENT_PAGE] });
              }}
            />
          )}
        </>
      )}
    </Stack>
  );
}
