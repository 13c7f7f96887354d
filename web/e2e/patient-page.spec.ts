// The patient page (issue 19, flow 1): who the patient is (kanji with the kana reading), the markers a 3 a.m. caller
// needs first (allergies, emergency contact sheet, advance directive), the privacy consent's state, the care team with
// each member's organisation and a phone number to call, and the team's timeline, newest first.
import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, USERS } from './support';

/** The instant an entry's label names (…、2026年12月7日(月) 14:05…), as minutes, to compare entries. */
function minutesOf(label: string): number | undefined {
  const m = /(\d{4})年(\d{1,2})月(\d{1,2})日\(.\)\s*(\d{1,2}):(\d{2})/.exec(label);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi) / 60_000;
}

test("the care manager opens 山田 花子's page: markers, consent, the care team's phones and the timeline newest first", async ({ page }) => {
  await signIn(page, USERS.careManager);
  await page.getByRole('link', { name: '患者一覧を開く' }).click();
  await page.getByRole('list', { name: '患者' }).getByRole('link', { name: '山田 花子（ヤマダ ハナコ）' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveAccessibleName('山田 花子（ヤマダ ハナコ）');
  // the markers are always shown, saying what is there and what is not
  const markers = page.getByRole('group', { name: '注意事項' });
  await expect(markers).toContainText(/アレルギー (\d+件|登録なし)/);
  await expect(markers).toContainText(/緊急時連絡票(あり|なし)/);
  await expect(markers).toContainText(/事前指示書(あり|なし)/);

  // keycloak/demo-fhir.json: her privacy Consent is active and permits sharing with the care team
  const consent = page.getByRole('region', { name: '情報共有の同意' });
  await expect(consent).toContainText(/同意あり/);

  // each member with organisation and a number to call (the role's, else the practitioner's, else the organisation's)
  const team = page.getByRole('list', { name: 'ケアチームのメンバー' });
  await expect(team.getByRole('listitem').first()).toBeVisible();
  expect(await team.getByRole('listitem').count(), 'the demo care team of 山田 花子').toBeGreaterThanOrEqual(10);
  await expect(team.getByRole('link', { name: /（みちのく中央病院）に電話 019-000-1000$/ }).first()).toHaveAttribute('href', 'tel:0190001000');
  await expect(team.getByRole('link', { name: /（いわて在宅ケアセンター）に電話 019-000-2000$/ }).first()).toBeVisible();

  // the timeline: newest first (the specs before this one — contact-form, handoff, inbox — wrote to her timeline)
  const timeline = page.getByRole('list', { name: 'タイムライン（新しい順）' });
  await expect(page.getByRole('status', { name: /^(更新中|読み込み中)$/ })).toHaveCount(0);
  const labels = await timeline.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? ''));
  const times = labels.map(minutesOf).filter((t): t is number => t !== undefined);
  expect(times.length, 'entries with their time in the timeline').toBeGreaterThanOrEqual(2);
  for (let i = 1; i < times.length; i++) {
    expect(times[i], `entry ${i + 1} is not newer than entry ${i}: ${labels[i]}`).toBeLessThanOrEqual(times[i - 1]);
  }
  await expectAccessible(page, "山田 花子's patient page");
});
