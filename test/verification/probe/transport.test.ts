/** The workload stage's HTTP: timeouts, bounded retries of what is transient only, quotes without secrets. */
import * as http from "http";
import type { AddressInfo } from "net";
import { isTransient, percentEncode, quote, redact, send, Unreachable } from "../../../verification/probe/transport";

const FAST = { timeoutMs: 300, attempts: 3, backoffMs: 5 };

let server: http.Server;
let url: string;
/** Statuses to answer, one per request, then 200. */
let script: number[] = [];
let hits = 0;

beforeAll(async () => {
    server = http.createServer((req, res) => {
        hits++;
        if (req.url === "/hang") {
            return; // never answers
        }
        if (req.url === "/redirect") {
            res.writeHead(301, { location: "/elsewhere" });
            res.end("<Error><Code>PermanentRedirect</Code></Error>");
            return;
        }
        const status = script.shift() ?? 200;
        res.writeHead(status);
        res.end(`status ${status}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
    script = [];
    hits = 0;
});

describe("send", () => {
    it("tries a 5xx or 429 again and returns the answer that follows", async () => {
        script = [503, 429];
        const answer = await send({ method: "GET", url: `${url}/x` }, FAST);
        expect(answer.status).toBe(200);
        expect(answer.body.toString()).toBe("status 200");
        expect(hits).toBe(3);
    });

    it("stops after the attempts it is given and returns the last transient answer", async () => {
        script = [500, 502, 503, 504];
        const answer = await send({ method: "GET", url: `${url}/x` }, FAST);
        expect(answer.status).toBe(503);
        expect(hits).toBe(3);
    });

    it("does not try a 4xx again", async () => {
        script = [403];
        const answer = await send({ method: "GET", url: `${url}/x` }, FAST);
        expect(answer.status).toBe(403);
        expect(hits).toBe(1);
    });

    it("does not follow redirects", async () => {
        const answer = await send({ method: "GET", url: `${url}/redirect` }, FAST);
        expect(answer.status).toBe(301);
        expect(hits).toBe(1);
    });

    it("gives up on a server that does not answer within the timeout, each attempt bounded", async () => {
        const started = Date.now();
        const failure = await send({ method: "GET", url: `${url}/hang` }, { timeoutMs: 100, attempts: 2, backoffMs: 5 }).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(Unreachable);
        expect((failure as Unreachable).reason).toBe("no answer within 0.1 s");
        expect(hits).toBe(2);
        expect(Date.now() - started).toBeLessThan(2000);
    });

    it("reports a refused connection after its attempts", async () => {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        const failure = await send({ method: "GET", url: `http://127.0.0.1:${port}/` }, FAST).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(Unreachable);
        expect((failure as Unreachable).reason).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    });
});

describe("quote", () => {
    it("flattens, shortens and redacts every secret before shortening", () => {
        const secret = "s3cr3t-token-value";
        expect(quote(`line one\n  line two ${secret} end`, [secret])).toBe("line one line two [redacted] end");
        const long = `${"x".repeat(195)}${secret}`;
        const quoted = quote(long, [secret], 200);
        expect(quoted).not.toContain("s3cr");
        expect(quoted.length).toBeLessThanOrEqual(200);
    });

    it("ignores empty or tiny secrets", () => {
        expect(redact("abc", ["", "a"])).toBe("abc");
    });
});

describe("helpers", () => {
    it("counts 429 and 5xx as transient, other statuses not", () => {
        expect([429, 500, 503].map(isTransient)).toEqual([true, true, true]);
        expect([200, 400, 403, 404].map(isTransient)).toEqual([false, false, false, false]);
    });

    it("percent-encodes UTF-8 bytes in upper-case hex", () => {
        expect(percentEncode("ü/")).toBe("%C3%BC%2F");
    });
});
