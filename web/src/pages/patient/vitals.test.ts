import { describe, expect, it } from 'vitest';
import type { Observation } from 'fhir/r4';
import { buildVisitBundle, newVisitIds } from '../../visit/visitBundle';
import { chartDescription, latestValues, vitalSeries, vitalsSearch } from './vitals';

function visit(at: string, temperature: string, systolic: string, diastolic: string, unusual: boolean, id: string): Observation[] {
  const bundle = buildVisitBundle(
    { temperature, systolic, diastolic, pulse: '70', unusual: unusual ? ['temperature'] : [] },
    newVisitIds(),
    { patientId: 'p1', effective: at },
  );
  return (bundle.entry ?? []).map((e, i) => ({ ...(e.resource as Observation), id: `${id}-${i}` }));
}

describe('vital signs chart data', () => {
  it('asks the last four weeks of the patient’s vital signs, oldest first', () => {
    expect(vitalsSearch('p1', Date.parse('2026-12-07T01:00:00Z'))).toEqual({
      patient: 'Patient/p1',
      category: 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
      date: 'ge2026-11-09',
      _sort: 'date',
      _count: '500',
    });
  });

  it('makes one series per vital sign, oldest first, blood pressure from its components', () => {
    const newer = visit('2026-12-07T10:00:00+09:00', '37.9', '140', '90', true, 'b');
    const older = visit('2026-12-01T10:00:00+09:00', '36.5', '128', '76', false, 'a');
    const series = vitalSeries([...newer, ...older, newer[0]]);
    expect(series.temperature.map((p) => [p.value, p.unusual])).toEqual([
      [36.5, false],
      [37.9, true],
    ]);
    expect(series.systolic.map((p) => p.value)).toEqual([128, 140]);
    expect(series.diastolic.map((p) => p.value)).toEqual([76, 90]);
    expect(series.pulse).toHaveLength(2);
    expect(series.spo2).toEqual([]);
    expect(latestValues(series).map((l) => [l.label, l.value, l.unusual])).toEqual([
      ['体温', '37.9℃', true],
      ['収縮期血圧', '140mmHg', false],
      ['拡張期血圧', '90mmHg', false],
      ['脈拍', '70回/分', false],
    ]);
    expect(chartDescription(series)).toBe('過去28日間のバイタルサインの推移。最新の値: 体温 37.9℃（いつもと違う）、収縮期血圧 140mmHg、拡張期血圧 90mmHg、脈拍 70回/分。');
  });

  it('leaves out records entered in error and says when there is nothing', () => {
    const [t] = visit('2026-12-07T10:00:00+09:00', '37.9', '140', '90', false, 'x');
    expect(vitalSeries([{ ...t, status: 'entered-in-error' }]).temperature).toEqual([]);
    expect(chartDescription(vitalSeries([]))).toBe('過去28日間のバイタルサインの記録はありません。');
  });
});
