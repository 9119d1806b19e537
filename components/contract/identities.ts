import type { FlyteConfig } from "./config";
import { distinctNamespaces } from "../shared/namespaces";
import type { KubernetesServiceAccountRef } from "./platform";

/**
 * Who in Flyte needs a cloud identity, runs as which Kubernetes service accounts, and may touch which data. The
 * platforms turn each request into an identity (a Google service account, an IAM role, a MinIO user) with exactly
 * that access; the Flyte layer annotates the service accounts with what the platform made. Pure.
 */

/**
 * Where Flyte keeps each execution's metadata (flytepropeller's default `metadata-prefix`). flytepropeller names an
 * execution's directory under it `<project>-<domain>-<execution name>` (`constructWorkflowMetadataPrefix`,
 * flytepropeller/pkg/controller/workflow/executor.go at flyteorg/flyte v1.16.8).
 */
export const METADATA_PREFIX = "metadata/propeller";
/**
 * Where the data proxy puts code that pyflyte uploads: `<prefix>/<project>/<domain>/<root>/<file>`, with `/` between
 * the parts (`createStorageLocation`, flyteadmin/dataproxy/service.go at v1.16.8; the org part is empty in open-source
 * Flyte and left out).
 */
export const UPLOADS_PREFIX = "uploads";

/** Task pods run as their namespace's `default` account unless a workflow names another. */
export const WORKER_SERVICE_ACCOUNT = "default";

export type DataAccess =
    /** No object store at all. */
    | { readonly kind: "none" }
    /** Whole buckets shared by every project. */
    | { readonly kind: "shared"; readonly metadata: boolean; readonly userData: boolean }
    /** One project's own data bucket, and its prefixes in the shared metadata bucket. */
    | { readonly kind: "project"; readonly project: string; readonly metadataPrefixes: readonly string[] };

export interface IdentityRequest {
    /** Stable key: names the identity's resources and its entry in the platform's identities. */
    readonly key: string;
    /** Flyte's own services (the release waits for their grants) or task pods (nothing waits for theirs). */
    readonly role: "backend" | "worker";
    /** A display name, e.g. `Flyte task pods`. */
    readonly title: string;
    /** Who runs as it, e.g. `Flyte task pods of project x`. */
    readonly description: string;
    readonly serviceAccounts: readonly KubernetesServiceAccountRef[];
    readonly data: DataAccess;
    /** May sign URLs for its object store (the data proxy's uploads and downloads). */
    readonly signsUrls: boolean;
}

export interface FlyteWorkloads {
    readonly identities: readonly IdentityRequest[];
    /** Projects that get data of their own (projectIsolation); empty otherwise. */
    readonly isolatedProjects: readonly string[];
}

export const BACKEND_IDENTITY = "backend";
export const WORKER_IDENTITY = "worker";

export function projectWorkerIdentity(project: string): string {
    return `${WORKER_IDENTITY}-${project}`;
}

/**
 * The object prefixes of one project in the shared metadata bucket: its executions' metadata in each domain, and
 * the code it uploads. The trailing separators keep one project's prefixes from covering another's where they can:
 * `/` (uploads) is in no project or domain id, but `-` (metadata) is, see `overlappingDataPrefixes`.
 */
export function projectMetadataPrefixes(project: string, domains: readonly string[]): string[] {
    return [
        ...domains.map((domain) => `${METADATA_PREFIX}/${project}-${domain}-`),
        ...domains.map((domain) => `${UPLOADS_PREFIX}/${project}/${domain}/`),
    ];
}

/** Two projects' execution-metadata prefixes of which one covers (part of) the other's objects. */
export interface PrefixOverlap {
    /** The project whose prefix is the shorter (or the same): its identity may reach objects of `covered`. */
    readonly covering: string;
    readonly coveringDomain: string;
    readonly covered: string;
    readonly coveredDomain: string;
    /** `<covering>-<coveringDomain>-`, the part under `metadata/propeller/` they share. */
    readonly prefix: string;
}

/**
 * Where the execution-metadata prefixes of projects `a` and `b` overlap, or undefined when no object one of them
 * writes can fall under the other's prefixes, whatever its execution names.
 *
 * An execution's directory is `<project>-<domain>-<execution name>`, and the name need not be generated (20
 * characters without `-`, `GetExecutionName` in flyteadmin/pkg/common/executions.go): a user may pick any name
 * matching `^[a-z][a-z\-0-9]*$` of up to 63 characters (`CheckValidExecutionID`,
 * flyteadmin/pkg/manager/impl/validation/execution_validator.go, v1.16.8), and project ids are DNS-1123 labels
 * (project_validator.go). So `x-development-staging-run1` is both project `x-development`'s execution `run1` in domain
 * `staging` and project `x`'s execution `staging-run1` in domain `development`: no condition on object names can tell
 * them apart, and the only safe answer is to never have both projects. They clash exactly when
 * `<a>-<da>-` and `<b>-<db>-` are prefixes of one another for some domains `da`, `db`: `x` next to `x-development`
 * or `x-development-ml`, or, with domains that contain `-`, `a` (domain `b-dev`) next to `a-b` (domain `dev`).
 * Upload prefixes cannot overlap: `/` is in no id.
 */
export function overlappingDataPrefixes(a: string, b: string, domains: readonly string[]): PrefixOverlap | undefined {
    if (a === b) {
        return undefined;
    }
    for (const da of domains) {
        for (const db of domains) {
            const pa = `${a}-${da}-`;
            const pb = `${b}-${db}-`;
            if (pb.startsWith(pa)) {
                return { covering: a, coveringDomain: da, covered: b, coveredDomain: db, prefix: pa };
            }
            if (pa.startsWith(pb)) {
                return { covering: b, coveringDomain: db, covered: a, coveredDomain: da, prefix: pb };
            }
        }
    }
    return undefined;
}

/**
 * The first overlap (see overlappingDataPrefixes) among the projects, or undefined: in sorted order a prefix is
 * followed by every string it begins, so one pass with the chain of prefixes of the current string finds any, in
 * O(n log n) for n project-domain pairs instead of comparing every pair.
 */
export function firstDataPrefixOverlap(projects: readonly string[], domains: readonly string[]): PrefixOverlap | undefined {
    const entries = projects
        .flatMap((project) => domains.map((domain) => ({ project, domain, prefix: `${project}-${domain}-` })))
        .sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
    const chain: typeof entries = [];
    for (const entry of entries) {
        while (chain.length > 0 && !entry.prefix.startsWith(chain[chain.length - 1].prefix)) {
            chain.pop();
        }
        const covering = chain.find((c) => c.project !== entry.project);
        if (covering !== undefined) {
            return {
                covering: covering.project,
                coveringDomain: covering.domain,
                covered: entry.project,
                coveredDomain: entry.domain,
                prefix: covering.prefix,
            };
        }
        chain.push(entry);
    }
    return undefined;
}

/** flyte-core's components and the fixed names of the service accounts the chart gives them. */
export const FLYTE_CORE_COMPONENTS = {
    flyteadmin: { serviceAccount: "flyteadmin", data: { kind: "shared", metadata: true, userData: true }, signsUrls: true },
    flytepropeller: { serviceAccount: "flytepropeller", data: { kind: "shared", metadata: true, userData: true }, signsUrls: false },
    datacatalog: { serviceAccount: "datacatalog", data: { kind: "shared", metadata: true, userData: false }, signsUrls: false },
    // The scheduler only talks to the database and to flyteadmin.
    flytescheduler: { serviceAccount: "flytescheduler", data: { kind: "none" }, signsUrls: false },
} as const satisfies Record<string, { serviceAccount: string; data: DataAccess; signsUrls: boolean }>;

export type FlyteCoreComponent = keyof typeof FLYTE_CORE_COMPONENTS;

/** The flyte-binary chart's service account (release and fullnameOverride `flyte-binary`). */
export const FLYTE_BINARY_SERVICE_ACCOUNT = "flyte-binary";

function backendIdentities(flyte: FlyteConfig, propeller: boolean): IdentityRequest[] {
    if (flyte.flavor === "binary") {
        return [
            {
                key: BACKEND_IDENTITY,
                role: "backend",
                title: "Flyte backend",
                description: "the Flyte backend (flyte-binary)",
                serviceAccounts: [{ namespace: flyte.namespace, name: FLYTE_BINARY_SERVICE_ACCOUNT }],
                data: { kind: "shared", metadata: true, userData: true },
                signsUrls: true,
            },
        ];
    }
    const components = (Object.keys(FLYTE_CORE_COMPONENTS) as FlyteCoreComponent[]).filter((c) => propeller || c !== "flytepropeller");
    return components.map((component) => {
        const spec = FLYTE_CORE_COMPONENTS[component];
        return {
            key: component,
            role: "backend" as const,
            title: `Flyte ${component}`,
            description: `Flyte's ${component}`,
            serviceAccounts: [{ namespace: flyte.namespace, name: spec.serviceAccount }],
            data: spec.data,
            signsUrls: spec.signsUrls,
        };
    });
}

function workerIdentities(flyte: FlyteConfig): IdentityRequest[] {
    if (!flyte.projectIsolation) {
        return [
            {
                key: WORKER_IDENTITY,
                role: "worker",
                title: "Flyte task pods",
                description: "Flyte task pods",
                serviceAccounts: distinctNamespaces(flyte.projectNamespaces).map((namespace) => ({
                    namespace,
                    name: WORKER_SERVICE_ACCOUNT,
                })),
                data: { kind: "shared", metadata: true, userData: true },
                signsUrls: false,
            },
        ];
    }
    return flyte.projects.map((project) => ({
        key: projectWorkerIdentity(project),
        role: "worker" as const,
        title: `Flyte task pods of ${project}`,
        description: `Flyte task pods of project ${project}`,
        serviceAccounts: distinctNamespaces(flyte.projectNamespaces.filter((p) => p.project === project)).map(
            (namespace) => ({ namespace, name: WORKER_SERVICE_ACCOUNT }),
        ),
        data: { kind: "project", project, metadataPrefixes: projectMetadataPrefixes(project, flyte.domains) },
        signsUrls: false,
    }));
}

/** Every identity Flyte needs for this config: the backend's (one, or one per flyte-core component) and the workers'. */
export function flyteWorkloads(
    flyte: FlyteConfig,
    options: {
        /** flytepropeller runs here (false: a control plane whose executions all run on data planes). */
        readonly propeller: boolean;
    } = { propeller: true },
): FlyteWorkloads {
    return {
        identities: [...backendIdentities(flyte, options.propeller), ...workerIdentities(flyte)],
        isolatedProjects: flyte.projectIsolation ? [...flyte.projects] : [],
    };
}
export interface CoreIdentityNames {
    readonly flyteadmin: string;
    readonly flytepropeller: string;
    readonly datacatalog: string;
    readonly flytescheduler: string;
}

/** The name of the identity a request gets: per-project workers by prefix, the others by key. */
export function identityName(
    names: { readonly backend: string; readonly worker: string; readonly core: CoreIdentityNames; readonly projectWorkerPrefix: string },
    request: Pick<IdentityRequest, "key" | "data">,
): string {
    if (request.data.kind === "project") {
        return `${names.projectWorkerPrefix}${request.data.project}`;
    }
    const byKey: Record<string, string> = { backend: names.backend, worker: names.worker, ...names.core };
    const name = byKey[request.key];
    if (name === undefined) {
        throw new Error(`no name for identity ${request.key}`);
    }
    return name;
}

/** The identity keys flyteadmin runs as: the whole backend on flyte-binary, its own component on flyte-core. */
const FLYTEADMIN_KEYS: readonly string[] = [BACKEND_IDENTITY, "flyteadmin" satisfies FlyteCoreComponent];

/**
 * The identity request flyteadmin runs as: flyte-binary's backend (one process for all of Flyte), or flyte-core's
 * flyteadmin. It alone publishes and consumes Flyte's notifications and events and sends the emails.
 */
export function flyteadminIdentity(requests: readonly IdentityRequest[]): IdentityRequest {
    const found = requests.filter((r) => r.role === "backend" && FLYTEADMIN_KEYS.includes(r.key));
    if (found.length !== 1) {
        throw new Error(`expected one identity for flyteadmin (${FLYTEADMIN_KEYS.join(" or ")}), found ${found.length}`);
    }
    return found[0];
}

/** The identity key of a data plane's flytepropeller, the one identity a data plane creates. */
export const DATA_PLANE_PROPELLER = "flytepropeller";

/**
 * A data plane's flytepropeller identity request, as on a flyte-core stack (FLYTE_CORE_COMPONENTS): the metadata and
 * raw-data buckets, for its service account in Flyte's namespace there.
 */
export function dataPlanePropellerRequest(flyteNamespace: string, stack: string): IdentityRequest {
    const spec = FLYTE_CORE_COMPONENTS.flytepropeller;
    return {
        key: DATA_PLANE_PROPELLER,
        role: "backend",
        title: "Flyte flytepropeller (data plane)",
        description: `Flyte's flytepropeller on data plane ${stack}`,
        serviceAccounts: [{ namespace: flyteNamespace, name: spec.serviceAccount }],
        data: spec.data,
        signsUrls: spec.signsUrls,
    };
}
