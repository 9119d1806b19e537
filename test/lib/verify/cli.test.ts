import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runTypeScript } from "../../../lib/plan/typescriptProcess";
import { processRunner, VERIFY_USAGE, verifyCommand } from "../../../lib/verify/cli";
import { MissingCommandError } from "../../../lib/verify/verifyStack";

/**
 * `npm run verify`: its options in this process, the runner that runs pulumi and kubectl, and the command as a
 * user runs it (`node --import ./lib/plan/typescriptLoader.mjs scripts/verify.ts --stack demo`), against stand-in
 * `pulumi` and `kubectl` executables first on PATH.
 */

const PROJECT_DIR = path.resolve(__dirname, "../../..");

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tmpDirs.push(dir);
    return dir;
}

async function command(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
    const code = await verifyCommand(argv, io, {
        projectDir: PROJECT_DIR,
        run: async (cmd) => {
            throw new MissingCommandError(cmd);
        },
    });
    return { code, stdout, stderr };
}

describe("options", () => {
    test("--help prints the usage, exit 0", async () => {
        expect(await command(["--help"])).toEqual({ code: 0, stdout: `${VERIFY_USAGE}\n`, stderr: "" });
        expect(VERIFY_USAGE).toBe("usage: npm run verify -- --stack <name>");
    });

    test.each([
        [[], "--stack is required"],
        [["--stack"], "Option '--stack <value>' argument missing"],
        [["--stack", ""], "--stack is required"],
        [["--stack", "dev", "--json"], "Unknown option '--json'"],
        [["--stack", "dev", "extra"], "Unexpected argument 'extra'"],
    ])("%j: the problem and the usage, exit 2", async (argv, problem) => {
        const result = await command(argv);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr.split("\n")[0]).toContain(problem);
        expect(result.stderr).toMatch(new RegExp(`\\n${VERIFY_USAGE.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}\\n$`));
    });

    test("--stack runs the verification of that stack", async () => {
        expect(await command(["--stack", "dev"])).toEqual({
            code: 2,
            stdout: "",
            stderr: "error: the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to the stack's backend with `pulumi login`\n",
        });
    });
});

describe("processRunner", () => {
    test("gives the input on stdin, runs in cwd, and returns the exit code and both outputs", async () => {
        const dir = tempDir("verify-runner-");
        const result = await processRunner("/bin/sh", ["-c", 'cat; pwd -P; echo oops >&2; exit 3'], { input: "manifest\n", cwd: dir });
        expect(result).toEqual({ code: 3, stdout: `manifest\n${fs.realpathSync(dir)}\n`, stderr: "oops\n" });
    });

    test("without input, stdin is empty: nothing waits for a terminal", async () => {
        expect(await processRunner("/bin/sh", ["-c", "cat; echo done"], {})).toEqual({ code: 0, stdout: "done\n", stderr: "" });
    });

    test("a command that is not installed rejects with MissingCommandError", async () => {
        await expect(processRunner("flyte-verify-no-such-command", [], {})).rejects.toEqual(new MissingCommandError("flyte-verify-no-such-command"));
    });
});

describe("as a user runs it, with stand-in pulumi and kubectl", () => {
    const SECRET = "s3cr3t-bearer-token";
    const ENDPOINT = { stage: "endpoint", namespace: "flyte", name: "flyte-verify-endpoint-3f9a1c2b" };
    const WORKLOAD = { stage: "workload", namespace: "flytesnacks-development", name: "flyte-verify-workload-77d0e1aa" };
/** A Job as the stack output names it. */
const ref = (job: { namespace: string; name: string }): string => `${job.namespace}/${job.name}`;
    const PROBE_LINE = "stack demo: task pods in flytesnacks-development cannot write to gs://acme-demo-data: 403 Forbidden; grant flyte-demo-worker objectAdmin on the bucket";

    const job = (j: { namespace: string; name: string }): object => ({
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: j.name, namespace: j.namespace, uid: "u1", labels: { "batch.kubernetes.io/job-name": j.name } },
        spec: {
            activeDeadlineSeconds: 300,
            selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u1" } },
            template: { metadata: { labels: { "controller-uid": "u1" } }, spec: { restartPolicy: "Never", containers: [{ name: "probe", image: "node:24-alpine" }] } },
        },
        status: { conditions: [{ type: "Complete", status: "True" }] },
    });
    const COMPLETE = { status: { conditions: [{ type: "Complete", status: "True" }] } };
    const FAILED = { status: { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] } };

    /** A folder with the stand-ins in bin/, the files they answer with, and what they record. */
    function fakes(workloadRun: object): string {
        const dir = tempDir("verify-cli-");
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        const write = (name: string, value: unknown): void => fs.writeFileSync(path.join(dir, name), typeof value === "string" ? value : JSON.stringify(value));
        write("outputs.json", { kubeconfig: `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: ${SECRET}\n`, verificationJobs: [ref(ENDPOINT), ref(WORKLOAD)] });
        write(`job-${ENDPOINT.name}.json`, job(ENDPOINT));
        write(`job-${WORKLOAD.name}.json`, job(WORKLOAD));
        write("endpoint-run.json", COMPLETE);
        write("workload-run.json", workloadRun);
        write("pods.json", {
            kind: "List",
            items: [{ status: { containerStatuses: [{ name: "probe", state: { terminated: { exitCode: 1, message: `${PROBE_LINE}\n` } } }] } }],
        });
        fs.writeFileSync(
            path.join(bin, "pulumi"),
            [
                "#!/bin/sh",
                `[ "$*" = "stack output --json --show-secrets --stack demo" ] || { echo "pulumi: unexpected $*" >&2; exit 3; }`,
                `[ "$(pwd -P)" = "${fs.realpathSync(PROJECT_DIR)}" ] || { echo "pulumi: not in the project directory" >&2; exit 3; }`,
                `cat "${dir}/outputs.json"`,
                "",
            ].join("\n"),
            { mode: 0o755 },
        );
        fs.writeFileSync(
            path.join(bin, "kubectl"),
            [
                "#!/bin/sh",
                `printf '%s\\n' "$*" >> "${dir}/calls"`,
                `printf '%s %s\\n' "$(ls -l "$2" | cut -c1-10)" "$2" >> "${dir}/kubeconfigs"`,
                "ns=$4",
                "shift 4",
                'case "$1 $2" in',
                `"get job") case "$3" in *endpoint*-manual-*) cat "${dir}/endpoint-run.json" ;; *workload*-manual-*) cat "${dir}/workload-run.json" ;; *) cat "${dir}/job-$3.json" ;; esac ;;`,
                `"create -f") cat > "${dir}/created-$ns.json"; echo "job.batch created" ;;`,
                `"get pods") cat "${dir}/pods.json" ;;`,
                `"delete job") echo "job.batch deleted" ;;`,
                `*) echo "kubectl: unexpected $*" >&2; exit 3 ;;`,
                "esac",
                "",
            ].join("\n"),
            { mode: 0o755 },
        );
        return dir;
    }

    async function run(workloadRun: object): Promise<{ status: number | null; stdout: string; stderr: string; calls: string[]; kubeconfigs: string[]; dir: string }> {
        const dir = fakes(workloadRun);
        const result = await runTypeScript(PROJECT_DIR, "scripts/verify.ts", ["--stack", "demo"], {
            env: { ...process.env, PATH: `${path.join(dir, "bin")}${path.delimiter}${process.env.PATH ?? ""}` },
        });
        const lines = (file: string): string[] => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8").trim().split("\n") : []);
        return { ...result, calls: lines("calls").map((c) => c.replace(/^--kubeconfig \S+ /, "").replace(/-manual-\d{14}/, "-manual-<time>")), kubeconfigs: lines("kubeconfigs"), dir };
    }

    /** The kubeconfig: one file, readable by its owner only while kubectl ran, removed with its folder afterwards. */
    function expectKubeconfigRemoved(kubeconfigs: string[]): void {
        const files = new Set(kubeconfigs.map((l) => l.split(" ")[1]));
        expect(files.size).toBe(1);
        const [file] = [...files];
        expect(kubeconfigs.map((l) => l.split(" ")[0])).toEqual(kubeconfigs.map(() => "-rw-------"));
        expect(path.basename(path.dirname(file))).toMatch(/^flyte-verify-/);
        expect(fs.existsSync(path.dirname(file))).toBe(false);
    }

    test("every stage passes: exit 0, one line per stage and the result", async () => {
        const result = await run(COMPLETE);
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
        expect(result.stdout).toMatch(
            new RegExp(
                [
                    `^endpoint: running flyte/${ENDPOINT.name}-manual-\\d{14}, a copy of Job ${ENDPOINT.name}`,
                    `workload: running flytesnacks-development/${WORKLOAD.name}-manual-\\d{14}, a copy of Job ${WORKLOAD.name}`,
                    "stack demo: verified \\(endpoint ok, workload ok\\)\n$",
                ].join("\n"),
            ),
        );
        expect(result.calls).toEqual([
            `-n flyte get job ${ENDPOINT.name} -o json`,
            "-n flyte create -f -",
            `-n flyte get job ${ENDPOINT.name}-manual-<time> -o json`,
            `-n flyte delete job ${ENDPOINT.name}-manual-<time> --ignore-not-found --wait=false --cascade=background`,
            `-n flytesnacks-development get job ${WORKLOAD.name} -o json`,
            "-n flytesnacks-development create -f -",
            `-n flytesnacks-development get job ${WORKLOAD.name}-manual-<time> -o json`,
            `-n flytesnacks-development delete job ${WORKLOAD.name}-manual-<time> --ignore-not-found --wait=false --cascade=background`,
        ]);
        const created = JSON.parse(fs.readFileSync(path.join(result.dir, "created-flytesnacks-development.json"), "utf8")) as {
            metadata: { name: string; namespace: string; labels: Record<string, string> };
            spec: Record<string, unknown>;
        };
        expect(created.metadata).toMatchObject({ namespace: "flytesnacks-development", labels: { "flyte-verification/run": "manual" } });
        expect(created.metadata.name).toMatch(new RegExp(`^${WORKLOAD.name}-manual-\\d{14}$`));
        expect(created.spec.selector).toBeUndefined();
        expectKubeconfigRemoved(result.kubeconfigs);
        expect(result.stdout).not.toContain(SECRET);
    });

    test("the workload check fails: exit 1 with the probe's line, its copy deleted", async () => {
        const result = await run(FAILED);
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(`${PROBE_LINE}\n`);
        expect(result.stdout).not.toContain("verified");
        expect(result.calls.slice(4)).toEqual([
            `-n flytesnacks-development get job ${WORKLOAD.name} -o json`,
            "-n flytesnacks-development create -f -",
            `-n flytesnacks-development get job ${WORKLOAD.name}-manual-<time> -o json`,
            `-n flytesnacks-development get pods -l batch.kubernetes.io/job-name=${WORKLOAD.name}-manual-<time> -o json`,
            `-n flytesnacks-development delete job ${WORKLOAD.name}-manual-<time> --ignore-not-found --wait=false --cascade=background`,
        ]);
        expectKubeconfigRemoved(result.kubeconfigs);
        expect(result.stdout + result.stderr).not.toContain(SECRET);
    });
});
