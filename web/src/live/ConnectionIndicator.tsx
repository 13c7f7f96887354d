import { Box, Group, Text, Tooltip } from '@mantine/core';
import { useOnline } from '../offline/useOnline';
import { useLive } from './LiveProvider';
import type { LiveStatus } from './LiveClient';

const SHOWN: Record<LiveStatus, { label: string; color: string; help: string }> = {
  connecting: { label: '接続準備中', color: 'gray.6', help: 'リアルタイム通知に接続しています。' },
  connected: { label: '接続中', color: 'green.8', help: 'リアルタイム通知に接続しています。新しい記録は自動で表示されます。' },
  reconnecting: { label: '再接続中', color: 'yellow.7', help: '接続が切れました。再接続しています。切れていた間の通知も後から表示されます。' },
  disconnected: {
    label: '切断',
    color: 'red.8',
    help: 'リアルタイム通知に接続できません。画面は自動で更新されません。自動で再接続を続けます（再読み込みでも最新になります）。',
  },
};

/** No network at all: what is written is kept on the device (the outbox, docs/web-app.md, offline home visits). */
const OFFLINE = {
  label: 'オフライン',
  color: 'gray.7',
  help: 'インターネットに接続されていません。入力した記録はこの端末に暗号化して保存され、接続が戻ると自動で送信されます。',
};

/** The live connection's state in the header: a dot, and the word from the sm breakpoint (the dot's label always). */
export function ConnectionIndicator() {
  const { status, reason } = useLive();
  const online = useOnline();
  const shown = online ? SHOWN[status] : OFFLINE;
  const help = online && reason && status !== 'connected' ? `${shown.help}（${reason}）` : shown.help;
  return (
    <Tooltip label={help} multiline w={260}>
      <Group gap={4} wrap="nowrap" role="status" aria-live="polite" aria-label={`リアルタイム通知: ${shown.label}`} tabIndex={0} data-live-status={status} data-online={online}>
        <Box w={10} h={10} bg={shown.color} style={{ borderRadius: '50%' }} aria-hidden="true" />
        <Text size="xs" c="dimmed" visibleFrom="sm" aria-hidden="true">
          {shown.label}
        </Text>
      </Group>
    </Tooltip>
  );
}
