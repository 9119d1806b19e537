import * as pulumi from "@pulumi/pulumi";
import type { DnsRecord, FlyteEventsTopic } from "./platform";
import type { ControlPlaneOutput, DataPlaneOutput } from "./multiCluster";

/**
 * The stack outputs: the public contract other teams read through StackReference. Every target exports the
 * common outputs with the same names and meaning; a target adds only what exists there.
 */
export interface FlyteStackOutputs {
    /** gRPC endpoint, `host:port`, for flytectl and pyflyte. */
    readonly grpcEndpoint: pulumi.Output<string>;
    /** Base URL of Flyte's HTTP API. */
    readonly httpEndpoint: pulumi.Output<string>;
    readonly consoleUrl: pulumi.Output<string>;
    /** Contents for `~/.flyte/config.yaml`. */
    readonly flytectlConfig: pulumi.Output<string>;
    /** `kubectl port-forward` of Flyte's HTTP (8088) and gRPC (8089) ports, for use with `kubeconfig` from outside the network. */
    readonly portForwardCommand: pulumi.Output<string>;
    /** A Pulumi secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly metadataBucket: pulumi.Output<string>;
    readonly userDataBucket: pulumi.Output<string>;
    readonly databaseHost: pulumi.Output<string>;
    /** The identity the Flyte backend runs as (flyte-core: flyteadmin's). */
    readonly backendServiceAccount: pulumi.Output<string>;
    /** Every identity Flyte runs as, by key: backend or each flyte-core component, and the task pods'. */
    readonly identities: pulumi.Output<Record<string, string>>;
    /** The identity task pods run as; absent with projectIsolation, where each project has its own. */
    readonly workerServiceAccount?: pulumi.Output<string>;
    /** projectIsolation: each project's task identity, by project. */
    readonly projectWorkerServiceAccounts?: pulumi.Output<Record<string, string>>;
    /** projectIsolation: where each project's raw outputs go (its own bucket), by project. */
    readonly projectDataLocations?: pulumi.Output<Record<string, string>>;
    /** With dnsName but no dnsZone: the DNS records to create by hand, as zone-file lines (`name. TYPE value`). */
    readonly dnsRecordsToCreate?: pulumi.Output<string[]>;
    /** With authentication: the redirect URI(s) to register for Flyte's client at the OpenID Connect provider. */
    readonly oidcRedirectUris?: pulumi.Output<string[]>;
    /** With authentication: the client id a CI pipeline uses with flyteadmin (client credentials). */
    readonly ciClientId?: pulumi.Output<string>;
    /** With authentication: that client's secret (a Pulumi secret). */
    readonly ciClientSecret?: pulumi.Output<string>;
    /** With executionEvents: the topic Flyte publishes execution events to (an SNS topic ARN; a Pub/Sub topic id). */
    readonly executionEventsTopic?: pulumi.Output<string>;
    /**
     * With verification: the Jobs that verified the deployment, as `<namespace>/<name>` in the order they run (Flyte's
     * endpoint, then a task pod's identity and storage): what `npm run verify` runs again.
     */
    readonly verificationJobs?: pulumi.Output<string[]>;
    /** With registry: where task images go, e.g. `europe-west1-docker.pkg.dev/<project>/<repo>` or an ECR repository URL. */
    readonly registryUrl?: pulumi.Output<string>;
    /** With registry and ciGithubRepository: the identity CI pushes as (a Google service account email, an IAM role ARN). */
    readonly ciPushIdentity?: pulumi.Output<string>;
    /** gcp, with ciGithubRepository: the Workload Identity Federation provider CI authenticates through (its full resource name). */
    readonly ciWorkloadIdentityProvider?: pulumi.Output<string>;
    /** cloud local: the MinIO console and its admin credentials (secrets). */
    readonly minioConsoleUrl?: pulumi.Output<string>;
    readonly minioRootUser?: pulumi.Output<string>;
    readonly minioRootPassword?: pulumi.Output<string>;
    /** cloud local with localDashboard. */
    readonly kubernetesDashboardUrl?: pulumi.Output<string>;
    /** clusterRole controlPlane: what its data planes read (ControlPlaneOutput in components/contract/multiCluster.ts). */
    readonly controlPlane?: pulumi.Output<ControlPlaneOutput>;
    /** clusterRole controlPlane with authentication: flytepropeller's client secret for the data planes (a Pulumi secret). */
    readonly controlPlaneClientSecret?: pulumi.Output<string>;
    /** clusterRole dataPlane: what its control plane reads (DataPlaneOutput). */
    readonly dataPlane?: pulumi.Output<DataPlaneOutput>;
    /** clusterRole dataPlane: the token the control plane's flyteadmin uses there (a Pulumi secret). */
    readonly dataPlaneToken?: pulumi.Output<string>;
}

/** Every stack, data planes too. */
export const EVERY_STACK_OUTPUTS = ["kubeconfig", "clusterName"] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** Every standalone and control-plane stack: where Flyte's endpoint, database and buckets are. */
export const COMMON_OUTPUTS = [
    "grpcEndpoint",
    "httpEndpoint",
    "consoleUrl",
    "flytectlConfig",
    "portForwardCommand",
    "metadataBucket",
    "userDataBucket",
    "databaseHost",
    "backendServiceAccount",
    "identities",
] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** Without projectIsolation. */
export const SHARED_WORKER_OUTPUTS = ["workerServiceAccount"] as const satisfies readonly (keyof FlyteStackOutputs)[];
/** With projectIsolation. */
export const ISOLATION_OUTPUTS = ["projectWorkerServiceAccounts", "projectDataLocations"] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** With dnsName and no dnsZone. */
export const MANUAL_DNS_OUTPUTS = ["dnsRecordsToCreate"] as const satisfies readonly (keyof FlyteStackOutputs)[];
/** With authentication (oidc or cognito). */
export const AUTHENTICATION_OUTPUTS = ["oidcRedirectUris", "ciClientId", "ciClientSecret"] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** With executionEvents. */
export const EVENTS_OUTPUTS = ["executionEventsTopic"] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** With verification (flyte:verification on, or auto on gcp and aws). */
export const VERIFICATION_OUTPUTS = ["verificationJobs"] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** With registry. */
export const REGISTRY_OUTPUTS = ["registryUrl"] as const satisfies readonly (keyof FlyteStackOutputs)[];
/** With registry and ciGithubRepository. */
export const CI_PUSH_OUTPUTS = ["ciPushIdentity"] as const satisfies readonly (keyof FlyteStackOutputs)[];
/** gcp, with registry and ciGithubRepository. */
export const GCP_CI_PUSH_OUTPUTS = ["ciWorkloadIdentityProvider"] as const satisfies readonly (keyof FlyteStackOutputs)[];

export const LOCAL_OUTPUTS = ["minioConsoleUrl", "minioRootUser", "minioRootPassword"] as const satisfies readonly (keyof FlyteStackOutputs)[];
export const DASHBOARD_OUTPUTS = ["kubernetesDashboardUrl"] as const satisfies readonly (keyof FlyteStackOutputs)[];

/**
 * The outputs only some targets have, which their platform states itself (`FlytePlatform.extraOutputs`), so that
 * the program exports them without knowing which platform it built.
 */
export type PlatformOutputs = Pick<
    FlyteStackOutputs,
    | (typeof LOCAL_OUTPUTS)[number]
    | (typeof DASHBOARD_OUTPUTS)[number]
    | (typeof REGISTRY_OUTPUTS)[number]
    | (typeof CI_PUSH_OUTPUTS)[number]
    | (typeof GCP_CI_PUSH_OUTPUTS)[number]
>;

/** clusterRole controlPlane. */
export const CONTROL_PLANE_OUTPUTS = ["controlPlane"] as const satisfies readonly (keyof FlyteStackOutputs)[];
/** clusterRole controlPlane with authentication. */
export const AUTHENTICATED_CONTROL_PLANE_OUTPUTS = ["controlPlaneClientSecret"] as const satisfies readonly (keyof FlyteStackOutputs)[];
/** clusterRole dataPlane (with EVERY_STACK_OUTPUTS, all a data plane has). */
export const DATA_PLANE_OUTPUTS = ["dataPlane", "dataPlaneToken"] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** What a data-plane stack exports. */
export type DataPlaneStackOutputs = Required<Pick<FlyteStackOutputs, (typeof EVERY_STACK_OUTPUTS)[number] | (typeof DATA_PLANE_OUTPUTS)[number]>>;

/** Every output of the contract, common ones first. */
export const ALL_OUTPUTS = [
    ...COMMON_OUTPUTS.slice(0, 5),
    ...EVERY_STACK_OUTPUTS,
    ...COMMON_OUTPUTS.slice(5),
    ...SHARED_WORKER_OUTPUTS,
    ...ISOLATION_OUTPUTS,
    ...MANUAL_DNS_OUTPUTS,
    ...AUTHENTICATION_OUTPUTS,
    ...EVENTS_OUTPUTS,
    ...VERIFICATION_OUTPUTS,
    ...REGISTRY_OUTPUTS,
    ...CI_PUSH_OUTPUTS,
    ...GCP_CI_PUSH_OUTPUTS,
    ...LOCAL_OUTPUTS,
    ...DASHBOARD_OUTPUTS,
    ...CONTROL_PLANE_OUTPUTS,
    ...AUTHENTICATED_CONTROL_PLANE_OUTPUTS,
    ...DATA_PLANE_OUTPUTS,
] as const satisfies readonly (keyof FlyteStackOutputs)[];

/** The contract's outputs a target has; the others are left out rather than exported as undefined. */
export function definedOutputs(outputs: FlyteStackOutputs | DataPlaneStackOutputs): Record<string, pulumi.Output<unknown>> {
    const defined: Record<string, pulumi.Output<unknown>> = {};
    for (const key of ALL_OUTPUTS) {
        const value = (outputs as FlyteStackOutputs)[key];
        if (value !== undefined) {
            defined[key] = value;
        }
    }
    return defined;
}

/** DNS records as zone-file lines (`name. TYPE value`), one per value, in the order given: what `dnsRecordsToCreate` holds. */
export function zoneFileLines(records: readonly DnsRecord[]): string[] {
    return records.flatMap((record) => record.values.map((value) => `${record.name} ${record.type} ${value}`));
}

/** What other teams subscribe to: the SNS topic's ARN, or the Pub/Sub topic's full id (`projects/<p>/topics/<t>`). */
export function executionEventsTopic(events: FlyteEventsTopic | undefined): pulumi.Output<string> | undefined {
    if (events === undefined) {
        return undefined;
    }
    return events.type === "aws" ? events.topicArn : pulumi.interpolate`projects/${events.project}/topics/${events.topic}`;
}
