import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CONFIG_VARIABLE, type DataLocation, type EndpointStage, type ObjectStore, type WorkloadIdentityCheck, type WorkloadStage } from "../../verification/probe/config";
import { projectWorkerIdentity, WORKER_IDENTITY, WORKER_SERVICE_ACCOUNT, METADATA_PREFIX } from "../contract/identities";
import type { FlyteConfig } from "../contract/config";
import type { FlyteStorage } from "../contract/platform";
import type { ProjectDomainNamespace } from "../shared/namespaces";
import { restrictedContainerSecurityContext, scratchVolume } from "../shared/hardening";
import { ADMIN_SCOPE, CI_CLIENT_ID, TOKEN_PATH } from "./authentication";
import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT } from "./commonValues";
import { RAW_OUTPUT_PATH } from "./projectDataLocations";

/**
 * The verification after each `pulumi up` (issue: a deployment that plans cleanly can still be miswired on the real
 * cluster): what the two probe Jobs check, and how they run. Pure; the Jobs are declared in deploymentVerification.ts
 * and the checks themselves are the probe in verification/probe/, which runs in the Jobs' pods.
 */

/** Where the probe's files are in this repository. */
export const PROBE_SOURCE_DIR = path.join(__dirname, "..", "..", "verification", "probe");
/** Where the pods mount them (from a ConfigMap). */
export const PROBE_MOUNT_DIR = "/opt/flyte-verification";
/** The file the pods run. */
export const PROBE_ENTRY = "run.ts";
/**
 * Seconds the endpoint stage keeps retrying each thing that comes up on its own: flyteadmin's HTTP and gRPC health,
 * the task namespace and its annotated service account (Flyte's cluster resource sync applies them every minute).
 * All four waits and the data proxy's call (PROBE_CALL_SECONDS) fit in the Job's deadline (JOB_DEADLINE_SECONDS).
 */
export const PROBE_WAIT_SECONDS = 60;
/** Seconds the endpoint stage's calls that are not waits may take in all (the data proxy's signed URL, the token). */
export const PROBE_CALL_SECONDS = 30;
/**
 * The uid and gid of the `node` user of the official Node.js images; the probe writes nothing but /tmp. Its volumes
 * are group-owned by that gid: IRSA's projected web identity token must be readable by a non-root user
 * (https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts-technical-overview.html).
 */
export const PROBE_USER = { uid: 1000, gid: 1000, fsGroup: true } as const;
/** Where the endpoint stage mounts the CI client's secret. */
export const CI_CLIENT_SECRET_DIR = "/etc/flyte/ci-client";
export const CI_CLIENT_SECRET_KEY = "client_secret";
/** The service account the endpoint stage reads the Kubernetes API as. */
export const ENDPOINT_PROBE_SERVICE_ACCOUNT = "flyte-verification";
/** The pod annotation that names the Helm revision verified: a new revision replaces the Jobs, which run again. */
export const VERIFIED_REVISION_ANNOTATION = "flyte.org/verified-release-revision";

/**
 * The probe's files, by name, for a ConfigMap: every `.ts` in verification/probe/ (sorted, so that the same files
 * give the same ConfigMap) and a package.json that makes Node load them as ES modules.
 */
export function probeFiles(dir: string = PROBE_SOURCE_DIR): Record<string, string> {
    const names = fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".ts"))
        .sort();
    if (!names.includes(PROBE_ENTRY)) {
        throw new Error(`the verification probe has no ${PROBE_ENTRY} in ${dir}`);
    }
    return {
        "package.json": `${JSON.stringify({ name: "flyte-verification-probe", private: true, type: "module" })}\n`,
        ...Object.fromEntries(names.map((name) => [name, fs.readFileSync(path.join(dir, name), "utf8")])),
    };
}

/**
 * A name that changes with what it names: `<prefix>-<10 hex digits of the parts' SHA-256>`. The Jobs and the probe's
 * ConfigMaps are named so: new checks, files or a new release revision give a new object (which Pulumi creates
 * before it deletes the old one), the same ones the same name, so that a second `pulumi up` changes nothing.
 */
export function contentName(prefix: string, parts: readonly string[]): string {
    const hash = createHash("sha256");
    for (const part of parts) {
        hash.update(part).update("\0");
    }
    return `${prefix}-${hash.digest("hex").slice(0, 10)}`;
}

/** The project-domain namespace the verification runs a task pod in: the first project's first domain. */
export function verifiedNamespace(flyte: Pick<FlyteConfig, "projectNamespaces">): ProjectDomainNamespace {
    const first = flyte.projectNamespaces[0];
    if (first === undefined) {
        throw new Error("verification needs at least one Flyte project and domain");
    }
    return first;
}

/** The identity request whose identity the verified namespace's task pods run as. */
export function verifiedIdentityKey(flyte: Pick<FlyteConfig, "projectIsolation">, project: string): string {
    return flyte.projectIsolation ? projectWorkerIdentity(project) : WORKER_IDENTITY;
}

/** The endpoint stage's checks (see verification/probe/config.ts). */
export function endpointStage(args: {
    /** The stack's name, for messages. */
    readonly stack: string;
    /** The `flyte:*` config: its projects are what flyteadmin must list. */
    readonly flyte: Pick<FlyteConfig, "projects" | "projectNamespaces">;
    /** Flyte's endpoint Service, resolved. */
    readonly service: { readonly namespace: string; readonly name: string };
    /** Whether flyteadmin authenticates: then the probe signs in as the CI client. */
    readonly authenticated: boolean;
    /** The annotation the verified namespace's `default` service account must carry; absent: none (local). */
    readonly annotation?: { readonly key: string; readonly value: string };
}): EndpointStage {
    const target = verifiedNamespace(args.flyte);
    return {
        stage: "endpoint",
        stack: args.stack,
        waitSeconds: PROBE_WAIT_SECONDS,
        service: { ...args.service, httpPort: FLYTE_HTTP_PORT, grpcPort: FLYTE_GRPC_PORT },
        ...(args.authenticated
            ? { client: { clientId: CI_CLIENT_ID, secretFile: `${CI_CLIENT_SECRET_DIR}/${CI_CLIENT_SECRET_KEY}`, tokenPath: TOKEN_PATH, scope: ADMIN_SCOPE } }
            : {}),
        projects: [...args.flyte.projects],
        taskNamespace: {
            name: target.namespace,
            serviceAccount: WORKER_SERVICE_ACCOUNT,
            ...(args.annotation ? { annotation: { ...args.annotation } } : {}),
        },
        signedUpload: { project: target.project, domain: target.domain },
    };
}

/** The object store as resolved for the workload stage. */
export type VerifiedStore =
    | { readonly provider: "gcs" }
    | { readonly provider: "s3"; readonly region: string }
    | { readonly provider: "s3-compatible"; readonly endpoint: string; readonly region: string };

/** The kind of store and how it is reached, without its buckets (which are outputs). */
export function verifiedStore(storage: FlyteStorage): VerifiedStore {
    switch (storage.provider) {
        case "gcs":
            return { provider: storage.provider };
        case "s3":
            return { provider: storage.provider, region: storage.region };
        case "s3-compatible":
            return { provider: storage.provider, endpoint: storage.endpoint, region: storage.region };
    }
}

/** The cloud identity the verified namespace's task pods must have, as the workload stage checks it. */
export function identityCheck(
    store: VerifiedStore,
    identity?: {
        /** The identity's annotation value: a Google service account's email or an IAM role's ARN. */
        readonly value: string;
        /** GKE: the nodes' Google service account. */
        readonly nodeIdentity?: string;
    },
): WorkloadIdentityCheck {
    switch (store.provider) {
        case "gcs":
            if (identity === undefined) {
                throw new Error("verification on GCS needs the task pods' Google service account");
            }
            return { kind: "gke", email: identity.value, ...(identity.nodeIdentity ? { nodeEmail: identity.nodeIdentity } : {}) };
        case "s3":
            if (identity === undefined) {
                throw new Error("verification on AWS S3 needs the task pods' IAM role");
            }
            return { kind: "irsa", roleArn: identity.value, region: store.region };
        case "s3-compatible":
            return { kind: "static-keys" };
    }
}

function objectStore(store: VerifiedStore): ObjectStore {
    switch (store.provider) {
        case "gcs":
            return { kind: "gcs" };
        case "s3":
            return { kind: "s3", region: store.region };
        case "s3-compatible":
            return { kind: "s3-compatible", endpoint: store.endpoint, region: store.region };
    }
}

/**
 * Where a task of the verified project and domain writes: its raw outputs (the project's own bucket with project
 * isolation, else the shared user-data bucket, under RAW_OUTPUT_PATH as both charts' `rawoutput-prefix`) and its
 * executions' metadata (`metadata/propeller/<project>-<domain>-…` in the metadata bucket, the prefix project isolation
 * grants: projectMetadataPrefixes).
 */
export function dataLocations(args: {
    /** The verified namespace's project and domain. */
    readonly target: Pick<ProjectDomainNamespace, "project" | "domain">;
    /** The metadata bucket's name. */
    readonly metadataBucket: string;
    /** The bucket raw outputs go to for this project: its own with isolation, else the user-data bucket. */
    readonly rawDataBucket: string;
}): DataLocation[] {
    const { project, domain } = args.target;
    return [
        { purpose: `raw outputs of project ${project}`, bucket: args.rawDataBucket, prefix: `${RAW_OUTPUT_PATH}/` },
        { purpose: `execution metadata of ${project}/${domain}`, bucket: args.metadataBucket, prefix: `${METADATA_PREFIX}/${project}-${domain}-` },
    ];
}

/** The workload stage's checks (see verification/probe/config.ts). */
export function workloadStage(args: {
    /** The stack's name, for messages. */
    readonly stack: string;
    /** The verified namespace. */
    readonly target: ProjectDomainNamespace;
    /** The object store. */
    readonly store: VerifiedStore;
    /** The identity task pods there must have (absent on a store with static keys). */
    readonly identity?: { readonly value: string; readonly nodeIdentity?: string };
    /** Where they write. */
    readonly locations: readonly DataLocation[];
}): WorkloadStage {
    return {
        stage: "workload",
        stack: args.stack,
        namespace: args.target.namespace,
        serviceAccount: WORKER_SERVICE_ACCOUNT,
        identity: identityCheck(args.store, args.identity),
        store: objectStore(args.store),
        locations: args.locations.map((location) => ({ ...location })),
    };
}

/**
 * The probe's container: Node.js running the probe's TypeScript with its own type stripping, restricted, bounded,
 * its one-line failure the termination message (the probe writes it; the provider shows it when the Job fails).
 */
export function probeContainer(args: {
    /** `endpoint` or `workload`: the container's name. */
    readonly stage: "endpoint" | "workload";
    /** The image (flyte:verificationImage). */
    readonly image: string;
    /** The stage's checks, as JSON. */
    readonly config: pulumi.Input<string>;
    /** The ConfigMap volume with the probe's files. */
    readonly probeVolume: string;
    /** The volume with the CI client's secret (endpoint stage, with authentication). */
    readonly clientSecretVolume?: string;
    /** Task pods' storage keys come from this Secret (a store with static keys): the probe gets them the same way. */
    readonly storageSecret?: string;
}): k8s.types.input.core.v1.Container & { readonly resources: k8s.types.input.core.v1.ResourceRequirements } {
    return {
        name: `verify-${args.stage}`,
        image: args.image,
        // Node 24 warns that type stripping is experimental on every run; the warning says nothing about Flyte.
        command: ["node", "--disable-warning=ExperimentalWarning", `${PROBE_MOUNT_DIR}/${PROBE_ENTRY}`],
        env: [{ name: CONFIG_VARIABLE, value: args.config }],
        ...(args.storageSecret ? { envFrom: [{ secretRef: { name: args.storageSecret } }] } : {}),
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "192Mi" } },
        volumeMounts: [
            { name: args.probeVolume, mountPath: PROBE_MOUNT_DIR, readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
            ...(args.clientSecretVolume ? [{ name: args.clientSecretVolume, mountPath: CI_CLIENT_SECRET_DIR, readOnly: true }] : []),
        ],
        securityContext: restrictedContainerSecurityContext(),
    };
}

/** The pod volumes that go with probeContainer. */
export function probeVolumes(args: {
    /** The ConfigMap with the probe's files (read from it, so that the pod waits for it). */
    readonly configMap: pulumi.Input<string>;
    /** The Secret with the CI client's secret (endpoint stage, with authentication). */
    readonly clientSecret?: { readonly secretName: pulumi.Input<string>; readonly key: string };
}): k8s.types.input.core.v1.Volume[] {
    return [
        { name: "probe", configMap: { name: args.configMap } },
        scratchVolume("tmp", "16Mi"),
        ...(args.clientSecret
            ? [{ name: "ci-client", secret: { secretName: args.clientSecret.secretName, items: [{ key: args.clientSecret.key, path: CI_CLIENT_SECRET_KEY }] } }]
            : []),
    ];
}

/**
 * What the endpoint stage may read of the Kubernetes API, cluster-wide because the namespace may not exist yet when
 * the binding is made: the verified namespace by name, and service accounts named `default` (their annotations
 * carry no secret). Nothing else, no list, no watch.
 */
export function endpointProbeRules(namespace: string): k8s.types.input.rbac.v1.PolicyRule[] {
    return [
        { apiGroups: [""], resources: ["namespaces"], resourceNames: [namespace], verbs: ["get"] },
        { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: [WORKER_SERVICE_ACCOUNT], verbs: ["get"] },
    ];
}
