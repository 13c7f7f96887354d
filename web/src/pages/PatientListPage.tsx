import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Card, Group, Loader, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { usePatients } from '../fhir/hooks';
import { birthDateLabel, genderLabel, patientNames } from '../fhir/names';
import { ErrorNotice } from '../shell/ErrorNotice';

/**
 * The patients the user may see. The search box asks the hub (`name`), which finds kanji, katakana and hiragana
 * alike; the query stays in the URL (?q=), so the list can be shared and the back button returns to it.
 */
export default function PatientListPage() {
  const [params, setParams] = useSearchParams();
  const [typed, setTyped] = useState(params.get('q') ?? '');
  const [query] = useDebouncedValue(typed.trim(), 300);
  const patients = usePatients(query);

  const change = (value: string) => {
    setTyped(value);
    const next = new URLSearchParams(params);
    if (value.trim()) {
      next.set('q', value.trim());
    } else {
      next.delete('q');
    }
    setParams(next, { replace: true });
  };

  const count = patients.data?.length ?? 0;
  return (
    <Stack gap="md" maw={960}>
      <Title order={1} size="h2">
        患者一覧
      </Title>
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <TextInput
          label="氏名で検索"
          description="漢字・カタカナ・ひらがなのどれでも探せます（例: 山田、ヤマダ、やまだ）"
          placeholder="氏名を入力"
          value={typed}
          onChange={(e) => change(e.currentTarget.value)}
          type="search"
          autoComplete="off"
          rightSection={patients.isFetching ? <Loader size="xs" aria-label="検索中" /> : null}
        />
      </form>
      {patients.isError && <ErrorNotice error={patients.error} onRetry={() => void patients.refetch()} />}
      <Text size="sm" c="dimmed" role="status" aria-live="polite">
        {patients.isPending ? '読み込み中…' : patients.isError ? '' : count === 0 ? (query ? `「${query}」に一致する患者はいません。` : '表示できる患者はいません。') : `${count}人`}
      </Text>
      <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="患者">
        {(patients.data ?? []).map((patient) => {
          const { name, kana } = patientNames(patient);
          return (
            <li key={patient.id}>
              <UnstyledButton component={Link} to={`/patients/${encodeURIComponent(patient.id ?? '')}`} w="100%" aria-label={`${name}${kana ? `（${kana}）` : ''}`}>
                <Card withBorder padding="sm">
                  <Group justify="space-between" wrap="wrap" gap="xs">
                    <div>
                      {kana && (
                        <Text size="xs" c="dimmed" lh={1.2}>
                          {kana}
                        </Text>
                      )}
                      <Text fw={600} size="lg" lh={1.3}>
                        {name}
                      </Text>
                    </div>
                    <Text size="sm" c="dimmed">
                      {[genderLabel(patient.gender), birthDateLabel(patient.birthDate)].filter(Boolean).join('・')}
                    </Text>
                  </Group>
                </Card>
              </UnstyledButton>
            </li>
          );
        })}
      </Stack>
    </Stack>
  );
}
