/**
 * The one place that turns Flyte projects, domains and the namespace template into Kubernetes namespaces.
 * Flyte's own namespace mapping, the cluster resource templates and every identity binding are derived from
 * it, so they cannot disagree.
 */

/** A DNS-1123 label: what Kubernetes accepts as a namespace name. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL_MAX = 63;

export function isDns1123Label(value: string): boolean {
    return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

/**
 * Flyte replaces exactly these strings (single spaces inside the braces) when it maps a project and domain to a
 * namespace (flytestdlib namespaceutils.GetNamespaceName); `{{ org }}` is always empty in open-source Flyte.
 */
export const PROJECT_PLACEHOLDER = "{{ project }}";
export const DOMAIN_PLACEHOLDER = "{{ domain }}";
const ORG_PLACEHOLDER = "{{ org }}";

export interface ProjectDomainNamespace {
    readonly project: string;
    readonly domain: string;
    readonly namespace: string;
}

/** Renders the template the way Flyte does, so what we bind is what Flyte schedules into. */
export function renderNamespace(template: string, project: string, domain: string): string {
    return template
        .split(ORG_PLACEHOLDER)
        .join("")
        .split(PROJECT_PLACEHOLDER)
        .join(project)
        .split(DOMAIN_PLACEHOLDER)
        .join(domain);
}

/** Every project × domain pair with its namespace, project-major, in config order. */
export function projectDomainNamespaces(
    projects: readonly string[],
    domains: readonly string[],
    template: string,
): ProjectDomainNamespace[] {
    return projects.flatMap((project) =>
        domains.map((domain) => ({ project, domain, namespace: renderNamespace(template, project, domain) })),
    );
}

/** The distinct namespaces, in first-seen order (a template without a placeholder maps several pairs to one). */
export function distinctNamespaces(pairs: readonly ProjectDomainNamespace[]): string[] {
    return [...new Set(pairs.map((p) => p.namespace))];
}

/** Namespaces Kubernetes or GKE own; Flyte must not template into them. */
export function isReservedNamespace(namespace: string): boolean {
    return namespace === "default" || namespace.startsWith("kube-") || namespace.startsWith("gke-");
}
