import { useState, type ReactNode } from 'react';
import { Button, Checkbox, Fieldset, Group, NativeSelect, NumberInput, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import type { Answer, Answers, PickedReference, RecordRow } from './answers';
import { DateField } from './DateField';
import type { FieldDef, SectionDef } from './definition';

// The generic renderer: one input per field type of the definition, labelled with the field's Japanese label; an
// error (required, or the hub's 422 placed by issues.ts) is shown at the field and linked to it (aria-describedby).

export interface FieldContext {
  answers: Answers;
  setAnswer: (id: string, value: Answer) => void;
  errors: ReadonlyMap<string, string[]>;
  /** the care team's roles and organisations (recipients, contacts, participants) */
  team: readonly PickedReference[];
  /** the directory search of the page (PractitionerRole and Organization by name) */
  searchDirectory: (text: string) => Promise<PickedReference[]>;
}

const errorOf = (ctx: FieldContext, id: string) => (ctx.errors.get(id) ?? []).join(' ') || undefined;
const label = (field: FieldDef) => field.label + (field.required ? '' : '（任意）');

/** A field of several inputs: its legend and help, the inputs, and its error, which the fieldset points to. */
function FieldGroup({ field, ctx, children }: { field: FieldDef; ctx: FieldContext; children: ReactNode }) {
  const error = errorOf(ctx, field.id);
  return (
    <Fieldset legend={label(field)} aria-describedby={error ? `${field.id}-error` : undefined} aria-invalid={Boolean(error)}>
      {field.help && (
        <Text size="sm" c="dimmed" mb="xs">
          {field.help}
        </Text>
      )}
      <Stack gap="xs">
        {children}
        {error && (
          <Text id={`${field.id}-error`} c="red.8" size="sm">
            {error}
          </Text>
        )}
      </Stack>
    </Fieldset>
  );
}

function RecordsInput({ field, ctx }: { field: FieldDef; ctx: FieldContext }) {
  const rows = (ctx.answers[field.id] as RecordRow[] | undefined) ?? [];
  const set = (next: RecordRow[]) => ctx.setAnswer(field.id, next);
  const noteLabel = field.record === 'MedicationStatement' ? '用法・用量' : field.record === 'AllergyIntolerance' ? '症状・備考' : '備考（状況など）';
  const nameLabel = field.record === 'MedicationStatement' ? '薬剤名' : field.record === 'AllergyIntolerance' ? '原因（薬剤・食物など）' : '病名';
  return (
    <FieldGroup field={field} ctx={ctx}>
      {rows.length === 0 && <Text size="sm">（なし）</Text>}
      {rows.map((row, n) => (
        <Group key={row.key} align="flex-end" gap="xs" wrap="wrap">
          <TextInput
            label={`${nameLabel} ${n + 1}`}
            value={row.text}
            onChange={(e) => set(rows.map((r) => (r.key === row.key ? { ...r, text: e.currentTarget.value } : r)))}
            style={{ flex: '1 1 12rem' }}
          />
          <TextInput
            label={`${noteLabel} ${n + 1}`}
            value={row.note}
            onChange={(e) => set(rows.map((r) => (r.key === row.key ? { ...r, note: e.currentTarget.value } : r)))}
            style={{ flex: '2 1 14rem' }}
          />
          <Button variant="subtle" color="red" onClick={() => set(rows.filter((r) => r.key !== row.key))} aria-label={`${nameLabel} ${n + 1}（${row.text || '空欄'}）を削除`}>
            削除
          </Button>
        </Group>
      ))}
      <div>
        <Button variant="light" size="xs" onClick={() => set([...rows, { key: `new-${Date.now()}-${rows.length}`, text: '', note: '' }])}>
          {nameLabel}を追加
        </Button>
      </div>
    </FieldGroup>
  );
}

function ReferencesInput({ field, ctx }: { field: FieldDef; ctx: FieldContext }) {
  const chosen = (ctx.answers[field.id] as PickedReference[] | undefined) ?? [];
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<PickedReference[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState('');
  const allowed = (p: PickedReference) => (field.referenceTypes ?? []).includes(p.resource.resourceType as 'PractitionerRole');
  const has = (p: PickedReference) => chosen.some((c) => c.reference === p.reference);
  const toggle = (p: PickedReference, on: boolean) =>
    ctx.setAnswer(field.id, on ? [...chosen.filter((c) => c.reference !== p.reference), p] : chosen.filter((c) => c.reference !== p.reference));
  const search = async () => {
    if (!query.trim()) return;
    setSearching(true);
    setSearchError('');
    try {
      setFound((await ctx.searchDirectory(query.trim())).filter(allowed));
    } catch {
      setSearchError('名簿を検索できませんでした。もう一度お試しください。');
    } finally {
      setSearching(false);
    }
  };
  const team = ctx.team.filter(allowed);
  return (
    <FieldGroup field={field} ctx={ctx}>
      <Text size="sm" fw={700}>
        ケアチームから
      </Text>
      {team.length === 0 && <Text size="sm">ケアチームの登録がありません。名簿から検索してください。</Text>}
      {team.map((p) => (
        <Checkbox key={p.reference} label={p.label} checked={has(p)} onChange={(e) => toggle(p, e.currentTarget.checked)} />
      ))}
      <Group align="flex-end" gap="xs">
        <TextInput
          label="名簿から検索（氏名・事業所名）"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void search();
            }
          }}
          style={{ flex: '1 1 12rem' }}
        />
        <Button variant="light" onClick={() => void search()} loading={searching}>
          検索
        </Button>
      </Group>
      {searchError && (
        <Text c="red.8" size="sm" role="alert">
          {searchError}
        </Text>
      )}
      {found && found.length === 0 && <Text size="sm">見つかりませんでした。</Text>}
      {found?.map((p) => (
        <Checkbox key={`found-${p.reference}`} label={p.label} checked={has(p)} onChange={(e) => toggle(p, e.currentTarget.checked)} />
      ))}
      {chosen.length > 0 && (
        <Text size="sm">
          選択中: {chosen.map((c) => c.label).join('、')}
        </Text>
      )}
    </FieldGroup>
  );
}

export function FieldInput({ field, ctx }: { field: FieldDef; ctx: FieldContext }) {
  const value = ctx.answers[field.id];
  const text = typeof value === 'string' ? value : '';
  const common = { label: label(field), description: field.help, error: errorOf(ctx, field.id), withAsterisk: field.required };
  switch (field.type) {
    case 'textarea':
      return <Textarea {...common} autosize minRows={3} value={text} onChange={(e) => ctx.setAnswer(field.id, e.currentTarget.value)} />;
    case 'text':
      return <TextInput {...common} value={text} onChange={(e) => ctx.setAnswer(field.id, e.currentTarget.value)} />;
    case 'date':
      return <DateField {...common} value={text} onChange={(date) => ctx.setAnswer(field.id, date)} />;
    case 'code':
      return (
        <NativeSelect
          {...common}
          value={text}
          onChange={(e) => ctx.setAnswer(field.id, e.currentTarget.value)}
          data={[{ value: '', label: '（未選択）' }, ...field.coded!.options.map((o) => ({ value: o.code, label: o.display }))]}
        />
      );
    case 'quantity':
      return (
        <NumberInput
          {...common}
          value={text === '' ? '' : Number(text)}
          min={0}
          suffix={` ${field.unit!.display}`}
          onChange={(v) => ctx.setAnswer(field.id, v === '' ? '' : String(v))}
        />
      );
    case 'codes': {
      const chosen = Array.isArray(value) ? (value as string[]) : [];
      return (
        <Checkbox.Group {...common} value={chosen} onChange={(next) => ctx.setAnswer(field.id, next)}>
          <Group gap="md" mt="xs">
            {field.coded!.options.map((o) => (
              <Checkbox key={o.code} value={o.code} label={o.display} />
            ))}
          </Group>
        </Checkbox.Group>
      );
    }
    case 'records':
      return <RecordsInput field={field} ctx={ctx} />;
    case 'references':
      return <ReferencesInput field={field} ctx={ctx} />;
  }
}

export function SectionForm({ section, ctx }: { section: SectionDef; ctx: FieldContext }) {
  return (
    <section aria-labelledby={`section-${section.code}`}>
      <Title order={2} size="h4" id={`section-${section.code}`} mb="xs">
        {section.title}
        {section.min === 0 && (
          <Text span size="sm" c="dimmed" ml="xs">
            （任意）
          </Text>
        )}
      </Title>
      <Stack gap="sm">
        {section.fields.map((field) => (
          <FieldInput key={field.id} field={field} ctx={ctx} />
        ))}
      </Stack>
    </section>
  );
}
