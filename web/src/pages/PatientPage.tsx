import { useCallback, useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { Anchor, Button, Group, Loader, Stack } from '@mantine/core';
import { useAuth } from '../auth/AuthProvider';
import type { FhirResource } from 'fhir/r4';
import { ErrorNotice } from '../shell/ErrorNotice';
import { CareTeamSection } from './patient/CareTeamSection';
import { usePatientSummary, useTeamAndConsent, useTimeline } from './patient/hooks';
import { PatientHeader } from './patient/PatientHeader';
import { RecordDetail } from './patient/RecordDetail';
import { Timeline } from './patient/Timeline';
import { VitalsSection } from './patient/VitalsSection';

/** Roles the access policy lets create vital-sign, daily-living and care-coordination Observations (the visit form). */
const VISIT_ROLES = ['visiting-nurse', 'physician', 'hospital-nurse', 'care-worker', 'therapist'];

const NO_NAMES: ReadonlyMap<string, string> = new Map();

/**
 * The patient page (docs/web-app.md, "The patient page"): header with markers, consent, care team and the team's
 * timeline, from three requests made together (and one more for the team's organisations). `?record=Type/id`
 * opens a record's detail.
 */
export default function PatientPage({ patientId }: { patientId?: string } = {}) {
  const route = useParams();
  // the patient's and family's own home shows their one record (pages/mine/MyRecordPage.tsx): no list to go back to
  const id = patientId ?? route.id ?? '';
  const [params, setParams] = useSearchParams();
  const summary = usePatientSummary(id);
  const team = useTeamAndConsent(id);
  const timeline = useTimeline(id);
  const names = team.data?.names ?? NO_NAMES;
  const { state } = useAuth();
  const roles = state.status === 'ready' ? (state.session?.roles ?? []) : [];
  const writesHandoffs = roles.includes('hospital-nurse') || roles.includes('msw');
  const recordsVisits = VISIT_ROLES.some((role) => roles.includes(role));

  const opened = params.get('record')?.match(/^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/);
  const target = opened ? { type: opened[1], id: opened[2] } : null;
  const shown = useMemo(() => {
    if (!target) {
      return undefined;
    }
    const key = `${target.type}/${target.id}`;
    const candidates: Array<FhirResource | undefined> = [summary.data?.emergencySheet, summary.data?.advanceDirective];
    for (const page of timeline.data?.pages ?? []) {
      for (const source of Object.values(page)) {
        candidates.push(...(source?.resources ?? []));
      }
    }
    return candidates.find((r) => r && `${r.resourceType}/${r.id}` === key);
  }, [target?.type, target?.id, summary.data, timeline.data]);

  const open = useCallback(
    (resource: { resourceType: string; id?: string }) => {
      const next = new URLSearchParams(params);
      next.set('record', `${resource.resourceType}/${resource.id}`);
      setParams(next);
    },
    [params, setParams],
  );
  const close = useCallback(() => {
    const next = new URLSearchParams(params);
    next.delete('record');
    setParams(next, { replace: true });
  }, [params, setParams]);

  return (
    <Stack gap="md" maw={960}>
      <Group justify="space-between">
        {!patientId && (
          <Anchor component={Link} to="/patients" size="sm">
            ← 患者一覧
          </Anchor>
        )}
        {writesHandoffs && (
          <Button component={Link} to={`/handoff/new?patient=${encodeURIComponent(id)}`} size="sm">
            退院時情報提供書を作成
          </Button>
        )}
        {recordsVisits && (
          <Button component={Link} to={`/visits/new?patient=${encodeURIComponent(id)}`} size="sm">
            訪問記録を入力
          </Button>
        )}
        {roles.includes('pharmacist') && (
          <Button component={Link} to={`/medication-reports/new?patient=${encodeURIComponent(id)}`} size="sm">
            服薬情報提供書を作成
          </Button>
        )}
        {roles.includes('care-manager') && (
          <Button component={Link} to={`/contact-forms/new?patient=${encodeURIComponent(id)}`} size="sm" variant="light">
            主治医へ連絡票を作成
          </Button>
        )}
        {roles.includes('physician') && summary.data && (
          <Group gap="xs">
            <Button component={Link} to={`/patients/${encodeURIComponent(id)}/advance-directive`} size="sm" variant="light">
              {summary.data.advanceDirective ? '事前指示書を改訂' : '事前指示書を記録'}
            </Button>
            {summary.data.emergencySheet?.resourceType === 'Bundle' && (
              <Button component={Link} to={`/patients/${encodeURIComponent(id)}/emergency-sheet`} size="sm" variant="light">
                緊急時連絡票を改訂
              </Button>
            )}
          </Group>
        )}
      </Group>
      {summary.isPending && <Loader aria-label="読み込み中" />}
      {summary.isError && <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} />}
      {summary.data && <PatientHeader summary={summary.data} onOpen={open} />}
      {!summary.isError && (
        <>
          <CareTeamSection team={team} />
          <VitalsSection patientId={id} />
          <Timeline timeline={timeline} names={names} onOpen={(entry) => open(entry.resource)} />
        </>
      )}
      <RecordDetail target={target} shown={shown} names={names} onClose={close} />
    </Stack>
  );
}
