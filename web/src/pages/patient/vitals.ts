import type { Bundle, Observation } from 'fhir/r4';
import { LOINC } from '../../visit/visitBundle';
import { isUnusual } from '../../visit/visitBundle';

/** How far back the trend chart looks. */
export const TREND_DAYS = 28;

export const SERIES = [
  { key: 'temperature', label: '体温', unit: '℃', axis: 1 },
  { key: 'systolic', label: '収縮期血圧', unit: 'mmHg', axis: 0 },
  { key: 'diastolic', label: '拡張期血圧', unit: 'mmHg', axis: 0 },
  { key: 'pulse', label: '脈拍', unit: '回/分', axis: 0 },
  { key: 'spo2', label: 'SpO2', unit: '%', axis: 0 },
  { key: 'respiration', label: '呼吸数', unit: '回/分', axis: 0 },
] as const;
export type SeriesKey = (typeof SERIES)[number]['key'];

export interface Point {
  /** epoch ms of effective[x] */
  time: number;
  value: number;
  unusual: boolean;
}

export type VitalSeries = Record<SeriesKey, Point[]>;

const BY_CODE: Record<string, SeriesKey> = {
  '8310-5': 'temperature',
  '8867-4': 'pulse',
  '59408-5': 'spo2',
  '2708-6': 'spo2',
  '9279-1': 'respiration',
  '8480-6': 'systolic',
  '8462-4': 'diastolic',
};

/** The search of the chart: the patient's vital signs of the last {@link TREND_DAYS} days, oldest first. */
export function vitalsSearch(patientId: string, now: number): Record<string, string> {
  const since = new Date(now - TREND_DAYS * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  return {
    patient: `Patient/${patientId}`,
    category: 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
    date: `ge${since}`,
    _sort: 'date',
    _count: '500',
  };
}

function loincOf(o: { code?: Observation['code'] }): SeriesKey | undefined {
  for (const c of o.code?.coding ?? []) {
    if (c.system === LOINC && c.code && BY_CODE[c.code]) {
      return BY_CODE[c.code];
    }
  }
  return undefined;
}

function timeOf(o: Observation): number {
  const ms = Date.parse(o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued ?? o.meta?.lastUpdated ?? '');
  return Number.isNaN(ms) ? Number.NaN : ms;
}

/**
 * The numbers of the chart, one series per vital sign, oldest first: each Observation's value (blood pressure from
 * its two components), cancelled or erroneous ones left out, one point per record (a record seen twice counts once).
 */
export function vitalSeries(observations: readonly Observation[]): VitalSeries {
  const out = Object.fromEntries(SERIES.map((s) => [s.key, [] as Point[]])) as VitalSeries;
  const seen = new Set<string>();
  for (const o of observations) {
    const time = timeOf(o);
    if (Number.isNaN(time) || o.status === 'cancelled' || o.status === 'entered-in-error' || (o.id && seen.has(o.id))) {
      continue;
    }
    if (o.id) {
      seen.add(o.id);
    }
    const unusual = isUnusual(o);
    const own = loincOf(o);
    if (own && typeof o.valueQuantity?.value === 'number') {
      out[own].push({ time, value: o.valueQuantity.value, unusual });
    }
    for (const c of o.component ?? []) {
      const key = loincOf(c);
      if (key && typeof c.valueQuantity?.value === 'number') {
        out[key].push({ time, value: c.valueQuantity.value, unusual });
      }
    }
  }
  for (const s of SERIES) {
    out[s.key].sort((a, b) => a.time - b.time);
  }
  return out;
}

export function observationsOf(bundle: Bundle): Observation[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Observation => r?.resourceType === 'Observation');
}

/** The latest value of each series that has one: the chart's text alternative. */
export function latestValues(series: VitalSeries): Array<{ key: SeriesKey; label: string; value: string; time: number; unusual: boolean; count: number }> {
  return SERIES.flatMap((s) => {
    const points = series[s.key];
    const last = points[points.length - 1];
    return last ? [{ key: s.key, label: s.label, value: `${last.value}${s.unit}`, time: last.time, unusual: last.unusual, count: points.length }] : [];
  });
}

/** One sentence for screen readers: what the chart shows. */
export function chartDescription(series: VitalSeries): string {
  const latest = latestValues(series);
  if (latest.length === 0) {
    return `過去${TREND_DAYS}日間のバイタルサインの記録はありません。`;
  }
  return `過去${TREND_DAYS}日間のバイタルサインの推移。最新の値: ${latest.map((l) => `${l.label} ${l.value}${l.unusual ? '（いつもと違う）' : ''}`).join('、')}。`;
}
