import { describe, expect, it } from 'vitest';
import { mergeMantineTheme, DEFAULT_THEME } from '@mantine/core';
import { contrast, LIGHT_VARIANT_COLORS, theme } from './App';
import { KIND_COLORS } from './pages/patient/Timeline';

/** WCAG 2 contrast ratio of two #rrggbb or rgb(...) colours. */
function ratio(a: string, b: string): number {
  const luminance = (color: string) => {
    const hex = color.startsWith('#') ? color.slice(1) : '';
    const rgb = hex
      ? [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16))
      : color.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number);
    const [r, g, bl] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('the theme keeps text readable (axe color-contrast, WCAG AA 4.5:1)', () => {
  const merged = mergeMantineTheme(DEFAULT_THEME, theme);
  const light = contrast(merged).light;

  it.each(LIGHT_VARIANT_COLORS)('the text of a light %s alert or badge on its background', (color) => {
    const text = light[`--mantine-color-${color}-light-color`];
    expect(text, `a light-color for ${color}`).toBeDefined();
    // the light variant's background is shade 1 (Mantine's get-css-color-variables)
    expect(ratio(text, merged.colors[color][1])).toBeGreaterThanOrEqual(4.5);
  });

  it.each(LIGHT_VARIANT_COLORS)('white text on a filled %s badge or button', (color) => {
    // Mantine's filled variant is the primary shade (8) unless the resolver gives the colour its own
    const filled = light[`--mantine-color-${color}-filled`] ?? merged.colors[color][8];
    expect(ratio('#ffffff', filled)).toBeGreaterThanOrEqual(4.5);
  });

  it('the red of a field error and of the value typed in an invalid field, on white', () => {
    expect(ratio(light['--mantine-color-error'], '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });

  it("colours the timeline's kinds only with colours whose light badge the theme keeps readable (a shade would bypass it)", () => {
    for (const color of Object.values(KIND_COLORS)) {
      expect(LIGHT_VARIANT_COLORS as readonly string[]).toContain(color);
    }
  });
});
