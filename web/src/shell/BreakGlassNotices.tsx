import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Stack, Text } from '@mantine/core';
import type { Communication, Patient } from 'fhir/r4';
import { useFhirClient } from '../fhir/FhirProvider';
import { patientNames } from '../fhir/names';
import { useLive } from '../live/LiveProvider';
import { breakGlassNoticeOf, isBreakGlassNotice, type BreakGlassNotice } from '../live/breakGlassNotice';
import { formatDateTime } from '../pages/patient/format';

interface Shown extends BreakGlassNotice {
  patientName?: string;
}

/**
 * Someone declared an emergency for a patient of the user's care team: the notice arrives on the `break-glass` topic
 * (live/subscriptions.ts) and is shown at once on every page, above the page's content, until closed: who, for whom,
 * when, until when and why. An alert (`role="alert"`): screen readers say it once as it appears.
 */
export function BreakGlassNotices() {
  const { subscribe } = useLive();
  const client = useFhirClient();
  const [notices, setNotices] = useState<Shown[]>([]);

  useEffect(
    () =>
      subscribe((event) => {
        if (event.topic !== 'break-glass' || event.focus?.type !== 'Communication') {
          return;
        }
        const id = event.focus.id;
        void (async () => {
          let communication: Communication;
          try {
            communication = await client.read<Communication>('Communication', id);
          } catch {
            return; // no longer readable: nothing to show
          }
          if (!isBreakGlassNotice(communication)) {
            return;
          }
          const notice: Shown = breakGlassNoticeOf(communication);
          if (notice.patientId) {
            try {
              notice.patientName = patientNames(await client.read<Patient>('Patient', notice.patientId)).name;
            } catch {
              // the notice stands without the name
            }
          }
          setNotices((shown) => (shown.some((n) => n.id === notice.id) ? shown : [notice, ...shown]));
        })();
      }),
    [subscribe, client],
  );

  if (notices.length === 0) {
    return null;
  }
  return (
    <Stack gap="xs" mb="md" aria-label="緊急時アクセスの通知">
      {notices.map((notice) => (
        <Alert
          key={notice.id}
          color="red"
          variant="light"
          role="alert"
          title={`緊急時アクセス（ブレークグラス）: ${notice.patientName ?? '担当患者'}`}
          withCloseButton
          closeButtonLabel="この通知を閉じる"
          onClose={() => setNotices((shown) => shown.filter((n) => n.id !== notice.id))}
        >
          <Text size="sm">
            <strong>{notice.who}</strong> が{notice.sent ? ` ${formatDateTime(notice.sent)} に` : ''}救急対応のため閲覧を開始しました
            {notice.until ? `（${notice.until} まで）` : ''}。
          </Text>
          <Text size="sm">理由: {notice.reason || '（記載なし）'}</Text>
          {notice.patientId && (
            <Anchor component={Link} to={`/patients/${encodeURIComponent(notice.patientId)}`} size="sm" c="inherit" underline="always" fw={700}>
              {notice.patientName ? `${notice.patientName} さんの患者ページを開く` : '患者ページを開く'}
            </Anchor>
          )}
        </Alert>
      ))}
    </Stack>
  );
}
