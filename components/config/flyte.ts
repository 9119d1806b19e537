import { distinctNamespaces, isDns1123Label, isReservedNamespace, projectDomainNamespaces } from "../namespaces";
import { ConfigReader, DNS_LABEL_RULE, requireDnsLabels } from "./reader";
import { FLAVORS, SUPPORTED_FLAVORS } from "./schema";
import type { FlyteConfig } from "./types";

const CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** The Flyte part of the config, the same on every cloud. */
export function parseFlyte(config: ConfigReader): FlyteConfig {
    const flavor = config.oneOf("flavor", FLAVORS);
    if (!SUPPORTED_FLAVORS.includes(flavor)) {
        config.fail("flavor", flavor, `not supported yet; allowed: ${SUPPORTED_FLAVORS.join(", ")}`);
    }
    const projects = config.list("flyteProjects", "a Flyte project id");
    requireDnsLabels(config, "flyteProjects", projects);
    const domains = config.list("flyteDomains", "a Flyte domain id");
    requireDnsLabels(config, "flyteDomains", domains);

    const namespace = config.string("flyteNamespace", DNS_LABEL_RULE);
    if (!isDns1123Label(namespace) || isReservedNamespace(namespace)) {
        config.fail("flyteNamespace", namespace, `allowed: ${DNS_LABEL_RULE}, not default, kube-* or gke-*`);
    }

    const namespaceTemplate = config.string("namespaceTemplate", "a template using {{ project }} and {{ domain }}");
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

    const chartVersion = config.matching("chartVersion", CHART_VERSION, "a chart version such as v1.16.8");
    const chartRepository = config.string("chartRepository", "an https:// URL");
    let repositoryUrl: URL | undefined;
    try {
        repositoryUrl = new URL(chartRepository);
    } catch {
        repositoryUrl = undefined;
    }
    if (repositoryUrl?.protocol !== "https:") {
        config.fail("chartRepository", chartRepository, "allowed: an https:// URL of a Helm chart repository");
    }

    return { flavor, projects, domains, namespaceTemplate, namespace, projectNamespaces, chartVersion, chartRepository };
}

