import { useState } from 'react';
import { Button, List, Stack, TextInput } from '@mantine/core';
import type { Patient } from 'fhir/r4';
import { usePatients } from '../fhir/hooks';
import { patientNames } from '../fhir/names';
import { ErrorNotice } from '../shell/ErrorNotice';

/** A patient search (kanji, katakana or hiragana) whose answers are buttons; `choiceLabel` says what each button chooses. */
export function PatientPicker({ onPick, choiceLabel }: { onPick: (id: string) => void; choiceLabel: (name: string, patient: Patient) => string }) {
  const [q, setQ] = useState('');
  const patients = usePatients(q);
  return (
    <Stack gap="sm">
      <TextInput label="患者を検索（漢字・カナ・ひらがな）" value={q} onChange={(e) => setQ(e.currentTarget.value)} />
      {patients.isError && <ErrorNotice error={patients.error} onRetry={() => void patients.refetch()} />}
      <List listStyleType="none" spacing="xs">
        {(patients.data ?? []).map((p: Patient) => (
          <List.Item key={p.id}>
            <Button variant="light" onClick={() => onPick(p.id!)}>
              {choiceLabel(patientNames(p).name || (p.id ?? ''), p)}
            </Button>
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
