/**
 * A minimal WebSocket client over a raw TCP connection, for the load
 * generators. It costs far less per frame than the built-in `WebSocket`
 * (no event objects, one read can carry many frames), so the generator is not
 * what limits a benchmark. It speaks just enough of RFC 6455: the upgrade
 * handshake, masked client frames, unfragmented and fragmented server frames,
 * and answers pings and close frames.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

/** Called with the payload of every text frame; valid only during the call. */
export type TextHandler = (payload: Uint8Array) => void;

/** Options for {@linkcode openRawSocket}. */
export interface RawSocketOptions {
  /** Bytes per read; small values keep thousands of idle sockets cheap. @default {16384} */
  readBufferSize?: number;
  /** Value of the `Origin` header. @default {"http://<host>:<port>"} */
  origin?: string;
  /** Gives up on the connection and handshake after this long. @default {10000} */
  timeoutMs?: number;
}

/** An open client connection made by {@linkcode openRawSocket}. */
export interface RawSocket {
  /** Sends a text frame (a string, or UTF-8 bytes already encoded). */
  send(data: string | Uint8Array): Promise<void>;
  /** Sends a frame built by {@linkcode encodeTextFrame}, as is. */
  sendFrame(frame: Uint8Array): Promise<void>;
  /** Closes the TCP connection (no closing handshake: this is a load tool). */
  close(): void;
  /** Resolves once the connection is closed, by either side. */
  closed: Promise<void>;
  /** The close code the server sent, if it sent a close frame. */
  closeCode(): number | undefined;
}

/** Encodes a masked client text frame, ready for {@linkcode RawSocket.sendFrame}. */
export function encodeTextFrame(data: string | Uint8Array): Uint8Array {
  return encodeFrame(
    OP_TEXT,
    typeof data === "string" ? encoder.encode(data) : data,
  );
}

function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = new Uint8Array(2 + lengthBytes + 4 + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) {
    frame[1] = 0x80 | length;
  } else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame[2] = length >> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(length));
  }
  const maskAt = 2 + lengthBytes;
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, maskAt);
  const payloadAt = maskAt + 4;
  for (let i = 0; i < length; i++) {
    frame[payloadAt + i] = payload[i] ^ mask[i & 3];
  }
  return frame;
}

/** Decodes a frame payload as UTF-8 text. */
export function payloadText(payload: Uint8Array): string {
  return decoder.decode(payload);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}

async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    encoder.encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

function indexOfHeaderEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) {
    if (
      bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 &&
      bytes[i - 3] === 13
    ) return i + 1;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Opens `ws://host:port/path` and calls `onText` for every text frame.
 * Rejects if the server does not answer the upgrade with 101.
 */
export async function openRawSocket(
  url: string,
  onText: TextHandler,
  options: RawSocketOptions = {},
): Promise<RawSocket> {
  const target = new URL(url);
  if (target.protocol !== "ws:") throw new Error(`not a ws: URL: ${url}`);
  const port = Number(target.port || 80);
  const conn = await Deno.connect({ hostname: target.hostname, port });
  conn.setNoDelay(true);
  const readBuffer = new Uint8Array(options.readBufferSize ?? 16384);
  let leftover: Uint8Array;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, options.timeoutMs ?? 10000);
  try {
    leftover = await handshake(conn, target, readBuffer, options);
  } catch (error) {
    if (timedOut) throw new Error(`handshake with ${url} timed out`);
    conn.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  let open = true;
  let serverCloseCode: number | undefined;
  let fragments: Uint8Array[] = [];
  let fragmentOpcode = 0;
  let writeChain: Promise<void> = Promise.resolve();

  const sendFrame = (frame: Uint8Array): Promise<void> => {
    if (!open) return Promise.reject(new Error("socket closed"));
    // Writes are chained so that concurrent sends never interleave bytes.
    writeChain = writeChain.then(() => writeAll(conn, frame));
    return writeChain;
  };
  const closeNow = () => {
    if (!open) return;
    open = false;
    try {
      conn.close();
    } catch {
      // Already closed by the peer.
    }
  };

  const handleFrame = (opcode: number, fin: boolean, payload: Uint8Array) => {
    if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (fin) {
        if (opcode === OP_TEXT) onText(payload);
      } else {
        fragmentOpcode = opcode;
        fragments = [payload.slice()];
      }
    } else if (opcode === OP_CONTINUATION) {
      fragments.push(payload.slice());
      if (fin) {
        const whole = fragments.reduce(concat);
        fragments = [];
        if (fragmentOpcode === OP_TEXT) onText(whole);
      }
    } else if (opcode === OP_PING) {
      sendFrame(encodeFrame(0xa, payload.slice())).catch(() => {});
    } else if (opcode === OP_CLOSE) {
      serverCloseCode = payload.length >= 2
        ? (payload[0] << 8) | payload[1]
        : 1005;
      sendFrame(encodeFrame(OP_CLOSE, payload.slice(0, 2)))
        .catch(() => {})
        .finally(closeNow);
    }
  };

  /** Parses every complete frame in `data`; returns the unparsed tail. */
  const parse = (data: Uint8Array): Uint8Array => {
    let at = 0;
    while (data.length - at >= 2) {
      const b0 = data[at];
      const b1 = data[at + 1];
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = (data[at + 2] << 8) | data[at + 3];
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(
          new DataView(data.buffer, data.byteOffset + at + 2, 8)
            .getBigUint64(0),
        );
        header = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const maskAt = at + header;
      if (masked) header += 4;
      if (data.length - at < header + length) break;
      const payload = data.subarray(at + header, at + header + length);
      if (masked) {
        for (let i = 0; i < payload.length; i++) {
          payload[i] ^= data[maskAt + (i & 3)];
        }
      }
      handleFrame(b0 & 0x0f, (b0 & 0x80) !== 0, payload);
      at += header + length;
    }
    return at === data.length ? new Uint8Array(0) : data.slice(at);
  };

  const closed = (async () => {
    try {
      leftover = parse(leftover);
      while (open) {
        const n = await conn.read(readBuffer);
        if (n === null) break;
        const chunk = readBuffer.subarray(0, n);
        leftover = parse(leftover.length ? concat(leftover, chunk) : chunk);
      }
    } catch {
      // A reset or a local close ends the read loop; either way it is closed.
    } finally {
      closeNow();
    }
  })();

  return {
    send: (data) => sendFrame(encodeTextFrame(data)),
    sendFrame,
    close: closeNow,
    closed,
    closeCode: () => serverCloseCode,
  };
}

async function handshake(
  conn: Deno.Conn,
  target: URL,
  readBuffer: Uint8Array,
  options: RawSocketOptions,
): Promise<Uint8Array> {
  const key = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
  const host = target.host;
  const origin = options.origin ?? `http://${host}`;
  const request = `GET ${target.pathname}${target.search} HTTP/1.1\r\n` +
    `Host: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
    `Origin: ${origin}\r\n\r\n`;
  await writeAll(conn, encoder.encode(request));

  let received: Uint8Array = new Uint8Array(0);
  let end = -1;
  while (end < 0) {
    if (received.length > 65536) throw new Error("handshake response too big");
    const n = await conn.read(readBuffer);
    if (n === null) throw new Error("connection closed during handshake");
    received = concat(received, readBuffer.subarray(0, n));
    end = indexOfHeaderEnd(received);
  }
  const head = decoder.decode(received.subarray(0, end));
  const status = head.slice(0, head.indexOf("\r\n"));
  if (!/^HTTP\/1\.1 101 /.test(status)) {
    throw new Error(`upgrade refused: ${status}`);
  }
  const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
  if (accept !== await acceptKey(key)) {
    throw new Error("bad Sec-WebSocket-Accept");
  }
  return received.slice(end);
}
