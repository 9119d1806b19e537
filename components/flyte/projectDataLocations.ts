import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteStorage } from "./platform";

/**
 * With project isolation, each project's task pods may only write to the project's own bucket, so Flyte must send
 * each project's raw outputs there: a project-level `workflow_execution_config` in flyteadmin, set through its
 * REST API by a Job after every change. Executions of a project without it would write to the shared user-data
 * bucket, which the project's identity cannot touch: they fail rather than leak.
 */

/** Where under a project's bucket raw outputs go (as flyte-binary's default `rawoutput-prefix` does). */
export const RAW_OUTPUT_PATH = "data";

/** `gs://<bucket>/data` or `s3://<bucket>/data` for each isolated project. */
export function projectRawOutputPrefixes(
    provider: FlyteStorage["provider"],
    projectBuckets: Readonly<Record<string, string>>,
): Record<string, string> {
    const scheme = provider === "gcs" ? "gs" : "s3";
    return Object.fromEntries(
        Object.entries(projectBuckets).map(([project, bucket]) => [project, `${scheme}://${bucket}/${RAW_OUTPUT_PATH}`]),
    );
}

/** The flyteadmin API call that makes a project's executions write raw outputs under `prefix`. */
export function projectAttributesRequest(project: string, prefix: string): { path: string; body: string } {
    return {
        path: `/api/v1/project_attributes/${project}`,
        body: JSON.stringify({
            attributes: {
                project,
                matching_attributes: {
                    workflow_execution_config: { raw_output_data_config: { output_location_prefix: prefix } },
                },
            },
        }),
    };
}

/** The Job's script: one idempotent PUT per project, retried until flyteadmin answers. */
export function projectAttributesScript(adminUrl: string, prefixes: Readonly<Record<string, string>>): string {
    const calls = Object.entries(prefixes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([project, prefix]) => {
            const request = projectAttributesRequest(project, prefix);
            return [
                `echo "project ${project}: raw outputs under ${prefix}"`,
                `curl --silent --show-error --fail-with-body --retry 30 --retry-delay 5 --retry-all-errors \\`,
                `  -X PUT -H 'Content-Type: application/json' '${adminUrl}${request.path}' \\`,
                `  --data '${request.body}'`,
            ].join("\n");
        });
    return ["set -eu", ...calls, ""].join("\n");
}

export interface ProjectDataLocationsArgs {
    readonly namespace: pulumi.Input<string>;
    /** flyteadmin's HTTP API inside the cluster, e.g. `http://flyte-binary-http.flyte.svc.cluster.local:8088`. */
    readonly adminUrl: string;
    readonly storage: FlyteStorage;
    /** The isolated projects: each must have a bucket in storage.projectBuckets. */
    readonly projects: readonly string[];
    /** An image with curl. */
    readonly image: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly provider: k8s.Provider;
    /** The Flyte release: the Job runs once flyteadmin is up. */
    readonly release: pulumi.Resource;
}

/**
 * Points each isolated project's raw outputs at its own bucket (see above), and exports where that is. A change of
 * buckets replaces the Job, which sets them again.
 */
export class ProjectDataLocations extends pulumi.ComponentResource {
    /** Each project's raw output prefix. */
    readonly prefixes: pulumi.Output<Record<string, string>>;
    readonly job: k8s.batch.v1.Job;

    constructor(name: string, args: ProjectDataLocationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:ProjectDataLocations", name, {}, opts);
        const projectBuckets = args.storage.projectBuckets ?? {};
        const missing = args.projects.filter((p) => projectBuckets[p] === undefined);
        if (missing.length > 0) {
            throw new Error(`the platform gave no data bucket for project(s) ${missing.join(", ")}`);
        }
        const buckets = pulumi.all(
            Object.fromEntries(args.projects.map((p) => [p, projectBuckets[p]])) as Record<string, pulumi.Output<string>>,
        );
        this.prefixes = buckets.apply((b) => projectRawOutputPrefixes(args.storage.provider, b));
        const labels = { ...args.labels, "app.kubernetes.io/name": "flyte-project-data-locations" };
        this.job = new k8s.batch.v1.Job(
            `${name}-job`,
            {
                metadata: { namespace: args.namespace, labels },
                spec: {
                    backoffLimit: 4,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "OnFailure",
                            automountServiceAccountToken: false,
                            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: "set-project-attributes",
                                    image: args.image,
                                    command: ["/bin/sh", "-c"],
                                    args: [this.prefixes.apply((p) => projectAttributesScript(args.adminUrl, p))],
                                    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
            { parent: this, provider: args.provider, dependsOn: [args.release] },
        );
        this.registerOutputs({ prefixes: this.prefixes });
    }
}
