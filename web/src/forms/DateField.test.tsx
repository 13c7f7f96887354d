import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { MantineProvider } from '@mantine/core';
import type { Answers } from './answers';
import type { FieldDef } from './definition';
import { FieldInput } from './FormRenderer';
import { DISCHARGE_HANDOFF } from './discharge-handoff';
import { stubLayoutApis } from '../testSupport';

const DISCHARGE_DATE = DISCHARGE_HANDOFF.sections.flatMap((s) => s.fields).find((f) => f.id === 'discharge-date') as FieldDef;
let answers: Answers = {};

function Harness({ initial }: { initial: Answers }) {
  const [state, setState] = useState<Answers>(initial);
  answers = state;
  return (
    <MantineProvider>
      <FieldInput
        field={DISCHARGE_DATE}
        ctx={{ answers: state, setAnswer: (id, v) => setState((a) => ({ ...a, [id]: v })), errors: new Map(), team: [], searchDirectory: async () => [] }}
      />
    </MantineProvider>
  );
}

afterEach(cleanup);

describe('a date field of the forms', () => {
  it('shows the answer as 2026年12月7日(月), not the browser-locale order of a native date input', () => {
    stubLayoutApis();
    render(<Harness initial={{ 'discharge-date': '2026-12-07' }} />);
    const input = screen.getByRole('textbox', { name: '退院日（予定日）' }) as HTMLInputElement;
    expect(input.type).not.toBe('date');
    expect(input.value).toBe('2026年12月7日(月)');
  });

  it('takes a typed 和暦 date as the FHIR date, and shows it in the Japanese order once left', () => {
    stubLayoutApis();
    render(<Harness initial={{}} />);
    const input = screen.getByRole('textbox', { name: '退院日（予定日）' }) as HTMLInputElement;
    fireEvent.focus(input);
    fireEvent.change(input, { target: { value: '令和8年12月8日' } });
    expect(answers['discharge-date']).toBe('2026-12-08');
    fireEvent.blur(input);
    expect(input.value).toBe('2026年12月8日(火)');
  });
});
