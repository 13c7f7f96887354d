import { Button, Group, Modal, Text } from '@mantine/core';

/** Asked before sign-out while the outbox holds entries: sign-out deletes them from the device (a lazy chunk). */
export default function SignOutConfirm({ unsent, onCancel, onSignOut }: { unsent: number; onCancel: () => void; onSignOut: () => void }) {
  return (
    <Modal opened onClose={onCancel} title="未送信の記録があります">
      <Text size="sm">
        まだハブに送信されていない記録が{unsent}件あります。サインアウトすると、この端末から削除され、送信されません。接続のある場所で送信してからサインアウトしてください。
      </Text>
      <Group mt="md" justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          キャンセル
        </Button>
        <Button color="red" onClick={onSignOut}>
          削除してサインアウト
        </Button>
      </Group>
    </Modal>
  );
}
