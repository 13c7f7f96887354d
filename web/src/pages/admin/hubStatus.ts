// The hub's health as `GET /fhir/$hub-status` answers it (hub-admin only; docs/web-app.md, The hub administrator's
// home), read into what the cards show: states, dates, days left and how urgent each is. No patient data is in it.
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { formatDate, formatDateTime, japanDay } from '../patient/format';

/** A certificate expiring within this many days is shown in the warning colour (the hub warns of its audit seal as early). */
export const CERTIFICATE_WARNING_DAYS = 30;
/** A CRL is published for a week (deploy/pki.sh crl): one due within two days must be published again soon. */
export const CRL_WARNING_DAYS = 2;

export type Urgency = 'ok' | 'warning' | 'expired';

export interface ChainState {
  state: 'intact' | 'broken' | 'unchecked';
  checkedAt?: string;
  /** the whole chain, or from the newest checkpoint on (the check at start-up) */
  whole?: boolean;
  links?: number;
  firstBrokenLink?: number;
  problem?: string;
  anchored?: boolean;
  lastFullCheck?: string;
  sealedThrough?: number;
  sealedAt?: string;
}

export interface CertificateState {
  role: 'trust-anchor' | 'audit-seal' | 'organization-seal' | string;
  name: string;
  organization?: string;
  notAfter: string;
}

export interface CrlState {
  issuer: string;
  thisUpdate: string;
  nextUpdate?: string;
}

export interface HubStatus {
  node: string;
  generated: string;
  chain: ChainState;
  certificates: CertificateState[];
  crls: CrlState[];
  sockets: { node: string; open: number };
  overdueHandoffs: number;
}

type Valued = Pick<ParametersParameter, 'valueString' | 'valueCode' | 'valueInstant' | 'valueInteger' | 'valueBoolean'>;

function valueOf(parameter: Valued | undefined): string | number | boolean | undefined {
  if (!parameter) return undefined;
  return parameter.valueString ?? parameter.valueCode ?? parameter.valueInstant ?? parameter.valueInteger ?? parameter.valueBoolean;
}

function named(list: readonly ParametersParameter[] | undefined, name: string): ParametersParameter | undefined {
  return list?.find((p) => p.name === name);
}

const text = (list: readonly ParametersParameter[] | undefined, name: string): string | undefined => {
  const value = valueOf(named(list, name));
  return value === undefined ? undefined : String(value);
};

const count = (list: readonly ParametersParameter[] | undefined, name: string): number | undefined => {
  const value = valueOf(named(list, name));
  return typeof value === 'number' ? value : undefined;
};

/** The answer of `$hub-status` as the page uses it; what the hub leaves out stays undefined. */
export function readHubStatus(parameters: Parameters): HubStatus {
  const top = parameters.parameter ?? [];
  const chain = named(top, 'auditChain')?.part ?? [];
  const state = text(chain, 'state');
  const scope = text(chain, 'checkScope');
  const sockets = named(top, 'notificationSockets')?.part ?? [];
  return {
    node: text(top, 'node') ?? '',
    generated: text(top, 'generated') ?? '',
    chain: {
      state: state === 'intact' || state === 'broken' ? state : 'unchecked',
      checkedAt: text(chain, 'checkedAt'),
      whole: scope === undefined ? undefined : scope === 'full',
      links: count(chain, 'links'),
      firstBrokenLink: count(chain, 'firstBrokenLink'),
      problem: text(chain, 'problem'),
      anchored: valueOf(named(chain, 'anchored')) as boolean | undefined,
      lastFullCheck: text(chain, 'lastFullCheck'),
      sealedThrough: count(chain, 'sealedThrough'),
      sealedAt: text(chain, 'sealedAt'),
    },
    certificates: top
      .filter((p) => p.name === 'certificate')
      .map((p) => ({
        role: text(p.part, 'role') ?? '',
        name: text(p.part, 'name') ?? '',
        organization: text(p.part, 'organization'),
        notAfter: text(p.part, 'notAfter') ?? '',
      })),
    crls: top
      .filter((p) => p.name === 'crl')
      .map((p) => ({ issuer: text(p.part, 'issuer') ?? '', thisUpdate: text(p.part, 'thisUpdate') ?? '', nextUpdate: text(p.part, 'nextUpdate') })),
    sockets: { node: text(sockets, 'node') ?? '', open: count(sockets, 'open') ?? 0 },
    overdueHandoffs: count(top, 'overdueHandoffs') ?? 0,
  };
}

/** Calendar days in Japan from today to the day of {@code until}: 0 on that day, negative once past. */
export function daysLeft(until: string, now: number): number {
  return japanDay(Date.parse(until)) - japanDay(now);
}

/** How urgent a date something must be renewed by is: past it, expired; within {@code warningDays}, a warning. */
export function urgency(until: string | undefined, now: number, warningDays: number): Urgency {
  if (!until || Number.isNaN(Date.parse(until))) return 'expired';
  if (now >= Date.parse(until)) return 'expired';
  return daysLeft(until, now) < warningDays ? 'warning' : 'ok';
}

/** 残り45日, 本日まで, 期限切れ（3日前） */
export function daysLeftLabel(until: string, now: number): string {
  const days = daysLeft(until, now);
  if (now >= Date.parse(until)) return days === 0 ? '期限切れ（本日）' : `期限切れ（${-days}日前）`;
  return days === 0 ? '本日まで' : `残り${days}日`;
}

/** The Mantine colour of each urgency (the theme's darkened light variants keep 4.5:1). */
export const URGENCY_COLOR: Readonly<Record<Urgency, string>> = { ok: 'green', warning: 'orange', expired: 'red' };

export const ROLE_LABELS: Readonly<Record<string, string>> = {
  'trust-anchor': '認証局（トラストアンカー）',
  'audit-seal': '監査ログの封印',
  'organization-seal': '組織の電子印',
};

/** 正常 / 異常 / 未確認, and the colour it is shown in. */
export function chainLabel(chain: ChainState): { label: string; color: string } {
  switch (chain.state) {
    case 'intact':
      return { label: '正常', color: 'green' };
    case 'broken':
      return { label: '異常', color: 'red' };
    default:
      return { label: '未確認', color: 'gray' };
  }
}

/** What the last check covered, in Japanese. */
export function checkScopeLabel(chain: ChainState): string {
  if (chain.whole === undefined) return '';
  return chain.whole ? '全体を確認' : '最新のチェックポイント以降を確認（起動時）';
}

export { formatDate, formatDateTime };
