import { Badge, Button, Card, Group, List, Popover, Stack, Text, Title } from '@mantine/core';
import type { AllergyIntolerance, FhirResource } from 'fhir/r4';
import { birthDateLabel, genderLabel, patientNames } from '../../fhir/names';
import { furigana } from './furigana';
import type { PatientSummary } from './patientData';

function allergyLabel(a: AllergyIntolerance): string {
  const what = a.code?.text ?? a.code?.coding?.find((c) => c.display)?.display ?? '（内容なし）';
  const reaction = a.reaction?.flatMap((r) => r.manifestation.map((m) => m.text ?? m.coding?.[0]?.display)).filter(Boolean).join('、');
  const severity = a.criticality === 'high' ? '重篤' : undefined;
  const details = [reaction, severity].filter(Boolean).join('・');
  return details ? `${what}（${details}）` : what;
}

/** The patient's name in kanji with the kana reading over it, sex, birth date and age, and the markers. */
export function PatientHeader({ summary, onOpen }: { summary: PatientSummary; onOpen: (resource: FhirResource) => void }) {
  const { patient, allergies, emergencySheet, advanceDirective } = summary;
  const { name, kana } = patientNames(patient);
  const parts = furigana(patient);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="patient-name">
      <Title order={1} size="h2" id="patient-name" aria-label={kana ? `${name}（${kana}）` : name} lh={1.6}>
        {parts.length === 0
          ? name
          : parts.map((part, i) => (
              <span key={i}>
                {i > 0 && ' '}
                {part.reading ? (
                  <ruby>
                    {part.text}
                    <rp>（</rp>
                    <rt style={{ fontSize: '0.5em', fontWeight: 400 }}>{part.reading}</rt>
                    <rp>）</rp>
                  </ruby>
                ) : (
                  part.text
                )}
              </span>
            ))}
      </Title>
      <Text size="sm" mt={4}>
        {[genderLabel(patient.gender), birthDateLabel(patient.birthDate)].filter(Boolean).join('・')}
      </Text>
      <Group gap="xs" mt="sm" aria-label="注意事項" role="group">
        <Popover width={320} position="bottom-start" withArrow shadow="md">
          <Popover.Target>
            <Button size="compact-sm" color={allergies.length > 0 ? 'red.8' : 'gray.7'} variant={allergies.length > 0 ? 'filled' : 'outline'}>
              {allergies.length > 0 ? `アレルギー ${allergies.length}件` : 'アレルギー 登録なし'}
            </Button>
          </Popover.Target>
          <Popover.Dropdown>
            <Stack gap={4}>
              <Text fw={600} size="sm">
                アレルギー・副作用
              </Text>
              {allergies.length === 0 ? (
                <Text size="sm">閲覧できる記録はありません（アレルギーがないことを示すものではありません）。</Text>
              ) : (
                <List size="sm">
                  {allergies.map((a) => (
                    <List.Item key={a.id}>{allergyLabel(a)}</List.Item>
                  ))}
                </List>
              )}
            </Stack>
          </Popover.Dropdown>
        </Popover>
        {emergencySheet ? (
          <Button size="compact-sm" color="orange" variant="light" onClick={() => onOpen(emergencySheet)}>
            緊急時連絡票あり
          </Button>
        ) : (
          <Badge color="gray" variant="outline" size="lg" radius="sm">
            緊急時連絡票なし
          </Badge>
        )}
        {advanceDirective ? (
          <Button size="compact-sm" color="grape" variant="light" onClick={() => onOpen(advanceDirective)}>
            事前指示書あり
          </Button>
        ) : (
          <Badge color="gray" variant="outline" size="lg" radius="sm">
            事前指示書なし
          </Badge>
        )}
      </Group>
    </Card>
  );
}
