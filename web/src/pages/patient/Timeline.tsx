import { useEffect, useMemo, useState } from 'react';
import { Badge, Button, Card, Group, Loader, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { ErrorNotice } from '../../shell/ErrorNotice';
import { formatDateTime } from './format';
import type { useTimeline } from './hooks';
import { KIND_LABELS, mergeTimeline, unusualFirst, type EntryKind, type Names, type TimelineEntry } from './timeline';

/** Entries on screen at first and added by each さらに表示: the page stays light with hundreds of entries. */
export const SHOWN_STEP = 50;

// theme colours without a shade: their light badges take the text colour the theme keeps readable (App.tsx
// LIGHT_VARIANT_COLORS); a shade such as blue.8 on its own tint is about 4.4:1 (found by the browser tests, print.spec.ts)
export const KIND_COLORS: Record<EntryKind, string> = {
  document: 'blue',
  handoff: 'teal',
  'contact-form': 'violet',
  message: 'indigo',
  observation: 'gray',
};

const TYPE_LABELS: Record<string, string> = {
  Bundle: '文書',
  Composition: '文書',
  DocumentReference: '文書（添付）',
  Task: '引き継ぎ',
  Communication: '連絡',
  Observation: '観察',
};

function EntryRow({ entry, onOpen }: { entry: TimelineEntry; onOpen: (entry: TimelineEntry) => void }) {
  const time = formatDateTime(entry.time);
  return (
    <li>
      <UnstyledButton
        onClick={() => onOpen(entry)}
        w="100%"
        data-unusual={entry.unusual || undefined}
        aria-label={`${entry.unusual ? 'いつもと違う、' : ''}${KIND_LABELS[entry.kind]}: ${entry.title}${entry.author ? `、${entry.author}` : ''}、${time}${entry.deadline ? `、${entry.deadline.label}` : ''}`}
      >
        <Card withBorder padding="sm" style={entry.unusual ? { borderColor: 'var(--mantine-color-red-7)', borderWidth: 2 } : undefined}>
          <Group justify="space-between" align="flex-start" wrap="wrap" gap={4}>
            <Group gap="xs" wrap="nowrap" align="flex-start" style={{ minWidth: 0, flex: '1 1 16rem' }}>
              <Stack gap={4} style={{ flexShrink: 0 }}>
                {entry.unusual && (
                  <Badge color="red" variant="filled" radius="sm">
                    いつもと違う
                  </Badge>
                )}
                <Badge color={KIND_COLORS[entry.kind]} variant="light" radius="sm">
                  {KIND_LABELS[entry.kind]}
                </Badge>
              </Stack>
              <div style={{ minWidth: 0 }}>
                <Text fw={600} size="sm" lh={1.4}>
                  {entry.title}
                </Text>
                {entry.summary && (
                  <Text size="sm" lh={1.4}>
                    {entry.summary}
                  </Text>
                )}
                {entry.deadline && (
                  <Text size="sm" fw={entry.deadline.overdue ? 700 : 400} c={entry.deadline.overdue ? 'red.8' : undefined} data-overdue={entry.deadline.overdue || undefined}>
                    {entry.deadline.label}
                  </Text>
                )}
              </div>
            </Group>
            <Stack gap={0} align="flex-end" style={{ flex: '0 0 auto' }}>
              <Text size="xs" c="dimmed" component="time" dateTime={entry.time}>
                {time}
              </Text>
              {entry.author && (
                <Text size="xs" c="dimmed">
                  {entry.author}
                </Text>
              )}
            </Stack>
          </Group>
        </Card>
      </UnstyledButton>
    </li>
  );
}

/**
 * The team's activity, newest first. {@link SHOWN_STEP} entries at a time are on screen; さらに表示 shows more and
 * loads the next page of the searches only when the merged list runs short.
 */
export function Timeline({ timeline, names, onOpen }: { timeline: ReturnType<typeof useTimeline>; names: Names; onOpen: (entry: TimelineEntry) => void }) {
  const [shown, setShown] = useState(SHOWN_STEP);
  const pages = timeline.data?.pages;
  // recomputed each minute too, so that 残り日数 and overdue follow the clock
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const merged = useMemo(() => {
    const all = mergeTimeline(pages ?? [], names, now);
    return { ...all, entries: unusualFirst(all.entries, now) };
  }, [pages, names, now]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = timeline;

  useEffect(() => {
    if (merged.entries.length < shown && hasNextPage && !isFetchingNextPage) {
      void fetchNextPage();
    }
  }, [merged.entries.length, shown, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const visible = merged.entries.slice(0, shown);
  const more = merged.entries.length > shown || !!hasNextPage;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="timeline-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="timeline-title">
          タイムライン
        </Title>
        {timeline.isFetching && !timeline.isPending && <Loader size="xs" aria-label="更新中" />}
      </Group>
      {timeline.isPending && <Loader size="sm" aria-label="読み込み中" />}
      {timeline.isError && <ErrorNotice error={timeline.error} onRetry={() => void timeline.refetch()} />}
      {merged.refused.length > 0 && (
        <Text size="xs" c="dimmed" mb="xs">
          表示できない種類があります: {merged.refused.map((r) => `${TYPE_LABELS[r.type]}（${r.reason}）`).join('、')}
        </Text>
      )}
      {timeline.data && (
        <Text size="xs" c="dimmed" mb="xs" role="status" aria-live="polite">
          {merged.entries.length === 0 ? 'まだ記録はありません。' : `${visible.some((e) => e.unusual) ? '「いつもと違う」を先頭に、' : ''}新しい順に${visible.length}件を表示${more ? '（続きがあります）' : ''}`}
        </Text>
      )}
      <Stack gap="xs" component="ol" p={0} m={0} style={{ listStyle: 'none' }} aria-label="タイムライン（新しい順）">
        {visible.map((entry) => (
          <EntryRow key={entry.key} entry={entry} onOpen={onOpen} />
        ))}
      </Stack>
      {more && timeline.data && (
        <Button variant="default" mt="sm" fullWidth loading={isFetchingNextPage && merged.entries.length < shown} onClick={() => setShown((n) => n + SHOWN_STEP)}>
          さらに表示
        </Button>
      )}
    </Card>
  );
}
