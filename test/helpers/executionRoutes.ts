import type { RecordedResource } from "../../lib/plan/monitor";
import { runWithFakes } from "./jobs";
import { arrayAt, isRecord, type JsonRecord, recordAt, stringAt } from "./json";

/**
 * A control plane's execution-routes Job (components/flyte/executionRoutes.ts) as flyteadmin sees it, for the stack
 * tests of every cloud: the Job's script run against a curl that answers as flyteadmin would, and the execution
 * cluster each project-domain gets from the calls it made.
 */

/** One call the Job made to flyteadmin's HTTP API. */
export interface AdminCall {
    readonly method: string;
    /** The URL as the script has it (with its port). */
    readonly url: string;
    readonly body: JsonRecord;
}

/**
 * The calls the Job's script makes, run by /bin/sh against a curl that answers every request with success (a DELETE
 * with `{}` and 200, as flyteadmin does). Fails, with the script's stderr, unless it exits 0 and prints no error.
 */
export function routesJobCalls(job: RecordedResource): AdminCall[] {
    const container = recordAt(job.inputs, "spec", "template", "spec", "containers", 0);
    const command = arrayAt(container, "command");
    if (JSON.stringify(command) !== JSON.stringify(["/bin/sh", "-c"])) {
        throw new Error(`Job ${job.name} runs ${JSON.stringify(command)}, not a /bin/sh -c script`);
    }
    const [script] = arrayAt(container, "args");
    const run = runWithFakes(String(script), { curl: `case "$*" in *"-X DELETE"*) printf '{}\\n%s' 200 ;; esac; exit 0` });
    if (run.status !== 0 || run.stderr !== "") {
        throw new Error(`Job ${job.name}'s script exited ${String(run.status)}: ${run.stderr}`);
    }
    return run.calls
        .filter((c) => c.command === "curl")
        .map(({ args }) => {
            const flag = (name: string) => args[args.indexOf(name) + 1];
            const body: unknown = JSON.parse(flag("--data"));
            return { method: flag("-X"), url: args.find((a) => a.startsWith("http://")) ?? "", body: isRecord(body) ? body : {} };
        });
}

/** What a control plane's Flyte has configured, for executionClusters. */
export interface ExecutionClusterScope {
    readonly projects: readonly string[];
    readonly domains: readonly string[];
    /** flyteadmin's defaultExecutionLabel. */
    readonly defaultCluster: string;
}

/**
 * flyteadmin's EXECUTION_CLUSTER_LABEL attributes after the calls, from labels of `stale` on every configured project
 * and project-domain (set by hand, or by routes since removed), as `<project>/<domain>` → cluster. A DELETE removes
 * every attribute whose project (and domain, if given) match, at any level below
 * (flyteadmin/pkg/repositories/gormimpl/resource_repo.go Delete at v1.16.8: a struct condition skips empty fields); a
 * PUT sets one. An execution gets the label of the most specific level that has one (resource_repo.go Get, priority
 * order), else defaultExecutionLabel. Fails on a call that is not one of those, or whose path and body disagree.
 */
export function executionClusters(calls: readonly AdminCall[], scope: ExecutionClusterScope): Record<string, string> {
    const { projects, domains } = scope;
    const labels = new Map<string, string>([...projects.map((p) => `${p}/`), ...projects.flatMap((p) => domains.map((d) => `${p}/${d}`))].map((k) => [k, "stale"]));
    for (const { method, url, body } of calls) {
        const what = `${method} ${url}`;
        const target = method === "PUT" ? recordAt(body, "attributes") : body;
        const project = stringAt(target, "project");
        const domain = typeof target.domain === "string" ? target.domain : undefined;
        // The path names the same project (and domain) as the body.
        const path = domain === undefined ? `/api/v1/project_attributes/${project}` : `/api/v1/project_domain_attributes/${project}/${domain}`;
        if (new URL(url).pathname !== path) {
            throw new Error(`${what}: the body is about ${path}`);
        }
        if (method === "DELETE") {
            if (body.resource_type !== "EXECUTION_CLUSTER_LABEL") {
                throw new Error(`${what} deletes ${JSON.stringify(body.resource_type)}, not EXECUTION_CLUSTER_LABEL`);
            }
            const deleted = (key: string) => (domain === undefined ? key.startsWith(`${project}/`) : key === `${project}/${domain}`);
            for (const key of [...labels.keys()].filter(deleted)) {
                labels.delete(key);
            }
        } else if (method === "PUT") {
            const attributes = Object.keys(recordAt(target, "matching_attributes"));
            if (attributes.join() !== "execution_cluster_label") {
                throw new Error(`${what} sets ${attributes.join(", ")}, not only execution_cluster_label`);
            }
            labels.set(`${project}/${domain ?? ""}`, stringAt(target, "matching_attributes", "execution_cluster_label", "value"));
        } else {
            throw new Error(`${what}: neither a PUT nor a DELETE`);
        }
    }
    return Object.fromEntries(
        projects.flatMap((p) => domains.map((d) => [`${p}/${d}`, labels.get(`${p}/${d}`) ?? labels.get(`${p}/`) ?? scope.defaultCluster])),
    );
}
