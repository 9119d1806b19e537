// The probe's entry: the config it reads, the stage it dispatches to, what it prints, and the one line it writes to
// stderr and to the termination message file on failure. The endpoint stage runs for real against the fakes; the
// workload stage is mocked here (its own tests run it).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EndpointStage, WorkloadStage } from "../../../verification/probe/config.ts";
import { VerificationFailure } from "../../../verification/probe/failure.ts";
import { main } from "../../../verification/probe/main.ts";
import { runWorkloadStage } from "../../../verification/probe/workload.ts";
import { endpointEnvironment, startFakeFlyteadmin, type FakeFlyteadmin } from "../../helpers/fakeFlyteadmin";
import { startFakeKubernetesApi, type FakeKubernetesApi } from "../../helpers/fakeKubernetesApi";

jest.mock("../../../verification/probe/workload.ts", () => ({ runWorkloadStage: jest.fn() }));
const workload = runWorkloadStage as jest.MockedFunction<typeof runWorkloadStage>;

let admin: FakeFlyteadmin;
let kube: FakeKubernetesApi;
let dir: string;
let terminationFile: string;

beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-main-"));
    fs.writeFileSync(path.join(dir, "token"), "sa-token");
    admin = await startFakeFlyteadmin({ knobs: { projects: ["flytesnacks"] } });
    kube = await startFakeKubernetesApi({
        token: "sa-token",
        forbidden: [],
        namespaces: { "flytesnacks-development": { serviceAccounts: { default: { annotations: {} } } } },
    });
});

beforeEach(() => {
    terminationFile = path.join(dir, `termination-log-${Math.random().toString(36).slice(2)}`);
    workload.mockReset();
});

afterEach(() => admin.reset());

afterAll(async () => {
    await Promise.all([admin.close(), kube.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
});

function endpointConfig(): EndpointStage {
    return {
        stage: "endpoint",
        stack: "dev",
        waitSeconds: 0.3,
        service: { namespace: "flyte", name: "flyte-binary-lb", httpPort: admin.httpPort, grpcPort: admin.grpcPort },
        projects: ["flytesnacks"],
        taskNamespace: { name: "flytesnacks-development", serviceAccount: "default" },
        signedUpload: { project: "flytesnacks", domain: "development" },
    };
}

const workloadConfig: WorkloadStage = {
    stage: "workload",
    stack: "dev",
    namespace: "flytesnacks-development",
    serviceAccount: "default",
    identity: { kind: "gke", email: "w@p.iam.gserviceaccount.com" },
    store: { kind: "gcs" },
    locations: [
        { purpose: "raw outputs", bucket: "b", prefix: "" },
        { purpose: "metadata", bucket: "m", prefix: "metadata/" },
    ],
};

/** Runs main; what it printed to stdout and stderr, its exit code and the termination message (undefined: none). */
async function runMain(config: string | undefined): Promise<{ code: number; out: string[]; err: string[]; termination?: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const env = endpointEnvironment({ url: kube.url, tokenFile: path.join(dir, "token") }, terminationFile);
    const code = await main({ VERIFY_CONFIG: config }, env, (line) => out.push(line), { error: (line) => err.push(line), endpoint: { pauseMs: 20, requestTimeoutMs: 500 } });
    const termination = fs.existsSync(terminationFile) ? fs.readFileSync(terminationFile, "utf8") : undefined;
    return { code, out, err, termination };
}

/** A failed run: exit code 1, nothing but the one line on stderr and in the termination message. */
async function failed(config: string | undefined): Promise<{ out: string[]; line: string }> {
    const { code, out, err, termination } = await runMain(config);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).not.toContain("\n");
    expect(termination).toBe(err[0]);
    return { out, line: err[0] };
}

describe("the config", () => {
    const fix = "the verification Job is not what the Pulumi program writes: run pulumi up again";

    test("missing", async () => {
        expect((await failed(undefined)).line).toBe(`the verification probe has no config: VERIFY_CONFIG is not set: ${fix}`);
        expect((await failed("  ")).line).toBe(`the verification probe has no config: VERIFY_CONFIG is not set: ${fix}`);
    });

    test("not JSON", async () => {
        expect((await failed("{stage")).line).toMatch(new RegExp(`^the verification probe's config VERIFY_CONFIG is not JSON \\(.+\\): ${fix}$`));
    });

    test("not an object with a stack", async () => {
        for (const config of ["[]", "null", '"endpoint"', '{"stage":"endpoint"}', '{"stage":"endpoint","stack":""}']) {
            expect((await failed(config)).line).toBe(`the verification probe's config VERIFY_CONFIG is not an object with a stack: ${fix}`);
        }
    });

    test("an unknown stage", async () => {
        expect((await failed('{"stage":"smoke","stack":"dev"}')).line).toBe(`stack dev: the verification probe's config has stage "smoke", expected "endpoint" or "workload": ${fix}`);
        expect((await failed('{"stack":"dev"}')).line).toBe(`stack dev: the verification probe's config has stage undefined, expected "endpoint" or "workload": ${fix}`);
    });
});

describe("the endpoint stage", () => {
    test("verified: its ok lines, then the verified line, exit code 0, no termination message", async () => {
        const { code, out, err, termination } = await runMain(JSON.stringify(endpointConfig()));
        expect({ code, err, termination }).toEqual({ code: 0, err: [], termination: undefined });
        expect(out).toHaveLength(7);
        expect(out.slice(0, 6).every((line) => line.startsWith("ok: "))).toBe(true);
        expect(out[6]).toBe("verified: stack dev: flyteadmin behind the Service flyte/flyte-binary-lb and the task namespace flytesnacks-development");
    });

    test("failed: the stage's one line on stderr and in the termination message", async () => {
        admin.knobs.healthStatus = 404;
        const { out, line } = await failed(JSON.stringify(endpointConfig()));
        expect(out).toEqual([]);
        expect(line).toBe(
            `stack dev: GET /healthcheck on the Service flyte/flyte-binary-lb port ${admin.httpPort} answered HTTP 404, expected 200: ` +
                "that port is not flyteadmin's HTTP port (flyteadmin serves /healthcheck there): check the Service's targetPort",
        );
    });
});

describe("the workload stage", () => {
    test("dispatched with the config, the environment and the log; verified", async () => {
        workload.mockImplementation(async (_config, _env, log) => log("ok: identity"));
        const { code, out, err } = await runMain(JSON.stringify(workloadConfig));
        expect(code).toBe(0);
        expect(err).toEqual([]);
        expect(out).toEqual(["ok: identity", "verified: stack dev: task pods in flytesnacks-development as default: their identity and 2 data locations"]);
        expect(workload).toHaveBeenCalledTimes(1);
        expect(workload.mock.calls[0][0]).toEqual(workloadConfig);
        expect(workload.mock.calls[0][1].terminationMessageFile).toBe(terminationFile);
    });

    test("a VerificationFailure, made one line", async () => {
        workload.mockRejectedValue(new VerificationFailure("identity", "stack dev: task pods run as\n  the nodes' account"));
        expect((await failed(JSON.stringify(workloadConfig))).line).toBe("stack dev: task pods run as the nodes' account");
    });

    test("anything else: failed unexpectedly, still one line", async () => {
        workload.mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'email')\n    at x"));
        expect((await failed(JSON.stringify(workloadConfig))).line).toBe(
            "stack dev: the verification probe failed unexpectedly: Cannot read properties of undefined (reading 'email') at x",
        );
        workload.mockRejectedValue("a string");
        expect((await failed(JSON.stringify(workloadConfig))).line).toBe("stack dev: the verification probe failed unexpectedly: a string");
    });
});

test("a termination message file that cannot be written: stderr still has the line", async () => {
    terminationFile = path.join(dir, "no-such-dir", "termination-log");
    const { code, err, termination } = await runMain(undefined);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(termination).toBeUndefined();
});
