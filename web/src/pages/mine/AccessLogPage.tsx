import { useState } from 'react';
import { Badge, Button, Card, Center, Checkbox, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { ErrorNotice } from '../../shell/ErrorNotice';
import { formatDateTime } from '../patient/format';
import type { AccessRow } from './accessLog';
import { useAccessLog } from './hooks';
import { MineNav, NoPatient } from './MineNav';
import { useMine } from './useMine';

function whoOf(row: AccessRow): string {
  return [row.name, row.profession, row.organisation].filter(Boolean).join('・');
}

function Row({ row }: { row: AccessRow }) {
  return (
    <Card component="li" withBorder padding="md" aria-label={`${formatDateTime(row.recorded)} ${whoOf(row)}${row.breakGlass ? ' 緊急時アクセス' : ''}`}>
      <Group justify="space-between" align="flex-start" gap="xs">
        <Text fw={700} size="lg">
          {formatDateTime(row.recorded)}
        </Text>
        <Group gap="xs">
          {row.breakGlass && (
            <Badge color="red" size="lg" variant="filled">
              緊急時アクセス
            </Badge>
          )}
          {row.viewer === 'self' && (
            <Badge color="gray" size="lg" variant="light">
              本人
            </Badge>
          )}
          {row.viewer === 'family' && (
            <Badge color="gray" size="lg" variant="light">
              ご家族
            </Badge>
          )}
          {row.refused && (
            <Badge color="orange" size="lg" variant="light">
              見られませんでした
            </Badge>
          )}
        </Group>
      </Group>
      <dl className="access-row">
        <dt>だれが</dt>
        <dd>
          <Text span size="lg" fw={600}>
            {row.name}
          </Text>
          {row.profession && <Text span size="lg">（{row.profession}）</Text>}
        </dd>
        {row.organisation && (
          <>
            <dt>所属</dt>
            <dd>{row.organisation}</dd>
          </>
        )}
        {row.purpose && (
          <>
            <dt>目的</dt>
            <dd>{row.purpose}</dd>
          </>
        )}
        <dt>したこと</dt>
        <dd>
          {row.action}
          {row.records && `（${row.records}）`}
        </dd>
      </dl>
    </Card>
  );
}

/**
 * 閲覧履歴: who looked at the patient's record and when, from the hub's audit trail, newest first, a page at a time.
 * Emergency access is marked; the patient's and family's own use of the app is hidden unless asked for.
 */
export default function AccessLogPage() {
  const { patient, byFamily } = useMine();
  const [includeOwn, setIncludeOwn] = useState(false);
  const log = useAccessLog(patient, includeOwn);
  if (!patient) {
    return <NoPatient />;
  }
  const rows = log.data?.pages.flatMap((p) => p.rows) ?? [];
  return (
    <Stack gap="md" maw={960} className="mine">
      <MineNav />
      <div>
        <Title order={1}>閲覧履歴</Title>
        <Text size="lg" mt="xs">
          {byFamily ? 'ご本人' : 'あなた'}の記録を、だれが、いつ、何のために見たかの一覧です。新しいものが上にあります。
          「緊急時アクセス」は、救急などで同意の確認を待たずに開いたものです。
        </Text>
      </div>
      <Checkbox
        size="md"
        label="ご本人とご家族が見たものも表示する"
        checked={includeOwn}
        onChange={(e) => setIncludeOwn(e.currentTarget.checked)}
      />
      {log.isPending && (
        <Center mih={120}>
          <Loader aria-label="閲覧履歴を読み込み中" />
        </Center>
      )}
      {log.isError && <ErrorNotice error={log.error} onRetry={() => void log.refetch()} />}
      {log.isSuccess && rows.length === 0 && !log.hasNextPage && (
        <Text size="lg">まだ閲覧の記録はありません。</Text>
      )}
      {rows.length > 0 && (
        <Stack component="ul" gap="sm" aria-label="閲覧履歴の一覧" p={0} m={0} style={{ listStyle: 'none' }}>
          {rows.map((row) => (
            <Row key={row.id} row={row} />
          ))}
        </Stack>
      )}
      {log.hasNextPage && (
        <Group>
          <Button size="md" variant="light" loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            さらに古い履歴を表示
          </Button>
        </Group>
      )}
      {log.isFetchNextPageError && <ErrorNotice error={log.error} onRetry={() => void log.fetchNextPage()} />}
    </Stack>
  );
}
