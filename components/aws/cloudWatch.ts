import type { TaskLogLink } from "../contract/platform";
import { awsPartition } from "./iam";

/** Where the Container Insights add-on writes container logs. */
export function containerLogGroup(clusterName: string): string {
    return `/aws/containerinsights/${clusterName}/application`;
}

/** The CloudWatch console's own escaping of URL fragments: `%` becomes `$25`. */
function consoleEscape(text: string): string {
    return encodeURIComponent(text).replace(/%/g, "$25");
}

/** The AWS console's host for a region: GovCloud and China have consoles of their own. */
export function consoleHost(region: string): string {
    switch (awsPartition(region)) {
        case "aws-us-gov":
            return "console.amazonaws-us-gov.com";
        case "aws-cn":
            return "console.amazonaws.cn";
        default:
            return `${region}.console.aws.amazon.com`;
    }
}

/**
 * A CloudWatch link from a task to its logs: the cluster's container log group, filtered to the task's pod
 * (Flyte fills in `{{ .podName }}`). Filtering by pod does not depend on how the agent names log streams.
 */
export function cloudWatchTaskLogLink(args: { readonly region: string; readonly clusterName: string }): TaskLogLink {
    const group = consoleEscape(containerLogGroup(args.clusterName));
    return {
        plugin: "cloudwatch",
        templateUri:
            `https://${consoleHost(args.region)}/cloudwatch/home?region=${args.region}` +
            `#logsV2:log-groups/log-group/${group}/log-events$3FfilterPattern$3D$2522{{ .podName }}$2522`,
    };
}
