import { lazy, Suspense, useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Badge, Card, Loader, Table, Text, Title } from '@mantine/core';
import type { Bundle } from 'fhir/r4';
import { useFhirClient } from '../../fhir/FhirProvider';
import type { FhirError } from '../../fhir/errors';
import { PATIENT_PAGE } from '../../live/invalidation';
import { ErrorNotice } from '../../shell/ErrorNotice';
import { formatDateTime } from './format';
import { chartDescription, latestValues, observationsOf, TREND_DAYS, vitalSeries, vitalsSearch } from './vitals';

// ECharts is loaded only when a patient page shows a chart (the first load stays within its budget)
const VitalsChart = lazy(() => import('./VitalsChart'));

/** バイタルの推移: the last weeks' vital signs as a chart, with the latest values as a table (its text alternative). */
export function VitalsSection({ patientId }: { patientId: string }) {
  const client = useFhirClient();
  const query = useQuery<Bundle, FhirError>({
    queryKey: [PATIENT_PAGE, 'vitals', patientId],
    queryFn: ({ signal }) => client.search('Observation', vitalsSearch(patientId, Date.now()), signal) as Promise<Bundle>,
  });
  const series = useMemo(() => vitalSeries(query.data ? observationsOf(query.data) : []), [query.data]);
  const latest = latestValues(series);
  const description = chartDescription(series);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="vitals-title">
      <Title order={2} size="h4" id="vitals-title" mb="xs">
        バイタルの推移（過去{TREND_DAYS}日間）
      </Title>
      {query.isPending && <Loader size="sm" aria-label="読み込み中" />}
      {query.isError &&
        (query.error.kind === 'forbidden' ? (
          <Text size="sm" c="dimmed">
            バイタルサインは表示できません（{query.error.title}）。
          </Text>
        ) : (
          <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />
        ))}
      {query.data && latest.length === 0 && (
        <Text size="sm" c="dimmed">
          {description}
        </Text>
      )}
      {latest.length > 0 && (
        <>
          <figure style={{ margin: 0 }} role="group" aria-label={description}>
            <Suspense fallback={<Loader size="sm" aria-label="グラフを読み込み中" />}>
              <VitalsChart series={series} />
            </Suspense>
          </figure>
          <Table mt="xs" fz="sm" verticalSpacing={4} aria-label="最新のバイタルサイン">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>項目</Table.Th>
                <Table.Th>最新の値</Table.Th>
                <Table.Th>日時</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {latest.map((l) => (
                <Table.Tr key={l.key} data-series={l.key}>
                  <Table.Td>{l.label}</Table.Td>
                  <Table.Td>
                    {l.value}
                    {l.unusual && (
                      <Badge color="red" variant="filled" size="xs" ml={6}>
                        いつもと違う
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{formatDateTime(new Date(l.time).toISOString())}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Card>
  );
}
