import { describe, expect, it } from 'vitest';
import { homeFor, professionLabel, rolesOf } from './profession';

describe('homeFor', () => {
  it.each([
    ['hospital-nurse', 'discharge'],
    ['msw', 'discharge'],
    ['care-manager', 'care-manager'],
    ['visiting-nurse', 'visiting-nurse'],
    ['pharmacist', 'pharmacist'],
    ['physician', 'physician'],
    ['ems', 'ems'],
    ['dentist', 'generic'],
    ['care-worker', 'generic'],
    ['therapist', 'generic'],
    ['municipal-officer', 'generic'],
    ['patient', 'patient'],
    ['family', 'patient'],
    ['hub-admin', 'admin'],
  ])('%s lands on the %s home', (role, home) => {
    expect(homeFor([role])).toBe(home);
  });

  it('gives the generic home to a token without profession roles', () => {
    expect(homeFor([])).toBe('generic');
    expect(homeFor(['default-roles-renkei', 'offline_access'])).toBe('generic');
  });

  it('chooses the first home in a fixed order when a user has several roles', () => {
    expect(homeFor(['physician', 'care-manager'])).toBe('care-manager');
    expect(homeFor(['ems', 'msw'])).toBe('discharge');
  });
});

describe('professionLabel', () => {
  it('names known professions in Japanese and ignores other roles', () => {
    expect(professionLabel(['care-manager'])).toBe('介護支援専門員');
    expect(professionLabel(['offline_access', 'msw'])).toBe('医療ソーシャルワーカー');
    expect(professionLabel(['msw', 'physician'])).toBe('医師・医療ソーシャルワーカー');
    expect(professionLabel([])).toBe('');
  });
});

describe('rolesOf', () => {
  it('reads the top-level roles claim and realm_access.roles', () => {
    expect(rolesOf({ roles: ['care-manager'] })).toEqual(['care-manager']);
    expect(rolesOf({ realm_access: { roles: ['ems'] } })).toEqual(['ems']);
    expect(rolesOf({ roles: ['msw'], realm_access: { roles: ['msw', 'x'] } }).sort()).toEqual(['msw', 'x']);
  });

  it('ignores claims of the wrong shape', () => {
    expect(rolesOf({})).toEqual([]);
    expect(rolesOf({ roles: 'msw', realm_access: 'x' })).toEqual([]);
    expect(rolesOf({ roles: [1, 'ems', null] })).toEqual(['ems']);
  });
});
