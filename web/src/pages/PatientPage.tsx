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
        {roles.includes('care-manager') && (
          <Button component={Link} to={`/contact-forms/new?patient=${encodeURIComponent(id)}`} size="sm" variant="light">
            主治医へ連絡票を作成
          </Button>
        )}
      </Group>
      {summary.isPending && <Loader aria-label="読み込み中" />}
      {summary.isError && <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} />}
      {summary.data && <PatientHeader summary={summary.data} onOpen={open} />}
      {!summary.isError && (
        <>
          <CareTeamSection team={team} />
          <Timeline timeline={timeline} names={names} onOpen={(entry) => open(entry.resource)} />
        </>
      )}
      <RecordDetail target={target} shown={shown} names={names} onClose={close} />
    </Stack>
  );
}
