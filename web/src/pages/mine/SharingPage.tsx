import { useState } from 'react';
import { Alert, Button, Card, Center, Group, Loader, Modal, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { usePatient } from '../../fhir/hooks';
import { patientNames } from '../../fhir/names';
import { ErrorNotice } from '../../shell/ErrorNotice';
import { formatDateTime } from '../patient/format';
import { useOrganisations, useSharing, useSharingChanges } from './hooks';
import { MineNav, NoPatient } from './MineNav';
import { choosable, grantStatement, revocationWarning, type SharingRow } from './sharing';
import { useMine } from './useMine';

function whomOf(row: SharingRow): string {
  return row.recipients.map((r) => r.name).join('、') || '（共有先の記録なし）';
}

/**
 * 共有の設定: with whom the patient's record is shared now (their active privacy Consents), 共有を止める (revoke, after a
 * confirmation saying what stops) and 共有を始める (a privacy Consent naming an organisation of the directory). The list
 * and the patient page's consent badge update at once.
 */
export default function SharingPage() {
  const { patient, performer, byFamily } = useMine();
  const sharing = useSharing(patient);
  const organisations = useOrganisations(!!patient);
  const person = usePatient(patient);
  const { grant, revoke } = useSharingChanges(patient, performer);
  const [stopping, setStopping] = useState<SharingRow | null>(null);
  const [reason, setReason] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const [confirmingGrant, setConfirmingGrant] = useState(false);
  const [done, setDone] = useState('');

  if (!patient) {
    return <NoPatient />;
  }
  const patientName = person.data ? patientNames(person.data).name : 'ご本人';
  const rows = sharing.data ?? [];
  const options = choosable(organisations.data ?? [], rows);
  const organisation = options.find((o) => o.id === chosen);
  const statement = organisation ? grantStatement(organisation.name ?? '', patientName, byFamily) : '';

  const startSharing = () => {
    if (!organisation?.id) {
      return;
    }
    const name = organisation.name ?? '';
    grant.mutate(
      { organisation: { id: organisation.id, name }, statement },
      {
        onSuccess: () => {
          setConfirmingGrant(false);
          setChosen(null);
          setDone(`${name}との共有を始めました。`);
        },
      },
    );
  };
  const stopSharing = () => {
    if (!stopping) {
      return;
    }
    const whom = whomOf(stopping);
    revoke.mutate(
      { consentId: stopping.consentId, reason },
      {
        onSuccess: () => {
          setStopping(null);
          setReason('');
          setDone(`${whom}との共有を止めました。`);
        },
      },
    );
  };

  return (
    <Stack gap="md" maw={960} className="mine">
      <MineNav />
      <div>
        <Title order={1}>共有の設定</Title>
        <Text size="lg" mt="xs">
          {byFamily ? 'ご本人' : 'あなた'}の記録を見てよい病院・事業所の一覧です。共有を止めると、その相手はすぐに記録を見られなくなります。
        </Text>
      </div>
      <div role="status" aria-live="polite">
        {done && (
          <Alert color="green" title={done} withCloseButton closeButtonLabel="お知らせを閉じる" onClose={() => setDone('')}>
            <Text size="lg">下の一覧に、いまの共有の状態が表示されています。</Text>
          </Alert>
        )}
      </div>

      <section aria-labelledby="sharing-now">
        <Title order={2} size="h3" id="sharing-now" mb="sm">
          いま共有している相手
        </Title>
        {sharing.isPending && (
          <Center mih={80}>
            <Loader aria-label="共有の状態を読み込み中" />
          </Center>
        )}
        {sharing.isError && <ErrorNotice error={sharing.error} onRetry={() => void sharing.refetch()} />}
        {sharing.isSuccess && rows.length === 0 && (
          <Text size="lg">いまは、だれとも共有していません。ケアチームも記録を見られません。</Text>
        )}
        {rows.length > 0 && (
          <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="共有している相手の一覧">
            {rows.map((row) => (
              <Card component="li" key={row.consentId} withBorder padding="md" aria-label={whomOf(row)}>
                <Text fw={700} size="xl">
                  {whomOf(row)}
                </Text>
                <Text size="lg" mt={4}>
                  共有を始めた日時: {formatDateTime(row.since) || '不明'}
                  {row.recordedBy && `（設定した人: ${row.recordedBy}）`}
                </Text>
                {row.exceptions.map((e) => (
                  <Text size="lg" key={e}>
                    ただし、{e}。
                  </Text>
                ))}
                <Group mt="sm">
                  <Button size="md" color="red" variant="outline" onClick={() => { revoke.reset(); setStopping(row); }}>
                    共有を止める
                  </Button>
                </Group>
              </Card>
            ))}
          </Stack>
        )}
      </section>

      <section aria-labelledby="sharing-start">
        <Title order={2} size="h3" id="sharing-start" mb="sm">
          共有を始める
        </Title>
        {organisations.isError && <ErrorNotice error={organisations.error} onRetry={() => void organisations.refetch()} />}
        <Stack gap="sm" maw={560}>
          <Select
            size="md"
            label="共有する病院・事業所"
            description="一覧から選んでください。名前の一部を入力して探せます。"
            placeholder={organisations.isPending ? '読み込み中…' : '選んでください'}
            searchable
            nothingFoundMessage="見つかりません"
            data={options.map((o) => ({ value: o.id!, label: o.name ?? o.id! }))}
            value={chosen}
            onChange={setChosen}
            comboboxProps={{ withinPortal: true }}
          />
          {organisation && (
            <Text size="lg" p="sm" bg="gray.0" style={{ borderRadius: 8 }}>
              {statement}
            </Text>
          )}
          <Group>
            <Button size="md" disabled={!organisation} onClick={() => { grant.reset(); setConfirmingGrant(true); }}>
              共有を始める
            </Button>
          </Group>
        </Stack>
      </section>

      <Modal opened={!!stopping} onClose={() => setStopping(null)} title="共有を止めますか？" size="lg" centered>
        {stopping && (
          <Stack gap="sm">
            <Text size="lg">{revocationWarning(stopping)}</Text>
            <Textarea size="md" label="止める理由（書かなくてもかまいません）" value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
            {revoke.isError && <ErrorNotice error={revoke.error} onRetry={stopSharing} />}
            <Group justify="flex-end">
              <Button size="md" variant="default" onClick={() => setStopping(null)}>
                やめる
              </Button>
              <Button size="md" color="red" loading={revoke.isPending} onClick={stopSharing}>
                共有を止める
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>

      <Modal opened={confirmingGrant && !!organisation} onClose={() => setConfirmingGrant(false)} title="共有を始めますか？" size="lg" centered>
        <Stack gap="sm">
          <Text size="lg">{statement}</Text>
          {grant.isError && <ErrorNotice error={grant.error} onRetry={startSharing} />}
          <Group justify="flex-end">
            <Button size="md" variant="default" onClick={() => setConfirmingGrant(false)}>
              やめる
            </Button>
            <Button size="md" loading={grant.isPending} onClick={startSharing}>
              同意して共有を始める
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
