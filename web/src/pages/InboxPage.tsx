import '@mantine/notifications/styles.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Badge, Button, Group, Loader, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { Notifications, notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import type { Bundle, Communication, FhirResource, Task } from 'fhir/r4';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import type { FhirError } from '../fhir/errors';
import { ErrorNotice } from '../shell/ErrorNotice';
import { StatusLine } from '../shell/StatusLine';
import { Chime } from './inbox/chime';
import { inboxItems, inboxSearches, newArrivals, referencesToName, type Addressee, type InboxItem } from './inbox/inboxData';
import { lookupNames } from './inbox/names';
import { formatDateTime } from './patient/format';

function resources<T extends FhirResource>(bundle: Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

/**
 * The inbox's two searches, each its own query keyed by its resource type first, so a live hand-off event (['Task'])
 * or a message event (['Communication']) refetches it (live/invalidation.ts), with the names its rows need.
 */
function useInboxSearch<T extends Task | Communication>(type: T['resourceType'], url: string | undefined, me: Addressee) {
  const client = useFhirClient();
  return useQuery<{ records: T[]; names: Map<string, string> }, FhirError>({
    queryKey: [type, 'inbox', me.organization, me.practitionerRole, me.practitioner],
    enabled: Boolean(url),
    queryFn: async ({ signal }) => {
      const bundle = await client.request<Bundle>('GET', url!, undefined, {}, signal);
      const records = resources<T>(bundle, type);
      const refs = type === 'Task' ? referencesToName(records as Task[], []) : referencesToName([], records as Communication[]);
      return { records, names: await lookupNames(client, refs, signal) };
    },
  });
}

function InboxRow({ item }: { item: InboxItem }) {
  const overdue = item.deadline?.overdue ?? false;
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      aria-label={`${item.kindLabel} ${item.patient || '患者'} ${item.state}${overdue ? ' 期限超過' : ''}`}
      style={overdue ? { borderColor: 'var(--mantine-color-red-8)', borderWidth: 2 } : undefined}
    >
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Stack gap={2} style={{ flex: '1 1 16rem', minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Badge variant="light" color={item.kind === 'answer' ? 'teal' : item.kind === 'contact-form' ? 'grape' : 'blue'}>
              {item.kindLabel}
            </Badge>
            <Badge variant={item.fresh ? 'filled' : 'outline'} color={item.fresh ? 'blue' : 'gray'}>
              {item.state}
            </Badge>
          </Group>
          <Anchor component={Link} to={item.link} fw={700}>
            {item.patient || '（患者名を表示できません）'} さん
          </Anchor>
          <Text size="sm">送信者: {item.sender || '（不明）'}</Text>
          <Text size="sm" c="dimmed">
            受信 {formatDateTime(item.receivedAt)}
          </Text>
        </Stack>
        <Text size="sm" fw={overdue ? 700 : 400} c={overdue ? 'red.8' : undefined} data-overdue={overdue || undefined}>
          {item.deadline ? item.deadline.label : '期限なし'}
        </Text>
      </Group>
    </Paper>
  );
}

/**
 * 受信箱 (docs/web-app.md §9): the hand-offs addressed to the user, their role and their organisation, and the
 * contact-form answers sent to them, by deadline. Live: an event refetches the searches; a row that was not there
 * before is announced with a notification, a tone (once sound is allowed) and the status line.
 */
export default function InboxPage() {
  const { state } = useAuth();
  const session = state.status === 'ready' ? state.session : null;
  const me = useMemo<Addressee>(
    () => ({ organization: session?.organization, practitionerRole: session?.practitionerRole, practitioner: session?.practitioner }),
    [session?.organization, session?.practitionerRole, session?.practitioner],
  );
  const [taskUrl, messageUrl] = inboxSearches(me);
  const tasks = useInboxSearch<Task>('Task', taskUrl, me);
  const messages = useInboxSearch<Communication>('Communication', messageUrl, me);

  // a fresh clock whenever the data changes, and every minute for 残り日数
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const items = useMemo(() => {
    const names = new Map([...(tasks.data?.names ?? []), ...(messages.data?.names ?? [])]);
    return inboxItems(tasks.data?.records ?? [], messages.data?.records ?? [], me, names, Date.now());
  }, [tasks.data, messages.data, me, now]);

  // sound: allowed by the browser only after a gesture, so the first click or key on the page unlocks it. On the click,
  // not on pointerdown: unlocking shortens the hint above the list, and a list that moved between the press and the
  // release made the first click on a row miss its link (found by the browser tests, e2e/inbox.spec.ts)
  const chime = useRef<Chime | null>(null);
  chime.current ??= new Chime();
  const [soundReady, setSoundReady] = useState(false);
  const [soundOn, setSoundOn] = useState(true);
  const soundOnRef = useRef(soundOn);
  soundOnRef.current = soundOn;
  useEffect(() => {
    const unlock = () => {
      if (chime.current?.unlock()) setSoundReady(true);
    };
    document.addEventListener('click', unlock, { once: true, capture: true });
    document.addEventListener('keydown', unlock, { once: true, capture: true });
    return () => {
      document.removeEventListener('click', unlock, { capture: true });
      document.removeEventListener('keydown', unlock, { capture: true });
      chime.current?.close();
      chime.current = null;
    };
  }, []);

  // new arrivals: rows whose key was not in the list once both searches had answered
  const known = useRef<Set<string> | undefined>(undefined);
  const [announce, setAnnounce] = useState('');
  const loaded = tasks.isSuccess && messages.isSuccess;
  useEffect(() => {
    if (!loaded) return;
    const arrived = newArrivals(known.current, items);
    known.current = new Set([...(known.current ?? []), ...items.map((i) => i.key)]);
    if (arrived.length === 0) return;
    for (const item of arrived) {
      notifications.show({
        title: `新着: ${item.kindLabel}`,
        message: `${item.patient || '患者'} さん（送信者: ${item.sender || '不明'}）${item.deadline ? `・${item.deadline.label}` : ''}`,
        color: item.deadline?.overdue ? 'red' : 'blue',
        autoClose: 8000,
        // Mantine's close button is an icon only: without a name a screen reader says just "button" (axe: button-name)
        closeButtonProps: { 'aria-label': '通知を閉じる' },
      });
    }
    setAnnounce(`新着が${arrived.length}件あります: ${arrived.map((i) => `${i.kindLabel}（${i.patient}）`).join('、')}`);
    if (soundOnRef.current) chime.current?.play();
  }, [items, loaded]);

  const overdue = items.filter((i) => i.deadline?.overdue).length;
  return (
    <Stack gap="md" maw={960}>
      <Notifications position="top-right" zIndex={1000} />
      <Group justify="space-between" align="baseline" wrap="wrap">
        <Title order={1} size="h2">
          受信箱
        </Title>
        {session?.home === 'care-manager' && (
          <Group gap="xs">
            <Button component={Link} to="/contact-forms" variant="light" size="xs">
              連絡票の一覧
            </Button>
            <Button component={Link} to="/contact-forms/new" size="xs">
              連絡票を作成
            </Button>
          </Group>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        あなた・あなたの職種・所属機関に宛てた引継ぎと、連絡票の回答です。期限の近い順（期限超過が先頭）に並び、新しく届くとこの画面にすぐ表示されます。
      </Text>
      <Paper withBorder p="xs">
        <Group gap="sm" wrap="wrap">
          <Switch label="新着時に通知音を鳴らす" checked={soundOn} onChange={(e) => setSoundOn(e.currentTarget.checked)} />
          <Text size="sm" id="sound-state">
            {!chime.current?.supported
              ? 'このブラウザでは通知音を鳴らせません（画面の通知は表示されます）。'
              : soundReady
                ? '通知音は有効です。'
                : 'ブラウザの制限により、通知音はこの画面を一度クリック（またはキー操作）した後に鳴るようになります。'}
          </Text>
          <Button
            size="xs"
            variant="default"
            aria-describedby="sound-state"
            onClick={() => {
              if (chime.current?.unlock()) {
                setSoundReady(true);
                chime.current.play();
              }
            }}
          >
            通知音を試す
          </Button>
        </Group>
      </Paper>
      <StatusLine text={announce} />
      {!taskUrl && (
        <Alert color="orange" title="宛先の情報がありません">
          サインイン中のユーザーに所属機関・職種（PractitionerRole）が登録されていないため、受信箱を表示できません。管理者に確認してください。
        </Alert>
      )}
      {(tasks.isPending || messages.isPending) && taskUrl && <Loader aria-label="読み込み中" />}
      {tasks.isError && <ErrorNotice error={tasks.error} onRetry={() => void tasks.refetch()} />}
      {messages.isError && <ErrorNotice error={messages.error} onRetry={() => void messages.refetch()} />}
      {loaded && (
        <Text size="sm">
          {items.length}件{overdue > 0 && (
            <Text span c="red.8" fw={700}>
              （期限超過 {overdue}件）
            </Text>
          )}
        </Text>
      )}
      {loaded && items.length === 0 && <Text>届いている引継ぎ・回答はありません。</Text>}
      <Stack gap="sm" component="ol" aria-label="受信した引継ぎと回答" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {items.map((item) => (
          <InboxRow key={item.key} item={item} />
        ))}
      </Stack>
    </Stack>
  );
}
