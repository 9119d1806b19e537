import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../contract/config";
import { cidrsOverlap, parseCidr } from "../shared/cidr";
import { projectDomainNamespaces } from "../shared/namespaces";
import { projectWorkerIdentity, WORKER_IDENTITY } from "../contract/identities";
import type {
    ControlPlaneFlyteOutput,
    ControlPlaneNetworkOutput,
    ControlPlaneOutput,
    DataPlaneCloudOutput,
    DataPlaneConfig,
    DataPlaneOutput,
    DataPlaneRef,
    GrpcEndpoint,
    ResolvedControlPlane,
    ResolvedDataPlane,
} from "../contract/multiCluster";
import { MULTI_CLUSTER_CLOUDS, type MultiClusterCloud } from "../contract/multiCluster";

/**
 * How the stacks of a multi-cluster deployment read each other: the outputs each side publishes (typed in
 * components/contract/multiCluster.ts), read through `pulumi.StackReference` and checked field by field, so that a
 * stack of another version or a half-deployed one is one line naming the stack and what is missing rather than a
 * crash deep in a resource. https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences
 */

/** The control plane's plain output (ControlPlaneOutput). */
export const CONTROL_PLANE_OUTPUT = "controlPlane";
/** With sign-in: the control plane's secret output with flytepropeller's client secret. */
export const CONTROL_PLANE_CLIENT_SECRET_OUTPUT = "controlPlaneClientSecret";
/** A data plane's plain output (DataPlaneOutput). */
export const DATA_PLANE_OUTPUT = "dataPlane";
/** A data plane's secret output: the token flyteadmin uses there. */
export const DATA_PLANE_TOKEN_OUTPUT = "dataPlaneToken";

/** A referenced stack's output that is not what this program publishes; the message is one line. */
export class StackReferenceError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "StackReferenceError";
    }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads one output object's fields, each failing with the stack, the output and the field's path. */
class OutputReader {
    constructor(
        private readonly where: string,
        private readonly value: Record<string, unknown>,
        private readonly path = "",
    ) {}

    private fail(field: string, expected: string): never {
        throw new StackReferenceError(`${this.where}: ${this.path}${field} is ${JSON.stringify(this.value[field] as Json) ?? "missing"}, expected ${expected}`);
    }

    string(field: string): string {
        const v = this.value[field];
        return typeof v === "string" && v !== "" ? v : this.fail(field, "a non-empty string");
    }

    optionalString(field: string): string | undefined {
        return this.value[field] === undefined ? undefined : this.string(field);
    }

    boolean(field: string): boolean {
        const v = this.value[field];
        return typeof v === "boolean" ? v : this.fail(field, "true or false");
    }

    integer(field: string): number {
        const v = this.value[field];
        return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : this.fail(field, "a positive whole number");
    }

    strings(field: string): string[] {
        const v = this.value[field];
        return Array.isArray(v) && v.every((s) => typeof s === "string" && s !== "") ? (v as string[]) : this.fail(field, "a list of strings");
    }

    stringMap(field: string): Record<string, string> {
        const v = this.value[field];
        return isRecord(v) && Object.values(v).every((s) => typeof s === "string") ? (v as Record<string, string>) : this.fail(field, "a map of strings");
    }

    object(field: string): OutputReader {
        const v = this.value[field];
        return isRecord(v) ? new OutputReader(this.where, v, `${this.path}${field}.`) : this.fail(field, "an object");
    }

    cloud(): MultiClusterCloud {
        const v = this.value.cloud;
        return MULTI_CLUSTER_CLOUDS.find((c) => c === v) ?? this.fail("cloud", MULTI_CLUSTER_CLOUDS.map((c) => JSON.stringify(c)).join(" or "));
    }
}

function grpcEndpoint(reader: OutputReader): GrpcEndpoint {
    return { endpoint: reader.string("endpoint"), insecure: reader.boolean("insecure") };
}

/** The control plane's `controlPlane` output, checked. `stack` names it in messages. */
export function controlPlaneOutput(stack: string, value: unknown): ControlPlaneOutput {
    const where = `control plane ${stack}, output ${CONTROL_PLANE_OUTPUT}`;
    if (!isRecord(value)) {
        throw new StackReferenceError(`${where} is not an object: is ${stack} a control plane (flyte:clusterRole controlPlane)?`);
    }
    const r = new OutputReader(where, value);
    const identities = r.object("identities");
    const datacatalog = grpcEndpoint(r.object("datacatalog"));
    const worker = identities.optionalString("worker");
    const propellerClientId = r.optionalString("propellerClientId");
    const network: ControlPlaneNetworkOutput =
        r.cloud() === "gcp"
            ? {
                  cloud: "gcp",
                  gcpProject: r.string("gcpProject"),
                  region: r.string("region"),
                  adminGlobalAccess: r.boolean("adminGlobalAccess"),
                  network: r.string("network"),
                  clientRanges: r.strings("clientRanges"),
                  networkRanges: r.strings("networkRanges"),
              }
            : {
                  cloud: "aws",
                  awsAccountId: r.string("awsAccountId"),
                  region: r.string("region"),
                  adminGlobalAccess: r.boolean("adminGlobalAccess"),
                  vpcId: r.string("vpcId"),
                  vpcCidr: r.string("vpcCidr"),
                  internetGatewayId: r.string("internetGatewayId"),
                  clusterSecurityGroupId: r.string("clusterSecurityGroupId"),
                  clientRanges: r.strings("clientRanges"),
                  networkRanges: r.strings("networkRanges"),
              };
    return {
        ...network,
        flyteNamespace: r.string("flyteNamespace"),
        admin: grpcEndpoint(r.object("admin")),
        datacatalog,
        metadataBucket: r.string("metadataBucket"),
        userDataBucket: r.string("userDataBucket"),
        projectBuckets: r.stringMap("projectBuckets"),
        projectIsolation: r.boolean("projectIsolation"),
        identities: {
            flyteadmin: identities.string("flyteadmin"),
            ...(worker ? { worker } : {}),
            projectWorkers: identities.stringMap("projectWorkers"),
        },
        ...(propellerClientId ? { propellerClientId } : {}),
        projects: r.strings("projects"),
        domains: r.strings("domains"),
        domainNames: r.stringMap("domainNames"),
        namespaceTemplate: r.string("namespaceTemplate"),
        chartVersion: r.string("chartVersion"),
        chartRepository: r.string("chartRepository"),
    };
}

/** A data plane's `dataPlane` output, checked. */
export function dataPlaneOutput(ref: DataPlaneRef, value: unknown): DataPlaneOutput {
    const where = `data plane ${ref.name} (stack ${ref.stack}), output ${DATA_PLANE_OUTPUT}`;
    if (!isRecord(value)) {
        throw new StackReferenceError(`${where} is not an object: is ${ref.stack} a data plane (flyte:clusterRole dataPlane)?`);
    }
    const r = new OutputReader(where, value);
    const apiEndpoint = r.string("apiEndpoint");
    if (!/^https:\/\/[^/\s]+$/.test(apiEndpoint)) {
        throw new StackReferenceError(`${where}: apiEndpoint is ${JSON.stringify(apiEndpoint)}, expected https://<host>`);
    }
    const rawDataBucket = r.optionalString("rawDataBucket");
    const cloud: DataPlaneCloudOutput =
        r.cloud() === "gcp" ? { cloud: "gcp" } : { cloud: "aws", oidcProviderArn: r.string("oidcProviderArn"), oidcIssuer: r.string("oidcIssuer") };
    if (cloud.cloud === "aws" && (cloud.oidcIssuer.includes("://") || !cloud.oidcProviderArn.endsWith(`:oidc-provider/${cloud.oidcIssuer}`))) {
        throw new StackReferenceError(`${where}: oidcProviderArn ${cloud.oidcProviderArn} is not the IAM OIDC provider of issuer ${cloud.oidcIssuer}`);
    }
    return {
        ...cloud,
        apiEndpoint,
        caCertificate: r.string("caCertificate"),
        adminServiceAccount: r.string("adminServiceAccount"),
        tokenGeneration: r.integer("tokenGeneration"),
        podRange: r.string("podRange"),
        ...(rawDataBucket ? { rawDataBucket } : {}),
    };
}

/**
 * A data plane's control plane, read before anything is declared: without its outputs the data plane cannot be
 * planned at all, so a control plane never deployed ends the run with one line.
 */
export async function readControlPlane(stack: string, opts?: pulumi.CustomResourceOptions): Promise<ResolvedControlPlane> {
    const reference = new pulumi.StackReference("control-plane", { name: stack }, opts);
    const details = await reference.getOutputDetails(CONTROL_PLANE_OUTPUT);
    if (details.value === undefined) {
        throw new StackReferenceError(
            `flyte:controlPlaneStack ${stack} has no output ${CONTROL_PLANE_OUTPUT} yet: run pulumi up on the control plane first (README: the order of first deployment)`,
        );
    }
    const output = controlPlaneOutput(stack, details.value);
    if (output.propellerClientId === undefined) {
        return { stack, output };
    }
    const secret = await reference.getOutputDetails(CONTROL_PLANE_CLIENT_SECRET_OUTPUT);
    if (typeof secret.secretValue !== "string" || secret.secretValue === "") {
        throw new StackReferenceError(
            `control plane ${stack} signs clients in but has no secret output ${CONTROL_PLANE_CLIENT_SECRET_OUTPUT}: run pulumi up on the control plane`,
        );
    }
    return { stack, output, clientSecret: pulumi.secret(secret.secretValue) };
}

/**
 * The control plane's data planes: each read through its own stack reference. One without outputs yet (the first
 * deployment: the control plane comes before its data planes) is left out with a warning; the control plane's next
 * `pulumi up` registers it.
 */
export async function readDataPlanes(refs: readonly DataPlaneRef[], opts?: pulumi.CustomResourceOptions): Promise<ResolvedDataPlane[]> {
    const resolved = await Promise.all(
        refs.map(async (ref): Promise<ResolvedDataPlane | undefined> => {
            const reference = new pulumi.StackReference(`data-plane-${ref.name}`, { name: ref.stack }, opts);
            const [plain, token] = await Promise.all([reference.getOutputDetails(DATA_PLANE_OUTPUT), reference.getOutputDetails(DATA_PLANE_TOKEN_OUTPUT)]);
            if (plain.value === undefined || typeof token.secretValue !== "string" || token.secretValue === "") {
                void pulumi.log.warn(
                    `data plane ${ref.name} (stack ${ref.stack}) has no outputs ${DATA_PLANE_OUTPUT} and ${DATA_PLANE_TOKEN_OUTPUT} yet: run pulumi up there, then here again; until then no execution goes to it`,
                );
                return undefined;
            }
            return { ref, output: dataPlaneOutput(ref, plain.value), token: pulumi.secret(token.secretValue) };
        }),
    );
    return resolved.filter((d): d is ResolvedDataPlane => d !== undefined);
}

/**
 * What a control plane checks of the data planes it read, before it declares anything; one line each. They are of its
 * own cloud (on GCP they share its project's Workload Identity pool, on AWS its VPC and account), and their pod
 * ranges are apart: each is a data plane's own part of the network the control plane shares with them (GCP: a
 * secondary range of its subnet; AWS: its block of the VPC), and datacatalog admits them by range. The cloud refuses
 * the second of two overlapping ranges when that data plane is deployed; this keeps the control plane from
 * registering both meanwhile. On AWS, with the control plane's account: each data plane's OIDC provider is in it.
 */
export function checkDataPlanes(cloud: string, dataPlanes: readonly ResolvedDataPlane[], awsAccountId?: string): void {
    const other = dataPlanes.find((d) => d.output.cloud !== cloud);
    if (other !== undefined) {
        throw new StackReferenceError(
            `data plane ${other.ref.name} (stack ${other.ref.stack}) is on ${other.output.cloud} and this control plane on ${cloud}: every stack of a multi-cluster deployment is on one cloud; remove it from flyte:dataPlanes`,
        );
    }
    // The task roles federate each AWS data plane's OIDC provider: only one of this account's (where the data plane's
    // cluster is, since it joins this VPC).
    for (const { ref, output } of dataPlanes) {
        const account = output.cloud === "aws" ? /^arn:[a-z-]+:iam::(\d{12}):oidc-provider\//.exec(output.oidcProviderArn)?.[1] : undefined;
        if (output.cloud === "aws" && awsAccountId !== undefined && account !== awsAccountId) {
            throw new StackReferenceError(
                `data plane ${ref.name} (stack ${ref.stack}) publishes the OIDC provider ${output.oidcProviderArn}, not one of this control plane's account ${awsAccountId}: every stack of a multi-cluster deployment on AWS is in one account`,
            );
        }
    }
    const ranges = dataPlanes.map((d) => ({ d, cidr: parseCidr(d.output.podRange) }));
    for (const [i, { d, cidr }] of ranges.entries()) {
        if (cidr === undefined) {
            throw new StackReferenceError(`data plane ${d.ref.name} (stack ${d.ref.stack}), output ${DATA_PLANE_OUTPUT}: podRange is ${JSON.stringify(d.output.podRange)}, expected an IPv4 CIDR`);
        }
        const clash = ranges.slice(0, i).find((earlier) => earlier.cidr !== undefined && cidrsOverlap(earlier.cidr, cidr));
        if (clash !== undefined) {
            throw new StackReferenceError(
                `data plane ${d.ref.name} (stack ${d.ref.stack}) uses ${d.output.podRange}, which overlaps ${clash.d.output.podRange} of data plane ${clash.d.ref.name} (stack ${clash.d.ref.stack}): give one of them ranges of its own and pulumi up it, or remove it from flyte:dataPlanes`,
            );
        }
    }
}

/**
 * A data plane's Flyte config: its own chart settings give way to the control plane's projects, domains, namespaces
 * and chart (config validation refuses setting them on a data plane), so that its flytepropeller watches the
 * namespaces the control plane's cluster resource sync creates and runs the control plane's Flyte version.
 */
export function dataPlaneFlyteConfig(own: FlyteConfig, controlPlane: ControlPlaneOutput): FlyteConfig {
    return {
        ...own,
        projects: [...controlPlane.projects],
        domains: [...controlPlane.domains],
        domainNames: { ...controlPlane.domainNames },
        namespaceTemplate: controlPlane.namespaceTemplate,
        namespace: controlPlane.flyteNamespace,
        projectNamespaces: projectDomainNamespaces(controlPlane.projects, controlPlane.domains, controlPlane.namespaceTemplate),
        chartVersion: controlPlane.chartVersion,
        chartRepository: controlPlane.chartRepository,
        projectIsolation: controlPlane.projectIsolation,
    };
}

/**
 * What only the two stacks together can tell is wrong, checked before the data plane declares anything: one line
 * naming the key to change. The cloud-specific checks (project, address ranges) are the platform's.
 */
export function checkDataPlaneJoin(args: {
    /** The control plane's stack, for messages. */
    readonly stack: string;
    /** Its published output. */
    readonly controlPlane: ControlPlaneOutput;
    /** This data plane's config. */
    readonly config: DataPlaneConfig;
    /** This data plane's region. */
    readonly region: string;
}): void {
    const { stack, controlPlane: cp } = args;
    if (args.config.rawDataBucket && cp.projectIsolation) {
        throw new StackReferenceError(
            `flyte:dataPlaneRawBucket is true but control plane ${stack} has projectIsolation: each project's raw data goes to its own bucket there; set flyte:dataPlaneRawBucket false`,
        );
    }
    // An AWS data plane joins the control plane's VPC, which is regional: its own checks refuse another region.
    if (cp.cloud === "gcp" && args.region !== cp.region && !cp.adminGlobalAccess) {
        throw new StackReferenceError(
            `control plane ${stack} is in ${cp.region} and its flyteadmin endpoint answers only there, this data plane is in ${args.region}: set flyte:loadBalancerGlobalAccess true (or flyte:dnsName) on the control plane, or put the data plane in ${cp.region}`,
        );
    }
}

/** What a control plane publishes, from its parts (see ControlPlaneOutput). */
export function publishedControlPlane<N extends ControlPlaneNetworkOutput>(args: {
    /** The control plane's Flyte config. */
    readonly flyte: FlyteConfig;
    /** The platform's network side, as it publishes it (FlytePlatform.controlPlane.published). */
    readonly network: N;
    /** flyteadmin's gRPC endpoint as clients use it (`host:port`), and whether it is plaintext. */
    readonly admin: GrpcEndpoint;
    /** datacatalog for the data planes. */
    readonly datacatalog: GrpcEndpoint;
    /** The buckets. */
    readonly metadataBucket: string;
    readonly userDataBucket: string;
    /** With project isolation: each project's bucket, by project. */
    readonly projectBuckets: Readonly<Record<string, string>>;
    /** Identities by request key (flyteadmin, worker, worker-<project>). */
    readonly identities: Readonly<Record<string, string>>;
    /** With sign-in: the client flytepropeller calls flyteadmin as. */
    readonly propellerClientId?: string;
}): N & ControlPlaneFlyteOutput {
    const { flyte, identities } = args;
    const flyteadmin = identities.flyteadmin;
    if (flyteadmin === undefined) {
        throw new Error("a control plane without flyteadmin's identity");
    }
    const projectWorkers = Object.fromEntries(flyte.projectIsolation ? flyte.projects.map((p) => [p, identities[projectWorkerIdentity(p)]]) : []);
    const published: ControlPlaneFlyteOutput = {
        flyteNamespace: flyte.namespace,
        admin: args.admin,
        datacatalog: args.datacatalog,
        metadataBucket: args.metadataBucket,
        userDataBucket: args.userDataBucket,
        projectBuckets: { ...args.projectBuckets },
        projectIsolation: flyte.projectIsolation,
        identities: { flyteadmin, ...(identities[WORKER_IDENTITY] ? { worker: identities[WORKER_IDENTITY] } : {}), projectWorkers },
        ...(args.propellerClientId ? { propellerClientId: args.propellerClientId } : {}),
        projects: [...flyte.projects],
        domains: [...flyte.domains],
        domainNames: { ...flyte.domainNames },
        namespaceTemplate: flyte.namespaceTemplate,
        chartVersion: flyte.chartVersion,
        chartRepository: flyte.chartRepository,
    };
    return { ...args.network, ...published };
}
