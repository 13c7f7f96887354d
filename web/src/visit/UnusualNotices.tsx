import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Stack, Text } from '@mantine/core';
import type { Observation, Patient } from 'fhir/r4';
import { useAuth } from '../auth/AuthProvider';
import { useFhirClient } from '../fhir/FhirProvider';
import { useLive } from '../live/LiveProvider';
import { unusualNoticeOf, type UnusualNotice } from './unusualNotice';

/**
 * The team's notice of an observation marked いつもと違う (topic flagged-observation), on whatever page is open: the
 * hub sends the event only to those who may read the record; the notice reads it (and the patient's name) with the
 * user's token. The author is not told of their own record.
 */
export function UnusualNotices() {
  const { subscribe } = useLive();
  const client = useFhirClient();
  const { state } = useAuth();
  const ownRole = state.status === 'ready' ? state.session?.practitionerRole : undefined;
  const [notices, setNotices] = useState<UnusualNotice[]>([]);

  useEffect(
    () =>
      subscribe((event) => {
        if (event.topic !== 'flagged-observation' || event.focus?.type !== 'Observation') {
          return;
        }
        void (async () => {
          try {
            const observation = await client.read<Observation>('Observation', event.focus!.id);
            if (ownRole && observation.performer?.some((p) => p.reference === `PractitionerRole/${ownRole}`)) {
              return;
            }
            const patientId = (observation.subject?.reference ?? '').replace(/^Patient\//, '');
            const patient = patientId ? await client.read<Patient>('Patient', patientId).catch(() => undefined) : undefined;
            const notice = unusualNoticeOf(observation, patient);
            setNotices((shown) => [notice, ...shown.filter((n) => n.key !== notice.key)].slice(0, 3));
          } catch {
            // a record no longer readable: nothing to tell
          }
        })();
      }),
    [subscribe, client, ownRole],
  );

  if (notices.length === 0) {
    return null;
  }
  return (
    <Stack gap="xs" mb="md" aria-label="いつもと違うの通知" component="section">
      {notices.map((n) => (
        <Alert
          key={n.key}
          color="red"
          variant="light"
          role="alert"
          title={n.title}
          withCloseButton
          closeButtonLabel="通知を閉じる"
          onClose={() => setNotices((shown) => shown.filter((x) => x.key !== n.key))}
        >
          {n.detail && <Text size="sm">{n.detail}</Text>}
          {/* the theme's blue is 4.4:1 on the red alert's tint: the alert's own text colour, underlined as a link */}
          {n.patientId && (
            <Anchor component={Link} to={`/patients/${encodeURIComponent(n.patientId)}`} size="sm" fw={600} c="inherit" underline="always">
              患者ページで確認する
            </Anchor>
          )}
        </Alert>
      ))}
    </Stack>
  );
}
