// Silent renewal under the hub's Content-Security-Policy (docs/web-app.md §2, §3): the app renews the access token
// with the refresh token before it expires — a fetch to Keycloak's token endpoint, no iframe, no reload — and the
// next FHIR request carries the new token. For the test only, renkei-web's access tokens live 75 s (the client's
// attribute access.token.lifespan, set through Keycloak's admin REST API and put back afterwards; the realm file is
// not changed), so the renewal comes 15 s after sign-in (a minute before expiry).
import { expect, test, type APIRequestContext, type Request } from '@playwright/test';
import { expectAccessible, signIn, USERS } from './support';

const LIFESPAN_SECONDS = 75;
const LIFESPAN = 'access.token.lifespan';
/** DEV ONLY: the master-realm admin of deploy/keycloak.sh (keycloak/README.md), for the admin REST API. */
const ADMIN = { username: 'admin', password: 'dev-only-admin' };

interface Smart {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

/** renkei-web's access-token lifespan in the issuer's Keycloak: sets it ('' = the realm's) and answers the old value. */
async function setLifespan(request: APIRequestContext, issuer: string, value: string): Promise<string> {
  const keycloak = new URL(issuer).origin;
  const realm = new URL(issuer).pathname.replace(/^\/realms\//, '');
  const token = await request.post(`${keycloak}/realms/master/protocol/openid-connect/token`, {
    form: { grant_type: 'password', client_id: 'admin-cli', username: ADMIN.username, password: ADMIN.password },
  });
  expect(token.status(), 'an admin token of the development Keycloak').toBe(200);
  const headers = { Authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}` };
  const found = await request.get(`${keycloak}/admin/realms/${realm}/clients?clientId=renkei-web`, { headers });
  expect(found.status()).toBe(200);
  const [client] = (await found.json()) as Array<{ id: string; attributes?: Record<string, string> }>;
  const previous = client.attributes?.[LIFESPAN] ?? '';
  client.attributes = { ...client.attributes, [LIFESPAN]: value };
  const updated = await request.put(`${keycloak}/admin/realms/${realm}/clients/${client.id}`, { headers, data: client });
  expect(updated.status(), `renkei-web's ${LIFESPAN} set to '${value}'`).toBe(204);
  return previous;
}

const isFhir = (r: Request, origin: string) => r.url().startsWith(`${origin}/fhir`);

test('the access token is renewed with the refresh token under the CSP, without a reload, and the next FHIR request carries it', async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const origin = new URL(baseURL!).origin;
  const smart = (await (await request.get(`${origin}/fhir/.well-known/smart-configuration`)).json()) as Smart;
  const previous = await setLifespan(request, smart.issuer, String(LIFESPAN_SECONDS));
  try {
    // every CSP violation, in every document of the app: the page's event, and Chromium's own console report
    const violations: string[] = [];
    await page.addInitScript(() => {
      document.addEventListener(
        'securitypolicyviolation',
        (e) => console.error(`securitypolicyviolation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`),
        true,
      );
    });
    page.on('console', (m) => {
      if (m.text().startsWith('securitypolicyviolation:') || /Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const policies: string[] = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.url().startsWith(`${origin}/app/`)) policies.push(r.headers()['content-security-policy'] ?? '');
    });
    const tokenRequests: Request[] = [];
    const fhirRequests: Request[] = [];
    let authorizations = 0;
    page.on('request', (r) => {
      if (r.url().startsWith(smart.token_endpoint) && r.method() === 'POST') tokenRequests.push(r);
      if (r.url().startsWith(smart.authorization_endpoint)) authorizations++;
      if (isFhir(r, origin) && r.headers()['authorization']) fhirRequests.push(r);
    });

    await signIn(page, USERS.careManager);
    const signedInAt = Date.now();
    const grants = () => tokenRequests.map((r) => new URLSearchParams(r.postData() ?? '').get('grant_type'));
    expect(grants(), 'the sign-in: one code exchange').toEqual(['authorization_code']);
    expect(policies.length, 'app documents loaded').toBeGreaterThan(0);
    for (const policy of policies) {
      expect(policy, "the hub's CSP on every app document").toContain("connect-src 'self' " + new URL(smart.issuer).origin);
      expect(policy).toContain("frame-src 'none'");
    }
    await expect.poll(() => fhirRequests.length, 'a FHIR request with the first token').toBeGreaterThan(0);
    const firstAuthorization = fhirRequests[0].headers()['authorization'];
    // the document the renewal must not replace
    await page.evaluate(() => ((window as unknown as { renewalProbe: string }).renewalProbe = 'same document'));
    const authorizationsAtSignIn = authorizations;

    // 75 s tokens, renewed a minute before expiry: about 15 s after sign-in
    await expect
      .poll(grants, { message: 'a refresh_token grant at the token endpoint', timeout: (LIFESPAN_SECONDS - 30) * 1000, intervals: [1000] })
      .toContain('refresh_token');
    const refresh = tokenRequests.find((r) => new URLSearchParams(r.postData() ?? '').get('grant_type') === 'refresh_token')!;
    const refreshed = await refresh.response();
    expect(refreshed?.status(), `Keycloak's answer to the refresh (CORS allowed, not blocked by connect-src; violations: ${violations.join(' | ') || 'none'})`).toBe(200);
    const renewed = ((await refreshed!.json()) as { access_token: string }).access_token;
    expect(Date.now() - signedInAt, 'renewed before the first token expired').toBeLessThan(LIFESPAN_SECONDS * 1000);
    expect(`Bearer ${renewed}`).not.toBe(firstAuthorization);
    expect(authorizations, 'no new authorization request (no redirect, no iframe with prompt=none)').toBe(authorizationsAtSignIn);
    expect(page.frames().length, 'no iframe (no session-check frame)').toBe(1);
    expect(await page.evaluate(() => (window as unknown as { renewalProbe?: string }).renewalProbe), 'no reload').toBe('same document');

    // a FHIR request after the renewal: the patient list's search, with the new token, answered 200
    await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('link', { name: '患者一覧' }).click();
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/fhir/Patient') && new URL(r.url()).searchParams.get('name') === 'さとう');
    await page.getByRole('searchbox', { name: '氏名で検索' }).fill('さとう');
    const search = await answered;
    expect(search.status(), 'the search after the renewal').toBe(200);
    expect(search.request().headers()['authorization'], 'the search carries the renewed token').toBe(`Bearer ${renewed}`);
    await expect(page.getByRole('list', { name: '患者' }).getByRole('link', { name: '佐藤 一郎（サトウ イチロウ）' })).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { renewalProbe?: string }).renewalProbe), 'still no reload').toBe('same document');
    await expect(page.getByRole('banner').getByRole('button', { name: 'サインアウト' })).toBeVisible();
    await expectAccessible(page, 'the patient list after the renewal');
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  } finally {
    await setLifespan(request, smart.issuer, previous);
  }
});
