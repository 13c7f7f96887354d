import { Anchor } from '@mantine/core';
import { Link } from 'react-router-dom';

/** The way back from a form about one patient to that patient's page, above the form's heading. */
export function BackToPatient({ patientId }: { patientId: string }) {
  return (
    <Anchor component={Link} to={`/patients/${encodeURIComponent(patientId)}`} size="sm">
      ← 患者ページ
    </Anchor>
  );
}
