import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { KubePod } from "../../../lib/verify/jobResult";
import type { KubeJob } from "../../../lib/verify/rerunJob";
import { MissingCommandError, type RunOptions, type RunResult, verifyStack, type VerifyStackOptions } from "../../../lib/verify/verifyStack";

/**
 * verifyStack against a scripted runner: every command pulumi and kubectl are asked to run, in order, with what
 * they answer; the kubeconfig file as each kubectl call sees it, and gone afterwards; the lines printed.
 */

const PROJECT_DIR = "/project";
const T0 = new Date("2025-03-04T05:06:07Z");
const STAMP = "20250304050607";
const SECRET = "s3cr3t-bearer-token";
const KUBECONFIG = `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: ${SECRET}\n`;

const ENDPOINT = { stage: "endpoint", namespace: "flyte", name: "flyte-verify-endpoint-3f9a1c2b" };
const WORKLOAD = { stage: "workload", namespace: "flytesnacks-development", name: "flyte-verify-workload-77d0e1aa" };
/** A Job as the stack output names it. */
const ref = (job: { namespace: string; name: string }): string => `${job.namespace}/${job.name}`;
const ENDPOINT_COPY = `${ENDPOINT.name}-manual-${STAMP}`;
const WORKLOAD_COPY = `${WORKLOAD.name}-manual-${STAMP}`;

const PULUMI = "pulumi stack output --json --show-secrets --stack dev";
const K = "kubectl --kubeconfig <kubeconfig>";

/** The stack's outputs as `pulumi stack output --json --show-secrets` prints them. */
function outputs(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { grpcEndpoint: "10.0.0.10:8089", kubeconfig: KUBECONFIG, verificationJobs: [ref(ENDPOINT), ref(WORKLOAD)], ...extra };
}

/** A deployed verification Job as `kubectl get job -o json` prints it. */
function deployed(job: { namespace: string; name: string }, activeDeadlineSeconds = 300): KubeJob {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: job.name,
            namespace: job.namespace,
            uid: "uid-1",
            resourceVersion: "42",
            labels: { "app.kubernetes.io/part-of": "flyte", "batch.kubernetes.io/job-name": job.name },
        },
        spec: {
            backoffLimit: 0,
            activeDeadlineSeconds,
            selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "uid-1" } },
            template: {
                metadata: { labels: { "batch.kubernetes.io/job-name": job.name, "controller-uid": "uid-1" } },
                spec: { restartPolicy: "Never", containers: [{ name: "probe", image: "node:24-alpine" }] },
            },
        },
        status: { conditions: [{ type: "Complete", status: "True" }], succeeded: 1 },
    };
}

const RUNNING: KubeJob = { status: { active: 1 } };
const COMPLETE: KubeJob = { status: { conditions: [{ type: "Complete", status: "True" }], succeeded: 1 } };
const FAILED: KubeJob = {
    status: { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] },
};

function podsWith(...pods: KubePod[]): { apiVersion: string; kind: string; items: KubePod[] } {
    return { apiVersion: "v1", kind: "List", items: pods };
}

function probePod(message?: string): KubePod {
    return {
        metadata: { name: "p" },
        status: { containerStatuses: [{ name: "probe", state: { terminated: { exitCode: 1, reason: "Error", message, finishedAt: "2025-03-04T05:06:30Z" } } }] },
    };
}

function ok(stdout: unknown = ""): RunResult {
    return { code: 0, stdout: typeof stdout === "string" ? stdout : JSON.stringify(stdout), stderr: "" };
}

function fail(stderr: string, code = 1): RunResult {
    return { code, stdout: "", stderr };
}

/** One scripted command: what it must be (kubeconfig path as `<kubeconfig>`), and its answer (or what it throws), `times` times in a row. */
interface Step {
    readonly cmd: string;
    readonly reply: RunResult | Error;
    readonly times?: number;
}

interface Call {
    readonly cmd: string;
    readonly options: RunOptions;
    /** For kubectl: the kubeconfig file's mode and content when it ran. */
    readonly kubeconfig?: { readonly mode: number; readonly text: string };
}

interface Outcome {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly calls: readonly Call[];
    /** The create calls' manifests. */
    readonly created: readonly KubeJob[];
    /** The waits between polls, in ms. */
    readonly sleeps: readonly number[];
    /** Whatever is left in the temporary folder afterwards. */
    readonly leftInTmp: readonly string[];
    /** The kubeconfig paths kubectl was given. */
    readonly kubeconfigPaths: readonly string[];
}

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Runs verifyStack for stack dev against `steps`, which must be consumed exactly, in order. */
async function verify(steps: readonly Step[], extra: Partial<VerifyStackOptions> = {}): Promise<Outcome> {
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-stack-test-"));
    tmpDirs.push(tmpDir);
    const queue = steps.flatMap((s) => Array.from({ length: s.times ?? 1 }, () => s));
    const calls: Call[] = [];
    const created: KubeJob[] = [];
    const sleeps: number[] = [];
    const kubeconfigPaths = new Set<string>();
    let clock = T0.getTime();
    let stdout = "";
    let stderr = "";
    const code = await verifyStack({
        stack: "dev",
        projectDir: PROJECT_DIR,
        tmpDir,
        io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
        now: () => new Date(clock),
        sleep: async (ms) => {
            sleeps.push(ms);
            clock += ms;
        },
        run: async (command, args, options) => {
            let kubeconfig: Call["kubeconfig"];
            let shown = [...args];
            if (command === "kubectl" && args[0] === "--kubeconfig") {
                kubeconfigPaths.add(args[1]);
                kubeconfig = { mode: fs.statSync(args[1]).mode & 0o777, text: fs.readFileSync(args[1], "utf8") };
                shown = ["--kubeconfig", "<kubeconfig>", ...args.slice(2)];
            }
            const cmd = [command, ...shown].join(" ");
            calls.push({ cmd, options, kubeconfig });
            if (shown.includes("create")) {
                created.push(JSON.parse(options.input ?? "null") as KubeJob);
            }
            const step = queue.shift();
            if (step === undefined) {
                throw new Error(`unexpected command: ${cmd}`);
            }
            expect(cmd).toBe(step.cmd);
            if (step.reply instanceof Error) {
                throw step.reply;
            }
            return step.reply;
        },
        ...extra,
    });
    expect(queue.map((s) => s.cmd)).toEqual([]);
    return { code, stdout, stderr, calls, created, sleeps, leftInTmp: fs.readdirSync(tmpDir), kubeconfigPaths: [...kubeconfigPaths] };
}

/** The commands of one stage that passes after `polls` reads of its copy. */
function passingStage(job: { namespace: string; name: string }, copy: string, polls: KubeJob[] = [COMPLETE]): Step[] {
    return [
        { cmd: `${K} -n ${job.namespace} get job ${job.name} -o json`, reply: ok(deployed(job)) },
        { cmd: `${K} -n ${job.namespace} create -f -`, reply: ok(`job.batch/${copy} created`) },
        ...polls.map((p) => ({ cmd: `${K} -n ${job.namespace} get job ${copy} -o json`, reply: ok(p) })),
        { cmd: `${K} -n ${job.namespace} delete job ${copy} --ignore-not-found --wait=false --cascade=background`, reply: ok(`job.batch "${copy}" deleted`) },
    ];
}

/** What every run must hold to: no secret printed, the kubeconfig readable by its owner only while it ran, and gone. */
function expectCleanRun(outcome: Outcome): void {
    expect(outcome.stdout + outcome.stderr).not.toContain(SECRET);
    expect(outcome.leftInTmp).toEqual([]);
    for (const file of outcome.kubeconfigPaths) {
        expect(fs.existsSync(file)).toBe(false);
    }
    for (const call of outcome.calls.filter((c) => c.cmd.startsWith("kubectl"))) {
        expect(call.kubeconfig).toEqual({ mode: 0o600, text: KUBECONFIG });
    }
}

describe("every stage passes", () => {
    const LATER_WORKLOAD_COPY = `${WORKLOAD.name}-manual-20250304050611`;
    let outcome: Outcome;
    beforeAll(async () => {
        outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            ...passingStage(ENDPOINT, ENDPOINT_COPY, [RUNNING, RUNNING, COMPLETE]),
            // Named after the clock once the endpoint stage's two waits have passed.
            ...passingStage(WORKLOAD, LATER_WORKLOAD_COPY),
        ]);
    });

    test("exits 0 with one line naming each stage, after a line per stage", () => {
        expect(outcome.code).toBe(0);
        expect(outcome.stderr).toBe("");
        expect(outcome.stdout).toBe(
            [
                `endpoint: running flyte/${ENDPOINT_COPY}, a copy of Job ${ENDPOINT.name}`,
                `workload: running flytesnacks-development/${LATER_WORKLOAD_COPY}, a copy of Job ${WORKLOAD.name}`,
                "stack dev: verified (endpoint ok, workload ok)",
                "",
            ].join("\n"),
        );
    });

    test("reads the outputs in the project directory, with no input; kubectl gets the manifest on stdin only", () => {
        expect(outcome.calls[0].options).toEqual({ cwd: PROJECT_DIR });
        for (const call of outcome.calls.slice(1)) {
            expect(call.options).toEqual(call.cmd.includes(" create ") ? { input: expect.any(String) } : {});
        }
    });

    test("creates each copy from its Job, polling every 2 s", () => {
        expect(outcome.created.map((j) => j.metadata?.name)).toEqual([ENDPOINT_COPY, LATER_WORKLOAD_COPY]);
        expect(outcome.created[1].metadata?.namespace).toBe("flytesnacks-development");
        expect(outcome.created[0].spec?.selector).toBeUndefined();
        expect(outcome.created[0].spec?.ttlSecondsAfterFinished).toBe(600);
        expect(outcome.created[0].metadata?.labels).toEqual({ "app.kubernetes.io/part-of": "flyte", "flyte-verification/run": "manual" });
        expect(outcome.sleeps).toEqual([2000, 2000]);
    });

    test("one kubeconfig file for the whole run, mode 0600 while it runs, removed after; no secret printed", () => {
        expect(outcome.kubeconfigPaths).toHaveLength(1);
        expectCleanRun(outcome);
    });
});

test("the outputs' verificationJobs may be a JSON string, and the kubeconfig an object", async () => {
    const kubeconfig = { apiVersion: "v1", kind: "Config", users: [{ name: "u", user: { token: SECRET } }] };
    const outcome = await verify(
        [
            { cmd: PULUMI, reply: ok(outputs({ verificationJobs: JSON.stringify([ref(ENDPOINT)]), kubeconfig })) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
            { cmd: `${K} -n flyte create -f -`, reply: ok() },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(COMPLETE) },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ],
        {},
    );
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/stack dev: verified \(endpoint ok\)\n$/);
    expect(outcome.calls[1].kubeconfig?.text).toBe(JSON.stringify(kubeconfig));
    expect(outcome.stdout + outcome.stderr).not.toContain(SECRET);
});

describe("a check fails", () => {
    const probeLine = "stack dev: grpc ListProjects on flyte.example.com:443 failed with UNAVAILABLE: the Gateway has no healthy backend; check the flyte Service's endpoints";

    test("the endpoint stage: its probe's line, exit 1, the copy deleted, the workload stage not run", async () => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
            { cmd: `${K} -n flyte create -f -`, reply: ok() },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(RUNNING) },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(FAILED) },
            { cmd: `${K} -n flyte get pods -l batch.kubernetes.io/job-name=${ENDPOINT_COPY} -o json`, reply: ok(podsWith(probePod(`${probeLine}\n`))) },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ]);
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toBe(`${probeLine}\n`);
        expect(outcome.stdout).toBe(`endpoint: running flyte/${ENDPOINT_COPY}, a copy of Job ${ENDPOINT.name}\n`);
        expectCleanRun(outcome);
    });

    test("the workload stage, its probe leaving no message: the Job's condition and the container's end", async () => {
        const oom: KubePod = {
            status: { containerStatuses: [{ name: "probe", state: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: "2025-03-04T05:07:00Z" } } }] },
        };
        const ns = WORKLOAD.namespace;
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            ...passingStage(ENDPOINT, ENDPOINT_COPY),
            { cmd: `${K} -n ${ns} get job ${WORKLOAD.name} -o json`, reply: ok(deployed(WORKLOAD)) },
            { cmd: `${K} -n ${ns} create -f -`, reply: ok() },
            { cmd: `${K} -n ${ns} get job ${WORKLOAD_COPY} -o json`, reply: ok(FAILED) },
            { cmd: `${K} -n ${ns} get pods -l batch.kubernetes.io/job-name=${WORKLOAD_COPY} -o json`, reply: ok(podsWith(oom)) },
            { cmd: `${K} -n ${ns} delete job ${WORKLOAD_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ]);
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toBe(
            `stack dev: stage workload failed with no message from its probe: Job ${ns}/${WORKLOAD_COPY}: BackoffLimitExceeded: Job has reached the specified backoff limit; container probe ended: OOMKilled (exit code 137)\n`,
        );
        expect(outcome.sleeps).toEqual([]);
        expectCleanRun(outcome);
    });

    test("pods that cannot be read: the Job's condition alone", async () => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
            { cmd: `${K} -n flyte create -f -`, reply: ok() },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(FAILED) },
            { cmd: `${K} -n flyte get pods -l batch.kubernetes.io/job-name=${ENDPOINT_COPY} -o json`, reply: fail("Error from server (Forbidden): pods is forbidden") },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ]);
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toBe(
            `stack dev: stage endpoint failed with no message from its probe: Job flyte/${ENDPOINT_COPY}: BackoffLimitExceeded: Job has reached the specified backoff limit\n`,
        );
        expectCleanRun(outcome);
    });

    test("a copy that does not finish within its deadline and 60 s: exit 1, deleted", async () => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT, 4)) },
            { cmd: `${K} -n flyte create -f -`, reply: ok() },
            // Read at 0, 2, …, 64 s: the bound is 4 + 60 s.
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(RUNNING), times: 33 },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ]);
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toBe(
            `stack dev: stage endpoint did not finish within 64 s (its Job's deadline of 4 s and 60 s more): Job flyte/${ENDPOINT_COPY} is neither Complete nor Failed\n`,
        );
        expect(outcome.sleeps).toEqual(Array.from({ length: 32 }, () => 2000));
        expectCleanRun(outcome);
    });
});

describe("the copy is handled", () => {
    test("a read that fails once is retried", async () => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs({ verificationJobs: [ref(ENDPOINT)] })) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
            { cmd: `${K} -n flyte create -f -`, reply: ok() },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: fail("Unable to connect to the server: net/http: TLS handshake timeout") },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok("not json") },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(COMPLETE) },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ]);
        expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: "" });
        expectCleanRun(outcome);
    });

    test("three failed reads in a row end the run with exit 2, the copy deleted", async () => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
            { cmd: `${K} -n flyte create -f -`, reply: ok() },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: fail("Unable to connect to the server: dial tcp 34.1.2.3:443: i/o timeout"), times: 3 },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ]);
        expect(outcome.code).toBe(2);
        expect(outcome.stderr).toBe(`error: kubectl cannot read Job flyte/${ENDPOINT_COPY}: Unable to connect to the server: dial tcp 34.1.2.3:443: i/o timeout\n`);
        expectCleanRun(outcome);
    });

    test("a create that fails: exit 2, and the delete is still sent", async () => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
            { cmd: `${K} -n flyte create -f -`, reply: fail('Error from server (Forbidden): jobs.batch is forbidden: User "dev@example.com" cannot create resource "jobs"\nmore') },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
        ]);
        expect(outcome.code).toBe(2);
        expect(outcome.stderr).toBe(
            `error: kubectl cannot create Job flyte/${ENDPOINT_COPY}: Error from server (Forbidden): jobs.batch is forbidden: User "dev@example.com" cannot create resource "jobs"\n`,
        );
        expectCleanRun(outcome);
    });

    test("a delete that fails is a warning: the result stands", async () => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs({ verificationJobs: [ref(ENDPOINT)] })) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
            { cmd: `${K} -n flyte create -f -`, reply: ok() },
            { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(COMPLETE) },
            { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: fail("error: timed out") },
        ]);
        expect(outcome.code).toBe(0);
        expect(outcome.stderr).toBe(`warning: could not delete Job flyte/${ENDPOINT_COPY} (error: timed out); Kubernetes deletes it 600 s after it finishes\n`);
        expect(outcome.stdout).toMatch(/stack dev: verified \(endpoint ok\)\n$/);
        expectCleanRun(outcome);
    });

    test("Ctrl-C while the copy runs: exit 130 once the copy is deleted and the kubeconfig removed", async () => {
        const interrupt = new AbortController();
        const outcome = await verify(
            [
                { cmd: PULUMI, reply: ok(outputs()) },
                { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply: ok(deployed(ENDPOINT)) },
                { cmd: `${K} -n flyte create -f -`, reply: ok() },
                { cmd: `${K} -n flyte get job ${ENDPOINT_COPY} -o json`, reply: ok(RUNNING) },
                { cmd: `${K} -n flyte delete job ${ENDPOINT_COPY} --ignore-not-found --wait=false --cascade=background`, reply: ok() },
            ],
            {
                signal: interrupt.signal,
                sleep: async () => interrupt.abort(),
            },
        );
        expect(outcome.code).toBe(130);
        expect(outcome.stderr).toBe(`stack dev: interrupted during stage endpoint; deleted the manual run flyte/${ENDPOINT_COPY}\n`);
        expectCleanRun(outcome);
    });

    test("an unexpected error still deletes the copy and removes the kubeconfig, and is not swallowed", async () => {
        const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-stack-test-"));
        tmpDirs.push(tmpDir);
        const seen: string[] = [];
        const run = verifyStack({
            stack: "dev",
            projectDir: PROJECT_DIR,
            tmpDir,
            io: { stdout: () => undefined, stderr: () => undefined },
            now: () => T0,
            run: async (command, args) => {
                const verb = args.slice(4, 6).join(" ");
                seen.push(command === "pulumi" ? "pulumi" : verb);
                if (command === "pulumi") {
                    return ok(outputs());
                }
                if (verb === "get job" && args[6] === ENDPOINT.name) {
                    return ok(deployed(ENDPOINT));
                }
                if (verb === "get job") {
                    throw new Error("runner broke");
                }
                return ok();
            },
        });
        await expect(run).rejects.toThrow("runner broke");
        expect(seen).toEqual(["pulumi", "get job", "create -f", "get job", "delete job"]);
        expect(fs.readdirSync(tmpDir)).toEqual([]);
    });
});

describe("setup problems: one line, exit 2", () => {
    test.each([
        [
            "verification off",
            ok(outputs({ verificationJobs: undefined })),
            "error: stack dev has verification off (flyte:verification), so it has no checks to run: `pulumi config set flyte:verification on --stack dev`, then `pulumi up`",
        ],
        [
            "the pulumi CLI missing",
            new MissingCommandError("pulumi"),
            "error: the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to the stack's backend with `pulumi login`",
        ],
        [
            "no such stack",
            fail("error: no stack named 'dev' found\n"),
            "error: the pulumi backend you are logged in to has no stack dev: see `pulumi stack ls`, or `pulumi login <backend URL>` to the backend that holds it",
        ],
        [
            "not logged in",
            fail("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n"),
            "error: the pulumi CLI is not logged in: run `pulumi login` (or `pulumi login <backend URL>` for a self-managed backend) and retry",
        ],
        [
            "no passphrase",
            fail("error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables\n"),
            "error: pulumi cannot decrypt the secrets of stack dev: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to its passphrase",
        ],
        [
            "another pulumi error",
            fail(
                "\nerror: failed to load checkpoint: blob (key \".pulumi/stacks/flyte/dev.json\") (code=Unknown): AccessDenied\nwarning: A new version of Pulumi is available.\n",
            ),
            'error: pulumi stack output --stack dev failed: error: failed to load checkpoint: blob (key ".pulumi/stacks/flyte/dev.json") (code=Unknown): AccessDenied',
        ],
        ["a pulumi error with no text", fail("", 255), "error: pulumi stack output --stack dev failed: exit code 255"],
        ["output that is not JSON", ok("Current stack outputs (2):"), "error: pulumi stack output --json --stack dev printed no JSON object"],
        [
            "a malformed verificationJobs",
            ok(outputs({ verificationJobs: ["flyte"] })),
            "error: the output verificationJobs of stack dev is not a list of <namespace>/<name>, one per stage (endpoint, workload): run `pulumi up` with this checkout",
        ],
        [
            "more Jobs than stages",
            ok(outputs({ verificationJobs: [ref(ENDPOINT), ref(WORKLOAD), ref(WORKLOAD)] })),
            "error: the output verificationJobs of stack dev is not a list of <namespace>/<name>, one per stage (endpoint, workload): run `pulumi up` with this checkout",
        ],
        [
            "an empty verificationJobs",
            ok(outputs({ verificationJobs: "[]" })),
            "error: the output verificationJobs of stack dev is not a list of <namespace>/<name>, one per stage (endpoint, workload): run `pulumi up` with this checkout",
        ],
        ["no kubeconfig", ok(outputs({ kubeconfig: undefined })), "error: stack dev has no output kubeconfig: run `pulumi up` with this checkout"],
    ])("%s: nothing but pulumi runs, no file is written", async (_label, reply, line) => {
        const outcome = await verify([{ cmd: PULUMI, reply }]);
        expect(outcome).toMatchObject({ code: 2, stdout: "", stderr: `${line}\n`, leftInTmp: [] });
    });

    test("a failed pulumi's stdout is not shown", async () => {
        const outcome = await verify([{ cmd: PULUMI, reply: { code: 1, stdout: `{"kubeconfig":"${SECRET}"`, stderr: "" } }]);
        expect(outcome.stderr).toBe("error: pulumi stack output --stack dev failed: exit code 1\n");
    });

    test.each([
        ["kubectl missing", new MissingCommandError("kubectl"), "error: kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/) and retry"],
        [
            "GKE's credential plugin missing",
            fail(
                [
                    'E0304 05:06:07.487165   23362 memcache.go:265] "Unhandled Error" err=<',
                    '\tcouldn\'t get current server API group list: Get "https://34.1.2.3/api?timeout=32s": getting credentials: exec: executable gke-gcloud-auth-plugin not found',
                    "\tIt looks like you are trying to use a client-go credential plugin that is not installed.",
                    " >",
                    "Unable to connect to the server: getting credentials: exec: executable gke-gcloud-auth-plugin not found",
                    "",
                    "It looks like you are trying to use a client-go credential plugin that is not installed.",
                    "",
                ].join("\n"),
            ),
            "error: kubectl cannot get credentials for the cluster: the stack's kubeconfig runs gke-gcloud-auth-plugin, which is not on PATH: install it with `gcloud components install gke-gcloud-auth-plugin`, then retry",
        ],
        [
            "GKE's credential plugin failing (gcloud not signed in)",
            fail(
                [
                    "F0304 05:06:07.166986   23126 cred.go:145] print credential failed with error: Failed to retrieve access token:: failure while executing gcloud, with args [config config-helper --format=json]: exit status 1 (err: ERROR: (gcloud.config.config-helper) You do not currently have an active account selected.",
                    "Please run:",
                    "  $ gcloud auth login",
                    ")",
                    'E0304 05:06:07.852272   23120 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: getting credentials: exec: executable gke-gcloud-auth-plugin failed with exit code 1"',
                    "Unable to connect to the server: getting credentials: exec: executable gke-gcloud-auth-plugin failed with exit code 1",
                    "",
                ].join("\n"),
            ),
            "error: kubectl cannot get credentials for the cluster: gke-gcloud-auth-plugin, which the stack's kubeconfig runs, failed with exit code 1: sign in with `gcloud auth login`, then retry",
        ],
        [
            "the AWS CLI failing",
            fail("Unable to connect to the server: getting credentials: exec: executable aws failed with exit code 255\n"),
            "error: kubectl cannot get credentials for the cluster: aws, which the stack's kubeconfig runs, failed with exit code 255: sign in to the stack's AWS account (`aws sso login`, or credentials in the environment), then retry",
        ],
        [
            "another credential plugin failing",
            fail("Unable to connect to the server: getting credentials: exec: executable kubelogin failed with exit code 1\n"),
            "error: kubectl cannot get credentials for the cluster: kubelogin, which the stack's kubeconfig runs, failed with exit code 1: check that it works on its own, then retry",
        ],
        [
            "the AWS CLI missing",
            fail("Unable to connect to the server: getting credentials: exec: executable aws not found\n"),
            "error: kubectl cannot get credentials for the cluster: the stack's kubeconfig runs aws, which is not on PATH: install the AWS CLI v2, then retry",
        ],
        [
            "another credential plugin missing",
            fail('Unable to connect to the server: getting credentials: exec: executable "/opt/bin/kubelogin" not found\n'),
            "error: kubectl cannot get credentials for the cluster: the stack's kubeconfig runs kubelogin, which is not on PATH: install it, then retry",
        ],
        [
            "the Job not in the cluster",
            fail(`Error from server (NotFound): jobs.batch "${ENDPOINT.name}" not found\n`),
            `error: Job flyte/${ENDPOINT.name} (stage endpoint) is not in the cluster, though stack dev names it: \`pulumi up --refresh --stack dev\` creates it again`,
        ],
        [
            "an error after client-go's log lines",
            fail('E0304 05:06:07.1 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list"\nerror: You must be logged in to the server (Unauthorized)\n'),
            `error: kubectl cannot read Job flyte/${ENDPOINT.name}: error: You must be logged in to the server (Unauthorized)`,
        ],
        [
            "only client-go's log",
            fail("E0304 05:06:07.100000   1 memcache.go:265] first\nsomething else\n"),
            `error: kubectl cannot read Job flyte/${ENDPOINT.name}: something else`,
        ],
        [
            "the cluster unreachable",
            fail("Unable to connect to the server: dial tcp 34.1.2.3:443: i/o timeout\n"),
            `error: kubectl cannot read Job flyte/${ENDPOINT.name}: Unable to connect to the server: dial tcp 34.1.2.3:443: i/o timeout`,
        ],
        ["a Job that is not one", ok({ kind: "Job", metadata: { name: ENDPOINT.name } }), `error: Job flyte/${ENDPOINT.name} cannot be copied: not a Job: it has no metadata.name or spec.template`],
        ["a reply that is not JSON", ok("No resources found"), `error: kubectl get job ${ENDPOINT.name} -n flyte printed no JSON object`],
    ])("%s: no copy is made, the kubeconfig is removed", async (_label, reply, line) => {
        const outcome = await verify([
            { cmd: PULUMI, reply: ok(outputs()) },
            { cmd: `${K} -n flyte get job ${ENDPOINT.name} -o json`, reply },
        ]);
        expect(outcome).toMatchObject({ code: 2, stdout: "", stderr: `${line}\n` });
        expectCleanRun(outcome);
    });
});
