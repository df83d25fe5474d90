/**
 * A hand-written WebSocket client over a raw TCP connection, for what a real
 * client hides: never answering pings, or not reading at all.
 *
 * @module
 */

/** A parsed server frame. */
export interface RawFrame {
  opcode: number;
  payload: Uint8Array;
}

/** A raw connection after a successful handshake. */
export class RawWebSocket {
  #buffer = new Uint8Array(0);

  private constructor(readonly conn: Deno.TcpConn) {}

  /** Connects and performs the opening handshake; throws unless 101. */
  static async connect(
    port: number,
    path = "/ws",
  ): Promise<RawWebSocket> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const key = btoa(
      String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
    );
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    const socket = new RawWebSocket(conn);
    const head = await socket.#readUntilHeadersEnd();
    if (!head.startsWith("HTTP/1.1 101")) {
      conn.close();
      throw new Error(`Handshake refused: ${head.split("\r\n")[0]}`);
    }
    return socket;
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(65536);
    const n = await this.conn.read(chunk);
    if (n === null) return false;
    const merged = new Uint8Array(this.#buffer.length + n);
    merged.set(this.#buffer);
    merged.set(chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = merged;
    return true;
  }

  async #readUntilHeadersEnd(): Promise<string> {
    while (true) {
      const text = new TextDecoder().decode(this.#buffer);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        this.#buffer = this.#buffer.subarray(
          new TextEncoder().encode(text.slice(0, end + 4)).length,
        );
        return text.slice(0, end);
      }
      if (!await this.#fill()) throw new Error("Closed during handshake");
    }
  }

  /** Sends one masked frame (text by default). */
  async sendFrame(payload: Uint8Array | string, opcode = 0x1): Promise<void> {
    const data = typeof payload === "string"
      ? new TextEncoder().encode(payload)
      : payload;
    const header: number[] = [0x80 | opcode];
    if (data.length < 126) header.push(0x80 | data.length);
    else if (data.length < 65536) {
      header.push(0x80 | 126, data.length >> 8, data.length & 0xff);
    } else throw new Error("payload too large for this helper");
    const mask = crypto.getRandomValues(new Uint8Array(4));
    const frame = new Uint8Array(header.length + 4 + data.length);
    frame.set(header);
    frame.set(mask, header.length);
    for (let i = 0; i < data.length; i++) {
      frame[header.length + 4 + i] = data[i] ^ mask[i % 4];
    }
    let written = 0;
    while (written < frame.length) {
      written += await this.conn.write(frame.subarray(written));
    }
  }

  /** Reads the next frame, or null at end of stream. */
  async readFrame(): Promise<RawFrame | null> {
    while (true) {
      const frame = this.#parse();
      if (frame) return frame;
      if (!await this.#fill()) return null;
    }
  }

  #parse(): RawFrame | null {
    const b = this.#buffer;
    if (b.length < 2) return null;
    let length = b[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = (b[2] << 8) | b[3];
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(
        new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0),
      );
      offset = 10;
    }
    if (b.length < offset + length) return null;
    const frame = {
      opcode: b[0] & 0x0f,
      payload: b.slice(offset, offset + length),
    };
    this.#buffer = b.subarray(offset + length);
    return frame;
  }

  /** Reads frames until a close frame (returns its code) or end of stream (null). */
  async readUntilClose(
    onFrame?: (frame: RawFrame) => void,
  ): Promise<number | null> {
    while (true) {
      const frame = await this.readFrame();
      if (!frame) return null;
      onFrame?.(frame);
      if (frame.opcode === 0x8) {
        return frame.payload.length >= 2
          ? (frame.payload[0] << 8) | frame.payload[1]
          : 1005;
      }
    }
  }

  /** Closes the TCP connection. */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}
