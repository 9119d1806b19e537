import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CommandIo } from "../plan/command";
import { failureLine, jobOutcome, type JobOutcome, type KubePod } from "./jobResult";
import { type KubeJob, MANUAL_RUN_TTL_SECONDS, manualRunName, rerunManifest } from "./rerunJob";

/**
 * `npm run verify`: the verification Jobs of a deployed stack run again, without a `pulumi up`. The stack's outputs
 * name the Jobs (`verificationJobs`) and hold the kubeconfig; each Job is copied under a new name, run, read and
 * deleted, in order, stopping at the first that fails. Every command goes through a CommandRunner, so that tests
 * script what pulumi and kubectl answer.
 */

/** What a command is given besides its arguments. */
export interface RunOptions {
    /** Written to the command's stdin (which is otherwise empty). */
    readonly input?: string;
    /** The directory it runs in (defaults to this process's). */
    readonly cwd?: string;
}

/** How a command ended. */
export interface RunResult {
    /** Its exit code; null when a signal ended it. */
    readonly code: number | null;
    /** What it printed on stdout. */
    readonly stdout: string;
    /** What it printed on stderr. */
    readonly stderr: string;
}

/** Runs a command to its end; rejects with MissingCommandError when there is no such executable. */
export type CommandRunner = (command: string, args: readonly string[], options: RunOptions) => Promise<RunResult>;

/** The executable a CommandRunner was asked for is not installed (not on PATH). */
export class MissingCommandError extends Error {
    /** The command, as it was asked for. */
    readonly command: string;

    constructor(command: string) {
        super(`${command}: command not found`);
        this.name = "MissingCommandError";
        this.command = command;
    }
}

/** One entry of the stack output `verificationJobs`: a stage's Job, in the order they run. */
export interface VerificationJob {
    /** The stage, e.g. `endpoint` or `workload`. */
    readonly stage: string;
    /** The Job's namespace. */
    readonly namespace: string;
    /** The Job's name. */
    readonly name: string;
}

/** What verifyStack needs. */
export interface VerifyStackOptions {
    /** The stack, as `pulumi --stack` takes it (`dev`, or `org/project/dev`). */
    readonly stack: string;
    /** The directory holding Pulumi.yaml: where `pulumi stack output` runs. */
    readonly projectDir: string;
    /** Runs pulumi and kubectl. */
    readonly run: CommandRunner;
    /** Where progress, the result and errors go. */
    readonly io: CommandIo;
    /** Where the kubeconfig's temporary folder goes; defaults to os.tmpdir(). */
    readonly tmpDir?: string;
    /** The clock (the copies' names, the bound on each wait); defaults to the system's. */
    readonly now?: () => Date;
    /** Waits `ms` between two polls, returning early once `signal` is aborted; defaults to a timer. */
    readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Aborted on Ctrl-C: the run stops at its next step, deleting its copy and the kubeconfig first. */
    readonly signal?: AbortSignal;
}

/** How often a running copy is read. */
export const POLL_INTERVAL_MS = 2000;

/** How much longer than a Job's own deadline (activeDeadlineSeconds) its copy is waited for. */
export const DEADLINE_MARGIN_SECONDS = 60;

/** The deadline assumed for a Job that has none (the program gives its Jobs 300 s). */
const DEFAULT_DEADLINE_SECONDS = 300;

/** A copy that cannot be read this many times in a row is given up on. */
const READ_ATTEMPTS = 3;

/** The exit code after Ctrl-C, as a shell reports a process ended by SIGINT. */
export const INTERRUPTED_EXIT_CODE = 130;

/** How to install, and sign in with, each credential plugin the stacks' kubeconfigs run. */
const CREDENTIAL_PLUGINS: Readonly<Record<string, { readonly install: string; readonly signIn: string }>> = {
    "gke-gcloud-auth-plugin": {
        install: "install it with `gcloud components install gke-gcloud-auth-plugin`",
        signIn: "sign in with `gcloud auth login`",
    },
    aws: {
        install: "install the AWS CLI v2",
        signIn: "sign in to the stack's AWS account (`aws sso login`, or credentials in the environment)",
    },
};

/** Ends the run with `line` on stderr and `code` as the exit code. */
class Stop extends Error {
    readonly code: number;

    constructor(code: number, line: string) {
        super(line);
        this.code = code;
    }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
    });
}

/** A line cut to a length that fits a terminal line or two. */
function cut(line: string): string {
    return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/**
 * The line of a command's stderr that says what went wrong: the last of its own errors (`own`, which pulumi and
 * kubectl print last), else the first line that is not client-go's log (klog's `E0304 05:06:07.123456 …` prefix).
 */
function errorLine(stderr: string, own: RegExp): string {
    const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    const errors = lines.filter((l) => own.test(l));
    return cut(errors[errors.length - 1] ?? lines.find((l) => !/^[IWEF]\d{4} \d{2}:\d{2}:\d{2}/.test(l)) ?? lines[0] ?? "");
}

/** kubectl's own error lines: `error: …`, `Error from server (…): …`, `Unable to connect to the server: …`. */
function kubectlErrorLine(stderr: string): string {
    return errorLine(stderr, /^(error:|Error from server|Unable to connect to the server)/);
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The line for a failed `pulumi stack output`; stdout is not shown (it could hold a decrypted value). */
function pulumiProblem(stack: string, result: RunResult): string {
    const text = result.stderr;
    if (/PULUMI_CONFIG_PASSPHRASE/.test(text)) {
        return `error: pulumi cannot decrypt the secrets of stack ${stack}: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to its passphrase`;
    }
    if (/no stack named/i.test(text)) {
        return `error: the pulumi backend you are logged in to has no stack ${stack}: see \`pulumi stack ls\`, or \`pulumi login <backend URL>\` to the backend that holds it`;
    }
    if (/PULUMI_ACCESS_TOKEN|not logged in|pulumi login/i.test(text)) {
        return "error: the pulumi CLI is not logged in: run `pulumi login` (or `pulumi login <backend URL>` for a self-managed backend) and retry";
    }
    return `error: pulumi stack output --stack ${stack} failed: ${errorLine(text, /^error:/) || `exit code ${result.code}`}`;
}

/** The line for a kubectl command that failed; when the kubeconfig's credential plugin is missing or fails, what to do. */
function kubectlProblem(what: string, result: RunResult): string {
    // client-go's exec credential provider: `exec: executable <command> not found` or `… failed with exit code <n>`
    // (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go).
    const plugin = /executable (\S+) (not found|failed with exit code \d+)/.exec(result.stderr);
    if (plugin) {
        const command = path.basename(plugin[1].replace(/^["']|["']$/g, ""));
        const known = CREDENTIAL_PLUGINS[command];
        if (plugin[2] === "not found") {
            return `error: kubectl cannot get credentials for the cluster: the stack's kubeconfig runs ${command}, which is not on PATH: ${known?.install ?? "install it"}, then retry`;
        }
        return `error: kubectl cannot get credentials for the cluster: ${command}, which the stack's kubeconfig runs, ${plugin[2]}: ${known?.signIn ?? "check that it works on its own"}, then retry`;
    }
    return `error: kubectl ${what}: ${kubectlErrorLine(result.stderr) || `exit code ${result.code}`}`;
}

/** `pulumi stack output --json --show-secrets` of the stack, as an object. */
async function stackOutputs(options: VerifyStackOptions): Promise<Record<string, unknown>> {
    let result: RunResult;
    try {
        result = await options.run("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", options.stack], { cwd: options.projectDir });
    } catch (err) {
        if (err instanceof MissingCommandError) {
            throw new Stop(2, "error: the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to the stack's backend with `pulumi login`");
        }
        throw err;
    }
    if (options.signal?.aborted) {
        throw new Stop(INTERRUPTED_EXIT_CODE, `stack ${options.stack}: interrupted`);
    }
    if (result.code !== 0) {
        throw new Stop(2, pulumiProblem(options.stack, result));
    }
    const outputs = parseJson(result.stdout);
    if (!isObject(outputs)) {
        throw new Stop(2, `error: pulumi stack output --json --stack ${options.stack} printed no JSON object`);
    }
    return outputs;
}

/** The verification's stages, in the order the stack output `verificationJobs` lists their Jobs (components/flyte/deploymentVerification.ts). */
export const STAGES = ["endpoint", "workload"] as const;

/** A Job as the output names it, `<namespace>/<name>`, or undefined when it is not one. */
function jobRef(value: unknown): { namespace: string; name: string } | undefined {
    const match = typeof value === "string" ? /^([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*)$/.exec(value) : null;
    return match === null ? undefined : { namespace: match[1], name: match[2] };
}

/** The stack output `verificationJobs` (`<namespace>/<name>` of each stage's Job, or the same as a JSON string), in run order. */
function verificationJobs(outputs: Record<string, unknown>, stack: string): VerificationJob[] {
    const raw = outputs.verificationJobs;
    if (raw === undefined || raw === null) {
        throw new Stop(
            2,
            `error: stack ${stack} has verification off (flyte:verification), so it has no checks to run: \`pulumi config set flyte:verification on --stack ${stack}\`, then \`pulumi up\``,
        );
    }
    const jobs = typeof raw === "string" ? parseJson(raw) : raw;
    const refs = Array.isArray(jobs) ? jobs.map(jobRef) : [];
    const valid = refs.filter((r) => r !== undefined);
    if (refs.length === 0 || refs.length > STAGES.length || valid.length !== refs.length) {
        throw new Stop(2, `error: the output verificationJobs of stack ${stack} is not a list of <namespace>/<name>, one per stage (${STAGES.join(", ")}): run \`pulumi up\` with this checkout`);
    }
    return valid.map((r, i) => ({ stage: STAGES[i], ...r }));
}

/** The stack output `kubeconfig` as text (a kubeconfig exported as an object is written as JSON, which kubectl reads too). */
function kubeconfigText(outputs: Record<string, unknown>, stack: string): string {
    const raw = outputs.kubeconfig;
    const text = typeof raw === "string" ? raw : isObject(raw) ? JSON.stringify(raw) : "";
    if (text.trim() === "") {
        throw new Stop(2, `error: stack ${stack} has no output kubeconfig: run \`pulumi up\` with this checkout`);
    }
    return text;
}

/** Writes the kubeconfig to a file only this user can read, runs `work` with its path, and removes it whatever happens. */
async function withKubeconfig<T>(kubeconfig: string, tmpDir: string, work: (file: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(tmpDir, "flyte-verify-"));
    try {
        const file = path.join(dir, "kubeconfig");
        fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
        return await work(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** One stage's run: the options, the kubeconfig file, and the Job. */
interface StageRun {
    readonly options: VerifyStackOptions;
    readonly kubeconfig: string;
    readonly job: VerificationJob;
}

/** `kubectl --kubeconfig <file> -n <namespace> <args>`. */
async function kubectl(stage: StageRun, args: readonly string[], input?: string): Promise<RunResult> {
    try {
        return await stage.options.run("kubectl", ["--kubeconfig", stage.kubeconfig, "-n", stage.job.namespace, ...args], input === undefined ? {} : { input });
    } catch (err) {
        if (err instanceof MissingCommandError) {
            throw new Stop(2, "error: kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/) and retry");
        }
        throw err;
    }
}

function interrupted(stage: StageRun, copy?: string): Stop {
    const deleted = copy === undefined ? "" : `; deleted the manual run ${stage.job.namespace}/${copy}`;
    return new Stop(INTERRUPTED_EXIT_CODE, `stack ${stage.options.stack}: interrupted during stage ${stage.job.stage}${deleted}`);
}

/** The deployed Job the stage runs a copy of. */
async function deployedJob(stage: StageRun): Promise<KubeJob> {
    const { job, options } = stage;
    const ref = `${job.namespace}/${job.name}`;
    const result = await kubectl(stage, ["get", "job", job.name, "-o", "json"]);
    if (result.code !== 0) {
        if (/\(NotFound\)/.test(result.stderr)) {
            throw new Stop(
                2,
                `error: Job ${ref} (stage ${job.stage}) is not in the cluster, though stack ${options.stack} names it: \`pulumi up --refresh --stack ${options.stack}\` creates it again`,
            );
        }
        throw new Stop(2, kubectlProblem(`cannot read Job ${ref}`, result));
    }
    const found = parseJson(result.stdout);
    if (!isObject(found)) {
        throw new Stop(2, `error: kubectl get job ${job.name} -n ${job.namespace} printed no JSON object`);
    }
    return found as KubeJob;
}

/** Reads the copy every POLL_INTERVAL_MS until it is Complete or Failed, for at most its deadline and a margin. */
async function waitForCopy(stage: StageRun, copy: string, deadlineSeconds: number): Promise<JobOutcome> {
    const { options } = stage;
    const now = options.now ?? (() => new Date());
    const sleep = options.sleep ?? defaultSleep;
    const boundSeconds = deadlineSeconds + DEADLINE_MARGIN_SECONDS;
    const until = now().getTime() + boundSeconds * 1000;
    let failedReads = 0;
    for (;;) {
        const result = await kubectl(stage, ["get", "job", copy, "-o", "json"]);
        if (options.signal?.aborted) {
            throw interrupted(stage, copy);
        }
        const read = result.code === 0 ? parseJson(result.stdout) : undefined;
        if (isObject(read)) {
            failedReads = 0;
            const outcome = jobOutcome(read as KubeJob);
            if (outcome.state !== "running") {
                return outcome;
            }
        } else if (++failedReads >= READ_ATTEMPTS) {
            throw new Stop(2, kubectlProblem(`cannot read Job ${stage.job.namespace}/${copy}`, result));
        }
        if (now().getTime() >= until) {
            throw new Stop(
                1,
                `stack ${options.stack}: stage ${stage.job.stage} did not finish within ${boundSeconds} s (its Job's deadline of ${deadlineSeconds} s and ${DEADLINE_MARGIN_SECONDS} s more): Job ${stage.job.namespace}/${copy} is neither Complete nor Failed`,
            );
        }
        await sleep(POLL_INTERVAL_MS, options.signal);
        if (options.signal?.aborted) {
            throw interrupted(stage, copy);
        }
    }
}

/** The copy's pods, to read the probe's termination message from; undefined when they cannot be read. */
async function copyPods(stage: StageRun, copy: string): Promise<KubePod[] | undefined> {
    // The Job controller labels its pods with their Job's name (batch.kubernetes.io/job-name, Kubernetes 1.27 and later).
    const result = await kubectl(stage, ["get", "pods", "-l", `batch.kubernetes.io/job-name=${copy}`, "-o", "json"]);
    const list = result.code === 0 ? parseJson(result.stdout) : undefined;
    return isObject(list) && Array.isArray(list.items) ? (list.items as KubePod[]) : undefined;
}

/** Deletes the copy (its pods in the background); a failure is a warning, since its TTL removes it anyway. */
async function deleteCopy(stage: StageRun, copy: string): Promise<void> {
    const ref = `${stage.job.namespace}/${copy}`;
    const warn = (why: string): void =>
        stage.options.io.stderr(`warning: could not delete Job ${ref} (${why}); Kubernetes deletes it ${MANUAL_RUN_TTL_SECONDS} s after it finishes\n`);
    try {
        const result = await kubectl(stage, ["delete", "job", copy, "--ignore-not-found", "--wait=false", "--cascade=background"]);
        if (result.code !== 0) {
            warn(kubectlErrorLine(result.stderr) || `exit code ${result.code}`);
        }
    } catch (err) {
        warn(err instanceof Error ? err.message : String(err));
    }
}

/** Runs a copy of the stage's Job to its end; throws Stop(1) with the failure's line when it fails. */
async function runStage(stage: StageRun): Promise<void> {
    const { job, options } = stage;
    if (options.signal?.aborted) {
        throw interrupted(stage);
    }
    const original = await deployedJob(stage);
    const copy = manualRunName(job.name, (options.now ?? (() => new Date()))());
    let manifest: KubeJob;
    try {
        manifest = rerunManifest(original, copy);
    } catch (err) {
        throw new Stop(2, `error: Job ${job.namespace}/${job.name} cannot be copied: ${(err as Error).message}`);
    }
    const ref = `${job.namespace}/${copy}`;
    options.io.stdout(`${job.stage}: running ${ref}, a copy of Job ${job.name}\n`);
    try {
        const created = await kubectl(stage, ["create", "-f", "-"], JSON.stringify(manifest));
        if (created.code !== 0) {
            throw new Stop(2, kubectlProblem(`cannot create Job ${ref}`, created));
        }
        const outcome = await waitForCopy(stage, copy, manifest.spec?.activeDeadlineSeconds ?? DEFAULT_DEADLINE_SECONDS);
        if (outcome.state === "failed") {
            const pods = await copyPods(stage, copy);
            throw new Stop(1, failureLine({ stack: options.stack, stage: job.stage, job: ref, reason: outcome.reason, message: outcome.message }, pods));
        }
    } finally {
        await deleteCopy(stage, copy);
    }
}

/**
 * Runs the stack's verification Jobs again, in order, each as a fresh copy, and reports: `stack <name>: verified
 * (<stage> ok, …)` on stdout and 0 when every stage passed; the failed check's one line on stderr and 1 when one
 * failed (the later stages depend on it, so they do not run); one `error: …` line and 2 when the run could not be
 * made (pulumi or kubectl missing or not signed in, verification off, a Job not found); 130 when interrupted.
 * The kubeconfig lives in a temporary file for the run only; no secret is printed.
 */
export async function verifyStack(options: VerifyStackOptions): Promise<number> {
    const { io, stack } = options;
    try {
        const outputs = await stackOutputs(options);
        const jobs = verificationJobs(outputs, stack);
        const kubeconfig = kubeconfigText(outputs, stack);
        return await withKubeconfig(kubeconfig, options.tmpDir ?? os.tmpdir(), async (file) => {
            for (const job of jobs) {
                await runStage({ options, kubeconfig: file, job });
            }
            io.stdout(`stack ${stack}: verified (${jobs.map((j) => `${j.stage} ok`).join(", ")})\n`);
            return 0;
        });
    } catch (err) {
        if (err instanceof Stop) {
            io.stderr(`${err.message}\n`);
            return err.code;
        }
        throw err;
    }
}
