import { Link, useParams } from 'react-router-dom';
import { Anchor, Card, Loader, Stack, Text, Title } from '@mantine/core';
import { usePatient } from '../fhir/hooks';
import { birthDateLabel, genderLabel, patientNames } from '../fhir/names';
import { ErrorNotice } from '../shell/ErrorNotice';

/** The patient's header; the timeline, care team and consent state are the next step of issue 19. */
export default function PatientPage() {
  const { id = '' } = useParams();
  const patient = usePatient(id);
  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to="/patients" size="sm">
        ← 患者一覧
      </Anchor>
      {patient.isPending && <Loader aria-label="読み込み中" />}
      {patient.isError && <ErrorNotice error={patient.error} onRetry={() => void patient.refetch()} />}
      {patient.data && (
        <Card withBorder padding="md">
          {patientNames(patient.data).kana && (
            <Text size="sm" c="dimmed">
              {patientNames(patient.data).kana}
            </Text>
          )}
          <Title order={1} size="h2">
            {patientNames(patient.data).name}
          </Title>
          <Text size="sm" mt={4}>
            {[genderLabel(patient.data.gender), birthDateLabel(patient.data.birthDate)].filter(Boolean).join('・')}
          </Text>
        </Card>
      )}
    </Stack>
  );
}
