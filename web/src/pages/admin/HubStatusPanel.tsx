import { useQuery } from '@tanstack/react-query';
import type { Parameters } from 'fhir/r4';
import { Alert, Badge, Button, Card, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useFhirClient } from '../../fhir/FhirProvider';
import type { FhirError } from '../../fhir/errors';
import { ErrorNotice } from '../../shell/ErrorNotice';
import {
  CERTIFICATE_WARNING_DAYS,
  chainLabel,
  checkScopeLabel,
  CRL_WARNING_DAYS,
  daysLeftLabel,
  formatDate,
  formatDateTime,
  readHubStatus,
  ROLE_LABELS,
  urgency,
  URGENCY_COLOR,
  type CertificateState,
  type HubStatus,
} from './hubStatus';

/** How often the cards ask the hub again while the page is open (the hub answers from what it already knows: cheap). */
export const REFRESH_MS = 60_000;

export function useHubStatus() {
  const client = useFhirClient();
  return useQuery<HubStatus, FhirError>({
    queryKey: ['hub-status'],
    queryFn: async ({ signal }) => readHubStatus(await client.request<Parameters>('GET', '$hub-status', undefined, {}, signal)),
    refetchInterval: REFRESH_MS,
  });
}

/** The hub administrator's cards: the hub's health, and no patient data (`$hub-status` holds none). */
export function HubStatusPanel() {
  const status = useHubStatus();
  const now = status.dataUpdatedAt || Date.now();
  return (
    <Stack gap="md">
      <Group justify="space-between" align="center" wrap="wrap">
        <Text size="sm" c="dimmed" role="status" aria-live="polite">
          {status.isPending
            ? '読み込み中…'
            : status.data
              ? `${formatDateTime(status.data.generated)} 時点（ノード ${status.data.node}、${REFRESH_MS / 1000}秒ごとに更新）`
              : ''}
        </Text>
        <Button size="xs" variant="light" loading={status.isFetching} onClick={() => void status.refetch()}>
          最新の状態に更新
        </Button>
      </Group>
      {status.isError && (
        <>
          <ErrorNotice error={status.error} onRetry={() => void status.refetch()} />
          {status.error.kind === 'forbidden' && (
            <Text size="sm">ハブの状態はハブ管理者（hub-admin）だけが確認できます。役割の付与は認証基盤（Keycloak）の管理者に依頼してください。</Text>
          )}
          {status.data && <Text size="sm" c="dimmed">以下は前回取得した状態です。</Text>}
        </>
      )}
      {status.data && <Cards status={status.data} now={now} />}
    </Stack>
  );
}

function Cards({ status, now }: { status: HubStatus; now: number }) {
  const chain = chainLabel(status.chain);
  const anchors = status.certificates.filter((c) => c.role === 'trust-anchor');
  const seals = status.certificates.filter((c) => c.role !== 'trust-anchor');
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
      <StatusCard title="監査ログの連鎖">
        <Group gap="xs">
          <Badge size="lg" color={chain.color} variant="filled" aria-label={`状態: ${chain.label}`}>
            {chain.label}
          </Badge>
          {status.chain.anchored === false && <Badge color="orange" variant="light">封印なし</Badge>}
        </Group>
        <Facts
          rows={[
            ['最終確認日時', status.chain.checkedAt ? formatDateTime(status.chain.checkedAt) : 'まだ確認されていません（起動直後）'],
            ['確認の範囲', checkScopeLabel(status.chain)],
            ['全体の最終確認（全ノード）', status.chain.lastFullCheck ? formatDateTime(status.chain.lastFullCheck) : 'まだありません'],
            [
              '最新の封印済みチェックポイント',
              status.chain.sealedThrough !== undefined
                ? `${status.chain.sealedThrough}件目まで（${formatDateTime(status.chain.sealedAt)} 封印）`
                : 'まだありません',
            ],
          ]}
        />
        {status.chain.state === 'broken' && (
          <Alert color="red" title="監査ログが改ざんされた可能性があります" role="alert" mt="xs">
            <Text size="sm">
              {status.chain.firstBrokenLink !== undefined && `${status.chain.firstBrokenLink}件目から検証できません。`}
              記録を変更せず、バックアップとチェックポイントの控えで確認してください（docs/security.md「Anchoring」）。
            </Text>
            {status.chain.problem && (
              <Text size="xs" mt={4} ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {status.chain.problem}
              </Text>
            )}
          </Alert>
        )}
      </StatusCard>

      <StatusCard title="認証局証明書の有効期限">
        {anchors.length === 0 ? (
          <Text size="sm">認証局の証明書が読み込まれていません。署名を検証できません（renkei.sign.trust-anchors）。</Text>
        ) : (
          <CertificateList certificates={anchors} now={now} />
        )}
      </StatusCard>

      <StatusCard title="CRL 次回更新">
        {status.crls.length === 0 ? (
          <Text size="sm">CRL が読み込まれていません。失効した証明書を見分けられません（renkei.sign.crls）。</Text>
        ) : (
          <List listStyleType="none" spacing="xs" aria-label="CRL">
            {status.crls.map((crl) => {
              const level = urgency(crl.nextUpdate, now, CRL_WARNING_DAYS);
              return (
                <List.Item key={crl.issuer + crl.thisUpdate}>
                  <Text size="sm" fw={700}>
                    {crl.issuer}
                  </Text>
                  <Group gap="xs">
                    <Text size="sm">次回更新: {crl.nextUpdate ? formatDateTime(crl.nextUpdate) : '記載なし'}</Text>
                    {crl.nextUpdate && (
                      <Badge color={URGENCY_COLOR[level]} variant="light">
                        {daysLeftLabel(crl.nextUpdate, now)}
                      </Badge>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed">
                    発行: {formatDateTime(crl.thisUpdate)}
                  </Text>
                  {level !== 'ok' && (
                    <Text size="xs" c={URGENCY_COLOR[level]}>
                      {level === 'expired' ? '期限切れの CRL は無いものとして扱われます。' : ''}deploy/pki.sh crl で CRL を再発行してください。
                    </Text>
                  )}
                </List.Item>
              );
            })}
          </List>
        )}
      </StatusCard>

      <StatusCard title="接続中の通知ソケット数">
        <Text size="xl" fw={700} aria-label={`接続中の通知ソケット: ${status.sockets.open}`}>
          {status.sockets.open}
        </Text>
        <Text size="xs" c="dimmed">
          このページに応答したノード（{status.sockets.node}）で開いている数です。ノードが複数あるときは、ノードごとに数えます。
        </Text>
      </StatusCard>

      <StatusCard title="期限超過の引継ぎ件数">
        <Text size="xl" fw={700} c={status.overdueHandoffs > 0 ? 'orange' : undefined} aria-label={`期限超過の引継ぎ: ${status.overdueHandoffs}件`}>
          {status.overdueHandoffs}件
        </Text>
        <Text size="xs" c="dimmed">
          期限を過ぎても受領・回答されていない引継ぎ（全事業所、毎分判定）。患者や宛先は表示しません。
        </Text>
      </StatusCard>

      {seals.length > 0 && (
        <StatusCard title="電子印・監査封印の証明書">
          <CertificateList certificates={seals} now={now} />
        </StatusCard>
      )}
    </SimpleGrid>
  );
}

function CertificateList({ certificates, now }: { certificates: CertificateState[]; now: number }) {
  return (
    <List listStyleType="none" spacing="xs">
      {certificates.map((certificate) => {
        const level = urgency(certificate.notAfter, now, CERTIFICATE_WARNING_DAYS);
        return (
          <List.Item key={certificate.role + certificate.name + certificate.notAfter}>
            <Text size="sm" fw={700}>
              {certificate.name}
            </Text>
            <Text size="xs" c="dimmed">
              {ROLE_LABELS[certificate.role] ?? certificate.role}
              {certificate.organization ? `（${certificate.organization}）` : ''}
            </Text>
            <Group gap="xs">
              <Text size="sm">有効期限: {formatDate(certificate.notAfter)}</Text>
              <Badge color={URGENCY_COLOR[level]} variant="light">
                {daysLeftLabel(certificate.notAfter, now)}
              </Badge>
            </Group>
            {level !== 'ok' && (
              <Text size="xs" c={URGENCY_COLOR[level]}>
                {level === 'expired' ? '期限が切れています。' : `残り${CERTIFICATE_WARNING_DAYS}日を切りました。`}
                deploy/pki.sh で更新してください。
              </Text>
            )}
          </List.Item>
        );
      })}
    </List>
  );
}

function StatusCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card withBorder padding="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function Facts({ rows }: { rows: ReadonlyArray<readonly [string, string]> }) {
  return (
    <Stack gap={2} mt="xs" component="dl" m={0}>
      {rows
        .filter(([, value]) => value)
        .map(([label, value]) => (
          <div key={label}>
            <Text size="xs" c="dimmed" component="dt">
              {label}
            </Text>
            <Text size="sm" component="dd" m={0}>
              {value}
            </Text>
          </div>
        ))}
    </Stack>
  );
}
