import { Stack, Text } from '@mantine/core';
import PatientPage from '../PatientPage';
import { MineNav, NoPatient } from './MineNav';
import { useMine } from './useMine';

/**
 * The patient's and family's home (ご本人の記録): the patient page of their one patient — header with markers, sharing
 * badge, care team, the timeline with documents and their PDF print — as the hub shows it to them (self / proxy).
 */
export default function MyRecordPage() {
  const { patient, byFamily } = useMine();
  if (!patient) {
    return <NoPatient />;
  }
  return (
    <Stack gap="md" maw={960} className="mine">
      <MineNav />
      <Text size="lg">
        {byFamily ? 'ご家族として、ご本人の記録を見ています。' : 'あなたの記録です。'}
        文書を押すと中身が開き、「印刷用PDFを開く」で印刷できます。
      </Text>
      <PatientPage patientId={patient} />
    </Stack>
  );
}
