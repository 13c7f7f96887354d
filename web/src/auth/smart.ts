// Where to sign in: the hub publishes its token issuer at /fhir/.well-known/smart-configuration (SMART App Launch),
// so the app is configured by the hub it is served from and names no Keycloak itself.

export interface SmartConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  /** Where signing out ends the Keycloak session (OpenID's, published by the hub beside SMART's fields). */
  end_session_endpoint?: string;
  jwks_uri?: string;
}

export const SMART_CONFIGURATION_PATH = '/fhir/.well-known/smart-configuration';

export async function loadSmartConfiguration(fetchFn: typeof fetch = fetch): Promise<SmartConfiguration> {
  const response = await fetchFn(SMART_CONFIGURATION_PATH, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`smart-configuration: HTTP ${response.status}`);
  }
  const body = (await response.json()) as Partial<SmartConfiguration>;
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint'] as const) {
    if (typeof body[field] !== 'string' || !/^https?:\/\//.test(body[field] as string)) {
      throw new Error(`smart-configuration: no ${field}`);
    }
  }
  return body as SmartConfiguration;
}
