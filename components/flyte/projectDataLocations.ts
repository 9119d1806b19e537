import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { jobCustomTimeouts, setupJobArgs } from "../shared/hardening";
import type { FlyteStorage, ProjectBucket } from "../contract/platform";
import { ADMIN_SCOPE, TOKEN_PATH } from "./authentication";

/**
 * With project isolation, each project's task pods may only write to the project's own bucket, so Flyte must send
 * each project's raw outputs there: a project-level `workflow_execution_config` in flyteadmin, set through its
 * REST API by a Job after every change. Executions of a project without it would write to the shared user-data
 * bucket, which the project's identity cannot touch: they fail rather than leak. Where flyteadmin authenticates,
 * the Job first gets a token from flyteadmin's own token endpoint as Flyte's internal client.
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
export function projectAttributesRequest(project: string, prefix: string): Pick<AdminRequest, "path" | "body"> {
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

/**
 * How long each request may take (connecting, and in all), and for how long curl retries one project's request
 * before it gives up (curl's --connect-timeout, --max-time and --retry-max-time): one failing project ends the Job
 * well inside its deadline (JOB_DEADLINE_SECONDS).
 */
export const ADMIN_CONNECT_TIMEOUT_SECONDS = 5;
export const ADMIN_REQUEST_TIMEOUT_SECONDS = 20;
export const ADMIN_RETRY_SECONDS = 120;

/** How the Job calls flyteadmin where it authenticates: as a client with a secret, from a file. */
export interface AdminClientCredentials {
    /** The client id (INTERNAL_CLIENT_ID). */
    readonly clientId: string;
    /** The file with its secret (letters and digits, as the program generates it), mounted from a Secret. */
    readonly secretFile: string;
}

/** Where the Job mounts the internal client's secret. */
export const ADMIN_CLIENT_SECRET_DIR = "/etc/flyte/admin-client";
const ADMIN_CLIENT_SECRET_FILE = "client_secret";

/**
 * curl, retried (ADMIN_RETRY_SECONDS in all) on every error, each attempt bounded: with `--fail-with-body` an HTTP
 * error is one too (retried, then the Job fails with flyteadmin's answer); without, only a transient one (408, 429,
 * 5xx: curl's --retry) and the caller judges the status.
 */
function curlRetried(failOnHttpError: boolean): readonly [string, string] {
    return [
        `curl --silent --show-error ${failOnHttpError ? "--fail-with-body " : ""}--retry 30 --retry-delay 5 --retry-all-errors \\`,
        `  --retry-max-time ${ADMIN_RETRY_SECONDS} --connect-timeout ${ADMIN_CONNECT_TIMEOUT_SECONDS} --max-time ${ADMIN_REQUEST_TIMEOUT_SECONDS} \\`,
    ];
}
const CURL_RETRIED = curlRetried(true);

/**
 * Gets an access token from flyteadmin's token endpoint (client credentials, HTTP basic authentication of the
 * client, scope ADMIN_SCOPE) into `$token`. The secret is read by the shell's `read` and handed to curl as a config
 * on its standard input (`--config -`), never as an argument, where any process could read it. flyteadmin's
 * authorization server answers in JSON with `access_token` (auth/authzserver/token.go, through fosite).
 */
function tokenCommands(adminUrl: string, client: AdminClientCredentials): string[] {
    return [
        `echo "token for ${client.clientId} from ${adminUrl}${TOKEN_PATH} (client credentials, retried for up to ${ADMIN_RETRY_SECONDS} s)"`,
        `client_secret=''`,
        `IFS= read -r client_secret < '${client.secretFile}' || true`,
        `if [ -z "$client_secret" ]; then echo "no client secret in ${client.secretFile}" >&2; exit 1; fi`,
        `token_response=$(printf 'user = "%s:%s"\\n' '${client.clientId}' "$client_secret" | ${CURL_RETRIED[0]}`,
        CURL_RETRIED[1],
        `  --config - -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data 'grant_type=client_credentials&scope=${ADMIN_SCOPE}' '${adminUrl}${TOKEN_PATH}')`,
        "unset client_secret",
        `token=$(printf '%s' "$token_response" | sed -n 's/.*"access_token" *: *"\\([^"]*\\)".*/\\1/p')`,
        `if [ -z "$token" ]; then echo "flyteadmin's token endpoint answered without an access token" >&2; exit 1; fi`,
    ];
}

/**
 * The token as request headers, in a curl config on standard input (never an argument): flyteadmin reads REST
 * calls' tokens from its `httpAuthorizationHeader` (`flyte-authorization`), and the standard header reaches it
 * too, through grpc-gateway (auth/handlers.go GetHTTPRequestCookieToMetadataHandler, IdentityContextFromRequest).
 */
const TOKEN_HEADERS = `printf 'header = "flyte-authorization: Bearer %s"\\nheader = "Authorization: Bearer %s"\\n' "$token" "$token" | `;

/** One call of flyteadmin's REST API a setup Job makes. */
export interface AdminRequest {
    /**
     * PUT: create or replace, failing the Job on any error answer. DELETE: an answer "not found" (HTTP 404) counts
     * as done, since what it removes may not exist.
     */
    readonly method: "PUT" | "DELETE";
    /** The path under flyteadmin's HTTP API, e.g. `/api/v1/project_attributes/<project>`. */
    readonly path: string;
    /** The JSON body; it goes between single quotes in the script, so it must not contain one. */
    readonly body: string;
    /** What the Job's log says before the call: what it sets, and for what. */
    readonly summary: string;
}

/**
 * One request's lines: its log line, then curl, retried until flyteadmin answers or ADMIN_RETRY_SECONDS have passed,
 * with the token's headers on its standard input where flyteadmin authenticates. A DELETE is sent without
 * `--fail-with-body`, so that a 404 is not retried; its status is read from curl's `--write-out` (the last line of
 * the answer), and anything but 2xx or 404 fails the Job with flyteadmin's answer.
 */
function adminCall(adminUrl: string, request: AdminRequest, client: AdminClientCredentials | undefined): string {
    const url = `${adminUrl}${request.path}`;
    const headers = client ? TOKEN_HEADERS : "";
    const call = (curl: readonly [string, string], tail: string) => [
        curl[1],
        `  ${client ? "--config - " : ""}-X ${request.method} -H 'Content-Type: application/json' '${url}' \\`,
        `  --data '${request.body}'${tail}`,
    ];
    if (request.method === "PUT") {
        return [
            `echo "${request.summary} (PUT ${url}, retried for up to ${ADMIN_RETRY_SECONDS} s)"`,
            `${headers}${CURL_RETRIED[0]}`,
            ...call(CURL_RETRIED, ""),
        ].join("\n");
    }
    const curl = curlRetried(false);
    return [
        `echo "${request.summary} (DELETE ${url}, retried for up to ${ADMIN_RETRY_SECONDS} s; not found counts as done)"`,
        `response=$(${headers}${curl[0]}`,
        ...call(curl, ` --write-out '\\n%{http_code}')`),
        `code=$(printf '%s\\n' "$response" | tail -n 1)`,
        `case "$code" in`,
        `  2??|404) ;;`,
        `  *) printf 'flyteadmin answered HTTP %s: %s\\n' "$code" "$(printf '%s\\n' "$response" | sed '$d')" >&2; exit 22 ;;`,
        `esac`,
    ].join("\n");
}

/**
 * A setup Job's script: `requests` in order, each idempotent, stopping at the first that fails; where flyteadmin
 * authenticates (`client`), with a token got first. Its log says what each request sets and which flyteadmin it is
 * waiting for, and its last line what failed (`purpose`, e.g. "setting project data locations").
 */
export function adminRequestsScript(args: {
    /** flyteadmin's HTTP API inside the cluster. */
    readonly adminUrl: string;
    /** The calls, in the order they are made. */
    readonly requests: readonly AdminRequest[];
    /** What the Job does, for its last line when it fails. */
    readonly purpose: string;
    /** Where flyteadmin authenticates: the client the Job calls it as. */
    readonly client?: AdminClientCredentials;
}): string {
    const { adminUrl, client } = args;
    if (args.requests.length === 0) {
        return "set -eu\n";
    }
    const failed = `${args.purpose} through flyteadmin at ${adminUrl} failed (exit $status): the error from curl is above`;
    return [
        "set -eu",
        `trap 'status=$?; if [ "$status" -ne 0 ]; then echo "${failed}" >&2; fi' EXIT`,
        ...(client ? tokenCommands(adminUrl, client) : []),
        ...args.requests.map((request) => adminCall(adminUrl, request, client)),
        "",
    ].join("\n");
}

/**
 * The Job's script: one idempotent PUT per project, retried until flyteadmin answers or ADMIN_RETRY_SECONDS have
 * passed; where flyteadmin authenticates (`client`), with a token got first. Its log says which project and which
 * flyteadmin it is waiting for, and its last line why it failed.
 */
export function projectAttributesScript(adminUrl: string, prefixes: Readonly<Record<string, string>>, client?: AdminClientCredentials): string {
    const requests = Object.entries(prefixes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([project, prefix]): AdminRequest => ({
            method: "PUT",
            ...projectAttributesRequest(project, prefix),
            summary: `project ${project}: raw outputs under ${prefix}`,
        }));
    return adminRequestsScript({ adminUrl, requests, purpose: "setting project data locations", client });
}

/** Where flyteadmin authenticates: the client a setup Job calls it as, and the Secret (and key) with its secret. */
export interface AdminClientSecret {
    /** The client id. */
    readonly clientId: string;
    /** The Secret's name (read from the Secret, so that the Job waits for it). */
    readonly secretName: pulumi.Input<string>;
    /** The key with the client's secret; only that key is mounted. */
    readonly secretKey: string;
}

/** How the script reads the client's secret: from the file the Job mounts it as. */
export function adminClientCredentials(adminClient: AdminClientSecret | undefined): AdminClientCredentials | undefined {
    return adminClient && { clientId: adminClient.clientId, secretFile: `${ADMIN_CLIENT_SECRET_DIR}/${ADMIN_CLIENT_SECRET_FILE}` };
}

/** A setup Job that calls flyteadmin's REST API from Flyte's namespace. */
export interface AdminJobSpec {
    /** The Job's Kubernetes name; Pulumi names it when absent. */
    readonly name?: pulumi.Input<string>;
    /** Flyte's namespace: the Job runs next to flyteadmin. */
    readonly namespace: pulumi.Input<string>;
    /** Labels of the Job and its pod. */
    readonly labels: Readonly<Record<string, string>>;
    /** Its container's name. */
    readonly containerName: string;
    /** An image with curl and a POSIX shell. */
    readonly image: string;
    /** The script /bin/sh runs (adminRequestsScript). */
    readonly script: pulumi.Input<string>;
    /** Where flyteadmin authenticates: the client's Secret, mounted at ADMIN_CLIENT_SECRET_DIR. */
    readonly adminClient?: AdminClientSecret;
    /** The Kubernetes provider of Flyte's cluster. */
    readonly provider: k8s.Provider;
    /** The Flyte release: the Job runs once flyteadmin is up. */
    readonly release: pulumi.Resource;
}

/**
 * Declares the Job: hardened and bounded (setupJobArgs): curl gives up on flyteadmin after ADMIN_RETRY_SECONDS, the
 * Job after its deadline, and Pulumi waits a little longer than that, so `pulumi up` fails with the Job's reason and
 * the script's last lines.
 */
export function adminJob(resourceName: string, spec: AdminJobSpec, parent: pulumi.Resource): k8s.batch.v1.Job {
    const { adminClient } = spec;
    return new k8s.batch.v1.Job(
        resourceName,
        setupJobArgs({
            ...(spec.name === undefined ? {} : { name: spec.name }),
            namespace: spec.namespace,
            labels: spec.labels,
            // Any non-root uid does: curl writes nothing.
            user: { uid: 65532, gid: 65532 },
            container: {
                name: spec.containerName,
                image: spec.image,
                command: ["/bin/sh", "-c"],
                args: [spec.script],
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                ...(adminClient ? { volumeMounts: [{ name: "admin-client", mountPath: ADMIN_CLIENT_SECRET_DIR, readOnly: true }] } : {}),
            },
            ...(adminClient
                ? {
                      volumes: [
                          {
                              name: "admin-client",
                              secret: { secretName: adminClient.secretName, items: [{ key: adminClient.secretKey, path: ADMIN_CLIENT_SECRET_FILE }] },
                          },
                      ],
                  }
                : {}),
        }),
        { parent, provider: spec.provider, dependsOn: [spec.release], customTimeouts: jobCustomTimeouts() },
    );
}

/**
 * What every Job that calls flyteadmin's API from Flyte's namespace is built from (ProjectDataLocations,
 * ExecutionRoutes); FlyteInstallation computes it once.
 */
export interface AdminJobArgs {
    /** Flyte's namespace: the Job runs next to flyteadmin. */
    readonly namespace: pulumi.Input<string>;
    /** flyteadmin's HTTP API inside the cluster, e.g. `http://flyte-binary-http.flyte.svc.cluster.local:8088`. */
    readonly adminUrl: string;
    /** An image with curl and a POSIX shell (flyte:projectSetupImage). */
    readonly image: string;
    /** Labels of the Job and its pod (each Job adds its own `app.kubernetes.io/name`). */
    readonly labels: Readonly<Record<string, string>>;
    /** The Kubernetes provider of Flyte's cluster. */
    readonly provider: k8s.Provider;
    /** The Flyte release: the Job runs once flyteadmin is up. */
    readonly release: pulumi.Resource;
    /**
     * Where flyteadmin authenticates: the client the Job calls it as, and the Secret (and key) with the client's
     * secret, mounted into the Job; absent: no authentication.
     */
    readonly adminClient?: AdminClientSecret;
}

export interface ProjectDataLocationsArgs extends AdminJobArgs {
    /** The object store: its kind gives the URL scheme (`gs://`, `s3://`), its `projects` each project's bucket. */
    readonly storage: FlyteStorage;
    /** The isolated projects: each must have a bucket in `storage.projects`, or the plan fails naming it. */
    readonly projects: readonly string[];
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
        const isolated: Readonly<Record<string, ProjectBucket | undefined>> = args.storage.projects;
        const missing = args.projects.filter((p) => isolated[p] === undefined);
        if (missing.length > 0) {
            throw new Error(`the platform gave no data bucket for project(s) ${missing.join(", ")}`);
        }
        const buckets = pulumi.all(
            Object.fromEntries(args.projects.flatMap((p) => (isolated[p] === undefined ? [] : [[p, isolated[p].bucket]]))),
        );
        this.prefixes = buckets.apply((b) => projectRawOutputPrefixes(args.storage.provider, b));
        const labels = { ...args.labels, "app.kubernetes.io/name": "flyte-project-data-locations" };
        const client = adminClientCredentials(args.adminClient);
        this.job = adminJob(
            `${name}-job`,
            {
                namespace: args.namespace,
                labels,
                containerName: "set-project-attributes",
                image: args.image,
                script: this.prefixes.apply((p) => projectAttributesScript(args.adminUrl, p, client)),
                adminClient: args.adminClient,
                provider: args.provider,
                release: args.release,
            },
            this,
        );
        this.registerOutputs({ prefixes: this.prefixes });
    }
}
