import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Badge, Button, Group, List, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useOnline } from './useOnline';
import { useOutbox } from './OutboxProvider';
import { shortJapaneseTime } from './summary';
import type { EntryState, OutboxEntry } from './types';

const STATE: Record<EntryState, { label: string; color: string }> = {
  pending: { label: '未送信', color: 'orange' },
  sending: { label: '送信中', color: 'blue' },
  'needs-fix': { label: '要修正', color: 'red' },
};

function EntryCard({ entry, onDiscard }: { entry: OutboxEntry; onDiscard: (entry: OutboxEntry) => void }) {
  const { resend } = useOutbox();
  const state = STATE[entry.state];
  return (
    <Paper withBorder p="sm" component="li" aria-label={`${entry.summary}（${state.label}）`} data-outbox-entry={entry.id}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text fw={600}>{entry.summary}</Text>
        <Badge color={state.color} variant="light">
          {state.label}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        端末に保存: {shortJapaneseTime(new Date(entry.createdAt))}
        {entry.attempts > 0 && entry.state !== 'needs-fix' ? `・送信を試みた回数: ${entry.attempts}` : ''}
      </Text>
      <Anchor component={Link} to={`/patients/${encodeURIComponent(entry.patientId)}`} size="sm">
        患者のページを開く
      </Anchor>
      {entry.problem && (
        <Alert color="red" title={entry.problem.title} mt="xs">
          <Text size="sm">{entry.problem.action}</Text>
          {entry.problem.issues.length > 0 && (
            <List size="sm" mt="xs">
              {entry.problem.issues.map((issue, i) => (
                <List.Item key={i}>{issue.diagnostics || issue.code}</List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      {entry.state === 'needs-fix' && (
        <Group mt="xs" gap="xs">
          <Button size="xs" onClick={() => void resend(entry.id)}>
            もう一度送信
          </Button>
          <Button size="xs" variant="default" color="red" onClick={() => onDiscard(entry)}>
            削除…
          </Button>
        </Group>
      )}
    </Paper>
  );
}

/**
 * 未送信の記録 (docs/web-app.md, offline home visits): what this device holds for the signed-in user and has not yet stored on the hub,
 * each with its state (未送信, 送信中, 要修正) and, when the hub refused it, the hub's reason in Japanese.
 */
export default function OutboxPage() {
  const { entries, keeps, sendNow, discard } = useOutbox();
  const online = useOnline();
  const [discarding, setDiscarding] = useState<OutboxEntry | null>(null);
  const waiting = entries.filter((e) => e.state === 'pending').length;

  return (
    <Stack gap="md" maw={720}>
      <Title order={1} size="h2">
        未送信の記録
      </Title>
      <Text size="sm">
        電波のない訪問先で入力した記録は、この端末に暗号化して保存され、接続が戻ると自動で1件ずつ送信されます（同じ記録が二重に登録されることはありません）。サインアウトすると端末から削除されます。
      </Text>
      {!keeps && (
        <Alert color="yellow" title="この端末には保存できません">
          このブラウザーでは記録を暗号化して保存できないため、接続のないときは送信できません。
        </Alert>
      )}
      {!online && waiting > 0 && (
        <Alert color="gray" title="オフラインです">
          接続が戻ると自動で送信します。
        </Alert>
      )}
      {entries.length === 0 ? (
        <Text>未送信の記録はありません。</Text>
      ) : (
        <Stack component="ol" gap="sm" p={0} style={{ listStyle: 'none' }} aria-label="未送信の記録の一覧">
          {entries.map((entry) => (
            <EntryCard key={entry.id} entry={entry} onDiscard={setDiscarding} />
          ))}
        </Stack>
      )}
      {online && waiting > 0 && (
        <Group>
          <Button onClick={() => void sendNow()}>今すぐ送信</Button>
        </Group>
      )}
      <Modal opened={discarding !== null} onClose={() => setDiscarding(null)} title="記録を削除しますか？">
        <Text size="sm">「{discarding?.summary}」をこの端末から削除します。ハブには送信されず、元に戻せません。</Text>
        <Group mt="md" justify="flex-end">
          <Button variant="default" onClick={() => setDiscarding(null)}>
            キャンセル
          </Button>
          <Button
            color="red"
            onClick={() => {
              if (discarding) void discard(discarding.id);
              setDiscarding(null);
            }}
          >
            削除する
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
