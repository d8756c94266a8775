// One line per request. Whatever the client sent (path, user id) is escaped, so no request can
// write a line of its own (CONTRACT §5): a value with anything but printable ASCII and no space
// is written as a JSON string, which escapes control characters, quotes and lone surrogates.
const PLAIN = /^[\x21\x23-\x7e]*$/;

export function logValue(value: string): string {
  return PLAIN.test(value) ? value : JSON.stringify(value);
}

export interface RequestLine {
  method: string;
  path: string;
  /** The status answered, or `aborted` when the client went away first. */
  outcome: number | 'aborted';
  ms: number;
  userId?: string;
}

export function requestLine({ method, path, outcome, ms, userId }: RequestLine): string {
  return `${logValue(method)} ${logValue(path)} ${outcome} ${ms.toFixed(1)}ms${userId === undefined ? '' : ` user=${logValue(userId)}`}`;
}
