import { Link } from 'react-router-dom';
import { Alert, Button, Stack, Text, Title } from '@mantine/core';

/** What the hub administrator sees on any page but her home (adminPaths.ts): no request is made for it. */
export function NotForHubAdmin() {
  return (
    <Stack gap="md" maw={720}>
      <Title order={1} size="h2">
        表示できないページです
      </Title>
      <Alert color="blue" title="ハブ管理者には患者の情報を表示しません">
        <Text size="sm">
          ハブ管理者の画面はホームの「ハブの状態」だけです。患者の記録を確認する必要があるときは、その患者のケアチームの担当者に依頼してください。
        </Text>
      </Alert>
      <div>
        <Button component={Link} to="/">
          ホームへ戻る
        </Button>
      </div>
    </Stack>
  );
}
