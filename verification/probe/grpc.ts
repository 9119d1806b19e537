/**
 * A minimal unary gRPC client over cleartext HTTP/2 (prior knowledge), and the little of protobuf's wire format the
 * probe needs to build and read flyteadmin's messages. Only Node's built-in `node:http2`: the probe runs without npm
 * packages (see config.ts).
 *
 * gRPC over HTTP/2: https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
 * Protobuf's wire format: https://protobuf.dev/programming-guides/encoding/
 */
import * as http2 from "node:http2";
import { errorCode, errorText } from "./failure.ts";

/** One field of a protobuf message on the wire. */
export type ProtoField =
    /** Wire type 0 (VARINT): int32, int64, uint32, uint64, bool, enum. */
    | {
          /** The field number. */
          readonly field: number;
          /** The wire type. */
          readonly wire: 0;
          /** The value (exact up to 2^53, which is all the probe reads). */
          readonly value: number;
      }
    /** Wire type 2 (LEN): string, bytes, embedded messages, packed repeated fields. */
    | {
          /** The field number. */
          readonly field: number;
          /** The wire type. */
          readonly wire: 2;
          /** The payload. */
          readonly value: Uint8Array;
      }
    /** Wire types 1 (I64) and 5 (I32): read past, kept raw. */
    | {
          /** The field number. */
          readonly field: number;
          /** The wire type. */
          readonly wire: 1 | 5;
          /** The 8 or 4 bytes, little-endian. */
          readonly value: Uint8Array;
      };

/** A varint: 7 bits a byte, least significant group first, the high bit set on all but the last byte. */
export function encodeVarint(value: number): Uint8Array {
    if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(`cannot encode ${value} as a varint`);
    }
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
        bytes.push((rest % 0x80) | 0x80);
        rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    return Uint8Array.from(bytes);
}

/** Encodes fields in the order given (a tag is `field << 3 | wire type`, as a varint). */
export function encodeMessage(fields: readonly ProtoField[]): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const f of fields) {
        parts.push(encodeVarint(f.field * 8 + f.wire));
        if (f.wire === 0) {
            parts.push(encodeVarint(f.value));
        } else if (f.wire === 2) {
            parts.push(encodeVarint(f.value.length), f.value);
        } else {
            parts.push(f.value);
        }
    }
    return Buffer.concat(parts);
}

/** A string field (proto3 leaves an empty string off the wire). */
export function stringField(field: number, value: string): ProtoField[] {
    return value === "" ? [] : [{ field, wire: 2, value: Buffer.from(value, "utf8") }];
}

/** An unsigned integer or enum field (proto3 leaves zero off the wire). */
export function varintField(field: number, value: number): ProtoField[] {
    return value === 0 ? [] : [{ field, wire: 0, value }];
}

/** Decodes a message into its fields, in wire order; throws on bytes that are not a well-formed message. */
export function decodeMessage(bytes: Uint8Array): ProtoField[] {
    const fields: ProtoField[] = [];
    let offset = 0;
    const varint = (): number => {
        let value = 0;
        let scale = 1;
        for (let i = 0; i < 10; i++) {
            if (offset >= bytes.length) {
                throw new RangeError("truncated varint");
            }
            const byte = bytes[offset++];
            value += (byte & 0x7f) * scale;
            if ((byte & 0x80) === 0) {
                return value;
            }
            scale *= 0x80;
        }
        throw new RangeError("varint longer than 10 bytes");
    };
    const take = (length: number): Uint8Array => {
        if (offset + length > bytes.length) {
            throw new RangeError("truncated field");
        }
        const value = bytes.subarray(offset, offset + length);
        offset += length;
        return value;
    };
    while (offset < bytes.length) {
        const tag = varint();
        const field = Math.floor(tag / 8);
        const wire = tag % 8;
        if (field === 0) {
            throw new RangeError("field number 0");
        }
        if (wire === 0) {
            fields.push({ field, wire, value: varint() });
        } else if (wire === 2) {
            fields.push({ field, wire, value: take(varint()) });
        } else if (wire === 1) {
            fields.push({ field, wire, value: take(8) });
        } else if (wire === 5) {
            fields.push({ field, wire, value: take(4) });
        } else {
            // Wire types 3 and 4 (groups) are deprecated and absent from proto3 messages.
            throw new RangeError(`unsupported wire type ${wire}`);
        }
    }
    return fields;
}

/** Every value of a LEN field (a repeated string or message), in order. */
export function lengthDelimited(fields: readonly ProtoField[], field: number): Uint8Array[] {
    const values: Uint8Array[] = [];
    for (const f of fields) {
        if (f.field === field && f.wire === 2) {
            values.push(f.value);
        }
    }
    return values;
}

/** A string field's value: the last one on the wire wins, absent is "". */
export function stringValue(fields: readonly ProtoField[], field: number): string {
    const values = lengthDelimited(fields, field);
    return values.length === 0 ? "" : Buffer.from(values[values.length - 1]).toString("utf8");
}

/** A varint field's value: the last one on the wire wins, absent is 0. */
export function varintValue(fields: readonly ProtoField[], field: number): number {
    let value = 0;
    for (const f of fields) {
        if (f.field === field && f.wire === 0) {
            value = f.value;
        }
    }
    return value;
}

/** gRPC's status codes, by number (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_STATUS_NAMES: readonly string[] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/** `16 UNAUTHENTICATED`, for messages. */
export function statusName(code: number): string {
    return `${code} ${GRPC_STATUS_NAMES[code] ?? "UNKNOWN_CODE"}`;
}

/** One unary call. */
export interface UnaryCall {
    /** The server's host name or address. */
    readonly host: string;
    /** Its port (cleartext HTTP/2). */
    readonly port: number;
    /** The method's path, `/<package>.<Service>/<Method>`. */
    readonly path: string;
    /** The serialized request message. */
    readonly request: Uint8Array;
    /** Custom metadata (lower-case ASCII keys), e.g. `authorization`. */
    readonly metadata?: Readonly<Record<string, string>>;
    /** The deadline, in milliseconds: sent as `grpc-timeout` and enforced by a local timer. */
    readonly timeoutMs: number;
}

/** What a unary call came to. */
export type UnaryOutcome =
    /** The server answered with gRPC: a status and, with OK, the response message. */
    | {
          readonly kind: "status";
          /** grpc-status (0 OK). A local deadline is 4 DEADLINE_EXCEEDED, as gRPC's own clients report it. */
          readonly code: number;
          /** grpc-message, percent-decoded. */
          readonly details: string;
          /** The response message, with OK. */
          readonly response?: Uint8Array;
      }
    /** Something answered HTTP/2, but not as a gRPC server would (HTTP status ≠ 200 or another content type). */
    | {
          readonly kind: "not-grpc";
          /** The HTTP status. */
          readonly httpStatus: number;
          /** Its content-type, "" when absent. */
          readonly contentType: string;
      }
    /** No HTTP/2 conversation: the connection failed, timed out, or the peer does not speak cleartext HTTP/2. */
    | {
          readonly kind: "unreachable";
          /** e.g. `ECONNREFUSED`, `ENOTFOUND`, `TIMEOUT`, `ERR_HTTP2_ERROR`. */
          readonly code: string;
          /** What happened, for messages. */
          readonly reason: string;
      };

/** A gRPC message on the wire: a compressed flag (0), a 4-byte big-endian length, the message (PROTOCOL-HTTP2.md, Length-Prefixed-Message). */
export function frameMessage(message: Uint8Array): Buffer {
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt8(0, 0);
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    return frame;
}

/** The messages of a response body, or an error text when the body is not a sequence of uncompressed messages. */
export function unframeMessages(body: Buffer): Uint8Array[] | string {
    const messages: Uint8Array[] = [];
    let offset = 0;
    while (offset < body.length) {
        if (offset + 5 > body.length) {
            return "truncated message prefix";
        }
        if (body.readUInt8(offset) !== 0) {
            // We send no grpc-accept-encoding, so a server must not compress (PROTOCOL-HTTP2.md, Compressed-Flag).
            return "compressed message";
        }
        const length = body.readUInt32BE(offset + 1);
        if (offset + 5 + length > body.length) {
            return "truncated message";
        }
        messages.push(body.subarray(offset + 5, offset + 5 + length));
        offset += 5 + length;
    }
    return messages;
}

/** grpc-message is percent-encoded (PROTOCOL-HTTP2.md, Status-Message); a malformed one is shown as sent. */
function decodeGrpcMessage(value: string | string[] | undefined): string {
    const text = Array.isArray(value) ? value.join(",") : (value ?? "");
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

function headerText(value: string | string[] | number | undefined): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    return Array.isArray(value) ? value.join(",") : String(value);
}

/**
 * Calls one unary method over a fresh cleartext HTTP/2 connection (`http2.connect("http://host:port")`, prior
 * knowledge, no TLS), closed afterwards. Never throws: every outcome is a `UnaryOutcome`.
 */
export function unaryCall(call: UnaryCall): Promise<UnaryOutcome> {
    return new Promise<UnaryOutcome>((resolve) => {
        const host = call.host.includes(":") ? `[${call.host}]` : call.host;
        let connected = false;
        let settled = false;
        let httpStatus: number | undefined;
        let contentType = "";
        let headerStatus: string | undefined;
        let headerMessage: string | string[] | undefined;
        let trailerStatus: string | undefined;
        let trailerMessage: string | string[] | undefined;
        const chunks: Buffer[] = [];

        const session = http2.connect(`http://${host}:${call.port}`);
        const finish = (outcome: UnaryOutcome): void => {
            if (settled) {
                return;
            }
            settled = true;
            clearTimeout(timer);
            session.destroy();
            resolve(outcome);
        };
        const timer = setTimeout(() => {
            finish(
                connected
                    ? { kind: "status", code: 4, details: `no answer within ${call.timeoutMs} ms` }
                    : { kind: "unreachable", code: "TIMEOUT", reason: `no connection within ${call.timeoutMs} ms` },
            );
        }, call.timeoutMs);

        session.on("connect", () => {
            connected = true;
        });
        session.on("error", (error: unknown) => {
            finish({ kind: "unreachable", code: errorCode(error), reason: errorText(error) });
        });

        // The deadline in milliseconds: TimeoutValue is at most 8 digits (PROTOCOL-HTTP2.md, Timeout).
        const timeout = Math.min(Math.max(Math.ceil(call.timeoutMs), 1), 99_999_999);
        const stream = session.request({
            ...call.metadata,
            ":method": "POST",
            ":scheme": "http",
            ":path": call.path,
            "content-type": "application/grpc",
            te: "trailers",
            "grpc-timeout": `${timeout}m`,
        });
        stream.on("response", (headers) => {
            httpStatus = Number(headers[":status"]);
            contentType = headerText(headers["content-type"]) ?? "";
            // A Trailers-Only response carries grpc-status in its only HEADERS frame.
            headerStatus = headerText(headers["grpc-status"]);
            headerMessage = headers["grpc-message"];
        });
        stream.on("trailers", (trailers) => {
            trailerStatus = headerText(trailers["grpc-status"]);
            trailerMessage = trailers["grpc-message"];
        });
        stream.on("data", (chunk: Buffer) => {
            chunks.push(chunk);
        });
        // Before any response, the session's own error (refused, not found, a protocol error) says more than the
        // stream's cancellation or close, which come first: let it win.
        const unreachableSoon = (code: string, reason: string): void => {
            setImmediate(() => finish({ kind: "unreachable", code, reason }));
        };
        stream.on("error", (error: unknown) => {
            if (httpStatus === undefined) {
                unreachableSoon(errorCode(error), errorText(error));
            } else {
                // A reset stream after the headers: gRPC's clients report it as INTERNAL (or CANCELLED).
                finish({ kind: "status", code: 13, details: `the stream failed: ${errorText(error)}` });
            }
        });
        stream.on("close", () => {
            if (httpStatus === undefined) {
                const code = stream.rstCode === undefined ? "ERR_HTTP2_STREAM_CLOSED" : `RST_STREAM ${stream.rstCode}`;
                unreachableSoon(code, "the stream closed before any response headers");
                return;
            }
            if (httpStatus !== 200 || !/^application\/grpc(\+|;|$)/.test(contentType)) {
                finish({ kind: "not-grpc", httpStatus, contentType });
                return;
            }
            const status = trailerStatus ?? headerStatus;
            if (status === undefined) {
                finish({ kind: "status", code: 13, details: "the response had no grpc-status" });
                return;
            }
            const code = Number(status);
            const details = decodeGrpcMessage(trailerStatus !== undefined ? trailerMessage : headerMessage);
            if (code !== 0) {
                finish({ kind: "status", code, details });
                return;
            }
            const messages = unframeMessages(Buffer.concat(chunks));
            if (typeof messages === "string") {
                finish({ kind: "status", code: 13, details: `malformed response: ${messages}` });
            } else if (messages.length !== 1) {
                finish({ kind: "status", code: 13, details: `a unary response had ${messages.length} messages` });
            } else {
                finish({ kind: "status", code: 0, details, response: messages[0] });
            }
        });
        stream.end(frameMessage(call.request));
    });
}
