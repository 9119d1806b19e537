import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ADMIN_CONNECT_TIMEOUT_SECONDS,
    ADMIN_REQUEST_TIMEOUT_SECONDS,
    ADMIN_RETRY_SECONDS,
    projectAttributesRequest,
    projectAttributesScript,
    ProjectDataLocations,
    projectRawOutputPrefixes,
    RAW_OUTPUT_PATH,
} from "../../../components/flyte/projectDataLocations";
import { JOB_AWAIT_TIMEOUT_SECONDS, JOB_DEADLINE_SECONDS } from "../../../components/shared/hardening";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { flagValue, runWithFakeCurl } from "../../helpers/flyteCoreFixtures";
import { durationSeconds, recordCustomTimeouts, runWithFakes } from "../../helpers/jobs";
import { byName, only } from "../../helpers/plan";
import { arrayAt, at, recordAt, stringAt } from "../../helpers/json";

/**
 * ProjectDataLocations on its own: a Job, after the Flyte release, that points each isolated project's raw
 * outputs at its own bucket through flyteadmin's REST API. The buckets come from resources, as on GCP. The Job
 * covers exactly the projects it is given, each of which must have a bucket.
 */

const ADMIN_URL = "http://flyteadmin.flyte.svc.cluster.local:80";
const IMAGE = "docker.io/curlimages/curl:8.11.1";
let plan: Plan;
let jobTimeouts: Map<string, pulumi.CustomTimeouts | undefined>;

beforeAll(async () => {
    plan = await runComponents(() => {
        jobTimeouts = recordCustomTimeouts("kubernetes:batch/v1:Job");
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const release = new k8s.helm.v3.Release("flyte-release", { chart: "flyte-core", name: "flyte-core" }, { provider });
        // Declared out of order: the script sorts projects.
        const zeta = new gcp.storage.Bucket("zeta-data", { name: "acme-flyte-zeta", location: "EU" });
        const alpha = new gcp.storage.Bucket("alpha-data", { name: "acme-flyte-alpha", location: "EU" });
        const unrelated = new gcp.storage.Bucket("unrelated", { name: "acme-unrelated", location: "EU" });
        void unrelated;
        // A bucket the platform still has for a project no longer configured: not one of the Job's projects.
        const stale = new gcp.storage.Bucket("stale-data", { name: "acme-flyte-stale", location: "EU" });
        const locations = new ProjectDataLocations("flyte-project-data", {
            namespace: pulumi.output("flyte"),
            adminUrl: ADMIN_URL,
            storage: {
                provider: "gcs",
                project: "acme-test",
                metadataBucket: pulumi.output("acme-flyte-metadata"),
                userDataBucket: pulumi.output("acme-flyte-userdata"),
                projects: { zeta: { bucket: zeta.name }, alpha: { bucket: alpha.name }, stale: { bucket: stale.name } },
            },
            projects: ["zeta", "alpha"],
            image: IMAGE,
            labels: { team: "ml" },
            provider,
            release,
        });
        return { prefixes: locations.prefixes };
    });
});

const job = () => only(plan, "kubernetes:batch/v1:Job");
const script = () => stringAt(job().inputs, "spec", "template", "spec", "containers", 0, "args", 0);

test("one Job under the component, on the given provider", () => {
    const children = childrenOf(plan, component(plan, "flyte:flyte:ProjectDataLocations"));
    expect(children.map((c) => `${c.type} ${c.name}`)).toEqual(["kubernetes:batch/v1:Job flyte-project-data-job"]);
    const provider = byName(plan, "pulumi:providers:kubernetes", "cluster");
    expect(job().provider.startsWith(`${provider.urn}::`)).toBe(true);
    expect(at(job().inputs, "metadata", "namespace")).toBe("flyte");
    expect(at(job().inputs, "metadata", "labels")).toEqual({ team: "ml", "app.kubernetes.io/name": "flyte-project-data-locations" });
});

test("the Job waits for the release (flyteadmin up) and for the project buckets it names, nothing else", () => {
    const urn = (type: string, name: string) => byName(plan, type, name).urn;
    expect(job().dependencies).toEqual(
        [
            urn("kubernetes:helm.sh/v3:Release", "flyte-release"),
            urn("gcp:storage/bucket:Bucket", "alpha-data"),
            urn("gcp:storage/bucket:Bucket", "zeta-data"),
        ].sort(),
    );
});

test("each project's prefix is gs://<its bucket>/data, exported as an output", () => {
    expect(plan.outputs.prefixes).toEqual({ alpha: "gs://acme-flyte-alpha/data", zeta: "gs://acme-flyte-zeta/data" });
});

test("the pod: curl image through /bin/sh, retried once in a new pod, no service account token", () => {
    const pod = recordAt(job().inputs, "spec", "template", "spec");
    expect(at(job().inputs, "spec", "backoffLimit")).toBe(1);
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(at(job().inputs, "spec", "template", "metadata", "labels")).toEqual(at(job().inputs, "metadata", "labels"));
    const containers = arrayAt(pod, "containers");
    expect(containers).toHaveLength(1);
    expect(at(containers[0], "image")).toBe(IMAGE);
    expect(at(containers[0], "command")).toEqual(["/bin/sh", "-c"]);
    expect(arrayAt(containers[0], "args")).toHaveLength(1);
});

test("unprivileged: non-root, no privilege escalation, read-only root, every capability dropped, bounded resources", () => {
    const pod = recordAt(job().inputs, "spec", "template", "spec");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const runAsUser = at(pod, "securityContext", "runAsUser");
    expect(typeof runAsUser === "number" && runAsUser > 0).toBe(true);
    expect(at(pod, "containers", 0, "securityContext")).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    });
    expect(at(pod, "containers", 0, "resources")).toEqual({ requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } });
});

test("the script is exactly what projectAttributesScript makes of the admin URL and prefixes", () => {
    expect(script()).toBe(
        projectAttributesScript(ADMIN_URL, { alpha: "gs://acme-flyte-alpha/data", zeta: "gs://acme-flyte-zeta/data" }),
    );
});

test("run against a stand-in curl: one PUT per project, in project order, setting its raw output prefix", () => {
    const run = runWithFakeCurl(script());
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.calls).toHaveLength(2);
    const expected = [
        ["alpha", "gs://acme-flyte-alpha/data"],
        ["zeta", "gs://acme-flyte-zeta/data"],
    ];
    run.calls.forEach((call, i) => {
        const [project, prefix] = expected[i];
        expect(flagValue(call.args, "-X")).toBe("PUT");
        expect(flagValue(call.args, "-H")).toBe("Content-Type: application/json");
        // The URL is the one argument that is neither a flag nor a flag's value.
        expect(call.args.filter((a) => a.startsWith("http://"))).toEqual([`${ADMIN_URL}/api/v1/project_attributes/${project}`]);
        expect(JSON.parse(flagValue(call.args, "--data"))).toEqual({
            attributes: {
                project,
                matching_attributes: { workflow_execution_config: { raw_output_data_config: { output_location_prefix: prefix } } },
            },
        });
        // Until flyteadmin answers, for a bounded time; a failed request fails the Job.
        expect(call.args).toEqual(expect.arrayContaining(["--fail-with-body", "--retry-all-errors", "--retry"]));
        expect(flagValue(call.args, "--retry-max-time")).toBe(String(ADMIN_RETRY_SECONDS));
        expect(flagValue(call.args, "--connect-timeout")).toBe(String(ADMIN_CONNECT_TIMEOUT_SECONDS));
        expect(flagValue(call.args, "--max-time")).toBe(String(ADMIN_REQUEST_TIMEOUT_SECONDS));
    });
    // The log says which project, where its data goes and which flyteadmin it waits for.
    expect(run.stdout).toBe(
        [
            `project alpha: raw outputs under gs://acme-flyte-alpha/data (PUT ${ADMIN_URL}/api/v1/project_attributes/alpha, retried for up to 120 s)`,
            `project zeta: raw outputs under gs://acme-flyte-zeta/data (PUT ${ADMIN_URL}/api/v1/project_attributes/zeta, retried for up to 120 s)`,
            "",
        ].join("\n"),
    );
});

test("the script stops at the first failed request, and its last line says what failed", () => {
    const run = runWithFakes(script(), { curl: 'echo "curl: (7) Failed to connect to flyteadmin port 80: Connection refused" >&2; exit 7' });
    expect(run.status).toBe(7);
    expect(run.calls.filter((c) => c.command === "curl")).toHaveLength(1);
    expect(run.stdout.trim().split("\n")).toEqual([expect.stringMatching(/^project alpha: /)]);
    expect(run.stderr.trim().split("\n")).toEqual([
        "curl: (7) Failed to connect to flyteadmin port 80: Connection refused",
        `setting project data locations through flyteadmin at ${ADMIN_URL} failed (exit 7): the error from curl is above`,
    ]);
});

describe("the Job cannot hang `pulumi up`", () => {
    test("a deadline, its log as the failure message, replaced after a failure", () => {
        expect(at(job().inputs, "spec", "activeDeadlineSeconds")).toBe(JOB_DEADLINE_SECONDS);
        expect(at(job().inputs, "spec", "template", "spec", "containers", 0, "terminationMessagePolicy")).toBe("FallbackToLogsOnError");
        expect(at(job().inputs, "metadata", "annotations")).toEqual({ "pulumi.com/replaceUnready": "true" });
    });

    test("Pulumi waits a minute longer than the Job may run, so the Job fails first, with its own reason", () => {
        const timeouts = jobTimeouts.get("flyte-project-data-job");
        expect(timeouts).toEqual({ create: `${JOB_AWAIT_TIMEOUT_SECONDS}s`, update: `${JOB_AWAIT_TIMEOUT_SECONDS}s` });
        expect(durationSeconds(String(timeouts?.create)) - JOB_DEADLINE_SECONDS).toBe(60);
    });

    test("a project that never gets through ends the Job well inside its deadline", () => {
        // curl retries for ADMIN_RETRY_SECONDS and its last attempt may take ADMIN_REQUEST_TIMEOUT_SECONDS more.
        expect(ADMIN_RETRY_SECONDS + ADMIN_REQUEST_TIMEOUT_SECONDS).toBeLessThan(JOB_DEADLINE_SECONDS - 60);
        expect(ADMIN_CONNECT_TIMEOUT_SECONDS).toBeLessThanOrEqual(ADMIN_REQUEST_TIMEOUT_SECONDS);
    });
});

describe("the projects it covers", () => {
    test("exactly the given projects: a bucket the platform has for another project is neither set, awaited nor exported", () => {
        expect(Object.keys(recordAt(plan.outputs, "prefixes")).sort()).toEqual(["alpha", "zeta"]);
        expect(script()).not.toContain("stale");
        expect(job().dependencies).not.toContain(byName(plan, "gcp:storage/bucket:Bucket", "stale-data").urn);
    });

    /** Declares the component for `projects` with buckets for alpha only; resolves to its prefixes. */
    const declare = (projects: readonly string[]) =>
        runComponents(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            const release = new k8s.helm.v3.Release("flyte-release", { chart: "flyte-core", name: "flyte-core" }, { provider });
            const locations = new ProjectDataLocations("flyte-project-data", {
                namespace: pulumi.output("flyte"),
                adminUrl: ADMIN_URL,
                storage: {
                    provider: "s3",
                    region: "eu-central-1",
                    metadataBucket: pulumi.output("meta"),
                    userDataBucket: pulumi.output("user"),
                    projects: { alpha: { bucket: pulumi.output("bucket-alpha") } },
                },
                projects,
                image: IMAGE,
                labels: {},
                provider,
                release,
            });
            return { prefixes: locations.prefixes };
        });

    test("a project without a bucket fails the plan, naming every such project", async () => {
        await expect(declare(["alpha", "ghost", "phantom"])).rejects.toThrow("the platform gave no data bucket for project(s) ghost, phantom");
    });

    test("with every project's bucket the same platform plans, s3:// prefixes for those projects", async () => {
        const ok = await declare(["alpha"]);
        expect(ok.outputs.prefixes).toEqual({ alpha: "s3://bucket-alpha/data" });
        const jobs = ok.resources.filter((r) => r.type === "kubernetes:batch/v1:Job");
        expect(jobs).toHaveLength(1);
        expect(stringAt(jobs[0].inputs, "spec", "template", "spec", "containers", 0, "args", 0)).toBe(
            projectAttributesScript(ADMIN_URL, { alpha: "s3://bucket-alpha/data" }),
        );
    });
});

describe("pure helpers", () => {
    test.each([
        ["gcs", "gs", { x: "bx", y: "by" }],
        ["s3", "s3", { b: "flyte-b-123", a: "flyte-a-123" }],
    ] as const)("projectRawOutputPrefixes on %s: %s://<bucket>/data per project, nothing without projects", (provider, scheme, buckets) => {
        expect(RAW_OUTPUT_PATH).toBe("data");
        expect(projectRawOutputPrefixes(provider, buckets)).toEqual(
            Object.fromEntries(Object.entries(buckets).map(([project, bucket]) => [project, `${scheme}://${bucket}/data`])),
        );
        expect(projectRawOutputPrefixes(provider, {})).toEqual({});
    });

    test.each([
        ["p1", "s3://b/data"],
        ["x", "gs://bx/data"],
    ])("projectAttributesRequest: flyteadmin's attributes of project %s, with the raw output prefix %s, as JSON without a single quote", (project, prefix) => {
        const request = projectAttributesRequest(project, prefix);
        expect(request.path).toBe(`/api/v1/project_attributes/${project}`);
        expect(JSON.parse(request.body)).toEqual({
            attributes: {
                project,
                matching_attributes: { workflow_execution_config: { raw_output_data_config: { output_location_prefix: prefix } } },
            },
        });
        // The body goes between single quotes in a shell script: it must not contain one.
        expect(request.body).not.toContain("'");
    });

    test("projectAttributesScript: set -eu, one retried PUT per project in sorted order, whatever their order", () => {
        const script = projectAttributesScript("http://admin:80", { y: "gs://by/data", x: "gs://bx/data" });
        const lines = script.split("\n");
        expect(lines[0]).toBe("set -eu");
        expect(script.endsWith("\n")).toBe(true);
        const urls = [...script.matchAll(/-X PUT -H 'Content-Type: application\/json' '([^']+)'/g)].map((m) => m[1]);
        expect(urls).toEqual(["http://admin:80/api/v1/project_attributes/x", "http://admin:80/api/v1/project_attributes/y"]);
        const bodies = [...script.matchAll(/--data '([^']+)'/g)].map((m) => JSON.parse(m[1]) as { attributes: { project: string } });
        expect(bodies.map((b) => b.attributes.project)).toEqual(["x", "y"]);
        expect(script.match(/--fail-with-body --retry 30 --retry-delay 5 --retry-all-errors/g)).toHaveLength(2);
        const text = projectAttributesScript("http://admin:80", { zz: "s3://z/data", aa: "s3://a/data", mm: "s3://m/data" });
        const projects = [...text.matchAll(/project_attributes\/([a-z]+)'/g)].map((m) => m[1]);
        expect(projects).toEqual(["aa", "mm", "zz"]);
    });

    test("no project means no request", () => {
        expect(projectAttributesScript("http://admin:80", {})).toBe("set -eu\n");
        expect(runWithFakeCurl(projectAttributesScript("http://admin:80", {})).calls).toEqual([]);
    });
});

describe("where flyteadmin authenticates: a token first, as Flyte's internal client", () => {
    const ADMIN = "http://flyte-binary-http.flyte.svc.cluster.local:8088";
    const CLIENT_SECRET = "s3cretLettersAndDigits0123456789abcdefgh";
    const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln";
    const PREFIXES = { beta: "gs://b/data", alpha: "gs://a/data" };

    /** A scratch directory with the client's secret file, and one for what the fake curl reads on its standard input. */
    function scratch(secret: string | undefined): { dir: string; secretFile: string; stdin: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "admin-client-"));
        const secretFile = path.join(dir, "client_secret");
        if (secret !== undefined) {
            fs.writeFileSync(secretFile, secret);
        }
        const stdin = path.join(dir, "stdin");
        fs.mkdirSync(stdin);
        return { dir, secretFile, stdin };
    }

    /** curl stand-in: keeps its standard input per call, answers the token request with `tokenResponse`. */
    const fakeCurl = (tokenResponse: string) =>
        [
            'cat > "$STDIN_DIR/$n"',
            'case "$*" in',
            `  *oauth2/token*) printf '%s' '${tokenResponse}' ;;`,
            "esac",
            "exit 0",
        ].join("\n");

    function run(tokenResponse: string, secret: string | undefined = CLIENT_SECRET) {
        const s = scratch(secret);
        try {
            const script = projectAttributesScript(ADMIN, PREFIXES, { clientId: "flytepropeller", secretFile: s.secretFile });
            const result = runWithFakes(script, { curl: fakeCurl(tokenResponse) }, { STDIN_DIR: s.stdin });
            const stdin = fs.readdirSync(s.stdin).sort().map((f) => fs.readFileSync(path.join(s.stdin, f), "utf8"));
            return { ...result, stdin, script };
        } finally {
            fs.rmSync(s.dir, { recursive: true, force: true });
        }
    }

    const fosite = JSON.stringify({ access_token: TOKEN, expires_in: 1799, scope: "all", token_type: "bearer" });

    test("one token request (client credentials, scope all, to flyteadmin's token endpoint), then one PUT per project", () => {
        const result = run(fosite);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const curls = result.calls.filter((c) => c.command === "curl");
        expect(curls).toHaveLength(3);
        const [token, ...puts] = curls;
        expect(flagValue(token.args, "-X")).toBe("POST");
        expect(token.args.filter((a) => a.startsWith("http://"))).toEqual([`${ADMIN}/oauth2/token`]);
        expect(flagValue(token.args, "--data")).toBe("grant_type=client_credentials&scope=all");
        expect(flagValue(token.args, "-H")).toBe("Content-Type: application/x-www-form-urlencoded");
        expect(flagValue(token.args, "--retry-max-time")).toBe(String(ADMIN_RETRY_SECONDS));
        expect(puts.map((c) => c.args.filter((a) => a.startsWith("http://")))).toEqual([
            [`${ADMIN}/api/v1/project_attributes/alpha`],
            [`${ADMIN}/api/v1/project_attributes/beta`],
        ]);
        for (const put of puts) {
            expect(flagValue(put.args, "-X")).toBe("PUT");
            expect(flagValue(put.args, "-H")).toBe("Content-Type: application/json");
        }
    });

    test("the client's secret and the token reach curl only on its standard input (a curl config), never as arguments", () => {
        const result = run(fosite);
        const curls = result.calls.filter((c) => c.command === "curl");
        for (const call of result.calls) {
            expect(call.args.join(" ")).not.toContain(CLIENT_SECRET);
            expect(call.args.join(" ")).not.toContain(TOKEN);
        }
        for (const call of curls) {
            expect(flagValue(call.args, "--config")).toBe("-");
        }
        expect(result.stdin[0]).toBe(`user = "flytepropeller:${CLIENT_SECRET}"\n`);
        expect(result.stdin.slice(1)).toEqual([1, 2].map(() => `header = "flyte-authorization: Bearer ${TOKEN}"\nheader = "Authorization: Bearer ${TOKEN}"\n`));
        expect(result.script).not.toContain(CLIENT_SECRET);
    });

    test("the secret file may end with a newline", () => {
        const result = run(fosite, `${CLIENT_SECRET}\n`);
        expect(result.status).toBe(0);
        expect(result.stdin[0]).toBe(`user = "flytepropeller:${CLIENT_SECRET}"\n`);
    });

    test("an answer without an access token fails the Job before any PUT, saying so", () => {
        const result = run('{"error":"invalid_client","error_description":"Client authentication failed"}');
        expect(result.status).toBe(1);
        expect(result.calls.filter((c) => c.command === "curl")).toHaveLength(1);
        expect(result.stderr).toContain("flyteadmin's token endpoint answered without an access token");
    });

    test("no secret in the mounted file fails the Job before any request", () => {
        const empty = run(fosite, "");
        expect(empty.status).toBe(1);
        expect(empty.calls.filter((c) => c.command === "curl")).toEqual([]);
        expect(empty.stderr).toContain("no client secret in ");
    });

    test("without authentication the script is exactly what it was: no token, no curl config", () => {
        const plain = projectAttributesScript(ADMIN, PREFIXES);
        expect(plain).not.toContain("oauth2");
        expect(plain).not.toContain("--config");
        expect(projectAttributesScript(ADMIN, PREFIXES, undefined)).toBe(plain);
    });
});
