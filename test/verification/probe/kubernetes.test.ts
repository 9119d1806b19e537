// The probe's Kubernetes API client: the pod's token as a bearer token, the cluster's CA for https, bounded requests.
// Over TLS against the fake API with a self-signed certificate (test/fixtures/tls), as a pod reaches the API server.
import * as fs from "node:fs";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { KubernetesCredentialsError, kubernetesClient } from "../../../verification/probe/kubernetes.ts";
import { selfSignedCertificate, startFakeKubernetesApi, type FakeKubernetesApi } from "../../helpers/fakeKubernetesApi";

let dir: string;
let tokenFile: string;
let secure: FakeKubernetesApi;
let plain: FakeKubernetesApi;
let caFile: string;
let otherCaFile: string;

beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-kubernetes-"));
    tokenFile = path.join(dir, "token");
    fs.writeFileSync(tokenFile, "sa-token\n");
    const certificate = selfSignedCertificate(dir);
    caFile = certificate.certFile;
    otherCaFile = selfSignedCertificate(dir, "other").certFile;
    const knobs = () => ({ token: "sa-token", forbidden: [], namespaces: { ns: { serviceAccounts: {} } } });
    secure = await startFakeKubernetesApi(knobs(), certificate);
    plain = await startFakeKubernetesApi(knobs());
});

afterAll(async () => {
    await Promise.all([secure.close(), plain.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
});

test("https with the cluster's CA and the token (trimmed)", async () => {
    const client = kubernetesClient({ url: secure.url, tokenFile, caFile });
    expect(client.url).toBe(secure.url);
    const response = await client.get("/api/v1/namespaces/ns", 2000);
    expect(response).toEqual({ status: 200, body: { kind: "Namespace", apiVersion: "v1", metadata: { name: "ns" }, status: { phase: "Active" } } });
    expect((await client.get("/api/v1/namespaces/missing", 2000)).status).toBe(404);
});

test("a certificate another CA signed is refused", async () => {
    const client = kubernetesClient({ url: secure.url, tokenFile, caFile: otherCaFile });
    await expect(client.get("/api/v1/namespaces/ns", 2000)).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/) });
});

test("http (tests): no CA read; a base URL with a trailing slash", async () => {
    const client = kubernetesClient({ url: `${plain.url}/`, tokenFile, caFile: path.join(dir, "unused.crt") });
    expect((await client.get("/api/v1/namespaces/ns", 2000)).status).toBe(200);
    expect(plain.reads).toEqual(["/api/v1/namespaces/ns"]);
});

test("a wrong token gets the API's 401 Status", async () => {
    const other = path.join(dir, "other-token");
    fs.writeFileSync(other, "nope");
    expect(await kubernetesClient({ url: plain.url, tokenFile: other }).get("/api/v1/namespaces/ns", 2000)).toEqual({
        status: 401,
        body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 },
    });
});

test("a server that never answers: rejected with TIMEOUT", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
        const client = kubernetesClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, tokenFile });
        await expect(client.get("/api/v1/namespaces/ns", 200)).rejects.toMatchObject({ code: "TIMEOUT", message: "no answer within 200 ms" });
    } finally {
        sockets.forEach((socket) => socket.destroy());
        await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
});

test("credentials that cannot be read", () => {
    const missing = path.join(dir, "missing");
    expect(() => kubernetesClient({ url: plain.url, tokenFile: missing })).toThrow(new KubernetesCredentialsError(missing, "ENOENT"));
    expect(() => kubernetesClient({ url: plain.url, tokenFile: missing })).toThrow(`cannot read ${missing} (ENOENT)`);
    const empty = path.join(dir, "empty");
    fs.writeFileSync(empty, "\n");
    expect(() => kubernetesClient({ url: plain.url, tokenFile: empty })).toThrow(`cannot read ${empty} (empty)`);
    expect(() => kubernetesClient({ url: secure.url, tokenFile, caFile: missing })).toThrow(`cannot read ${missing} (ENOENT)`);
});
