import type { Bundle, FhirResource, Resource } from 'fhir/r4';
import { FhirError, networkError, translateError } from './errors';

export type SearchParams = Record<string, string | number | undefined>;

/**
 * The app's only way to the data: the hub's FHIR REST API with the signed-in user's bearer token, so every read
 * and write passes the same authentication, access, consent, validation and audit as any FHIR client's.
 */
export class FhirClient {
  constructor(
    private readonly base: string,
    private readonly accessToken: () => string | undefined,
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  read<T extends FhirResource>(type: T['resourceType'], id: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', `${type}/${encodeURIComponent(id)}`, undefined, {}, signal);
  }

  search<T extends FhirResource>(type: T['resourceType'], params: SearchParams = {}, signal?: AbortSignal): Promise<Bundle<T>> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== '') {
        query.append(name, String(value));
      }
    }
    const suffix = query.toString();
    return this.request<Bundle<T>>('GET', suffix ? `${type}?${suffix}` : type, undefined, {}, signal);
  }

  create<T extends FhirResource>(resource: T): Promise<T> {
    return this.request<T>('POST', resource.resourceType, resource, { Prefer: 'return=representation' });
  }

  /** Updates the version the user saw: the hub answers 412 when someone else changed it since. */
  update<T extends FhirResource>(resource: T & { id: string }): Promise<T> {
    const version = resource.meta?.versionId;
    return this.request<T>('PUT', `${resource.resourceType}/${encodeURIComponent(resource.id)}`, resource, {
      Prefer: 'return=representation',
      ...(version ? { 'If-Match': `W/"${version}"` } : {}),
    });
  }

  /**
   * Several GETs (`Type?params`, `Type/id`) in one round trip: a batch Bundle, answered entry by entry with each
   * entry's own status (a refused search fails alone).
   */
  batch(urls: string[], signal?: AbortSignal): Promise<Bundle> {
    const batch: Bundle = { resourceType: 'Bundle', type: 'batch', entry: urls.map((url) => ({ request: { method: 'GET', url } })) };
    return this.send<Bundle>('POST', this.base, batch, {}, signal);
  }

  /** A transaction Bundle: the hub writes all its entries or none, and answers each entry's status (201, or 200 when found). */
  transaction(bundle: Bundle, signal?: AbortSignal): Promise<Bundle> {
    return this.send<Bundle>('POST', this.base, bundle, {}, signal);
  }

  /** A `next` link of a search the hub answered: only on this client's own base, never elsewhere. */
  follow<T extends FhirResource>(link: string, signal?: AbortSignal): Promise<Bundle<T>> {
    const url = new URL(link, window.location.origin);
    if (url.origin !== window.location.origin || (url.pathname !== this.base && !url.pathname.startsWith(`${this.base}/`))) {
      return Promise.reject(new Error('a paging link outside the FHIR base'));
    }
    return this.send<Bundle<T>>('GET', url.pathname + url.search, undefined, {}, signal);
  }

  /**
   * A PDF form of a stored record (`Bundle/{id}/$pdf`, `Consent/…`, `Communication/…`), or with `document` the print
   * preview of a document not yet sent (`POST Bundle/$pdf`, judged as its sending would be, nothing stored): the hub
   * answers the bytes and names the file in Content-Disposition (docs/printing.md), Japanese in `filename*`, else its
   * ASCII `filename`.
   */
  async pdf(path: string, document?: Resource): Promise<{ blob: Blob; fileName?: string }> {
    const token = this.accessToken();
    let response: Response;
    try {
      response = await this.fetchFn(`${this.base}/${path}`, {
        method: document ? 'POST' : 'GET',
        headers: {
          Accept: 'application/pdf',
          ...(document ? { 'Content-Type': 'application/fhir+json' } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: document ? JSON.stringify(document) : undefined,
        credentials: 'omit',
      });
    } catch {
      throw networkError();
    }
    if (!response.ok) {
      throw translateError(response.status, await readJson(response));
    }
    return { blob: await response.blob(), fileName: downloadName(response.headers.get('Content-Disposition')) };
  }

  request<T>(method: string, path: string, body?: Resource, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
    return this.send<T>(method, `${this.base}/${path}`, body, headers, signal);
  }

  private async send<T>(method: string, url: string, body?: Resource, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
    const token = this.accessToken();
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        signal,
        headers: {
          Accept: 'application/fhir+json',
          ...(body ? { 'Content-Type': 'application/fhir+json' } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body ? JSON.stringify(body) : undefined,
        // never a cookie: the token is the credential
        credentials: 'omit',
      });
    } catch (cause) {
      if (signal?.aborted) {
        throw cause;
      }
      throw networkError();
    }
    const payload = await readJson(response);
    if (!response.ok) {
      throw translateError(response.status, payload);
    }
    return payload as T;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isFhirError(error: unknown): error is FhirError {
  return error instanceof FhirError;
}

/** The file name of a Content-Disposition value: RFC 5987 `filename*=UTF-8''…` first, else `filename="…"`. */
export function downloadName(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // a malformed escape: fall back to the plain name
    }
  }
  const plain = /filename="([^"]+)"/i.exec(disposition) ?? /filename=([^;]+)/i.exec(disposition);
  return plain?.[1].trim() || undefined;
}
