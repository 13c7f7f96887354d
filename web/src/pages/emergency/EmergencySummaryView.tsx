import { Fragment, type ReactNode } from 'react';
import { Anchor, Badge, Button, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import { birthDateLabel, genderLabel } from '../../fhir/names';
import { formatDate } from '../patient/format';
import { cprLabel, transportLabel, SECTION_ORDER, SECTION_TITLES, withPhoneLinks, type EmergencyView, type LineItem, type SectionKey } from './summary';

function Section({ id, children, accent }: { id: SectionKey; children: ReactNode; accent?: boolean }) {
  return (
    <Card
      component="section"
      withBorder
      padding="sm"
      aria-labelledby={`emergency-${id}`}
      style={accent ? { borderWidth: 3, borderColor: 'var(--mantine-color-red-filled)' } : undefined}
    >
      <Title order={3} size="h3" id={`emergency-${id}`} mb="xs">
        {SECTION_TITLES[id]}
      </Title>
      {children}
    </Card>
  );
}

/** A line of the sheet with each phone number as a tel: link. */
function LineWithPhones({ line }: { line: string }) {
  return (
    <>
      {withPhoneLinks(line).map((part, i) =>
        typeof part === 'string' ? (
          <Fragment key={i}>{part}</Fragment>
        ) : (
          <Anchor key={i} href={part.href} fw={700}>
            {part.number}
          </Anchor>
        ),
      )}
    </>
  );
}

function Lines({ lines }: { lines: string[] }) {
  return (
    <Stack gap={4}>
      {lines.map((line, i) => (
        <Text key={i} size="md">
          <LineWithPhones line={line} />
        </Text>
      ))}
    </Stack>
  );
}

function Items({ items, empty }: { items: LineItem[]; empty: string }) {
  if (items.length === 0) {
    return <Text>{empty}</Text>;
  }
  return (
    <List spacing={6} size="md">
      {items.map((item, i) => (
        <List.Item key={i}>
          <Text fw={700} span>
            {item.title}
          </Text>
          {item.severe && (
            <Badge color="red" ml="xs" variant="filled">
              重篤
            </Badge>
          )}
          {item.detail && <Text size="sm">{item.detail}</Text>}
        </List.Item>
      ))}
    </List>
  );
}

function Wishes({ view }: { view: EmergencyView }) {
  const { wishes } = view;
  const nothing = !wishes.hasDirective && wishes.statements.length === 0;
  return (
    <Section id="wishes" accent>
      {nothing ? (
        <Text fz="lg" fw={700}>
          事前指示書・本人の意思の登録はありません（閲覧できる範囲）。家族・在宅主治医に確認してください。
        </Text>
      ) : (
        <Stack gap="xs">
          <Text fz={24} fw={800} lh={1.3} c={wishes.cpr === 'dnar' ? 'red.9' : undefined}>
            {cprLabel(wishes.cpr)}
          </Text>
          {transportLabel(wishes.transport) && (
            <Text fz={20} fw={800} lh={1.3}>
              {transportLabel(wishes.transport)}
            </Text>
          )}
          {wishes.treatments.length > 0 && (
            <List spacing={2} size="lg" aria-label="延命治療の希望">
              {wishes.treatments.map((t) => (
                <List.Item key={t.label}>
                  {t.label}: <strong>{t.wanted ? '希望する' : '希望しない'}</strong>
                </List.Item>
              ))}
            </List>
          )}
          {wishes.statements.length > 0 && (
            <div>
              <Text size="sm" fw={700}>
                緊急時連絡票の記載（蘇生・搬送）
              </Text>
              <Lines lines={wishes.statements} />
            </div>
          )}
          {wishes.preferredHospital.length > 0 && (
            <div>
              <Text size="sm" fw={700}>
                搬送先の希望
              </Text>
              <Lines lines={wishes.preferredHospital} />
            </div>
          )}
          {wishes.endOfLifePlace && <Text>最期を過ごしたい場所: {wishes.endOfLifePlace}</Text>}
          {wishes.proxy && <Text>代理意思決定者: {wishes.proxy}</Text>}
          {wishes.recorded && <Text size="sm">事前指示書の作成日: {formatDate(wishes.recorded)}</Text>}
        </Stack>
      )}
    </Section>
  );
}

function Contacts({ view }: { view: EmergencyView }) {
  if (view.contacts.length === 0 && view.contactLines.length === 0) {
    return (
      <Section id="contacts">
        <Text>緊急時連絡票に連絡先の登録はありません。</Text>
      </Section>
    );
  }
  return (
    <Section id="contacts">
      {view.contacts.length > 0 ? (
        <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {view.contacts.map((contact, i) => (
            <li key={i}>
              <Text size="sm" fw={700}>
                {contact.role}
              </Text>
              <Text>{contact.name}</Text>
              <Group gap="xs" mt={4}>
                {contact.phones.map((phone) => (
                  <Button key={phone.href + (phone.label ?? '')} component="a" href={phone.href} size="sm" variant="light">
                    {phone.label ? `${phone.label} ` : ''}
                    {phone.number}
                  </Button>
                ))}
              </Group>
            </li>
          ))}
        </Stack>
      ) : (
        <Lines lines={view.contactLines} />
      )}
    </Section>
  );
}

/** The emergency summary on one screen: wishes first, then contacts, medications, allergies and the rest of the sheet. */
export function EmergencySummaryView({ view }: { view: EmergencyView }) {
  const sections: Record<SectionKey, ReactNode> = {
    wishes: <Wishes key="wishes" view={view} />,
    contacts: <Contacts key="contacts" view={view} />,
    medications: (
      <Section key="medications" id="medications">
        {view.medications.length > 0 || view.medicationLines.length === 0 ? (
          <Items items={view.medications} empty="服用中の薬の登録はありません（閲覧できる範囲）。" />
        ) : (
          <Lines lines={view.medicationLines} />
        )}
      </Section>
    ),
    allergies: (
      <Section key="allergies" id="allergies">
        {view.allergies.length > 0 || view.allergyLines.length === 0 ? (
          <Items items={view.allergies} empty="アレルギーの登録はありません（閲覧できる範囲）。" />
        ) : (
          <Lines lines={view.allergyLines} />
        )}
      </Section>
    ),
    more:
      view.more.length > 0 ? (
        <Section key="more" id="more">
          <Stack gap="xs">
            {view.more.map((s) => (
              <div key={s.title}>
                <Text size="sm" fw={700}>
                  {s.title}
                </Text>
                <Lines lines={s.lines} />
              </div>
            ))}
          </Stack>
        </Section>
      ) : null,
  };
  return (
    <Stack gap="sm">
      <div>
        <Title order={2} size="h2" aria-label={view.kana ? `${view.name}（${view.kana}）` : view.name}>
          {view.name}
          {view.kana && (
            <Text span size="md" fw={400} ml="xs">
              {view.kana}
            </Text>
          )}
        </Title>
        <Text size="sm">
          {[genderLabel(view.patient.gender), birthDateLabel(view.patient.birthDate)].filter((p) => p).join('・')}
          {view.hasSheet ? `・緊急時連絡票${view.sheetDate ? `（${formatDate(view.sheetDate)}）` : ''}あり` : '・緊急時連絡票なし'}
        </Text>
      </div>
      {SECTION_ORDER.map((key) => sections[key])}
    </Stack>
  );
}
