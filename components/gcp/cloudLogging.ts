import type { TaskLogLink } from "../contract/platform";

/**
 * A Cloud Logging link for a task's container logs. The `{{ .namespace }}`-style variables are filled in by
 * Flyte for each task pod.
 */
export function cloudLoggingTaskLogLink(args: {
    readonly project: string;
    readonly location: string;
    readonly clusterName: string;
}): TaskLogLink {
    const filter = [
        'resource.type="k8s_container"',
        `resource.labels.project_id="${args.project}"`,
        `resource.labels.location="${args.location}"`,
        `resource.labels.cluster_name="${args.clusterName}"`,
        'resource.labels.namespace_name="{{ .namespace }}"',
        'resource.labels.pod_name="{{ .podName }}"',
        'resource.labels.container_name="{{ .containerName }}"',
    ].join("\n");
    const encoded = encodeURIComponent(filter)
        // Keep Flyte's template variables readable for it to substitute.
        .replace(/%7B%7B%20(\.[A-Za-z]+)%20%7D%7D/g, "{{ $1 }}");
    return {
        plugin: "stackdriver",
        templateUri: `https://console.cloud.google.com/logs/query;query=${encoded}?project=${args.project}`,
    };
}
