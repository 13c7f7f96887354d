import { describe, expect, it } from 'vitest';
import { mayOpen } from './adminPaths';

describe('mayOpen', () => {
  it('opens only her home to the hub administrator', () => {
    expect(mayOpen('admin', '/')).toBe(true);
    for (const path of ['/patients', '/patients/pat-yamada', '/patients/pat-yamada/emergency-sheet', '/inbox', '/sent', '/my/access-log', '/contact-forms/x', '/elsewhere']) {
      expect(mayOpen('admin', path), path).toBe(false);
    }
  });

  it('leaves every page to every other home (the hub decides what they read)', () => {
    for (const home of ['care-manager', 'generic', 'patient', undefined] as const) {
      expect(mayOpen(home, '/patients/pat-yamada')).toBe(true);
    }
  });
});
