import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ExecutionRoute } from "../../../components/contract/multiCluster";
import { EXECUTION_CLUSTER_LABEL, executionRouteRequests, ExecutionRoutes } from "../../../components/flyte/executionRoutes";
import { ADMIN_CLIENT_SECRET_DIR, ADMIN_RETRY_SECONDS, adminRequestsScript } from "../../../components/flyte/projectDataLocations";
import { contentName } from "../../../components/flyte/verification";
import { JOB_AWAIT_TIMEOUT_SECONDS, JOB_DEADLINE_SECONDS } from "../../../components/shared/hardening";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, runComponents } from "../../helpers/components";
import { flagValue } from "../../helpers/flyteCoreFixtures";
import { recordCustomTimeouts, runWithFakes } from "../../helpers/jobs";
import { at, recordAt, stringAt } from "../../helpers/json";
import { byName, ofType } from "../../helpers/plan";

/**
 * ExecutionRoutes: the control plane's Job that sets each routed project's (or project-domain's) execution cluster
 * label in flyteadmin and removes the label of everything configured without a route; and the requests it makes.
 */

const ADMIN_URL = "http://flyteadmin.flyte.svc.cluster.local:80";
const IMAGE = "docker.io/curlimages/curl:8.11.1";
const PROJECTS = ["ml", "ops"] as const;
const DOMAINS = ["development", "production"] as const;
const ROUTES: readonly ExecutionRoute[] = [
    { project: "ops", domain: "production", cluster: "batch" },
    { project: "ml", cluster: "gpu" },
];

/** A request as `METHOD path`, for compact expectations. */
const line = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe("executionRouteRequests", () => {
    const requests = executionRouteRequests({ projects: PROJECTS, domains: DOMAINS, routes: ROUTES });

    test("deletes (project-domain, then project) before project puts before project-domain puts", () => {
        expect(requests.map(line)).toEqual([
            "DELETE /api/v1/project_domain_attributes/ml/development",
            "DELETE /api/v1/project_domain_attributes/ml/production",
            "DELETE /api/v1/project_domain_attributes/ops/development",
            "DELETE /api/v1/project_attributes/ops",
            "PUT /api/v1/project_attributes/ml",
            "PUT /api/v1/project_domain_attributes/ops/production",
        ]);
    });

    test("a PUT is flyteadmin's Project(Domain)AttributesUpdateRequest with the execution cluster label", () => {
        const puts = requests.filter((r) => r.method === "PUT").map((r) => JSON.parse(r.body) as unknown);
        expect(puts).toEqual([
            { attributes: { project: "ml", matching_attributes: { execution_cluster_label: { value: "gpu" } } } },
            { attributes: { project: "ops", domain: "production", matching_attributes: { execution_cluster_label: { value: "batch" } } } },
        ]);
    });

    test("a DELETE is a Project(Domain)AttributesDeleteRequest of EXECUTION_CLUSTER_LABEL, nothing else", () => {
        expect(EXECUTION_CLUSTER_LABEL).toBe("EXECUTION_CLUSTER_LABEL");
        const deletes = requests.filter((r) => r.method === "DELETE").map((r) => JSON.parse(r.body) as unknown);
        expect(deletes).toEqual([
            { project: "ml", domain: "development", resource_type: "EXECUTION_CLUSTER_LABEL" },
            { project: "ml", domain: "production", resource_type: "EXECUTION_CLUSTER_LABEL" },
            { project: "ops", domain: "development", resource_type: "EXECUTION_CLUSTER_LABEL" },
            { project: "ops", resource_type: "EXECUTION_CLUSTER_LABEL" },
        ]);
    });

    test("every request's body goes between single quotes: none contains one", () => {
        for (const request of requests) {
            expect(request.body).not.toContain("'");
        }
    });

    test("the log says what each request means", () => {
        expect(requests.map((r) => r.summary)).toEqual([
            "project ml domain development: no route, executions run in the default cluster unless another level routes them",
            "project ml domain production: no route, executions run in the default cluster unless another level routes them",
            "project ops domain development: no route, executions run in the default cluster unless another level routes them",
            "project ops: no route, executions run in the default cluster unless another level routes them",
            "project ml: executions run in cluster gpu",
            "project ops domain production: executions run in cluster batch",
        ]);
    });

    test("no routes: a DELETE of every project-domain and project, no PUT (removing the last route takes effect)", () => {
        expect(executionRouteRequests({ projects: ["a"], domains: ["d1", "d2"], routes: [] }).map(line)).toEqual([
            "DELETE /api/v1/project_domain_attributes/a/d1",
            "DELETE /api/v1/project_domain_attributes/a/d2",
            "DELETE /api/v1/project_attributes/a",
        ]);
    });

    test("every level routed: only PUTs, in config order of projects and domains whatever the routes' order", () => {
        const all: ExecutionRoute[] = [
            { project: "a", domain: "d2", cluster: "x" },
            { project: "a", domain: "d1", cluster: "y" },
            { project: "a", cluster: "z" },
        ];
        expect(executionRouteRequests({ projects: ["a"], domains: ["d1", "d2"], routes: all }).map(line)).toEqual([
            "PUT /api/v1/project_attributes/a",
            "PUT /api/v1/project_domain_attributes/a/d1",
            "PUT /api/v1/project_domain_attributes/a/d2",
        ]);
        const reversed = executionRouteRequests({ projects: ["a"], domains: ["d1", "d2"], routes: [...all].reverse() });
        expect(reversed).toEqual(executionRouteRequests({ projects: ["a"], domains: ["d1", "d2"], routes: all }));
    });

    test("every PUT comes after every DELETE (a project's DELETE removes its domains' labels too)", () => {
        const kinds = requests.map((r) => r.method);
        expect(kinds.lastIndexOf("DELETE")).toBeLessThan(kinds.indexOf("PUT"));
    });

    test.each([
        [{ project: "ghost", cluster: "gpu" }, "execution route ghost=gpu: not a configured project"],
        [{ project: "ml", domain: "staging", cluster: "gpu" }, "execution route ml/staging=gpu: not a configured project and domain"],
    ])("a route outside the configured projects and domains is refused: %j", (route, message) => {
        expect(() => executionRouteRequests({ projects: PROJECTS, domains: DOMAINS, routes: [route] })).toThrow(message);
    });

    test("a project or project-domain routed twice is refused", () => {
        const twice = [ROUTES[1], { project: "ml", cluster: "batch" }];
        expect(() => executionRouteRequests({ projects: PROJECTS, domains: DOMAINS, routes: twice })).toThrow("execution route ml: routed more than once");
    });
});

describe("the script, against a stand-in curl", () => {
    const requests = executionRouteRequests({ projects: PROJECTS, domains: DOMAINS, routes: ROUTES });
    const script = adminRequestsScript({ adminUrl: ADMIN_URL, requests, purpose: "setting execution routes" });

    /** curl answering a DELETE with `code` (and a body), a PUT with nothing (--fail-with-body judges it). */
    const curlAnswering = (code: string) => `case "$*" in *"-X DELETE"*) printf '{"message":"x"}\\n%s' '${code}' ;; esac; exit 0`;

    test("one call per request, in order, with its method, URL and body", () => {
        const run = runWithFakes(script, { curl: curlAnswering("200") });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const curls = run.calls.filter((c) => c.command === "curl");
        expect(curls.map((c) => `${flagValue(c.args, "-X")} ${c.args.filter((a) => a.startsWith("http://")).join(" ")}`)).toEqual(
            requests.map((r) => `${r.method} ${ADMIN_URL}${r.path}`),
        );
        curls.forEach((call, i) => expect(flagValue(call.args, "--data")).toBe(requests[i].body));
        expect(run.stdout.trim().split("\n")).toHaveLength(requests.length);
        expect(run.stdout).toContain(`(DELETE ${ADMIN_URL}/api/v1/project_attributes/ops, retried for up to ${ADMIN_RETRY_SECONDS} s; not found counts as done)`);
    });

    test("a PUT fails on any HTTP error (retried first); a DELETE reads the status instead, so a 404 is not retried", () => {
        const run = runWithFakes(script, { curl: curlAnswering("200") });
        for (const call of run.calls.filter((c) => c.command === "curl")) {
            const method = flagValue(call.args, "-X");
            expect([method, call.args.includes("--fail-with-body")]).toEqual([method, method === "PUT"]);
            expect(call.args).toEqual(expect.arrayContaining(["--retry-all-errors", "--retry"]));
            expect(flagValue(call.args, "--retry-max-time")).toBe(String(ADMIN_RETRY_SECONDS));
            if (method === "DELETE") {
                expect(flagValue(call.args, "--write-out")).toBe("\\n%{http_code}");
            }
        }
    });

    test("a DELETE answered 404 (nothing to remove) is done: the Job goes on and succeeds", () => {
        const run = runWithFakes(script, { curl: curlAnswering("404") });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.command === "curl")).toHaveLength(requests.length);
    });

    test("a DELETE answered with another error fails the Job at once, with flyteadmin's answer and what failed", () => {
        const run = runWithFakes(script, { curl: curlAnswering("400") });
        expect(run.status).toBe(22);
        expect(run.calls.filter((c) => c.command === "curl")).toHaveLength(1);
        expect(run.stderr.trim().split("\n")).toEqual([
            'flyteadmin answered HTTP 400: {"message":"x"}',
            `setting execution routes through flyteadmin at ${ADMIN_URL} failed (exit 22): the error from curl is above`,
        ]);
    });

    test("curl giving up (flyteadmin unreachable) fails the Job with curl's status", () => {
        const run = runWithFakes(script, { curl: 'echo "curl: (7) Failed to connect" >&2; exit 7' });
        expect(run.status).toBe(7);
        expect(run.calls.filter((c) => c.command === "curl")).toHaveLength(1);
        expect(run.stderr).toContain("setting execution routes through flyteadmin");
    });
});

describe("the component", () => {
    let plan: Plan;
    let jobTimeouts: Map<string, pulumi.CustomTimeouts | undefined>;

    beforeAll(async () => {
        plan = await runComponents(() => {
            jobTimeouts = recordCustomTimeouts("kubernetes:batch/v1:Job");
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            const release = new k8s.helm.v3.Release("flyte-release", { chart: "flyte-core", name: "flyte-core" }, { provider });
            const clientSecret = new k8s.core.v1.Secret("client-secret", { metadata: { name: "flyte-secret-auth", namespace: "flyte" } }, { provider });
            const common = { namespace: pulumi.output("flyte"), adminUrl: ADMIN_URL, projects: PROJECTS, domains: DOMAINS, image: IMAGE, labels: { team: "ml" }, provider, release };
            new ExecutionRoutes("routes", { ...common, routes: ROUTES });
            // The same routes in another order, other routes, and sign-in: each its own Job.
            new ExecutionRoutes("same", { ...common, routes: [...ROUTES].reverse() });
            new ExecutionRoutes("other", { ...common, routes: [ROUTES[0]] });
            new ExecutionRoutes("signed-in", {
                ...common,
                routes: ROUTES,
                adminClient: { clientId: "flytepropeller", secretName: clientSecret.metadata.name, secretKey: "client_secret" },
            });
            return {};
        });
    });

    const job = (name: string) => byName(plan, "kubernetes:batch/v1:Job", `${name}-job`);
    const script = (name: string) => stringAt(job(name).inputs, "spec", "template", "spec", "containers", 0, "args", 0);
    const jobName = (name: string) => stringAt(job(name).inputs, "metadata", "name");

    test("one Job under each component, in Flyte's namespace, labelled", () => {
        expect(ofType(plan, "flyte:flyte:ExecutionRoutes")).toHaveLength(4);
        const routes = ofType(plan, "flyte:flyte:ExecutionRoutes").find((r) => r.name === "routes");
        expect(routes && childrenOf(plan, routes).map((c) => `${c.type} ${c.name}`)).toEqual(["kubernetes:batch/v1:Job routes-job"]);
        expect(at(job("routes").inputs, "metadata", "namespace")).toBe("flyte");
        expect(at(job("routes").inputs, "metadata", "labels")).toEqual({ team: "ml", "app.kubernetes.io/name": "flyte-execution-routes" });
        expect(at(job("routes").inputs, "spec", "template", "spec", "containers", 0, "name")).toBe("set-execution-routes");
        expect(at(job("routes").inputs, "spec", "template", "spec", "containers", 0, "image")).toBe(IMAGE);
    });

    test("its script makes exactly executionRouteRequests' requests", () => {
        const requests = executionRouteRequests({ projects: PROJECTS, domains: DOMAINS, routes: ROUTES });
        expect(script("routes")).toBe(adminRequestsScript({ adminUrl: ADMIN_URL, requests, purpose: "setting execution routes" }));
    });

    test("named by a digest of what it runs: the same routes the same name (in any order), other routes another", () => {
        expect(jobName("routes")).toBe(contentName("flyte-execution-routes", [IMAGE, script("routes")]));
        expect(jobName("routes")).toMatch(/^flyte-execution-routes-[0-9a-f]{10}$/);
        expect(jobName("same")).toBe(jobName("routes"));
        expect(jobName("other")).not.toBe(jobName("routes"));
        expect(jobName("signed-in")).not.toBe(jobName("routes"));
    });

    test("it runs after the release (flyteadmin up), and with sign-in after the client's Secret too", () => {
        const release = byName(plan, "kubernetes:helm.sh/v3:Release", "flyte-release").urn;
        expect(job("routes").dependencies).toEqual([release]);
        expect([...job("signed-in").dependencies].sort()).toEqual([release, byName(plan, "kubernetes:core/v1:Secret", "client-secret").urn].sort());
    });

    test("hardened and bounded as every setup Job: no API token, a deadline, Pulumi waits a minute longer", () => {
        const pod = recordAt(job("routes").inputs, "spec", "template", "spec");
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
        expect(at(job("routes").inputs, "spec", "activeDeadlineSeconds")).toBe(JOB_DEADLINE_SECONDS);
        expect(jobTimeouts.get("routes-job")).toEqual({ create: `${JOB_AWAIT_TIMEOUT_SECONDS}s`, update: `${JOB_AWAIT_TIMEOUT_SECONDS}s` });
    });

    test("with sign-in: the internal client's secret mounted (that key only), a token first", () => {
        const pod = recordAt(job("signed-in").inputs, "spec", "template", "spec");
        expect(at(pod, "volumes")).toEqual([{ name: "admin-client", secret: { secretName: "flyte-secret-auth", items: [{ key: "client_secret", path: "client_secret" }] } }]);
        expect(at(pod, "containers", 0, "volumeMounts")).toEqual([{ name: "admin-client", mountPath: ADMIN_CLIENT_SECRET_DIR, readOnly: true }]);
        expect(script("signed-in")).toContain(`token for flytepropeller from ${ADMIN_URL}/oauth2/token`);
        expect(script("routes")).not.toContain("oauth2");
        expect(at(job("routes").inputs, "spec", "template", "spec", "volumes")).toBeUndefined();
    });
});
