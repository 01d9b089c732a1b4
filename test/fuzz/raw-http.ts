import { connect } from 'node:net';

/** One HTTP response as read off the socket, or `null` when the server closed without answering. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The parts of a request; every part is sent as given, so it may break any rule of HTTP. */
export interface RawRequest {
  method: string;
  /** Request target, sent verbatim (no encoding). */
  target: string;
  /** [name, value] pairs, in order, duplicates allowed; `Host` and `Connection: close` are added unless present. */
  headers: [string, string][];
  body?: Buffer | string;
  /** Bytes to send instead of building a request from the parts. */
  raw?: Buffer;
  /**
   * Half-close the connection after sending (the client says it sends nothing more). Node's HTTP server
   * then aborts whatever request is still open on it, so only use it for requests that are cut short.
   */
  halfClose?: boolean;
}

/** Serialises a request. Header values are written as latin1, so any byte 0-255 can be sent. */
export function encodeRequest(port: number, request: RawRequest): Buffer {
  if (request.raw) return request.raw;
  const names = new Set(request.headers.map(([n]) => n.toLowerCase()));
  const headers: [string, string][] = [...request.headers];
  if (!names.has('host')) headers.unshift(['Host', `127.0.0.1:${port}`]);
  if (!names.has('connection')) headers.push(['Connection', 'close']);
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * Sends bytes on a fresh connection and reads one response (skipping `100 Continue`). Resolves `null`
 * when the server closes the connection without a response.
 */
export function rawHttp(port: number, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse | null> {
  const bytes = encodeRequest(port, request);
  const isHead = request.method.toUpperCase() === 'HEAD';
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (value: RawResponse | null | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms to ${request.method} ${request.target.slice(0, 80)}`)), timeoutMs);
    socket.on('connect', () => (request.halfClose ? socket.end(bytes) : socket.write(bytes)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseResponse(received, isHead, false);
      if (parsed) finish(parsed);
    });
    socket.on('error', () => finish(parseResponse(received, isHead, true)));
    socket.on('close', () => finish(parseResponse(received, isHead, true)));
  });
}

/** A complete response from the bytes so far, or null (not complete yet, or nothing when `closed`). */
function parseResponse(buffer: Buffer, isHead: boolean, closed: boolean): RawResponse | null {
  let rest = buffer;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(lines[0]?.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = rest.subarray(end + 4);
    if (status >= 100 && status < 200) {
      rest = body;
      continue;
    }
    if (isHead || status === 204 || status === 304) return { status, headers, body: '' };
    const length = headers['content-length'];
    if (length !== undefined) {
      const n = Number(length);
      return body.length >= n ? { status, headers, body: body.subarray(0, n).toString('utf8') } : null;
    }
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const decoded = decodeChunked(body);
      return decoded === null ? null : { status, headers, body: decoded };
    }
    return closed ? { status, headers, body: body.toString('utf8') } : null;
  }
}

function decodeChunked(body: Buffer): string | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    if (body.length < lineEnd + 2 + size + 2) return null;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
