import { describe, expect, it } from 'vitest';
import { parseNumber, rangeError, vitalsErrors } from './ranges';

describe('visit ranges', () => {
  it('reads numbers as typed on a phone', () => {
    expect(parseNumber(' 36.8 ')).toBe(36.8);
    expect(parseNumber('３６．８')).toBe(36.8);
    expect(parseNumber('36,8')).toBe(36.8);
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber('abc')).toBeNaN();
  });

  it('explains an implausible value in Japanese with the range and what to do', () => {
    expect(rangeError('temperature', '36.8')).toBeUndefined();
    expect(rangeError('temperature', '368')).toBe('体温は34〜42℃の範囲で入力してください（入力: 368）。値を確かめ、必要なら測り直してください。');
    expect(rangeError('spo2', '101')).toContain('SpO2は50〜100%の範囲');
    expect(rangeError('pulse', '72.5')).toBe('脈拍は整数で入力してください。');
    expect(rangeError('respiration', 'x')).toContain('呼吸数は数字で入力してください');
  });

  it('checks the blood pressure as a pair', () => {
    expect(vitalsErrors({ systolic: '128', diastolic: '76' })).toEqual({});
    expect(vitalsErrors({ systolic: '128' }).diastolic).toContain('両方を入力');
    expect(vitalsErrors({ diastolic: '76' }).systolic).toContain('両方を入力');
    expect(vitalsErrors({ systolic: '76', diastolic: '128' }).diastolic).toContain('入れ違えていないか');
    expect(vitalsErrors({ systolic: '300', diastolic: '80' })).toEqual({ systolic: expect.stringContaining('60〜250mmHg') });
  });
});
