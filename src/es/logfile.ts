// The export file of CONTRACT §4 (`.cartlog.ndjson`): a header line, then one envelope per line.
// Reading validates the whole file before anything is written, and names the first bad line
// (the header is line 1) and why — an import is all or nothing.
import type { EventEnvelope } from './envelope.ts';
import { checkEnvelope, type DataValidator } from './validate.ts';

export const LOG_FORMAT = 'cartlog';
export const LOG_FORMAT_VERSION = 1;
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
export const MAX_FILE_EVENTS = 2_000_000;

export interface LogHeader {
  format: typeof LOG_FORMAT;
  formatVersion: typeof LOG_FORMAT_VERSION;
  exportedAt: string;
  eventCount: number;
}

export type LogFileResult = { ok: true; header: LogHeader; events: EventEnvelope[] } | { ok: false; line: number; reason: string };

/**
 * Export order: confirmed events by position, then pending ones in local order — so each stream
 * appears in version order. `events` come in local (log) order.
 */
export function exportOrder(events: readonly EventEnvelope[]): EventEnvelope[] {
  const confirmed = events.filter((e) => e.position !== undefined).sort((a, b) => a.position! - b.position!);
  return [...confirmed, ...events.filter((e) => e.position === undefined)];
}

export function* logFileLines(events: readonly EventEnvelope[], exportedAt = new Date()): Generator<string> {
  const header: LogHeader = { format: LOG_FORMAT, formatVersion: LOG_FORMAT_VERSION, exportedAt: exportedAt.toISOString(), eventCount: events.length };
  yield `${JSON.stringify(header)}\n`;
  for (const event of exportOrder(events)) yield `${JSON.stringify(event)}\n`;
}

/** Refused before reading a byte: the contract's size limit. */
export function checkFileSize(bytes: number): LogFileResult | null {
  if (bytes === 0) return { ok: false, line: 1, reason: 'the file is empty (a cartlog export has at least its header line)' };
  if (bytes > MAX_FILE_BYTES) return { ok: false, line: 1, reason: `the file is ${formatMiB(bytes)}; files over 256 MiB are refused` };
  return null;
}

/** Validates a whole export file given as text lines (no line endings). */
export function readLogFile(lines: Iterable<string>, validateData?: DataValidator): LogFileResult {
  const iterator = lines[Symbol.iterator]();
  const first = iterator.next();
  if (first.done || first.value.trim() === '') return { ok: false, line: 1, reason: 'the file is empty (a cartlog export has at least its header line)' };
  const header = parseHeader(first.value);
  if (typeof header === 'string') return { ok: false, line: 1, reason: header };

  const events: EventEnvelope[] = [];
  const versions = new Map<string, number>();
  const idLines = new Map<string, number>();
  let lineNumber = 1;
  let trailingBlank = false;
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    lineNumber++;
    const text = next.value;
    if (text.trim() === '') {
      trailingBlank = true;
      continue;
    }
    if (trailingBlank) return { ok: false, line: lineNumber - 1, reason: 'an empty line stands between events' };
    if (events.length === header.eventCount)
      return { ok: false, line: lineNumber, reason: `the header says ${header.eventCount} events, but more follow` };
    const problem = checkLine(text, validateData, versions, idLines, lineNumber);
    if (typeof problem === 'string') return { ok: false, line: lineNumber, reason: problem };
    events.push(problem);
  }
  if (events.length !== header.eventCount)
    return { ok: false, line: 1, reason: `the header says ${header.eventCount} events, but the file has ${events.length}` };
  return { ok: true, header, events };
}

function checkLine(
  text: string,
  validateData: DataValidator | undefined,
  versions: Map<string, number>,
  idLines: Map<string, number>,
  lineNumber: number,
): EventEnvelope | string {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const invalid = checkEnvelope(event, validateData);
  if (invalid) return `${invalid.field} ${invalid.reason}`;
  const envelope = event as EventEnvelope;
  const seenOn = idLines.get(envelope.id);
  if (seenOn !== undefined) return `id ${envelope.id} appears twice (first on line ${seenOn})`;
  idLines.set(envelope.id, lineNumber);
  const expected = (versions.get(envelope.streamId) ?? 0) + 1;
  if (envelope.version !== expected)
    return expected === 1
      ? `stream ${envelope.streamId} starts at version ${envelope.version}, not 1`
      : `stream ${envelope.streamId} jumps from version ${expected - 1} to ${envelope.version}`;
  versions.set(envelope.streamId, envelope.version);
  return envelope;
}

function parseHeader(text: string): LogHeader | string {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    return 'the header is not valid JSON';
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'the header must be a JSON object';
  const h = header as Record<string, unknown>;
  if (h.format !== LOG_FORMAT) return `this is not a cartlog export (format must be "${LOG_FORMAT}")`;
  if (h.formatVersion !== LOG_FORMAT_VERSION) return `formatVersion ${JSON.stringify(h.formatVersion)} is not supported (this app reads ${LOG_FORMAT_VERSION})`;
  if (typeof h.exportedAt !== 'string' || Number.isNaN(Date.parse(h.exportedAt))) return 'exportedAt must be an ISO 8601 time';
  if (typeof h.eventCount !== 'number' || !Number.isSafeInteger(h.eventCount) || h.eventCount < 0)
    return 'eventCount must be a whole number ≥ 0';
  if (h.eventCount > MAX_FILE_EVENTS) return `the file holds ${h.eventCount} events; files over ${MAX_FILE_EVENTS.toLocaleString('en')} events are refused`;
  return h as unknown as LogHeader;
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
