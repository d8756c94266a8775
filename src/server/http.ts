// The app on a real socket (Node's HTTP server), with what only that layer can do (CONTRACT §5):
// headers within 10 s and a body within 30 s (`408 timeout`, then the connection closes; a
// long-poll pull has no body, so its wait is never cut), and every refusal of the HTTP layer as
// the contract's JSON — 431 headers_too_large, 414 uri_too_long, 400 bad_request (a bad Host,
// a request that does not parse) — never Node's bare pages. drain() is the SIGTERM path.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener, RequestError } from '@hono/node-server';
import { errorBody, type ErrorCode } from '../sync/protocol.ts';
import { MAX_URL_LENGTH } from './app.ts';
import { requestLine } from './log-line.ts';

export const HEADERS_TIMEOUT_MS = 10_000;
export const BODY_TIMEOUT_MS = 30_000;
/** Request line and headers together; Node's own default. */
export const MAX_HEADER_BYTES = 16_384;

export interface HttpOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  host: string;
  port: number;
  headersTimeoutMs?: number;
  /** From the first byte of a request to its last (Node's requestTimeout). */
  bodyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface HttpServer {
  server: Server;
  address: AddressInfo;
  /**
   * Stops taking connections; every response from now on says `Connection: close` and its
   * connection closes as it ends; idle connections close now. Resolves once all are closed.
   */
  drain(): Promise<void>;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 414: 'URI Too Long', 431: 'Request Header Fields Too Large' };

export async function listenHttp({ fetch, host, port, headersTimeoutMs = HEADERS_TIMEOUT_MS, bodyTimeoutMs = BODY_TIMEOUT_MS, log = console.log }: HttpOptions): Promise<HttpServer> {
  let draining = false;
  const open = new Set<ServerResponse>();
  const listener = getRequestListener(fetch, {
    // A Host the URL cannot be built from never reaches the app: answer it here, in JSON.
    errorHandler: (error) => {
      if (error instanceof RequestError) return jsonResponse(400, 'bad_request', `The request is malformed: ${error.message}.`);
      console.error(error);
      return jsonResponse(500, 'internal', 'The server failed to handle this request.');
    },
  });
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: bodyTimeoutMs,
      // How often Node looks for requests past those limits; its default (30 s) would let them run long.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, headersTimeoutMs / 4)),
      maxHeaderSize: MAX_HEADER_BYTES,
      // The Host check is ours (JSON), not Node's bare 400.
      requireHostHeader: false,
    },
    (request: IncomingMessage, response: ServerResponse) => {
      open.add(response);
      if (draining) response.setHeader('Connection', 'close');
      response.on('close', () => open.delete(response));
      void listener(request, response);
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const refusal = refusalFor(error);
    if (!refusal) {
      // The client hung up or reset: nobody to answer.
      log(`- - aborted (${error.code ?? error.message})`);
      socket.destroy();
      return;
    }
    const [status, code, message] = refusal;
    log(requestLine({ method: '-', path: '-', outcome: status, ms: 0 }) + ` ${code}`);
    // A response already under way on this socket cannot be replaced; just close.
    const busy = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
    if (socket.writable && !busy) {
      const body = JSON.stringify(errorBody(code, message));
      socket.end(
        `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroySoon();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    server,
    address: server.address() as AddressInfo,
    drain() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Responses not begun yet say Connection: close; Node then closes each socket as its response ends.
      for (const response of open) if (!response.headersSent) response.setHeader('Connection', 'close');
      server.closeIdleConnections();
      // A response already sent on a kept-alive socket leaves it idle: close those as they finish.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      return closed.finally(() => clearInterval(sweep));
    },
  };

  function refusalFor(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): [number, ErrorCode, string] | undefined {
    switch (error.code) {
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        return [408, 'timeout', `Headers must arrive within ${headersTimeoutMs / 1000} s and a whole request within ${bodyTimeoutMs / 1000} s.`];
      case 'HPE_HEADER_OVERFLOW':
        // The request line is counted in the same budget: when it never ended, the URL was the problem.
        return requestLineTooLong(error.rawPacket)
          ? [414, 'uri_too_long', `The request line is over ${MAX_URL_LENGTH} bytes.`]
          : [431, 'headers_too_large', `The request line and headers may be at most ${MAX_HEADER_BYTES} bytes.`];
      case 'ECONNRESET':
      case 'EPIPE':
        return undefined;
      default:
        return [400, 'bad_request', 'The request is not valid HTTP/1.1.'];
    }
  }
}

/** The bytes the parser gave up on: a request line that is already too long, or never ended. */
function requestLineTooLong(packet: Buffer | undefined): boolean {
  if (!packet) return false;
  const end = packet.indexOf('\n');
  return end === -1 || end > MAX_URL_LENGTH;
}

function jsonResponse(status: number, code: ErrorCode, message: string): Response {
  return new Response(JSON.stringify(errorBody(code, message)), { status, headers: { 'content-type': 'application/json' } });
}
