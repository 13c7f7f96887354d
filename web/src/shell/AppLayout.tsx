import { lazy, Suspense, useState } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router-dom';
import { Alert, AppShell, Box, Burger, Button, Center, Group, Loader, NavLink, Text, useMantineTheme } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useAuth } from '../auth/AuthProvider';
import { ConnectionIndicator } from '../live/ConnectionIndicator';
import { useOutbox } from '../offline/OutboxProvider';
import { useOnline } from '../offline/useOnline';
import { OutboxStatus } from '../offline/OutboxStatus';
import { UnusualNotices } from '../visit/UnusualNotices';
import { mayOpen } from '../pages/admin/adminPaths';
import { NotForHubAdmin } from '../pages/admin/NotForHubAdmin';
import { BreakGlassNotices } from './BreakGlassNotices';

const SignOutConfirm = lazy(() => import('../offline/SignOutConfirm'));

/**
 * The frame of every page after sign-in: the user's name and profession, the live connection's state
 * (live/ConnectionIndicator) and sign-out. The navigation folds into a menu
 * button on a phone.
 */
export function AppLayout() {
  const { state, signOut, signIn } = useAuth();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  // A closed menu on a phone is only moved off screen: inert keeps its links out of the Tab order and screen readers.
  const wide = useMediaQuery(`(min-width: ${useMantineTheme().breakpoints.sm})`, undefined, { getInitialValueInEffect: false });
  const menuClosedOffScreen = !wide && !opened;
  const session = state.status === 'ready' ? state.session : null;
  const renewalFailed = state.status === 'ready' && state.renewalFailed;
  // sign-out deletes what waits in the outbox: ask first (offline/deviceData.ts)
  const unsent = useOutbox().entries.length;
  const online = useOnline();
  const [confirmSignOut, setConfirmSignOut] = useState(false);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">
        本文へ移動
      </a>
      <AppShell.Header>
        <Group h="100%" px="sm" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="メニュー" />
            <Text fw={700} component={RouterLink} to="/" c="inherit" td="none">
              Renkei 連携
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ConnectionIndicator />
            <OutboxStatus />
            {session && (
              <Box ta="right" visibleFrom="xs" aria-label="サインイン中のユーザー">
                <Text size="sm" fw={600} lh={1.2}>
                  {session.name}
                </Text>
                <Text size="xs" c="dimmed" lh={1.2}>
                  {session.profession || '職種未設定'}
                </Text>
              </Box>
            )}
            <Button size="xs" variant="default" onClick={() => (unsent > 0 ? setConfirmSignOut(true) : void signOut())}>
              サインアウト
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="メインメニュー" inert={menuClosedOffScreen}>
        {session && (
          <Box hiddenFrom="xs" mb="sm" px="xs">
            <Text size="sm" fw={600}>
              {session.name}
            </Text>
            <Text size="xs" c="dimmed">
              {session.profession || '職種未設定'}
            </Text>
          </Box>
        )}
        <NavLink component={RouterLink} to="/" end label="ホーム" onClick={close} />
        {session?.home !== 'patient' && session?.home !== 'admin' && <NavLink component={RouterLink} to="/patients" label="患者一覧" onClick={close} />}
        {session?.home === 'patient' && (
          <>
            <NavLink component={RouterLink} to="/my" end label="記録と文書" onClick={close} />
            <NavLink component={RouterLink} to="/my/access-log" label="閲覧履歴" onClick={close} />
            <NavLink component={RouterLink} to="/my/sharing" label="共有の設定" onClick={close} />
          </>
        )}
        {session?.home === 'discharge' && <NavLink component={RouterLink} to="/sent" label="送信済み" onClick={close} />}
        {(session?.home === 'care-manager' || session?.home === 'physician') && <NavLink component={RouterLink} to="/inbox" label="受信箱" onClick={close} />}
        {session?.home === 'care-manager' && <NavLink component={RouterLink} to="/contact-forms" label="連絡票" onClick={close} />}
        {(unsent > 0 || location.pathname === '/outbox') && (
          <NavLink component={RouterLink} to="/outbox" label={`未送信の記録（${unsent}件）`} onClick={close} />
        )}
        {session?.home === 'ems' && <NavLink component={RouterLink} to="/emergency" label="緊急時アクセス" onClick={close} />}
      </AppShell.Navbar>
      {confirmSignOut && (
        <Suspense fallback={null}>
          <SignOutConfirm unsent={unsent} onCancel={() => setConfirmSignOut(false)} onSignOut={() => void signOut()} />
        </Suspense>
      )}
      <AppShell.Main id="main" tabIndex={-1}>
        {renewalFailed && !online && (
          <Alert color="gray" mb="md" title="オフラインのため、サインインを延長できません">
            <Text size="sm">入力した記録はこの端末に暗号化して保存されます。接続が戻ると、サインインを延長してから送信します。</Text>
          </Alert>
        )}
        {renewalFailed && online && (
          <Alert color="yellow" mb="md" title="サインインを延長できませんでした">
            <Text size="sm">まもなくサインインが切れます。入力中の内容を保存してから、もう一度サインインしてください。</Text>
            <Button size="xs" mt="xs" onClick={() => void signIn(location.pathname + location.search)}>
              もう一度サインイン
            </Button>
          </Alert>
        )}
        <UnusualNotices />
        <BreakGlassNotices />
        <Suspense
          fallback={
            <Center mih="40vh">
              <Loader aria-label="読み込み中" />
            </Center>
          }
        >
          {mayOpen(session?.home, location.pathname) ? <Outlet /> : <NotForHubAdmin />}
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
