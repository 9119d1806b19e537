import { isDns1123Label } from "../shared/namespaces";
import type { Cloud, FlyteConfig } from "../contract/config";
import { CONTROL_PLANE_CLUSTER, type DataPlaneRef, type ExecutionRoute, type MultiClusterConfig } from "../contract/multiCluster";
import { ConfigReader } from "./reader";
import { CONFIG_KEYS, type ConfigKey } from "./schema";

/** The keys only a control plane reads (on the clouds their entries name). */
export const CONTROL_PLANE_KEYS = [
    "dataPlanes",
    "controlPlanePropeller",
    "defaultExecutionCluster",
    "executionRoutes",
    "awsTrustPolicyMaxLength",
] as const satisfies readonly ConfigKey[];
/** The keys only a data plane reads. */
export const DATA_PLANE_KEYS = ["controlPlaneStack", "dataPlaneRawBucket", "dataPlaneTokenGeneration"] as const satisfies readonly ConfigKey[];

/**
 * What a data plane takes from its control plane rather than from its own config: Flyte's projects, domains,
 * namespaces and chart version (the control plane's cluster resource sync creates the namespaces in every cluster, and
 * flytepropeller must watch the namespaces it creates), and everything the control plane serves: the database (Cloud
 * SQL, RDS), the endpoint, sign-in (Cognito too), notifications, events, the registry, the verification. Each cloud
 * refuses those of its own keys (the others' are another cloud's).
 */
export const FROM_CONTROL_PLANE_KEYS = [
    "flyteProjects",
    "flyteDomains",
    "projectIsolation",
    "projectSetupImage",
    "namespaceTemplate",
    "flyteNamespace",
    "chartVersion",
    "chartRepository",
    "coreReplicas",
    "coreProxyImage",
    "dnsName",
    "dnsZone",
    "endpointAccess",
    "authentication",
    "oidcIssuerUrl",
    "oidcClientId",
    "oidcClientSecret",
    "oidcScopes",
    "notifications",
    "notificationsSender",
    "notificationsEmailService",
    "sendgridApiKey",
    "smtpServer",
    "smtpPort",
    "smtpUsername",
    "smtpPassword",
    "executionEvents",
    "registry",
    "registryKeepVersions",
    "registryUntaggedDays",
    "ciGithubRepository",
    "ciGithubRef",
    "ciGithubEnvironment",
    "verification",
    "verificationImage",
    "proxyOnlySubnetCidr",
    "privateServicesCidr",
    "databaseVersion",
    "databaseTier",
    "databaseDiskSizeGb",
    "databaseHighAvailability",
    "databaseBackupRetentionDays",
    "loadBalancerIp",
    "loadBalancerGlobalAccess",
    "rdsEngineVersion",
    "rdsInstanceClass",
    "rdsMaxAllocatedStorageGb",
    "cognitoDomainPrefix",
    "cognitoAdminEmail",
] as const satisfies readonly ConfigKey[];

const STACK_NAME = /^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

/** `<name>=<stack>` items of `flyte:dataPlanes`. */
function parseDataPlanes(config: ConfigReader): DataPlaneRef[] {
    const items = config.list("dataPlanes");
    const refs = items.map((item) => {
        const [name, stack, ...rest] = item.split("=");
        if (rest.length > 0 || stack === undefined || !isDns1123Label(name) || name === CONTROL_PLANE_CLUSTER || !STACK_NAME.test(stack)) {
            config.fail("dataPlanes", item, `allowed: ${CONFIG_KEYS.dataPlanes.items}`);
        }
        return { name, stack };
    });
    for (const [what, of] of [
        ["name", (r: DataPlaneRef) => r.name],
        ["stack", (r: DataPlaneRef) => r.stack],
    ] as const) {
        const duplicate = refs.find((r, i) => refs.findIndex((other) => of(other) === of(r)) !== i);
        if (duplicate !== undefined) {
            config.fail("dataPlanes", `${duplicate.name}=${duplicate.stack}`, `each data plane's ${what} may appear only once`);
        }
    }
    return refs;
}

/** `<project>[/<domain>]=<cluster>` items of `flyte:executionRoutes`. */
function parseRoutes(config: ConfigReader, flyte: FlyteConfig, clusters: readonly string[]): ExecutionRoute[] {
    const routes = config.list("executionRoutes").map((item) => {
        const [target, cluster, ...rest] = item.split("=");
        const [project, domain, ...more] = target.split("/");
        if (rest.length > 0 || more.length > 0 || cluster === undefined) {
            config.fail("executionRoutes", item, `allowed: ${CONFIG_KEYS.executionRoutes.items}`);
        }
        if (!flyte.projects.includes(project)) {
            config.fail("executionRoutes", item, `allowed: a project of flyteProjects (${flyte.projects.join(", ")})`);
        }
        if (domain !== undefined && !flyte.domains.includes(domain)) {
            config.fail("executionRoutes", item, `allowed: a domain of flyteDomains (${flyte.domains.join(", ")})`);
        }
        if (!clusters.includes(cluster)) {
            config.fail("executionRoutes", item, `allowed: a cluster of ${clusters.join(", ")}`);
        }
        return domain === undefined ? { project, cluster } : { project, domain, cluster };
    });
    const key = (r: ExecutionRoute) => `${r.project}/${r.domain ?? ""}`;
    const duplicate = routes.find((r, i) => routes.findIndex((other) => key(other) === key(r)) !== i);
    if (duplicate !== undefined) {
        config.fail("executionRoutes", key(duplicate).replace(/\/$/, ""), "each project or project/domain may be routed only once");
    }
    return routes;
}

/**
 * `flyte:clusterRole` and the keys of that role; undefined for a standalone stack, which must set none of them.
 * Multi-cluster needs flyte-core (flyte-binary runs every component in one pod) and a cloud: every stack of a
 * deployment is on the same one (what makes the control plane's identities hold in every cluster: one GCP project for
 * Workload Identity, one AWS account whose task roles trust every cluster's OIDC provider).
 */
export function parseMultiCluster(config: ConfigReader, cloud: Cloud, flyte: FlyteConfig): MultiClusterConfig | undefined {
    if (!CONFIG_KEYS.clusterRole.targets.includes(cloud)) {
        return undefined;
    }
    // Another cloud's keys are refused already (checkTargets), and are not read here.
    const onThisCloud = <K extends ConfigKey>(keys: readonly K[]): K[] => keys.filter((key) => CONFIG_KEYS[key].targets.includes(cloud));
    const role = config.oneOf("clusterRole");
    if (role !== "controlPlane") {
        config.refuseSetKeys(onThisCloud(CONTROL_PLANE_KEYS), "clusterRole controlPlane");
    }
    if (role !== "dataPlane") {
        config.refuseSetKeys(onThisCloud(DATA_PLANE_KEYS), "clusterRole dataPlane");
    }
    if (role === "standalone") {
        return undefined;
    }
    if (flyte.flavor !== "core") {
        config.fail("clusterRole", role, "only with flavor core (flyte-binary runs flytepropeller in the same pod as flyteadmin)");
    }
    if (role === "dataPlane") {
        config.refuseSetKeys(onThisCloud(FROM_CONTROL_PLANE_KEYS), "a standalone or control-plane stack (a data plane takes it from its control plane)");
        const controlPlaneStack = config.string("controlPlaneStack");
        if (controlPlaneStack === "") {
            config.fail("controlPlaneStack", controlPlaneStack, `required with clusterRole dataPlane; allowed: ${CONFIG_KEYS.controlPlaneStack.allows}`);
        }
        return {
            role,
            controlPlaneStack,
            rawDataBucket: config.boolean("dataPlaneRawBucket"),
            tokenGeneration: config.integer("dataPlaneTokenGeneration"),
        };
    }
    const dataPlanes = parseDataPlanes(config);
    const propeller = config.boolean("controlPlanePropeller");
    const clusters = [...dataPlanes.map((d) => d.name), ...(propeller ? [CONTROL_PLANE_CLUSTER] : [])];
    if (clusters.length === 0) {
        config.fail("dataPlanes", [], "at least one data plane, or controlPlanePropeller true: executions need a cluster to run in");
    }
    const configuredDefault = config.string("defaultExecutionCluster");
    if (configuredDefault !== "" && !clusters.includes(configuredDefault)) {
        config.fail("defaultExecutionCluster", configuredDefault, `allowed: empty or one of ${clusters.join(", ")}`);
    }
    return {
        role,
        dataPlanes,
        propeller,
        defaultCluster: configuredDefault === "" ? clusters[0] : configuredDefault,
        routes: parseRoutes(config, flyte, clusters),
    };
}
