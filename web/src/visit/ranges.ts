/**
 * Plausible ranges of a home visit's vital signs (docs/web-app.md, 訪問記録): a value outside is almost always a typo
 * (37.9 typed as 379, a pulse in the SpO2 field). The message says what was typed, the range and what to do.
 */
export const RANGES = {
  temperature: { label: '体温', min: 34, max: 42, unit: '℃', decimals: 1 },
  systolic: { label: '血圧（収縮期）', min: 60, max: 250, unit: 'mmHg', decimals: 0 },
  diastolic: { label: '血圧（拡張期）', min: 30, max: 150, unit: 'mmHg', decimals: 0 },
  pulse: { label: '脈拍', min: 30, max: 200, unit: '回/分', decimals: 0 },
  spo2: { label: 'SpO2', min: 50, max: 100, unit: '%', decimals: 0 },
  respiration: { label: '呼吸数', min: 5, max: 60, unit: '回/分', decimals: 0 },
} as const;

export type NumericField = keyof typeof RANGES;

/** A number as typed on a phone: full-width digits and point, a comma as the decimal point, spaces around. */
export function parseNumber(typed: string | undefined): number | undefined {
  const text = (typed ?? '')
    .trim()
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[．。，,]/g, '.');
  if (text === '') {
    return undefined;
  }
  return /^\d{1,3}(\.\d{1,2})?$/.test(text) ? Number(text) : Number.NaN;
}

/** The error of one typed value, or undefined when it is empty or plausible. */
export function rangeError(field: NumericField, typed: string | undefined): string | undefined {
  const value = parseNumber(typed);
  if (value === undefined) {
    return undefined;
  }
  const r = RANGES[field];
  if (Number.isNaN(value)) {
    return `${r.label}は数字で入力してください（例: ${r.decimals ? '36.5' : String(Math.round((r.min + r.max) / 2))}）。`;
  }
  if (r.decimals === 0 && !Number.isInteger(value)) {
    return `${r.label}は整数で入力してください。`;
  }
  if (value < r.min || value > r.max) {
    return `${r.label}は${r.min}〜${r.max}${r.unit}の範囲で入力してください（入力: ${typed?.trim()}）。値を確かめ、必要なら測り直してください。`;
  }
  return undefined;
}

export interface VitalsTyped {
  temperature?: string;
  systolic?: string;
  diastolic?: string;
  pulse?: string;
  spo2?: string;
  respiration?: string;
}

/** Every error of the typed vital signs, by field: each value's range, and the blood pressure as a pair. */
export function vitalsErrors(typed: VitalsTyped): Partial<Record<NumericField, string>> {
  const errors: Partial<Record<NumericField, string>> = {};
  for (const field of Object.keys(RANGES) as NumericField[]) {
    const error = rangeError(field, typed[field]);
    if (error) {
      errors[field] = error;
    }
  }
  const systolic = parseNumber(typed.systolic);
  const diastolic = parseNumber(typed.diastolic);
  if (!errors.systolic && !errors.diastolic) {
    if (systolic !== undefined && diastolic === undefined) {
      errors.diastolic = '血圧は収縮期と拡張期の両方を入力してください（拡張期がありません）。';
    } else if (diastolic !== undefined && systolic === undefined) {
      errors.systolic = '血圧は収縮期と拡張期の両方を入力してください（収縮期がありません）。';
    } else if (systolic !== undefined && diastolic !== undefined && diastolic >= systolic) {
      errors.diastolic = '拡張期血圧が収縮期血圧以上になっています。上下を入れ違えていないか確かめてください。';
    }
  }
  return errors;
}
