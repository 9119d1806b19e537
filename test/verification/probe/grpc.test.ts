// The probe's unary gRPC client and protobuf wire format, against a real @grpc/grpc-js server (the fake flyteadmin),
// google-protobuf's own encoder and decoder, and raw HTTP/2 servers for what a gRPC library would not send.
import { BinaryReader, BinaryWriter } from "google-protobuf";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import {
    decodeMessage,
    encodeMessage,
    encodeVarint,
    frameMessage,
    lengthDelimited,
    statusName,
    stringField,
    stringValue,
    unaryCall,
    unframeMessages,
    varintField,
    varintValue,
} from "../../../verification/probe/grpc.ts";
import { closedPort, startFakeFlyteadmin, startPlainHttp2Server, type FakeFlyteadmin } from "../../helpers/fakeFlyteadmin";

describe("protobuf wire format", () => {
    test("varints as the encoding guide gives them", () => {
        // https://protobuf.dev/programming-guides/encoding/#varints: 1 is 01, 150 is 96 01.
        expect([...encodeVarint(0)]).toEqual([0]);
        expect([...encodeVarint(1)]).toEqual([1]);
        expect([...encodeVarint(150)]).toEqual([0x96, 0x01]);
        expect([...encodeVarint(2 ** 35 + 3)]).toEqual([...new BinaryWriterBytes((w) => w.writeUint64(1, 2 ** 35 + 3)).bytes.subarray(1)]);
        expect(() => encodeVarint(-1)).toThrow(RangeError);
        expect(() => encodeVarint(1.5)).toThrow(RangeError);
    });

    test("what the probe encodes, google-protobuf reads", () => {
        const bytes = encodeMessage([...varintField(1, 100), ...stringField(2, "next"), ...stringField(3, ""), ...varintField(4, 0)]);
        const reader = new BinaryReader(bytes);
        const seen: [number, unknown][] = [];
        while (reader.nextField()) {
            const field = reader.getFieldNumber();
            seen.push([field, field === 1 ? reader.readUint32() : reader.readString()]);
        }
        // proto3 leaves empty strings and zeros off the wire.
        expect(seen).toEqual([
            [1, 100],
            [2, "next"],
        ]);
        expect(encodeMessage(stringField(1, ""))).toHaveLength(0);
    });

    test("what google-protobuf encodes, the probe reads, nested and unknown fields included", () => {
        const bytes = new BinaryWriterBytes((w) => {
            w.writeMessage(1, "a", (value: string, inner: BinaryWriter) => {
                inner.writeString(1, value);
                inner.writeEnum(6, 1);
            });
            w.writeMessage(1, "b", (value: string, inner: BinaryWriter) => inner.writeString(1, value));
            w.writeFixed64(7, 5);
            w.writeFixed32(8, 9);
            w.writeString(2, "token");
            w.writeString(2, "last wins");
            w.writeUint64(9, 2 ** 40);
        }).bytes;
        const fields = decodeMessage(bytes);
        expect(lengthDelimited(fields, 1).map((project) => stringValue(decodeMessage(project), 1))).toEqual(["a", "b"]);
        expect(varintValue(decodeMessage(lengthDelimited(fields, 1)[0]), 6)).toBe(1);
        expect(stringValue(fields, 2)).toBe("last wins");
        expect(stringValue(fields, 3)).toBe("");
        expect(varintValue(fields, 9)).toBe(2 ** 40);
        expect(varintValue(fields, 10)).toBe(0);
        expect(fields.flatMap((f) => (f.wire === 1 || f.wire === 5 ? [[f.field, f.value.length]] : []))).toEqual([
            [7, 8],
            [8, 4],
        ]);
    });

    test("malformed messages are rejected", () => {
        expect(() => decodeMessage(Uint8Array.from([0x08]))).toThrow("truncated varint");
        expect(() => decodeMessage(Uint8Array.from([0x12, 0x05, 0x61]))).toThrow("truncated field");
        expect(() => decodeMessage(Uint8Array.from([0x0b]))).toThrow("unsupported wire type 3");
        expect(() => decodeMessage(Uint8Array.from([0x00]))).toThrow("field number 0");
        expect(() => decodeMessage(Uint8Array.from([0x08, ...new Array(10).fill(0xff), 0x01]))).toThrow("varint longer than 10 bytes");
    });

    test("gRPC's length-prefixed framing", () => {
        const framed = frameMessage(Uint8Array.from([1, 2, 3]));
        expect([...framed]).toEqual([0, 0, 0, 0, 3, 1, 2, 3]);
        const messages = unframeMessages(Buffer.concat([framed, frameMessage(new Uint8Array(0))]));
        expect(typeof messages === "string" ? messages : messages.map((message) => [...message])).toEqual([[1, 2, 3], []]);
        expect(unframeMessages(Buffer.from([0, 0, 0]))).toBe("truncated message prefix");
        expect(unframeMessages(Buffer.from([1, 0, 0, 0, 0]))).toBe("compressed message");
        expect(unframeMessages(Buffer.from([0, 0, 0, 0, 4, 1]))).toBe("truncated message");
        expect(statusName(16)).toBe("16 UNAUTHENTICATED");
        expect(statusName(99)).toBe("99 UNKNOWN_CODE");
    });
});

/** google-protobuf's writer, its bytes. */
class BinaryWriterBytes {
    readonly bytes: Uint8Array;
    constructor(write: (writer: BinaryWriter) => void) {
        const writer = new BinaryWriter();
        write(writer);
        this.bytes = writer.getResultBuffer();
    }
}

describe("unaryCall", () => {
    let admin: FakeFlyteadmin;
    let withoutHealth: FakeFlyteadmin;
    const servers: { close(): Promise<void> }[] = [];
    const health = { path: "/grpc.health.v1.Health/Check", request: encodeMessage([]), timeoutMs: 2000 };

    beforeAll(async () => {
        admin = await startFakeFlyteadmin({ knobs: { token: "tok" } });
        withoutHealth = await startFakeFlyteadmin({ health: false });
    });
    afterEach(() => admin.reset());
    afterAll(async () => {
        await Promise.all([admin.close(), withoutHealth.close(), ...servers.map((server) => server.close())]);
    });

    /** A raw HTTP/2 server answering every stream with `answer`. */
    async function rawServer(answer: (stream: http2.ServerHttp2Stream) => void): Promise<number> {
        const sessions = new Set<http2.ServerHttp2Session>();
        const server = http2.createServer();
        server.on("session", (session) => sessions.add(session));
        server.on("stream", (stream) => {
            stream.on("error", () => undefined);
            answer(stream);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        servers.push({
            close: async () => {
                sessions.forEach((session) => session.destroy());
                await new Promise<void>((resolve) => server.close(() => resolve()));
            },
        });
        return (server.address() as AddressInfo).port;
    }

    test("a response message with OK, metadata and the deadline sent", async () => {
        const outcome = await unaryCall({ host: "127.0.0.1", port: admin.grpcPort, ...health, metadata: { authorization: "Bearer tok" } });
        expect(outcome.kind === "status" && outcome.code).toBe(0);
        expect(outcome.kind === "status" && varintValue(decodeMessage(outcome.response ?? new Uint8Array(0)), 1)).toBe(1);
        expect(admin.requests.grpc).toEqual([{ path: health.path, authorization: "Bearer tok", deadline: true }]);
    });

    test("a status from the server, percent-decoded", async () => {
        expect(await unaryCall({ host: "127.0.0.1", port: admin.grpcPort, ...health })).toEqual({
            kind: "status",
            code: 16,
            details: "token parse error: access token err: failed to validate token: invalid audience",
        });
        admin.knobs.grpcStatus = { code: 13, details: "100% broken: ünïcode" };
        expect(await unaryCall({ host: "127.0.0.1", port: admin.grpcPort, ...health })).toEqual({ kind: "status", code: 13, details: "100% broken: ünïcode" });
    });

    test("UNIMPLEMENTED from a gRPC server without the method", async () => {
        const outcome = await unaryCall({ host: "127.0.0.1", port: withoutHealth.grpcPort, ...health });
        expect(outcome.kind === "status" && outcome.code).toBe(12);
    });

    test("a Trailers-Only response carries the status in its only headers", async () => {
        const port = await rawServer((stream) => {
            stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "7", "grpc-message": "not%20allowed" }, { endStream: true });
        });
        expect(await unaryCall({ host: "127.0.0.1", port, ...health })).toEqual({ kind: "status", code: 7, details: "not allowed" });
    });

    test("a response without a status, with two messages, or malformed, is INTERNAL", async () => {
        const noStatus = await rawServer((stream) => {
            stream.respond({ ":status": 200, "content-type": "application/grpc" });
            stream.end(frameMessage(new Uint8Array(0)));
        });
        expect(await unaryCall({ host: "127.0.0.1", port: noStatus, ...health })).toEqual({ kind: "status", code: 13, details: "the response had no grpc-status" });
        const twice = await rawServer((stream) => {
            stream.respond({ ":status": 200, "content-type": "application/grpc+proto" }, { waitForTrailers: true });
            stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
            stream.end(Buffer.concat([frameMessage(new Uint8Array(0)), frameMessage(new Uint8Array(0))]));
        });
        expect(await unaryCall({ host: "127.0.0.1", port: twice, ...health })).toEqual({ kind: "status", code: 13, details: "a unary response had 2 messages" });
        const compressed = await rawServer((stream) => {
            stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
            stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
            stream.end(Buffer.from([1, 0, 0, 0, 0]));
        });
        expect(await unaryCall({ host: "127.0.0.1", port: compressed, ...health })).toEqual({ kind: "status", code: 13, details: "malformed response: compressed message" });
    });

    test("an HTTP/2 answer that is not gRPC", async () => {
        const plain = await startPlainHttp2Server(415);
        servers.push(plain);
        expect(await unaryCall({ host: "127.0.0.1", port: plain.port, ...health })).toEqual({ kind: "not-grpc", httpStatus: 415, contentType: "text/plain" });
    });

    test("a server that does not answer in time: DEADLINE_EXCEEDED", async () => {
        const port = await rawServer(() => undefined);
        expect(await unaryCall({ host: "127.0.0.1", port, ...health, timeoutMs: 200 })).toEqual({ kind: "status", code: 4, details: "no answer within 200 ms" });
    });

    test("no HTTP/2 conversation: refused, an HTTP/1 server, a reset stream", async () => {
        const refused = await unaryCall({ host: "127.0.0.1", port: await closedPort(), ...health });
        expect(refused).toMatchObject({ kind: "unreachable", code: "ECONNREFUSED" });

        const http1 = http.createServer((_request, response) => response.end("hello"));
        await new Promise<void>((resolve) => http1.listen(0, "127.0.0.1", resolve));
        servers.push({ close: () => new Promise<void>((resolve) => http1.close(() => resolve())) });
        const outcome = await unaryCall({ host: "127.0.0.1", port: (http1.address() as AddressInfo).port, ...health });
        expect(outcome.kind).toBe("unreachable");
        expect(outcome.kind === "unreachable" && /^(ERR_HTTP2|RST_STREAM)/.test(outcome.code)).toBe(true);

        const reset = await rawServer((stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
        expect(await unaryCall({ host: "127.0.0.1", port: reset, ...health })).toMatchObject({ kind: "unreachable" });
    });

    test("a connection dropped after the response headers is INTERNAL", async () => {
        const port = await rawServer((stream) => {
            stream.respond({ ":status": 200, "content-type": "application/grpc" });
            setTimeout(() => stream.session?.destroy(), 20);
        });
        expect(await unaryCall({ host: "127.0.0.1", port, ...health })).toMatchObject({ kind: "status", code: 13 });
    });

    test("a response cut off (stream reset) before its status is INTERNAL", async () => {
        const port = await rawServer((stream) => {
            stream.respond({ ":status": 200, "content-type": "application/grpc" });
            stream.write(Buffer.from([0, 0, 0, 0]));
            setTimeout(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), 20);
        });
        expect(await unaryCall({ host: "127.0.0.1", port, ...health })).toEqual({
            kind: "status",
            code: 13,
            details: "the response had no grpc-status",
        });
    });
});
