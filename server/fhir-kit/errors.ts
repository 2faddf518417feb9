import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

type IssueCode = OperationOutcomeIssue['code'];

/** An error that carries the OperationOutcome and HTTP status the client will receive. */
export class FhirError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  constructor(status: number, outcome: OperationOutcome) {
    super(outcome.issue?.[0]?.details?.text ?? `HTTP ${status}`);
    this.status = status;
    this.outcome = outcome;
  }
}

export function outcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function issue(severity: OperationOutcomeIssue['severity'], code: IssueCode, text: string, expression?: string[]): OperationOutcomeIssue {
  return { severity, code, details: { text }, ...(expression?.length ? { expression } : {}) };
}

function fail(status: number, code: IssueCode, text: string, expression?: string[]): FhirError {
  return new FhirError(status, outcome([issue('error', code, text, expression)]));
}

export const badRequest = (text: string, expression?: string[]) => fail(400, 'invalid', text, expression);
export const unauthorized = (text: string) => fail(401, 'login', text);
export const forbidden = (text: string) => fail(403, 'forbidden', text);
export const notFound = (text: string) => fail(404, 'not-found', text);
export const methodNotAllowed = (text: string) => fail(405, 'not-supported', text);
export const notAcceptable = (text: string) => fail(406, 'not-supported', text);
export const conflict = (text: string) => fail(409, 'conflict', text);
export const gone = (text: string) => fail(410, 'deleted', text);
export const preconditionFailed = (text: string) => fail(412, 'conflict', text);
export const payloadTooLarge = (text: string) => fail(413, 'too-long', text);
export const unsupportedMediaType = (text: string) => fail(415, 'not-supported', text);
export const businessRule = (text: string, expression?: string[]) => fail(422, 'business-rule', text, expression);

/** Invalid content: 400 when it is not valid FHIR, 422 when valid FHIR breaks a profile or rule. */
export function invalidResource(status: 400 | 422, issues: OperationOutcomeIssue[]): FhirError {
  return new FhirError(status, outcome(issues));
}

export function allOk(text: string): OperationOutcome {
  return outcome([issue('information', 'informational', text)]);
}
