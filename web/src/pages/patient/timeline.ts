import type {
  Bundle,
  Communication,
  Composition,
  FhirResource,
  Observation,
  Quantity,
  Reference,
  Task,
} from 'fhir/r4';
import { isUnusual } from '../../visit/visitBundle';
import { deadlineState, type DeadlineState } from './format';

/** The record types of the team's activity, each one search of the timeline batch. */
export const TIMELINE_TYPES = ['Bundle', 'Composition', 'DocumentReference', 'Task', 'Communication', 'Observation'] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

export type EntryKind = 'document' | 'handoff' | 'contact-form' | 'message' | 'observation';

export const KIND_LABELS: Record<EntryKind, string> = {
  document: '文書',
  handoff: '引き継ぎ',
  'contact-form': '連絡票',
  message: 'メッセージ',
  observation: '観察・バイタル',
};

export interface TimelineEntry {
  /** Type/id */
  key: string;
  type: TimelineType;
  id: string;
  kind: EntryKind;
  title: string;
  author: string;
  /** when the team's activity happened in the hub (meta.lastUpdated): the timeline's order */
  time: string;
  /** one line under the title: a value and unit, a Task's state and addressee, a message's first words */
  summary: string;
  deadline?: DeadlineState;
  /** the status in Japanese, for Tasks */
  status?: string;
  /** an observation its author marked いつもと違う (Observation.interpretation observation-flag#unusual) */
  unusual?: boolean;
  resource: FhirResource;
}

const CARE_DOCUMENT = 'http://renkei.example.jp/fhir/CodeSystem/care-document';
const HANDOFF = 'http://renkei.example.jp/fhir/CodeSystem/handoff';
const HANDOFF_STATUS = 'http://renkei.example.jp/fhir/CodeSystem/handoff-status';

export const HANDOFF_LABELS: Record<string, string> = {
  'admission-info': '入院時情報提供書の送付',
  'discharge-summary': '退院時情報提供書の送付',
  'contact-form': '主治医・ケアマネジャー連絡票',
  'medication-report': '服薬情報提供書の送付',
  'discharge-screening': '退院支援スクリーニング',
  'discharge-plan': '退院支援計画・カンファレンス',
};

export const TASK_STATUS_LABELS: Record<string, string> = {
  draft: '下書き',
  requested: '送信済み（未受領）',
  received: '受領',
  accepted: '受諾',
  rejected: '辞退',
  ready: '準備完了',
  cancelled: '取消',
  'in-progress': '対応中',
  'on-hold': '保留',
  failed: '不成立',
  completed: '完了',
  'entered-in-error': '入力誤り',
};

/** Names of people and organisations by reference (Type/id), e.g. from the care team, for records that give none. */
export type Names = ReadonlyMap<string, string>;

function referenceLabel(reference: Reference | undefined, names: Names): string {
  if (!reference) {
    return '';
  }
  return reference.display?.trim() || (reference.reference ? (names.get(reference.reference) ?? '') : '');
}

function firstLine(text: string | undefined, max = 60): string {
  const line = (text ?? '').trim().split(/\n/)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

export function quantityLabel(q: Quantity | undefined): string {
  if (!q || q.value === undefined) {
    return '';
  }
  return `${q.value}${q.unit ?? q.code ?? ''}`.trim();
}

/** 36.8℃, 128/76mmHg, or the coded or written value of an observation. */
export function observationValue(o: Observation): string {
  if (o.valueQuantity) {
    return quantityLabel(o.valueQuantity);
  }
  if (o.component?.length && o.component.every((c) => c.valueBoolean !== undefined)) {
    // 排泄: 排尿あり・排便なし
    return o.component.map((c) => `${c.code.text ?? c.code.coding?.[0]?.display ?? ''}${c.valueBoolean ? 'あり' : 'なし'}`).join('・');
  }
  const components = (o.component ?? []).map((c) => quantityLabel(c.valueQuantity)).filter(Boolean);
  if (components.length === 2 && o.component?.every((c) => c.valueQuantity?.unit === o.component?.[0].valueQuantity?.unit)) {
    // blood pressure: systolic/diastolic with the unit once
    const unit = o.component?.[0].valueQuantity?.unit ?? '';
    return `${o.component?.[0].valueQuantity?.value}/${o.component?.[1].valueQuantity?.value}${unit}`;
  }
  if (components.length > 0) {
    return components.join('、');
  }
  return (
    o.valueCodeableConcept?.text ??
    o.valueCodeableConcept?.coding?.[0]?.display ??
    o.valueString ??
    (o.valueBoolean === undefined ? undefined : o.valueBoolean ? 'あり' : 'なし') ??
    (o.valueInteger === undefined ? undefined : String(o.valueInteger)) ??
    ''
  );
}

/** The author of a document Bundle's Composition, looked up in the document itself (an R4 document is self-contained). */
function documentAuthor(bundle: Bundle<FhirResource>, composition: Composition, names: Names): string {
  const author = composition.author?.[0];
  if (!author) {
    return '';
  }
  if (author.display) {
    return author.display;
  }
  const ref = author.reference ?? '';
  const entry = bundle.entry?.find((e) => e.fullUrl === ref || (e.resource && `${e.resource.resourceType}/${e.resource.id}` === ref) || (e.fullUrl ?? '').endsWith(`/${ref}`));
  const resource = entry?.resource as FhirResource | undefined;
  if (resource?.resourceType === 'PractitionerRole') {
    return referenceLabel(resource.practitioner, names) || referenceLabel(resource.organization, names);
  }
  if (resource?.resourceType === 'Practitioner' || resource?.resourceType === 'RelatedPerson' || resource?.resourceType === 'Patient') {
    const name = resource.name?.[0];
    return name?.text ?? [name?.family, ...(name?.given ?? [])].filter(Boolean).join(' ');
  }
  if (resource?.resourceType === 'Organization') {
    return resource.name ?? '';
  }
  return names.get(ref) ?? '';
}

export function isContactForm(c: Communication): boolean {
  return c.category?.some((cc) => cc.coding?.some((x) => x.system === CARE_DOCUMENT && x.code === 'contact-form')) ?? false;
}

/** A Task's deadline: the last fee-rule deadline or 返信希望日 (restriction.period.end), met once delivered or answered. */
export function taskDeadline(task: Task, now: number): DeadlineState | undefined {
  const due = task.restriction?.period?.end;
  if (!due) {
    return undefined;
  }
  const code = task.code?.coding?.find((c) => c.system === HANDOFF)?.code;
  const business = task.businessStatus?.coding?.find((c) => c.system === HANDOFF_STATUS)?.code;
  const closed = ['completed', 'cancelled', 'rejected', 'failed', 'entered-in-error'].includes(task.status);
  // fee-rule deadlines are about delivery (received); a contact form's 返信希望日 about the answer (completed)
  const met = closed || (code !== 'contact-form' && task.status !== 'requested' && task.status !== 'draft');
  const metLabel =
    business === 'delivered-on-time' ? '期限内に送達' : business === 'delivered-late' ? '期限後に送達' : closed ? TASK_STATUS_LABELS[task.status] : '受領済み';
  return deadlineState(due, now, met, metLabel, business === 'overdue');
}

/** One record as a timeline entry; undefined for what is not part of the timeline (a Bundle that is not a document). */
export function toEntry(resource: FhirResource, names: Names, now: number): TimelineEntry | undefined {
  const base = { id: resource.id ?? '', key: `${resource.resourceType}/${resource.id}`, time: resource.meta?.lastUpdated ?? '', resource };
  switch (resource.resourceType) {
    case 'Bundle': {
      const composition = resource.entry?.[0]?.resource as FhirResource | undefined;
      if (resource.type !== 'document' || composition?.resourceType !== 'Composition') {
        return undefined;
      }
      return {
        ...base,
        type: 'Bundle',
        kind: 'document',
        title: composition.title || composition.type?.text || composition.type?.coding?.[0]?.display || '文書',
        author: documentAuthor(resource as Bundle<FhirResource>, composition, names),
        summary: composition.status === 'preliminary' ? '下書き' : composition.status === 'amended' ? '修正版' : '',
      };
    }
    case 'Composition':
      return {
        ...base,
        type: 'Composition',
        kind: 'document',
        title: resource.title || resource.type?.text || '文書',
        author: referenceLabel(resource.author?.[0], names),
        summary: resource.status === 'preliminary' ? '下書き' : '',
      };
    case 'DocumentReference':
      return {
        ...base,
        type: 'DocumentReference',
        kind: 'document',
        title: resource.description || resource.type?.text || resource.type?.coding?.[0]?.display || resource.content?.[0]?.attachment?.title || '文書',
        author: referenceLabel(resource.author?.[0], names) || referenceLabel(resource.custodian, names),
        summary: resource.status === 'superseded' ? '旧版' : '',
      };
    case 'Task': {
      const code = resource.code?.coding?.find((c) => c.system === HANDOFF)?.code;
      const status = TASK_STATUS_LABELS[resource.status] ?? resource.status;
      const owner = referenceLabel(resource.owner, names);
      return {
        ...base,
        type: 'Task',
        kind: 'handoff',
        title: (code && HANDOFF_LABELS[code]) || resource.code?.text || resource.description || '引き継ぎ',
        author: referenceLabel(resource.requester, names),
        summary: [owner && `宛先: ${owner}`, status].filter(Boolean).join('・'),
        status,
        deadline: taskDeadline(resource, now),
      };
    }
    case 'Communication': {
      const text = resource.payload?.find((p) => p.contentString)?.contentString;
      return {
        ...base,
        type: 'Communication',
        kind: isContactForm(resource) ? 'contact-form' : 'message',
        title: resource.topic?.text || firstLine(text, 40) || (isContactForm(resource) ? '主治医・ケアマネジャー連絡票' : 'メッセージ'),
        author: referenceLabel(resource.sender, names),
        summary: resource.topic?.text ? firstLine(text) : '',
      };
    }
    case 'Observation':
      return {
        ...base,
        type: 'Observation',
        kind: 'observation',
        title: resource.code?.text || resource.code?.coding?.[0]?.display || '観察',
        author: referenceLabel(resource.performer?.[0], names),
        summary: observationValue(resource),
        ...(isUnusual(resource) ? { unusual: true } : {}),
      };
    default:
      return undefined;
  }
}

/** One type's search as far as it was paged: its records, newest first, and the link to the next page. */
export interface SourcePage {
  resources: FhirResource[];
  next?: string;
  /** the hub refused this type's search (e.g. 403 for a profession that never reads it): left out, said so */
  refused?: string;
}

export type TimelinePage = Partial<Record<TimelineType, SourcePage>>;

export interface MergedTimeline {
  /** newest first, only as far as every type is known (see {@link mergeTimeline}) */
  entries: TimelineEntry[];
  /** the type whose next page comes next, with its link */
  next?: { type: TimelineType; link: string };
  /** types whose search the hub refused, and why */
  refused: Array<{ type: TimelineType; reason: string }>;
}

function timeOf(entry: TimelineEntry): number {
  const ms = Date.parse(entry.time);
  return Number.isNaN(ms) ? 0 : ms;
}

function newestFirst(a: TimelineEntry, b: TimelineEntry): number {
  return timeOf(b) - timeOf(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * The pages of every type's search, merged newest first. Each search is sorted by `-_lastUpdated` and paged on its
 * own, so an entry is certain only when it is not older than the last one loaded of any type that has more pages:
 * older ones are held back until that type's next page is loaded, which {@code next} names. A record seen on two
 * pages (it changed between them) is shown once, as its newest version.
 */
export function mergeTimeline(pages: readonly TimelinePage[], names: Names, now: number): MergedTimeline {
  const byKey = new Map<string, TimelineEntry>();
  let horizon = Number.NEGATIVE_INFINITY;
  let next: MergedTimeline['next'];
  const refused: MergedTimeline['refused'] = [];
  for (const type of TIMELINE_TYPES) {
    let link: string | undefined;
    let last: TimelineEntry | undefined;
    for (const page of pages) {
      const source = page[type];
      if (!source) {
        continue;
      }
      if (source.refused && !refused.some((r) => r.type === type)) {
        refused.push({ type, reason: source.refused });
      }
      link = source.next;
      for (const resource of source.resources) {
        const entry = toEntry(resource, names, now);
        if (!entry) {
          continue;
        }
        last = entry;
        const known = byKey.get(entry.key);
        if (!known || timeOf(entry) > timeOf(known)) {
          byKey.set(entry.key, entry);
        }
      }
    }
    if (link) {
      const boundary = last ? timeOf(last) : Number.POSITIVE_INFINITY;
      if (boundary > horizon) {
        horizon = boundary;
        next = { type, link };
      }
    }
  }
  const entries = [...byKey.values()].filter((e) => timeOf(e) >= horizon).sort(newestFirst);
  return { entries, next, refused };
}

/** How long an observation marked いつもと違う stays at the top of the timeline. */
export const UNUSUAL_PINNED_DAYS = 7;

/**
 * The entries with those marked いつもと違う in the last {@link UNUSUAL_PINNED_DAYS} days first (newest first among
 * them), then the rest in their order: what the team must notice is never below the fold.
 */
export function unusualFirst(entries: readonly TimelineEntry[], now: number): TimelineEntry[] {
  const since = now - UNUSUAL_PINNED_DAYS * 24 * 60 * 60 * 1000;
  const pinned = entries.filter((e) => e.unusual && timeOf(e) >= since);
  return [...pinned, ...entries.filter((e) => !pinned.includes(e))];
}
