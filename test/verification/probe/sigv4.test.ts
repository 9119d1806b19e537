/**
 * The probe's SigV4 signer against the real one, @smithy/signature-v4 (what the AWS SDK for JavaScript signs with):
 * for the same request, time and keys both must produce the same headers.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { canonicalQuery, canonicalUri, signRequest, type AwsCredentials } from "../../../verification/probe/sigv4";
import { percentEncode } from "../../../verification/probe/transport";

const DATE = new Date("2025-03-04T05:06:07.890Z");
const STATIC_KEYS: AwsCredentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCY EXAMPLE/KEY" };
const TEMPORARY_KEYS: AwsCredentials = {
    accessKeyId: "ASIAQWERTYUIOPASDFGH",
    secretAccessKey: "9drTJvcXLB89EXAMPLELB8923FB892xMFI/+=",
    sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE/token+with=padding==",
};

interface Case {
    readonly name: string;
    readonly method: string;
    readonly url: string;
    readonly service: string;
    readonly region: string;
    readonly credentials: AwsCredentials;
    readonly headers?: Record<string, string>;
    readonly body?: string | Uint8Array;
}

/** The same request signed by @smithy/signature-v4, with the headers the probe's signer adds. */
async function smithySign(c: Case): Promise<Record<string, string>> {
    const url = new URL(c.url);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
        const existing = query[name];
        query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const signer = new SignatureV4({
        service: c.service,
        region: c.region,
        credentials: c.credentials,
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: c.service !== "s3",
    });
    const signed = await signer.sign(
        {
            method: c.method,
            protocol: url.protocol,
            hostname: url.hostname,
            port: url.port ? Number(url.port) : undefined,
            path: url.pathname,
            query,
            headers: { host: url.host, ...c.headers },
            body: c.body ?? "",
        },
        { signingDate: DATE },
    );
    const { host: _host, ...headers } = signed.headers;
    return headers;
}

const key = ["flyte verification", "a+b=c&d", "ü ñ (1)!*'.txt"].map((segment) => percentEncode(segment)).join("/");

const cases: Case[] = [
    {
        name: "S3 GetObject, a key with spaces, `/` and reserved characters, temporary keys, empty body",
        method: "GET",
        url: `https://flyte-meta.s3.eu-central-1.amazonaws.com/${key}`,
        service: "s3",
        region: "eu-central-1",
        credentials: TEMPORARY_KEYS,
    },
    {
        name: "S3 PutObject with a body and a content type, static keys with a space and `/` in the secret",
        method: "PUT",
        url: `http://127.0.0.1:9000/flyte-data/${key}`,
        service: "s3",
        region: "us-east-1",
        credentials: STATIC_KEYS,
        headers: { "content-type": "text/plain" },
        body: new TextEncoder().encode("probe body\n"),
    },
    {
        name: "a query string with repeated, empty and encoded parameters",
        method: "GET",
        url: "https://bucket.s3.us-west-2.amazonaws.com/?list-type=2&prefix=a%20b%2Fc&delimiter=%2F&empty=&z=1&a=%E2%9C%93&a=0",
        service: "s3",
        region: "us-west-2",
        credentials: TEMPORARY_KEYS,
    },
    {
        name: "STS GetCallerIdentity as a signed form POST with a session token",
        method: "POST",
        url: "https://sts.eu-central-1.amazonaws.com/",
        service: "sts",
        region: "eu-central-1",
        credentials: TEMPORARY_KEYS,
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: "Action=GetCallerIdentity&Version=2011-06-15",
    },
    {
        name: "a service other than S3 encodes the path twice and normalizes it",
        method: "GET",
        url: "https://example.eu-central-1.amazonaws.com/a%20b//c/./d/",
        service: "execute-api",
        region: "eu-central-1",
        credentials: STATIC_KEYS,
        headers: { "x-custom": "  several   spaces  " },
    },
];

describe("signRequest", () => {
    it.each(cases)("signs as @smithy/signature-v4 does: $name", async (c) => {
        const mine = signRequest({ method: c.method, url: c.url, headers: c.headers, body: c.body }, { service: c.service, region: c.region, credentials: c.credentials, date: DATE });
        expect(mine).toEqual(await smithySign(c));
    });

    it("adds x-amz-date, the payload's SHA-256 and the session token, and names them in SignedHeaders", () => {
        const headers = signRequest({ method: "GET", url: "https://b.s3.eu-central-1.amazonaws.com/k" }, { service: "s3", region: "eu-central-1", credentials: TEMPORARY_KEYS, date: DATE });
        expect(headers["x-amz-date"]).toBe("20250304T050607Z");
        expect(headers["x-amz-content-sha256"]).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        expect(headers["x-amz-security-token"]).toBe(TEMPORARY_KEYS.sessionToken);
        expect(headers.authorization).toMatch(
            /^AWS4-HMAC-SHA256 Credential=ASIAQWERTYUIOPASDFGH\/20250304\/eu-central-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
        );
        expect(headers.host).toBeUndefined();
    });

    it("never puts the secret key into a header", () => {
        const headers = signRequest({ method: "GET", url: "https://b.s3.eu-central-1.amazonaws.com/k" }, { service: "s3", region: "eu-central-1", credentials: STATIC_KEYS, date: DATE });
        expect(JSON.stringify(headers)).not.toContain(STATIC_KEYS.secretAccessKey);
    });
});

describe("canonical parts", () => {
    it("encodes every byte but the unreserved ones, `/` only on request", () => {
        expect(percentEncode("a b/c~d_e.f-g!*'()+=&ü")).toBe("a%20b%2Fc~d_e.f-g%21%2A%27%28%29%2B%3D%26%C3%BC");
        expect(percentEncode("a b/c", true)).toBe("a%20b/c");
    });

    it("keeps S3's path as sent and encodes other services' normalized path again", () => {
        expect(canonicalUri("/bucket/a%20b//c", "s3")).toBe("/bucket/a%20b//c");
        expect(canonicalUri("", "s3")).toBe("/");
        expect(canonicalUri("/a%20b//c/../d/", "sts")).toBe("/a%2520b/d/");
        expect(canonicalUri("/", "sts")).toBe("/");
    });

    it("sorts the query by encoded name, then value", () => {
        expect(canonicalQuery(new URLSearchParams("b=2&a=z&a=y&c=x%20y"))).toBe("a=y&a=z&b=2&c=x%20y");
    });
});
