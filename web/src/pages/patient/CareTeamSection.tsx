import { Anchor, Badge, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { ErrorNotice } from '../../shell/ErrorNotice';
import type { useTeamAndConsent } from './hooks';

/** The privacy consent's state and the care team with each member's role, organisation and phone number. */
export function CareTeamSection({ team }: { team: ReturnType<typeof useTeamAndConsent> }) {
  const data = team.data;
  const consentColor = data?.consent.state === 'given' ? 'green' : data?.consent.state === 'unknown' ? 'gray' : 'red';
  return (
    <>
      <Card withBorder padding="md" component="section" aria-labelledby="consent-title">
        <Group gap="sm" wrap="wrap">
          <Title order={2} size="h4" id="consent-title">
            情報共有の同意
          </Title>
          {team.isPending && <Loader size="xs" aria-label="読み込み中" />}
          {data && (
            <Badge color={consentColor} variant="light" size="lg" radius="sm">
              {data.consent.label}
            </Badge>
          )}
        </Group>
      </Card>
      <Card withBorder padding="md" component="section" aria-labelledby="team-title">
        <Title order={2} size="h4" id="team-title" mb="sm">
          ケアチーム
        </Title>
        {team.isPending && <Loader size="sm" aria-label="読み込み中" />}
        {team.isError && <ErrorNotice error={team.error} onRetry={() => void team.refetch()} />}
        {data?.teamRefused && <Text size="sm">ケアチームを表示できません（{data.teamRefused}）</Text>}
        {data && !data.teamRefused && data.members.length === 0 && <Text size="sm">登録されたケアチームはありません。</Text>}
        {data && data.members.length > 0 && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="ケアチームのメンバー">
            {data.members.map((m) => (
              <li key={m.key}>
                <Stack gap={0}>
                  <Text fw={600} size="sm">
                    {m.name}
                  </Text>
                  {m.role && (
                    <Text size="xs" c="dimmed">
                      {m.role}
                    </Text>
                  )}
                  <Text size="xs">
                    {m.organization}
                    {m.phone && (
                      <>
                        {m.organization && '　'}
                        <Anchor href={`tel:${m.phone.replace(/[^\d+]/g, '')}`} size="xs" aria-label={`${m.name}（${m.organization}）に電話 ${m.phone}`}>
                          ☎ {m.phone}
                        </Anchor>
                      </>
                    )}
                  </Text>
                </Stack>
              </li>
            ))}
          </SimpleGrid>
        )}
      </Card>
    </>
  );
}
