import type { OperationOutcome } from 'fhir/r4';

/** What went wrong, as the screen needs it: decides the message, the action offered and whether to retry. */
export type FhirErrorKind =
  | 'signin' // 401: the session ended
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'gone' // 410: deleted
  | 'conflict' // 409, 412: someone else changed it first
  | 'invalid' // 400, 422: what was sent is wrong; issues say where
  | 'too-large' // 413, 414, 431
  | 'unavailable' // 5xx, 429
  | 'network'; // no answer at all

/** One problem the hub named, for a form to put at the field its expression points to. */
export interface FhirIssue {
  severity: string;
  code: string;
  /** the hub's words, Japanese then English in parentheses */
  diagnostics: string;
  /** FHIRPath of the element concerned, e.g. Patient.birthDate */
  expression: string[];
}

export class FhirError extends Error {
  readonly kind: FhirErrorKind;
  readonly status: number | undefined;
  /** 何が起きたか (shown as the title) */
  readonly title: string;
  /** どうすればよいか (shown under it) */
  readonly action: string;
  readonly issues: FhirIssue[];
  readonly retryable: boolean;

  constructor(kind: FhirErrorKind, status: number | undefined, title: string, action: string, issues: FhirIssue[]) {
    super(`${title} ${action}`);
    this.name = 'FhirError';
    this.kind = kind;
    this.status = status;
    this.title = title;
    this.action = action;
    this.issues = issues;
    this.retryable = kind === 'unavailable' || kind === 'network';
  }

  /** The issues about one element (its expression starts with the path), for a form field. */
  issuesAt(path: string): FhirIssue[] {
    return this.issues.filter((issue) => issue.expression.some((e) => e === path || e.startsWith(path + '.') || e.startsWith(path + '[')));
  }
}

const MESSAGES: Record<FhirErrorKind, readonly [title: string, action: string]> = {
  signin: ['サインインの有効期限が切れました。', 'もう一度サインインしてください。入力中の内容は画面に残っています。'],
  forbidden: ['この操作は許可されていません。', '必要な場合は、患者のケアチームの担当者か管理者に確認してください。'],
  'not-found': ['記録が見つかりません。', '削除されたか、閲覧が許可されていない可能性があります。一覧から開き直してください。'],
  gone: ['この記録は削除されています。', '一覧に戻って、最新の記録を開いてください。'],
  conflict: [
    'ほかの人が先にこの記録を変更しました。',
    '最新の内容を読み込んでから、もう一度変更してください。入力中の内容は画面に残っています。',
  ],
  invalid: ['入力内容に誤りがあります。', '項目ごとのメッセージを確認して、修正してからもう一度送信してください。'],
  'too-large': ['送信する内容が大きすぎます。', '添付ファイルを小さくするか、分けて送信してください。'],
  unavailable: ['ハブで一時的な問題が発生しました。', 'しばらく待ってから、もう一度お試しください。'],
  network: ['ハブに接続できません。', 'ネットワーク接続を確認して、もう一度お試しください。'],
};

function kindOf(status: number): FhirErrorKind {
  switch (status) {
    case 401:
      return 'signin';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 410:
      return 'gone';
    case 409:
    case 412:
      return 'conflict';
    case 413:
    case 414:
    case 431:
      return 'too-large';
    case 429:
      return 'unavailable';
    default:
      return status >= 500 ? 'unavailable' : 'invalid';
  }
}

/** The issues of an OperationOutcome; informational ones are left out (the hub sends none with an error). */
export function issuesOf(outcome: unknown): FhirIssue[] {
  if (!outcome || typeof outcome !== 'object' || (outcome as { resourceType?: unknown }).resourceType !== 'OperationOutcome') {
    return [];
  }
  const issues = (outcome as OperationOutcome).issue ?? [];
  return issues
    .filter((issue) => issue.severity !== 'information')
    .map((issue) => ({
      severity: issue.severity,
      code: issue.code,
      diagnostics: issue.diagnostics ?? issue.details?.text ?? '',
      expression: issue.expression ?? issue.location ?? [],
    }));
}

/** An HTTP error answer of the hub (status and its body, an OperationOutcome when the hub wrote one) in Japanese. */
export function translateError(status: number, body?: unknown): FhirError {
  const kind = kindOf(status);
  const [title, action] = MESSAGES[kind];
  return new FhirError(kind, status, title, action, issuesOf(body));
}

/** A request that got no answer (offline, hub down, connection cut). */
export function networkError(): FhirError {
  const [title, action] = MESSAGES.network;
  return new FhirError('network', undefined, title, action, []);
}
