import { Link, Navigate } from 'react-router-dom';
import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useAuth } from '../auth/AuthProvider';
import { HOMES } from './homes';
import { HubStatusPanel } from './admin/HubStatusPanel';
import { UnansweredContactForms } from './home/UnansweredContactForms';

/** The home of the signed-in user's profession (the realm role decides, auth/profession.ts). */
export default function HomePage() {
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const home = HOMES[session?.home ?? 'generic'];
  if (session?.home === 'patient') {
    // the patient's and family's home is their record itself (pages/mine/MyRecordPage.tsx)
    return <Navigate to="/my" replace />;
  }
  return (
    <Stack gap="md" maw={960}>
      <div>
        <Group gap="xs" align="baseline">
          <Title order={1} size="h2">
            {home.title}
          </Title>
          {session?.profession && <Badge variant="light">{session.profession}</Badge>}
        </Group>
        <Text c="dimmed" mt={4}>
          {home.lead}
        </Text>
      </div>
      {session?.home === 'admin' && <HubStatusPanel />}
      {session?.home === 'physician' && <UnansweredContactForms session={session} />}
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        {home.sections.map((section) => (
          <Card key={section.title} withBorder padding="md" component="section" aria-label={section.title}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Title order={2} size="h4">
                {section.title}
              </Title>
              {!section.link && (
                <Badge color="gray" variant="outline">
                  準備中
                </Badge>
              )}
            </Group>
            <Text size="sm" mt="xs">
              {section.text}
            </Text>
            {section.link && (
              <Button component={Link} to={section.link.to} size="xs" mt="sm" variant="light">
                {section.link.label}
              </Button>
            )}
          </Card>
        ))}
      </SimpleGrid>
      {session?.home !== 'admin' && (
        <div>
          <Button component={Link} to="/patients">
            患者一覧を開く
          </Button>
        </div>
      )}
    </Stack>
  );
}
