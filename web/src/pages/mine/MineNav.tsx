import { NavLink } from 'react-router-dom';
import { Alert, Button, Group, Text } from '@mantine/core';

/** The three pages of the patient's and family's home, as large buttons (the current one marked). */
export function MineNav() {
  const items = [
    { to: '/my', label: '記録と文書' },
    { to: '/my/access-log', label: '閲覧履歴' },
    { to: '/my/sharing', label: '共有の設定' },
  ];
  return (
    <Group gap="sm" component="nav" aria-label="ご本人の記録のメニュー">
      {items.map((item) => (
        <Button key={item.to} component={NavLink} to={item.to} end size="md" variant="default" className="mine-nav">
          {item.label}
        </Button>
      ))}
    </Group>
  );
}

/** Shown when the sign-in names no patient (a family member not yet registered as proxy): what to do. */
export function NoPatient() {
  return (
    <Alert color="orange" title="ご本人の記録が見つかりません。" role="alert">
      <Text size="lg">サインインしたアカウントに、ご本人の情報が登録されていません。病院の地域医療連携室か、担当のケアマネジャーに連絡してください。</Text>
    </Alert>
  );
}
