import { distinctNamespaces, isDns1123Label, isReservedNamespace, projectDomainNamespaces } from "../shared/namespaces";
import { firstDataPrefixOverlap, flyteWorkloads, projectMetadataPrefixes } from "../contract/identities";
import {
    bucketGrants,
    conditionalBindingCount,
    MAX_CONDITION_PREFIXES,
    MAX_CONDITION_TERMS,
    MAX_CONDITIONAL_BINDINGS,
    MAX_POLICY_PRINCIPALS,
} from "../gcp/iam";
import { ConfigReader, requireDnsLabels } from "./reader";
import { CONFIG_KEYS, DNS_LABEL_RULE } from "./schema";
import type { FlyteConfig } from "../contract/config";
import { unquotedYamlReading } from "./yamlScalars";

/** A pinned chart version (semver, optional "v" and pre-release); the major version is checked on its own. */
const CHART_VERSION = /^v?(\d+)\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const FLYTE_1_CHART = CONFIG_KEYS.chartVersion.allows;
/** What the console shows for a domain. */
const DOMAIN_NAME_MAX = 64;
const DOMAIN_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,${DOMAIN_NAME_MAX - 1}}$`);

/** The Flyte part of the config, the same on every cloud. */
export function parseFlyte(config: ConfigReader): FlyteConfig {
    const flavor = config.oneOf("flavor");
    const projects = config.list("flyteProjects");
    requireDnsLabels(config, "flyteProjects", projects);
    const domainEntries = config.list("flyteDomains");
    const domains = domainEntries.map((entry) => entry.split(":")[0]);
    requireDnsLabels(config, "flyteDomains", domains);
    const domainNames: Record<string, string> = {};
    for (const entry of domainEntries) {
        const [id, ...rest] = entry.split(":");
        const name = rest.length > 0 ? rest.join(":") : id;
        if (!DOMAIN_NAME.test(name)) {
            config.fail("flyteDomains", entry, `the name after ':' must be 1 to ${DOMAIN_NAME_MAX} letters, digits, spaces, '.', '_' or '-'`);
        }
        domainNames[id] = name;
    }

    const namespace = config.string("flyteNamespace");
    const namespaceTemplate = config.string("namespaceTemplate");
    // Flyte 1.x's cluster resource sync maps a domain's display name, not its id, through the namespace template,
    // while executions use the id: with {{ domain }} in the template the two must be the same.
    if (namespaceTemplate.includes("{{ domain }}")) {
        const renamed = domainEntries.find((entry) => domainNames[entry.split(":")[0]] !== entry.split(":")[0]);
        if (renamed !== undefined) {
            config.fail(
                "flyteDomains",
                renamed,
                "a display name other than the id only with a namespaceTemplate without {{ domain }}: Flyte 1.x would sync namespaces named after the display name",
            );
        }
    }
    if (!isDns1123Label(namespace) || isReservedNamespace(namespace)) {
        config.refuse("flyteNamespace", namespace);
    }
    // flyte-core writes its namespace into every manifest unquoted (`namespace: {{ template "flyte.namespace" . }}`,
    // charts/flyte-core/templates), where Kubernetes reads YAML 1.1: nothing the program passes can quote it.
    // flyte-binary quotes it. Project and domain ids are safe in both charts (see coreValues.ts, seedProjectArgument).
    const yamlReading = flavor === "core" ? unquotedYamlReading(namespace) : undefined;
    if (yamlReading !== undefined) {
        config.fail(
            "flyteNamespace",
            namespace,
            `with flavor core, the chart writes the namespace into its manifests unquoted and Kubernetes reads ${namespace} there as ${yamlReading} (YAML 1.1), not a string; allowed: a name that is not y, yes, n, no, on, off, true, false, null or a number`,
        );
    }

    const projectNamespaces = projectDomainNamespaces(projects, domains, namespaceTemplate);
    for (const pair of projectNamespaces) {
        const problem = !isDns1123Label(pair.namespace)
            ? `must yield ${DNS_LABEL_RULE}; placeholders are exactly {{ project }} and {{ domain }}`
            : isReservedNamespace(pair.namespace)
              ? "must not yield default, kube-* or gke-*"
              : pair.namespace === namespace
                ? `must not yield Flyte's own namespace (flyteNamespace = ${namespace})`
                : undefined;
        if (problem) {
            config.fail(
                "namespaceTemplate",
                namespaceTemplate,
                `project ${pair.project} × domain ${pair.domain} yields namespace "${pair.namespace}"; the template ${problem}`,
            );
        }
    }
    // Reject the mapping only if it silently merges different projects: a template without {{ domain }}
    // deliberately shares one namespace across domains, but two projects in one namespace would share identities.
    const byNamespace = new Map<string, string>();
    for (const pair of projectNamespaces) {
        const owner = byNamespace.get(pair.namespace);
        if (owner !== undefined && owner !== pair.project) {
            config.fail(
                "namespaceTemplate",
                namespaceTemplate,
                `projects ${owner} and ${pair.project} both map to namespace "${pair.namespace}"; include {{ project }} or use distinct project ids`,
            );
        }
        byNamespace.set(pair.namespace, pair.project);
    }
    if (distinctNamespaces(projectNamespaces).length === 0) {
        config.fail("namespaceTemplate", namespaceTemplate, "must yield at least one namespace");
    }

    // Since Flyte 2 became generally available (2026-08), the flyte-binary chart in the same repository also has v2.x
    // versions: Flyte 2, a different product whose values this program does not produce.
    const chartVersion = config.string("chartVersion");
    const major = CHART_VERSION.exec(chartVersion)?.[1];
    if (major === undefined) {
        config.fail("chartVersion", chartVersion, `allowed: ${FLYTE_1_CHART}, pinned (not latest or a range)`);
    }
    if (major !== "1") {
        const flyte2 = major === "2" ? " (v2.x is Flyte 2, whose values this program does not produce)" : "";
        config.fail("chartVersion", chartVersion, `allowed: ${FLYTE_1_CHART}${flyte2}`);
    }
    const chartRepository = config.string("chartRepository");
    let repositoryUrl: URL | undefined;
    try {
        repositoryUrl = new URL(chartRepository);
    } catch {
        repositoryUrl = undefined;
    }
    if (repositoryUrl?.protocol !== "https:") {
        config.refuse("chartRepository", chartRepository);
    }

    const core = {
        replicas: config.integer("coreReplicas"),
        proxyImage: config.string("coreProxyImage"),
    };
    const projectIsolation = config.boolean("projectIsolation");
    const projectSetupImage = config.string("projectSetupImage");
    if (projectIsolation) {
        requireDistinctDataPrefixes(config, projects, domains);
    }

    return {
        flavor,
        projects,
        domains,
        domainNames,
        namespaceTemplate,
        namespace,
        projectNamespaces,
        chartVersion,
        chartRepository,
        projectIsolation,
        projectSetupImage,
        core,
    };
}


/**
 * Flyte keeps each execution's metadata under `metadata/propeller/<project>-<domain>-<execution>/`, and with
 * project isolation a project's identity may only touch its own `<project>-<domain>-` prefixes. Where two projects'
 * prefixes nest (`x` and `x-development`, or `a` with domain `b-dev` and `a-b` with `dev`), an object name says
 * nothing about which project wrote it, since execution names may contain `-`: one project could read the other's
 * (see overlappingDataPrefixes). Such projects are refused here; a project registered later with flytectl must follow
 * the same rule (README, "Project isolation").
 */
function requireDistinctDataPrefixes(config: ConfigReader, projects: readonly string[], domains: readonly string[]): void {
    const overlap = firstDataPrefixOverlap(projects, domains);
    if (overlap !== undefined) {
        config.fail(
            "flyteProjects",
            overlap.covered,
            `with projectIsolation, project ${overlap.covered} (domain ${overlap.coveredDomain}) shares the data prefix "${overlap.prefix}" of project ${overlap.covering}: execution names may contain '-', so no permission can tell their metadata apart; rename one of them`,
        );
    }
}

/**
 * Principals a new bucket's policy names before this program adds any: the project's owners and editors in
 * legacyBucketOwner and legacyObjectOwner, its viewers in legacyBucketReader and legacyObjectReader
 * (the convenience values of Cloud Storage's legacy roles, https://cloud.google.com/storage/docs/access-control/iam).
 */
export const GCS_DEFAULT_BUCKET_PRINCIPALS = 6;

/**
 * With project isolation on GCP, each project's task identity gets objectAdmin on the shared metadata bucket under
 * conditions on its prefixes (two per domain), MAX_CONDITION_PREFIXES per condition and one binding per condition.
 * IAM caps the bindings of one role and principal on a resource, which bounds the domains, and the principals one
 * policy names, which with those bindings bounds the projects.
 */
export function requireGcsIsolationFits(config: ConfigReader, flyte: FlyteConfig): void {
    if (!flyte.projectIsolation) {
        return;
    }
    const prefixesPerDomain = projectMetadataPrefixes("p", ["d"]).length;
    const domainsPerBinding = Math.floor(MAX_CONDITION_PREFIXES / prefixesPerDomain);
    const perProject = conditionalBindingCount(prefixesPerDomain * flyte.domains.length);
    if (perProject > MAX_CONDITIONAL_BINDINGS) {
        config.fail(
            "flyteDomains",
            flyte.domains,
            `with cloud gcp and projectIsolation, each project's task identity needs one conditional binding on the metadata bucket per ${domainsPerBinding} domains (IAM allows ${MAX_CONDITION_TERMS - 1} logical operators in a condition) and IAM allows ${MAX_CONDITIONAL_BINDINGS} such bindings per role and principal: at most ${domainsPerBinding * MAX_CONDITIONAL_BINDINGS} domains`,
        );
    }
    // Every binding this program makes on the metadata bucket names its principal once.
    const workloads = flyteWorkloads(flyte);
    const occurrences = (requests: typeof workloads.identities): number =>
        requests
            .flatMap((request) => bucketGrants(request.data, workloads.isolatedProjects))
            .filter((grant) => grant.bucket.kind === "metadata")
            .reduce((total, grant) => total + (grant.prefixes ? conditionalBindingCount(grant.prefixes.length) : 1), 0);
    const fixed = GCS_DEFAULT_BUCKET_PRINCIPALS + occurrences(workloads.identities.filter((r) => r.data.kind !== "project"));
    const total = GCS_DEFAULT_BUCKET_PRINCIPALS + occurrences(workloads.identities);
    if (total > MAX_POLICY_PRINCIPALS) {
        config.fail(
            "flyteProjects",
            flyte.projects,
            `with cloud gcp and projectIsolation, the metadata bucket's policy would name ${total} principals (${perProject} conditional binding(s) per project, Flyte's own identities and the bucket's default members) and IAM allows ${MAX_POLICY_PRINCIPALS}: at most ${Math.floor((MAX_POLICY_PRINCIPALS - fixed) / perProject)} projects with ${flyte.domains.length} domains`,
        );
    }
}

/**
 * With project isolation each project gets an identity (and a bucket) named after it, so its id must fit the
 * cloud's name limits.
 */
export function requireIsolatedProjectLength(config: ConfigReader, flyte: FlyteConfig, max: number, what: string): void {
    if (!flyte.projectIsolation) {
        return;
    }
    for (const project of flyte.projects) {
        if (project.length > max) {
            config.fail("flyteProjects", project, `with projectIsolation, project ids name ${what}: at most ${max} characters`);
        }
    }
}

/** With project isolation, each project's bucket name part must be its own (see the naming functions). */
export function requireDistinctProjectBuckets(config: ConfigReader, flyte: FlyteConfig, part: (project: string) => string): void {
    if (!flyte.projectIsolation) {
        return;
    }
    const seen = new Map<string, string>();
    for (const project of flyte.projects) {
        const owner = seen.get(part(project));
        if (owner !== undefined) {
            config.fail("flyteProjects", project, `with projectIsolation, projects ${owner} and ${project} would get the same data bucket; rename one of them`);
        }
        seen.set(part(project), project);
    }
}
