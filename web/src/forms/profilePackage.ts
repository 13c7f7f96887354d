// The profile package (fhir-profiles) as the definition tests read it, with the snapshots Maven generates when it
// has built fhir-profiles (empty otherwise). For tests only; not part of the app's bundle.

export interface ElementDefinition {
  id: string;
  path: string;
  sliceName?: string;
  min?: number;
  max?: string;
  type?: Array<{ code: string; profile?: string[]; targetProfile?: string[] }>;
  patternCoding?: { system?: string; code?: string };
  patternCodeableConcept?: { coding?: Array<{ system?: string; code?: string }> };
}
export interface StructureDefinition {
  id: string;
  type: string;
  differential: { element: ElementDefinition[] };
  snapshot?: { element: ElementDefinition[] };
}
export interface CodeSystem {
  url: string;
  concept: Array<{ code: string; display: string }>;
}

const sources = import.meta.glob<unknown>('../../../fhir-profiles/src/main/fhir/*.json', { eager: true, import: 'default' });
const snapshots = import.meta.glob<unknown>('../../../fhir-profiles/target/classes/renkei/profiles/StructureDefinition-*.json', { eager: true, import: 'default' });

function ofType<T>(files: Record<string, unknown>, resourceType: string): T[] {
  return Object.values(files).filter((r) => (r as { resourceType?: string }).resourceType === resourceType) as T[];
}

/** by id, as written in fhir-profiles/src/main/fhir */
export const profiles = new Map(ofType<StructureDefinition>(sources, 'StructureDefinition').map((sd) => [sd.id, sd]));
/** by id, as generated with their snapshots */
export const snapshotProfiles = new Map(ofType<StructureDefinition>(snapshots, 'StructureDefinition').map((sd) => [sd.id, sd]));
/** by url */
export const codeSystems = new Map(ofType<CodeSystem>(sources, 'CodeSystem').map((cs) => [cs.url, cs]));
