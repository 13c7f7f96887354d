// The bytes a document signature covers, exactly as the hub computes them (server sign.CanonicalJson,
// docs/signatures.md "What a signature is"): the resource without `id`, `meta` and `signature`, and without the
// hub's own stamp on a Consent (consent-recording), written in the JSON Canonicalization Scheme's form (RFC 8785):
// no whitespace, members sorted by their names' UTF-16 code units, minimal string escapes, UTF-8. Numbers keep
// their literal text on the hub; the app writes only integers, whose text JSON.stringify and HAPI agree on.
//
// The hub canonicalises HAPI's encoding of what it stores, so what the app signs must be what HAPI encodes back:
// no empty strings, arrays or objects (HAPI drops them), no narrative XHTML (HAPI re-serialises it). `prune` does
// the first; the directive the app builds carries no narrative.

const UNSIGNED = new Set(['id', 'meta', 'signature']);
const HUB_STAMPS = new Set(['http://renkei.example.jp/fhir/StructureDefinition/consent-recording']);

type Json = null | boolean | number | string | Json[] | { [name: string]: Json };

/** The value without empty strings, arrays and objects (recursively), as HAPI would encode it back. */
export function prune<T>(value: T): T {
  const pruned = pruneValue(value as unknown as Json);
  return pruned as unknown as T;
}

function pruneValue(value: Json): Json | undefined {
  if (Array.isArray(value)) {
    const items = value.map(pruneValue).filter((v): v is Json => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const out: { [name: string]: Json } = {};
    for (const [name, member] of Object.entries(value)) {
      const kept = member === undefined ? undefined : pruneValue(member);
      if (kept !== undefined) {
        out[name] = kept;
      }
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (value === '' || value === null || value === undefined) {
    return undefined;
  }
  return value;
}

/** The canonical text of a resource as it is signed. */
export function canonicalJson(resource: object): string {
  const root: Record<string, Json> = { ...(resource as Record<string, Json>) };
  for (const name of UNSIGNED) {
    delete root[name];
  }
  if (Array.isArray(root.extension)) {
    const kept = root.extension.filter((e) => !(e && typeof e === 'object' && !Array.isArray(e) && HUB_STAMPS.has(String(e.url))));
    if (kept.length) {
      root.extension = kept;
    } else {
      delete root.extension;
    }
  }
  return write(root);
}

/** The canonical UTF-8 bytes. */
export function canonicalBytes(resource: object): Uint8Array {
  return new TextEncoder().encode(canonicalJson(resource));
}

function write(value: Json): string {
  if (Array.isArray(value)) {
    return `[${value.map(write).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    // default sort compares UTF-16 code units, RFC 8785's order
    const names = Object.keys(value).filter((n) => value[n] !== undefined).sort();
    return `{${names.map((n) => `${JSON.stringify(n)}:${write(value[n])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new Error('A signed resource carries decimals as the hub writes them; the app signs none');
  }
  // JSON.stringify escapes exactly what RFC 8785 (and the hub) escape: ", \, and control characters (\b \f \n \r \t
  // short, others as \u00xx in lower case)
  return JSON.stringify(value);
}
